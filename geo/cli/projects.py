"""``python -m geo projects add|list|import|export|status``: the project registry from the shell.

``add --json-file PROJECT.json`` (``-`` reads stdin) validates one project written with the
exchange field names, stores it as proposed (``proposé``) and prints its id and edit token,
shown once only; a project of the same source + external id is refused, never overwritten.
``status ID STATUS`` is the operator's decision (publish, refuse, archive), recorded in the
audit log as ``operateur:cli:<login>``. ``moderate ID --approve|--reject REASON --as NAME``
decides as the named moderator, within that account's territories (out of them: exit code 1
and a French message, nothing changed), recorded as ``moderateur:NAME``. ``list
prints every project (any status unless ``--status``), without private fields. ``import``
reads a CSV, GeoJSON or GeoPackage file (:mod:`geo.projects.importer`); ``export`` writes the
matching projects, every status unless ``--status`` (:mod:`geo.projects.exporter`).
"""

from __future__ import annotations

import argparse
import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

from geo.cli.console import JSON_HELP, print_json
from geo.errors import GeoError, ProjectValidationError
from geo.projects.exporter import FORMATS
from geo.projects.model import FIELD_LABELS, STAGES, STATUSES, THEMES, categories, public_dict
from geo.store.identity import shell_operator


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="projects_command", required=True, metavar="ACTION")
    add = sub.add_parser(
        "add",
        help="ajouter un projet (proposé) depuis un fichier JSON",
        description="Valide et enregistre un projet (statut « proposé ») ; affiche son "
        "identifiant et son jeton de modification, montré une seule fois.",
    )
    add.add_argument(
        "--json-file",
        required=True,
        metavar="PROJET.json",
        help="le projet en JSON (- : l'entrée standard)",
    )
    add.add_argument("--json", action="store_true", help=JSON_HELP)
    status = sub.add_parser(
        "status",
        help="opérateur : changer le statut d'un projet",
        description="Décision de l'opérateur : publier, refuser, archiver ou reproposer un projet.",
    )
    status.add_argument("id", type=int, metavar="ID", help="identifiant du projet")
    status.add_argument(
        "status",
        choices=list(STATUSES),
        metavar="STATUT",
        help=f"nouveau statut ({', '.join(STATUSES)})",
    )
    status.add_argument("--json", action="store_true", help=JSON_HELP)
    moderate = sub.add_parser(
        "moderate",
        help="opérateur : décider d'un projet au nom d'un modérateur",
        description="Publie un projet (ou applique sa modification) ou le refuse avec un motif, "
        "au nom d'un compte modérateur dont les périmètres s'appliquent.",
    )
    moderate.add_argument("id", type=int, metavar="ID", help="identifiant du projet")
    decision = moderate.add_mutually_exclusive_group(required=True)
    decision.add_argument(
        "--approve", action="store_true", help="publier, ou appliquer sa modification"
    )
    decision.add_argument("--reject", metavar="MOTIF", help="refuser, avec le motif")
    moderate.add_argument(
        "--as", dest="moderator", required=True, metavar="NOM",
        help="le compte modérateur qui décide (ses périmètres s'appliquent)",
    )  # fmt: skip
    moderate.add_argument("--json", action="store_true", help=JSON_HELP)
    listing = sub.add_parser(
        "list",
        help="lister les projets (tous statuts sauf --status)",
        description=(
            "Tous les projets, quel que soit leur statut sauf --status ; jamais les champs privés."
        ),
    )
    listing.add_argument(
        "--status", choices=list(STATUSES), action="append", metavar="STATUT",
        help=f"seulement ce statut ({', '.join(STATUSES)} ; répétable)",
    )  # fmt: skip
    listing.add_argument("--json", action="store_true", help=JSON_HELP)
    imports = sub.add_parser(
        "import",
        help="importer un fichier CSV, GeoJSON ou GeoPackage",
        description="Importe des projets d'un fichier CSV, GeoJSON ou GeoPackage ; chaque "
        "ligne refusée est signalée avec son numéro et sa raison.",
    )
    imports.add_argument(
        "file", metavar="FICHIER", help="le fichier à importer (.csv, .geojson, .gpkg)"
    )
    imports.add_argument(
        "--mapping",
        metavar="CORRESPONDANCE.json",
        help='fichier JSON {"sa colonne": "notre champ"} (null ignore une colonne)',
    )
    imports.add_argument("--status", choices=list(STATUSES), default="publie", metavar="STATUT",
                         help="statut des projets créés (par défaut : %(default)s)")  # fmt: skip
    imports.add_argument(
        "--source",
        metavar="NOM",
        help="nom de source de chaque ligne (par défaut : le nom du fichier)",
    )
    imports.add_argument("--json", action="store_true", help="affiche le rapport en JSON")
    export = sub.add_parser(
        "export",
        help="exporter des projets (tous statuts sauf --status)",
        description=(
            "Écrit les projets choisis (champs publics seulement) en CSV, GeoJSON, GeoPackage "
            "ou tableur XLSX (codes en texte, nombres en nombres, en-têtes en français)."
        ),
    )
    export.add_argument(
        "--format", choices=list(FORMATS), required=True, metavar="FORMAT",
        help="csv (échange, réimport), geojson, gpkg ou xlsx (LibreOffice, Excel)",
    )  # fmt: skip
    export.add_argument("--out", required=True, metavar="FICHIER", help="le fichier à écrire")
    export.add_argument(
        "--status", choices=list(STATUSES), action="append", metavar="STATUT",
        help=f"seulement ce statut ({', '.join(STATUSES)} ; répétable)",
    )  # fmt: skip
    where = export.add_mutually_exclusive_group()
    labels = {"commune": "cette commune", "epci": "cet EPCI", "departement": "ce département",
              "region": "cette région"}  # fmt: skip
    for level in ("commune", "epci", "departement", "region"):
        where.add_argument(f"--{level}", metavar="CODE", help=f"seulement {labels[level]} (code)")
    export.add_argument(
        "--theme", choices=list(THEMES), action="append", metavar="THÈME",
        help=f"seulement ce thème ({', '.join(THEMES)} ; répétable)",
    )  # fmt: skip
    export.add_argument(
        "--category", choices=list(categories()), action="append", metavar="CATÉGORIE",
        help="seulement cette catégorie (identifiant de data/categories.json ; répétable)",
    )  # fmt: skip
    export.add_argument(
        "--stage", choices=list(STAGES), action="append", metavar="ÉTAPE",
        help=f"seulement cette étape ({', '.join(STAGES)} ; répétable)",
    )  # fmt: skip
    export.add_argument("--text", metavar="MOTS", help="mots du titre, du résumé ou des porteurs")
    export.add_argument("--source", metavar="NOM", help="seulement les projets de cette source")
    export.add_argument(
        "--bbox",
        metavar="O,S,E,N",
        help="seulement dans ce rectangle (lon min, lat min, lon max, lat max)",
    )
    export.add_argument(
        "--near", metavar="LAT,LON,KM", help="seulement à moins de KM km de ce point"
    )
    export.add_argument("--json", action="store_true", help=JSON_HELP)


def run(args: argparse.Namespace) -> int:
    from geo.store.project_store import ProjectStore
    from geo.territory import load_territories

    # Loaded once when first needed, by the store (locating) or the importer (placing).
    reference = cache(load_territories)
    store = ProjectStore(locate=lambda lat, lon: reference().locate(lat, lon))
    try:
        if args.projects_command == "add":
            return _add(store, args)
        if args.projects_command == "import":
            return _import(store, args, reference)
        if args.projects_command == "export":
            return _export(store, args, reference)
        if args.projects_command == "status":
            return _status(store, args)
        if args.projects_command == "moderate":
            return _moderate(store, args)
        return _list(store, args)
    finally:
        store.close()


def read_json(name: str) -> Any:
    try:
        text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        msg = f"Fichier introuvable : {name}"
        raise GeoError(msg) from None
    except (OSError, UnicodeDecodeError) as error:
        msg = f"Lecture impossible de {name} : {error}"
        raise GeoError(msg) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        msg = f"JSON invalide dans {name}, ligne {error.lineno} colonne {error.colno} : {error.msg}"
        raise GeoError(msg) from None


def _add(store: Any, args: argparse.Namespace) -> int:
    data = read_json(args.json_file)
    try:
        pid, token = store.add(data, actor=shell_operator().name)
    except ProjectValidationError as error:
        if args.json:
            print_json({"errors": error.errors})
        print("Le projet n'a pas été enregistré :", file=sys.stderr)
        for field, messages in error.errors.items():
            for message in messages:
                print(f"  - {FIELD_LABELS.get(field, field)} : {message}", file=sys.stderr)
        return 1
    project = store.get(pid)
    if args.json:
        print_json({"id": pid, "token": token, "project": public_dict(project)})
        return 0
    print(f"Projet enregistré : n°{pid} ({STATUSES[project.status]}), {project.title}")
    where = project.code_commune or "hors des communes chargées"
    print(f"Commune : {where}")
    print(f"Jeton d'édition (à conserver, il ne sera plus affiché) : {token}")
    return 0


def _status(store: Any, args: argparse.Namespace) -> int:
    project = store.set_status(args.id, args.status, operator=shell_operator())
    if args.json:
        print_json(public_dict(project))
        return 0
    print(f"Projet n°{project.id} : {STATUSES[project.status]} ({project.title})")
    return 0


def _moderate(store: Any, args: argparse.Namespace) -> int:
    """A decision taken by a named moderator, with that account's scopes (out of scope:
    a French message and exit code 1, nothing changed)."""
    moderator = store.moderators.session_for(args.moderator, operator=shell_operator())
    try:
        if args.approve:
            project = store.moderation.approve(args.id, moderator)
        else:
            project = store.moderation.reject(args.id, args.reject, moderator)
    finally:
        store.moderators.log_out(moderator)
    if args.json:
        print_json(public_dict(project))
        return 0
    verb = "approuvé" if args.approve else "refusé"
    print(f"Projet n°{project.id} {verb} par {moderator.name} : {STATUSES[project.status]} "
          f"({project.title})")  # fmt: skip
    return 0


def _list(store: Any, args: argparse.Namespace) -> int:
    from geo.store.project_store import ProjectFilter

    # Operators see everything, projects hidden by reports too.
    criteria = ProjectFilter(
        statuses=tuple(args.status) if args.status else None, include_hidden=True
    )
    total = store.count(criteria)
    items = store.query(criteria, limit=total, order="recent").items if total else []
    if args.json:
        print_json([public_dict(project) for project in items])
        return 0
    if not items:
        print("Aucun projet.", file=sys.stderr)
    for project in items:
        stage = STAGES.get(project.stage, project.stage)
        commune = project.code_commune or "-"
        print(f"{project.id:>6}  {project.status:<8} {commune:<6} {stage:<11} {project.title}")
    return 0


def _import(store: Any, args: argparse.Namespace, reference: Any) -> int:
    from geo.projects.importer import import_projects

    mapping = read_json(args.mapping) if args.mapping else None
    report = import_projects(
        args.file,
        store,
        territories=reference,
        mapping=mapping,
        status=args.status,
        source=args.source,
        operator=shell_operator(),
    )
    if args.json:
        print_json(report.to_dict())
        return 0
    print(
        f"Import de {Path(args.file).name} : {report.rows_read} ligne(s) lue(s), "
        f"{report.created} créée(s), {report.updated} mise(s) à jour, "
        f"{report.unchanged} inchangée(s), {report.rejected} rejetée(s)."
    )
    if report.placed_at_commune:
        print(f"{report.placed_at_commune} projet(s) placé(s) au centre de leur commune.")
    for warning in report.warnings:
        print(f"Attention : {warning}", file=sys.stderr)
    for rejection in report.to_dict()["rejections"]:
        print(f"  ligne {rejection['line']} : {rejection['reason']}", file=sys.stderr)
    for warning in report.to_dict()["line_warnings"]:
        print(f"  attention, ligne {warning['line']} : {warning['warning']}", file=sys.stderr)
    if report.ignored_columns:
        ignored = ", ".join(report.ignored_columns)
        print(f"Colonnes ignorées : {ignored} (voir --mapping).", file=sys.stderr)
    return 0


def _export(store: Any, args: argparse.Namespace, reference: Any) -> int:
    from geo.projects.exporter import export_projects
    from geo.store.project_store import ProjectFilter

    level = next(
        (n for n in ("commune", "epci", "departement", "region") if getattr(args, n)), None
    )
    criteria = ProjectFilter(
        # Resolved by the reference: an old commune code exports today's commune.
        territory=reference().resolve(level, getattr(args, level)) if level else None,
        themes=tuple(args.theme or ()),
        categories=tuple(args.category or ()),
        stages=tuple(args.stage or ()),
        statuses=tuple(args.status) if args.status else None,
        text=args.text,
        bbox=_numbers(args.bbox, 4, "--bbox"),  # type: ignore[arg-type]
        near=_numbers(args.near, 3, "--near"),  # type: ignore[arg-type]
        source=args.source,
    )
    count = export_projects(
        store, args.out, file_format=args.format, criteria=criteria, territories=reference
    )
    if args.json:
        print_json({"exported": count, "format": args.format, "out": str(args.out)})
    else:
        print(f"{count} projet(s) exporté(s) dans {args.out} ({args.format}).")
    return 0


def _numbers(text: str | None, count: int, option: str) -> tuple[float, ...] | None:
    if text is None:
        return None
    try:
        values = tuple(float(v.replace(" ", "")) for v in text.split(","))
    except ValueError:
        values = ()
    if len(values) != count:
        msg = f"{option} attend {count} nombres séparés par des virgules (reçu : {text!r})."
        raise GeoError(msg)
    return values
