"""``python -m geo kit build LEVEL:CODE --out DIR``: an offline kit of one territory.

Builds :func:`geo.kit.build_kit` from the data directory and project store of the settings
(``GEO_DATA_DIR``, ``DATABASE_URL``; a missing file is fetched from ``GEO_DATA_MIRROR`` or the
network first), with the app's dependencies as wheels unless ``--no-wheelhouse``. Prints what
the kit holds (``--json``: the :class:`~geo.kit.KitReport`), then where its French
instructions are (``DIR/README.md``: install offline, then start the app on the kit).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from geo.cli.console import print_json
from geo.settings import get_settings
from geo.store.identity import shell_operator


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="kit_command", required=True)
    build = sub.add_parser("build", help="construire le kit hors ligne d'un territoire")
    build.add_argument("territory", help="NIVEAU:CODE, ex. epci:200040715 ou commune:38185")
    build.add_argument("--out", required=True, type=Path, help="dossier du kit (créé ou remplacé)")
    build.add_argument("--parcours", action="append", type=int, default=[], metavar="ID",
                       help="un parcours à emporter, même non publié (répétable)")  # fmt: skip
    build.add_argument("--adresses", type=Path, default=None, metavar="DOSSIER",
                       help="dossier des fichiers adresses-XX.csv(.gz) de la BAN à découper "
                       "pour la recherche d'adresse hors ligne (défaut : "
                       "GEO_DATA_DIR/adresses)")  # fmt: skip
    build.add_argument("--no-wheelhouse", dest="wheelhouse", action="store_false",
                       help="sans les roues Python des dépendances (quelques centaines de Mo) : "
                       "le kit s'installe alors avec le réseau")  # fmt: skip
    build.add_argument("--json", action="store_true", help="rapport JSON sur la sortie standard")


def run(args: argparse.Namespace) -> int:
    from geo.kit import build_kit

    report = build_kit(args.territory, args.out, settings=get_settings(),
                       operator=shell_operator(), tours=args.parcours,
                       wheelhouse=args.wheelhouse, address_dir=args.adresses)  # fmt: skip
    if args.json:
        print_json(report.to_dict())
    else:
        print(f"Kit de {report.name} ({report.territory}) : {report.out}")
        print(f"  {report.communes} communes (le territoire et {len(report.neighbours)} voisins)")
        print(f"  {report.projects} projets publiés, {len(report.tours)} parcours, "
              f"{report.addresses} adresses")  # fmt: skip
        for dataset, rows in report.datasets.items():
            print(f"  {dataset} : {rows} lignes")
        wheels = (f", dont {report.wheels_bytes / 1e6:.1f} Mo de roues Python" if report.wheelhouse
                  else ", sans roues Python")  # fmt: skip
        print(f"  {report.size_bytes / 1e6:.1f} Mo{wheels}, construit en {report.seconds:.1f} s")
    for name in report.missing:
        print(f"Attention : {name} absent du dossier de données, absent du kit.", file=sys.stderr)
    print(
        f"Mode d'emploi (installation et lancement sans réseau) : {report.out}/README.md\n"
        f"Sur cette machine : GEO_OFFLINE=1 GEO_DATA_DIR={report.out} streamlit run app.py",
        file=sys.stderr,
    )
    return 0
