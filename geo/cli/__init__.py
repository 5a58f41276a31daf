"""``python -m geo …``: the command-line interface (also installed as the ``geo`` script).

Owns the parsing of arguments and the printing of results: each command group has one
``_add_*`` function declaring its arguments here and a module (:mod:`.data`, :mod:`.territory`,
:mod:`.datasets`, :mod:`.projects`, :mod:`.moderators`, :mod:`.communs`, :mod:`.db`,
:mod:`.kit`) calling the domain
packages, which it may all import.
Output is JSON on stdout with ``--json``; messages meant for people go to stderr, in French;
a :class:`~geo.errors.GeoError` is printed and exits with code 1. Nothing else shows a
traceback either: running out of memory is one French sentence (exit 1), any other failure
another (exit 2) whose technical detail ``--debug`` prints (``python -m geo --debug …``).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from geo.cli import french
from geo.cli.console import JSON_HELP, print_result
from geo.errors import GeoError

DESCRIPTION = (
    "Carte des communs énergie & mobilité en ligne de commande : données de référence, "
    "territoires, jeux de données publics, projets, mesures. Messages en français sur la "
    "sortie d'erreur, JSON sur la sortie standard avec --json."
)

# --- data -------------------------------------------------------------------------------------


def _add_data(sub: argparse._SubParsersAction) -> None:
    data = sub.add_parser(
        "data",
        help="fichiers de référence : récupérer, état du cache",
        description=(
            "Fichiers de référence (territoires, jeux de données) : les récupérer, voir le cache."
        ),
    )
    data_sub = data.add_subparsers(dest="data_command", required=True, metavar="ACTION")
    fetch = data_sub.add_parser(
        "fetch",
        help="télécharger (ou copier d'un miroir) les fichiers de référence",
        description=(
            "Télécharge (ou copie d'un miroir local) les fichiers de référence, puis prépare le "
            "référentiel des territoires."
        ),
    )
    fetch.add_argument(
        "names",
        nargs="*",
        metavar="NOM",
        help="sources ou groupes (territoires, datasets) ; par défaut : tous",
    )
    fetch.add_argument(
        "--mirror",
        metavar="DOSSIER",
        help="miroir local : https://HÔTE/CHEMIN y est DOSSIER/HÔTE/CHEMIN",
    )
    fetch.add_argument(
        "--force", action="store_true", help="récupérer même si une copie valide est en cache"
    )
    fetch.add_argument("--json", action="store_true", help=JSON_HELP)
    status = data_sub.add_parser(
        "status",
        help="ce qui est en cache, d'où, quand",
        description="Ce qui est en cache : d'où, quand, taille et sha256.",
    )
    status.add_argument("--json", action="store_true", help=JSON_HELP)


def _run_data(args: argparse.Namespace) -> int:
    from geo.cli import data

    return data.run(args)


# --- territory --------------------------------------------------------------------------------


def _add_territory(sub: argparse._SubParsersAction) -> None:
    territory = sub.add_parser(
        "territory",
        help="territoires : localiser des points, chercher, fiche territoire",
        description="Territoires : localiser des points, chercher un territoire, écrire sa fiche.",
    )
    t_sub = territory.add_subparsers(dest="territory_command", required=True, metavar="ACTION")
    locate = t_sub.add_parser(
        "locate",
        help="commune, EPCI, département et région de points",
        description=(
            "Commune, EPCI, département et région de points donnés (LAT LON …) ou d'un fichier "
            "CSV de colonnes lat,lon."
        ),
    )
    locate.add_argument(
        "coords",
        nargs="*",
        type=str,
        metavar="LAT LON",
        help="latitude et longitude de chaque point",
    )
    locate.add_argument(
        "--csv", dest="csv_in", metavar="ENTRÉE.csv", help="fichier CSV aux colonnes lat,lon"
    )
    locate.add_argument("--out", metavar="SORTIE.csv", help="fichier CSV écrit (avec --csv)")
    locate.add_argument(
        "--chunk-size",
        type=int,
        default=500_000,
        metavar="N",
        help="lignes par lot (avec --csv ; par défaut : %(default)s)",
    )
    locate.add_argument("--json", action="store_true", help=JSON_HELP)
    search = t_sub.add_parser(
        "search",
        help="chercher un territoire par nom, code postal ou code",
        description="Cherche un territoire par nom, code postal, code INSEE ou SIREN.",
    )
    search.add_argument("text", metavar="TEXTE", help="nom, code postal, code INSEE ou SIREN")
    search.add_argument(
        "--limit",
        type=int,
        default=10,
        metavar="N",
        help="résultats au plus (par défaut : %(default)s)",
    )
    search.add_argument("--json", action="store_true", help=JSON_HELP)
    sheet = t_sub.add_parser(
        "sheet",
        help="fiche territoire (portrait) en HTML ou PDF",
        description=(
            "La fiche territoire de la page Portrait : un fichier HTML autonome ou son PDF A4."
        ),
    )
    sheet.add_argument(
        "territory",
        metavar="NIVEAU:CODE",
        help="le territoire, par ex. epci:200040715 ou commune:38185",
    )
    sheet.add_argument(
        "--out", metavar="FICHIER", help="FICHIER.html ou FICHIER.pdf (A4, autonome)"
    )
    sheet.add_argument(
        "--app-url",
        metavar="URL",
        help="adresse de l'application : les titres des projets y renvoient",
    )
    sheet.add_argument("--json", action="store_true", help="affiche les chiffres en JSON")


def _run_territory(args: argparse.Namespace) -> int:
    from geo.cli import territory as territory_cli

    return territory_cli.run(args)


# --- datasets ---------------------------------------------------------------------------------


def _add_datasets(sub: argparse._SubParsersAction) -> None:
    from geo.cli import datasets as datasets_cli

    datasets = sub.add_parser(
        "datasets",
        help="jeux de données publics : lister, charger un fichier",
        description="Jeux de données publics : le catalogue, le chargement d'un fichier.",
    )
    datasets_cli.add_arguments(datasets)


def _run_datasets(args: argparse.Namespace) -> int:
    from geo.cli import datasets as datasets_cli

    return datasets_cli.run(args)


# --- projects ---------------------------------------------------------------------------------


def _add_projects(sub: argparse._SubParsersAction) -> None:
    from geo.cli import projects as projects_cli

    projects = sub.add_parser(
        "projects",
        help="projets : ajouter, lister, importer, exporter, changer un statut",
        description=(
            "Le registre des projets : ajouter, lister, importer, exporter, changer un statut."
        ),
    )
    projects_cli.add_arguments(projects)


def _run_projects(args: argparse.Namespace) -> int:
    from geo.cli import projects as projects_cli

    return projects_cli.run(args)


# --- moderators ------------------------------------------------------------------------------


def _add_moderators(sub: argparse._SubParsersAction) -> None:
    from geo.cli import moderators as moderators_cli

    moderators = sub.add_parser(
        "moderators",
        help="comptes modérateurs : lister, ajouter, supprimer, périmètres",
        description="Les comptes modérateurs, pour les opérateurs.",
    )
    moderators_cli.add_arguments(moderators)


def _run_moderators(args: argparse.Namespace) -> int:
    from geo.cli import moderators as moderators_cli

    return moderators_cli.run(args)


# --- communs and actors ----------------------------------------------------------------------


def _add_communs(sub: argparse._SubParsersAction) -> None:
    from geo.cli import communs as communs_cli

    communs = sub.add_parser(
        "communs",
        help="communs (ressources partagées) : lister, enregistrer, importer d'un wiki",
        description="Les communs : outils, données, méthodes, formations, matériels partagés.",
    )
    communs_cli.add_communs_arguments(communs)
    actors = sub.add_parser(
        "actors",
        help="acteurs (organisations) : lister, enregistrer, doublons, fusion",
        description="Les acteurs : organisations qui portent des projets ou maintiennent des "
        "communs.",
    )
    communs_cli.add_actors_arguments(actors)


def _run_communs(args: argparse.Namespace) -> int:
    from geo.cli import communs as communs_cli

    return communs_cli.run_communs(args)


def _run_actors(args: argparse.Namespace) -> int:
    from geo.cli import communs as communs_cli

    return communs_cli.run_actors(args)


# --- db ---------------------------------------------------------------------------------------


def _add_db(sub: argparse._SubParsersAction) -> None:
    from geo.cli import db as db_cli

    db = sub.add_parser(
        "db",
        help="la base du registre : état, copie vers PostgreSQL, sauvegarde, restauration",
        description="La base du registre des projets elle-même (DATABASE_URL, sinon le "
        "fichier SQLite) : état, copie vers une autre base, sauvegarde et restauration.",
    )
    db_cli.add_arguments(db)


def _run_db(args: argparse.Namespace) -> int:
    from geo.cli import db as db_cli

    return db_cli.run(args)


# --- kit --------------------------------------------------------------------------------------


def _add_kit(sub: argparse._SubParsersAction) -> None:
    from geo.cli import kit as kit_cli

    kit = sub.add_parser("kit", help="kit hors ligne d'un territoire (atelier sans réseau)")
    kit_cli.add_arguments(kit)


def _run_kit(args: argparse.Namespace) -> int:
    from geo.cli import kit as kit_cli

    return kit_cli.run(args)


# --- bench ------------------------------------------------------------------------------------


#: geo.bench.TARGETS, written again to keep the bench package out of every command's start
#: (tests/cli checks they agree).
_BENCH_TARGETS = [
    "territories", "datasets", "projects", "load", "portrait", "explorer", "app", "kit", "soak",
]  # fmt: skip


def _add_bench(sub: argparse._SubParsersAction) -> None:
    bench = sub.add_parser(
        "bench",
        help="mesures de performance (chiffres du README)",
        description=(
            "Mesures de performance (chiffres du README), sur le miroir national par défaut."
        ),
    )
    bench.add_argument(
        "target",
        choices=_BENCH_TARGETS,
        metavar="CIBLE",
        help="ce qui est mesuré : " + ", ".join(_BENCH_TARGETS[:-1]) + f" ou {_BENCH_TARGETS[-1]}",
    )
    bench.add_argument(
        "--mirror",
        type=Path,
        default=None,
        metavar="DOSSIER",
        help="miroir des données ouvertes (par défaut : ../shared/opendata-france s'il existe)",
    )
    bench.add_argument(
        "--points",
        type=int,
        default=None,
        metavar="N",
        help="points (territories : 1 000 000 ; explorer : 165 000 lignes générées)",
    )
    bench.add_argument(
        "--repeat", type=int, default=3, metavar="N", help="répétitions (par défaut : %(default)s)"
    )
    bench.add_argument(
        "--rows",
        type=int,
        default=150_000,
        metavar="N",
        help="lignes IRVE (datasets ; par défaut : %(default)s)",
    )
    bench.add_argument(
        "--projects",
        type=int,
        default=100_000,
        metavar="N",
        help="projets en base (projects, load ; par défaut : %(default)s)",
    )
    bench.add_argument(
        "--engine",
        choices=["postgresql", "sqlite"],
        default="postgresql",
        help="load : moteur de base (par défaut : un PostgreSQL jetable)",
    )
    bench.add_argument(
        "--workers", type=int, default=8, metavar="N",
        help="load : processus de travail (par défaut : %(default)s)",
    )  # fmt: skip
    bench.add_argument(
        "--seconds", type=float, default=30.0, metavar="S",
        help="load : durée mesurée en secondes (par défaut : %(default)s)",
    )  # fmt: skip
    bench.add_argument(
        "--database-url", metavar="URL",
        help="load : un serveur PostgreSQL où créer une base de mesure jetable "
        "(par défaut : un cluster jetable)",
    )  # fmt: skip
    bench.add_argument(
        "--minutes", type=float, default=None, metavar="N",
        help="soak : durée de l'usage mêlé en minutes (par défaut : 60)",
    )  # fmt: skip
    bench.add_argument(
        "--contexts", type=int, default=None, metavar="N",
        help="soak : visiteurs simultanés (par défaut : 3)",
    )  # fmt: skip
    bench.add_argument("--json", action="store_true", help=JSON_HELP)


def _run_bench(args: argparse.Namespace) -> int:
    from geo import bench

    result = bench.run(
        args.target,
        points=args.points,
        repeat=args.repeat,
        rows=args.rows,
        projects=args.projects,
        mirror=args.mirror,
        load={
            "engine": args.engine,
            "workers": args.workers,
            "seconds": args.seconds,
            "database_url": args.database_url,
        },
        soak={"minutes": args.minutes, "contexts": args.contexts},
    )
    print_result(result, as_json=args.json)
    return 0


def build_parser() -> argparse.ArgumentParser:
    french.install()  # before any parser: section titles are translated when one is built
    parser = argparse.ArgumentParser(prog="python -m geo", description=DESCRIPTION)
    parser.add_argument(
        "--debug", action="store_true", help="affiche le détail technique d'un échec (journaux)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE")
    _add_data(sub)
    _add_territory(sub)
    _add_datasets(sub)
    _add_projects(sub)
    _add_moderators(sub)
    _add_communs(sub)
    _add_db(sub)
    _add_kit(sub)
    _add_bench(sub)
    return parser


_RUNNERS = {
    "data": _run_data,
    "territory": _run_territory,
    "datasets": _run_datasets,
    "projects": _run_projects,
    "moderators": _run_moderators,
    "communs": _run_communs,
    "actors": _run_actors,
    "db": _run_db,
    "kit": _run_kit,
    "bench": _run_bench,
}


OUT_OF_MEMORY = (
    "Erreur : mémoire insuffisante pour cette commande ; rien n'a été écrit à moitié. "
    "Découpez le fichier en plusieurs parties, ou lancez la commande sur une machine qui a "
    "plus de mémoire."
)


@contextlib.contextmanager
def _logs(debug: bool) -> Iterator[None]:
    """The ``geo`` loggers write to stderr with ``--debug`` only: a person at the terminal
    reads French sentences, not stacks."""
    logger = logging.getLogger("geo")
    handler: logging.Handler = logging.StreamHandler(sys.stderr) if debug else logging.NullHandler()
    saved = (logger.propagate, logger.level)
    logger.addHandler(handler)
    logger.propagate = False
    if debug:
        logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate, logger.level = saved[0], saved[1]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    log = logging.getLogger("geo.cli")
    with _logs(args.debug):
        try:
            return _RUNNERS[args.command](args)
        except GeoError as error:
            print(f"Erreur : {error}", file=sys.stderr)
            return 1
        except MemoryError:
            log.error("Mémoire insuffisante", exc_info=True)
            print(OUT_OF_MEMORY, file=sys.stderr)
            return 1
        except Exception as error:  # noqa: BLE001 - the last line of defence, logged
            log.error("Erreur inattendue", exc_info=True)
            print(
                f"Erreur inattendue ({type(error).__name__}) : la commande n'a pas abouti. "
                "Relancez-la avec --debug (python -m geo --debug …) pour le détail technique "
                "à joindre à un signalement.",
                file=sys.stderr,
            )
            return 2
