"""``python -m geo datasets list|load``: the catalogue and the loaders from the command line.

:mod:`geo.cli` only declares the ``datasets`` command and delegates here.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from geo.cli.console import JSON_HELP, print_json
from geo.datasets import CATALOGUE, get_dataset, load_dataset
from geo.datasets.output import FORMATS, write_frame
from geo.datasets.renaming import read_column_mapping


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="datasets_command", required=True, metavar="ACTION")
    listing = sub.add_parser(
        "list",
        help="les jeux déclarés, leur licence et leur chargeur",
        description="Le catalogue : identifiant, titre, thème, producteur, licence, schéma.",
    )
    listing.add_argument("--json", action="store_true", help=JSON_HELP)
    load = sub.add_parser(
        "load",
        help="charger un fichier comme jeu de données et afficher le rapport",
        description=(
            "Charge un fichier tel que publié (réparations, validation contre le schéma "
            "officiel, communes des points) et affiche le rapport de chargement."
        ),
    )
    load.add_argument("dataset", metavar="JEU", help=f"identifiant du jeu ({', '.join(CATALOGUE)})")
    load.add_argument("file", metavar="FICHIER", help="le fichier à charger, tel que publié")
    load.add_argument(
        "--out", metavar="SORTIE", help=f"écrit les lignes normalisées ({', '.join(FORMATS)})"
    )
    load.add_argument(
        "--mapping",
        metavar="CORRESPONDANCE.json",
        help='fichier JSON {"sa colonne": "notre colonne"} (null ignore une colonne)',
    )
    schema = load.add_mutually_exclusive_group()
    schema.add_argument(
        "--schema", metavar="SCHÉMA.json", help="Table Schema contre lequel valider le fichier"
    )
    schema.add_argument(
        "--no-schema", action="store_true", help="ne pas valider contre le schéma officiel"
    )
    load.add_argument("--json", action="store_true", help="affiche le rapport en JSON")


def catalogue_rows() -> list[dict[str, Any]]:
    return [
        {
            "id": dataset.id,
            "title": dataset.title,
            "theme": dataset.theme,
            "producer": dataset.producer,
            "geometry": dataset.geometry,
            "url": dataset.url,
            "page_url": dataset.page_url,
            "licence": dataset.licence.name,
            "licence_url": dataset.licence.url,
            "attribution": dataset.licence.attribution,
            "schema_url": dataset.schema_url,
            "loader": dataset.loader_module,
            "schema_example": dataset.schema_example,
            "aggregates": [aggregate.name for aggregate in dataset.aggregates],
        }
        for dataset in CATALOGUE.values()
    ]


def _run_list(args: argparse.Namespace) -> int:
    rows = catalogue_rows()
    if args.json:
        print_json(rows)
        return 0
    width = max(len(row["id"]) for row in rows)
    for row in rows:
        example = "  (exemple officiel du schéma)" if row["schema_example"] else ""
        print(f"{row['id']:<{width}}  {row['theme']:<8}  {row['title']}{example}")
        print(f"{'':<{width}}  {row['licence']} — {row['url']}")
    return 0


def _run_load(args: argparse.Namespace) -> int:
    dataset = get_dataset(args.dataset)  # unknown id: the French error before any loading
    schema: Path | bool = Path(args.schema) if args.schema else not args.no_schema
    mapping = read_column_mapping(args.mapping) if args.mapping else None
    loaded = load_dataset(dataset, Path(args.file), schema=schema, mapping=mapping)
    report = loaded.report
    if args.out:
        written = write_frame(loaded.frame, Path(args.out))
        print(f"{len(loaded.frame)} ligne(s) écrite(s) dans {written}", file=sys.stderr)
        licence = dataset.licence
        print(f"Licence {licence.name} : {licence.attribution}", file=sys.stderr)
    if args.json:
        print_json(report.to_dict())
        return 0
    print(
        f"{report.dataset} : {report.rows_read} lue(s), {report.rows_kept} gardée(s), "
        f"{report.rows_rejected} rejetée(s), {report.duplicates_removed} doublon(s) retiré(s)"
    )
    if report.rows_outside:
        print(
            f"  hors territoires chargés : {report.rows_outside} ligne(s) gardée(s) qu'aucune "
            "commune chargée ne contient (ni la carte ni les chiffres de ces territoires ne "
            "les montrent)"
        )
    for kind, count in sorted(report.repairs.items()):
        print(f"  réparé  {kind} : {count}")
    _print_lines("rejet  ", [(r["line"], r["reason"]) for r in report.rejections], "rejet(s)")
    for warning in report.warnings:
        print(f"  alerte  {warning}")
    lines = [(item["line"], item["warning"]) for item in report.line_warnings]
    _print_lines("alerte ", lines, "alerte(s) par ligne")
    return 0


def _print_lines(label: str, items: list[tuple[int, str]], what: str, limit: int = 20) -> None:
    for line, message in items[:limit]:
        print(f"  {label} ligne {line} : {message}")
    if len(items) > limit:
        print(f"  … et {len(items) - limit} autre(s) {what} (--json pour tout voir)")


def run(args: argparse.Namespace) -> int:
    if args.datasets_command == "list":
        return _run_list(args)
    return _run_load(args)
