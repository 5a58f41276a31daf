"""``python -m geo …``: the command-line interface (also installed as the ``geo`` script).

Owns the parsing of arguments and the printing of results: each command group has one
``_add_*`` function declaring its arguments here and a module (:mod:`.data`, :mod:`.territory`,
:mod:`.datasets`, :mod:`.projects`, :mod:`.moderators`, :mod:`.kit`) calling the domain
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

from geo.cli.console import print_json
from geo.errors import GeoError

# --- data -------------------------------------------------------------------------------------


def _add_data(sub: argparse._SubParsersAction) -> None:
    data = sub.add_parser("data", help="reference open-data files: fetch, status")
    data_sub = data.add_subparsers(dest="data_command", required=True)
    fetch = data_sub.add_parser("fetch", help="download (or copy from a mirror) reference files")
    fetch.add_argument("names", nargs="*", help="sources or groups to fetch (default: all)")
    fetch.add_argument("--mirror", help="local mirror folder: https://HOST/PATH is DIR/HOST/PATH")
    fetch.add_argument("--force", action="store_true", help="fetch even when a cached copy exists")
    fetch.add_argument("--json", action="store_true", help="print a JSON report")
    status = data_sub.add_parser("status", help="what is cached, from where, when")
    status.add_argument("--json", action="store_true")


def _run_data(args: argparse.Namespace) -> int:
    from geo.cli import data

    return data.run(args)


# --- territory --------------------------------------------------------------------------------


def _add_territory(sub: argparse._SubParsersAction) -> None:
    territory = sub.add_parser("territory", help="locate points, search, territory sheet")
    t_sub = territory.add_subparsers(dest="territory_command", required=True)
    locate = t_sub.add_parser("locate", help="commune, EPCI, département, région of points")
    locate.add_argument("coords", nargs="*", type=str, help="LAT LON [LAT LON ...]")
    locate.add_argument("--csv", dest="csv_in", help="input CSV with lat,lon columns")
    locate.add_argument("--out", help="output CSV (with --csv)")
    locate.add_argument("--chunk-size", type=int, default=500_000, help="rows per batch (--csv)")
    locate.add_argument("--json", action="store_true")
    search = t_sub.add_parser("search", help="find a territory by name, postal code or code")
    search.add_argument("text")
    search.add_argument("--limit", type=int, default=10)
    search.add_argument("--json", action="store_true")
    sheet = t_sub.add_parser("sheet", help="territory sheet (portrait) as HTML or PDF")
    sheet.add_argument("territory", help="LEVEL:CODE, e.g. epci:200040715 or commune:38185")
    sheet.add_argument("--out", help="FILE.html or FILE.pdf (A4, self-contained)")
    sheet.add_argument("--app-url", help="the app's address: project titles link to it")
    sheet.add_argument("--json", action="store_true", help="print the figures as JSON")


def _run_territory(args: argparse.Namespace) -> int:
    from geo.cli import territory as territory_cli

    return territory_cli.run(args)


# --- datasets ---------------------------------------------------------------------------------


def _add_datasets(sub: argparse._SubParsersAction) -> None:
    from geo.cli import datasets as datasets_cli

    datasets = sub.add_parser("datasets", help="public datasets: list, load a file")
    datasets_cli.add_arguments(datasets)


def _run_datasets(args: argparse.Namespace) -> int:
    from geo.cli import datasets as datasets_cli

    return datasets_cli.run(args)


# --- projects ---------------------------------------------------------------------------------


def _add_projects(sub: argparse._SubParsersAction) -> None:
    from geo.cli import projects as projects_cli

    projects = sub.add_parser("projects", help="project registry: add, list")
    projects_cli.add_arguments(projects)


def _run_projects(args: argparse.Namespace) -> int:
    from geo.cli import projects as projects_cli

    return projects_cli.run(args)


# --- moderators ------------------------------------------------------------------------------


def _add_moderators(sub: argparse._SubParsersAction) -> None:
    from geo.cli import moderators as moderators_cli

    moderators = sub.add_parser("moderators", help="moderator accounts: list, add, remove, scope")
    moderators_cli.add_arguments(moderators)


def _run_moderators(args: argparse.Namespace) -> int:
    from geo.cli import moderators as moderators_cli

    return moderators_cli.run(args)


# --- kit --------------------------------------------------------------------------------------


def _add_kit(sub: argparse._SubParsersAction) -> None:
    from geo.cli import kit as kit_cli

    kit = sub.add_parser("kit", help="kit hors ligne d'un territoire (atelier sans réseau)")
    kit_cli.add_arguments(kit)


def _run_kit(args: argparse.Namespace) -> int:
    from geo.cli import kit as kit_cli

    return kit_cli.run(args)


# --- bench ------------------------------------------------------------------------------------


def _add_bench(sub: argparse._SubParsersAction) -> None:
    bench = sub.add_parser("bench", help="benchmarks (figures for the notes)")
    bench.add_argument(
        "target",
        choices=["territories", "datasets", "projects", "portrait", "explorer", "app"],
    )
    bench.add_argument(
        "--mirror",
        type=Path,
        default=None,
        help="open-data mirror (default: ../shared/opendata-france when present)",
    )
    bench.add_argument(
        "--points",
        type=int,
        default=None,
        help="points (territories: 1,000,000; explorer: 165,000 rows generated)",
    )
    bench.add_argument("--repeat", type=int, default=3)
    bench.add_argument("--rows", type=int, default=150_000, help="IRVE rows (datasets)")
    bench.add_argument("--projects", type=int, default=100_000, help="stored projects (projects)")
    bench.add_argument("--json", action="store_true")


def _run_bench(args: argparse.Namespace) -> int:
    from geo import bench

    result = bench.run(
        args.target,
        points=args.points,
        repeat=args.repeat,
        rows=args.rows,
        projects=args.projects,
        mirror=args.mirror,
    )
    if args.json:
        print_json(result)
    else:
        for key, value in result.items():
            print(f"{key}: {value}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m geo", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--debug", action="store_true", help="print the technical detail of a failure (logs)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    _add_data(sub)
    _add_territory(sub)
    _add_datasets(sub)
    _add_projects(sub)
    _add_moderators(sub)
    _add_kit(sub)
    _add_bench(sub)
    return parser


_RUNNERS = {
    "data": _run_data,
    "territory": _run_territory,
    "datasets": _run_datasets,
    "projects": _run_projects,
    "moderators": _run_moderators,
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
