"""``python -m geo territory sheet LEVEL:CODE --out FILE.html|FILE.pdf [--json]``: the
territory portrait of the page, as a sheet and as JSON figures."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from geo.cli.console import print_json
from geo.errors import GeoError
from geo.portrait import build_portrait
from geo.portrait.loading import open_context
from geo.portrait.output import sheet_format, write_sheet
from geo.portrait.sheet import sheet_html
from geo.settings import get_settings
from geo.store import ProjectStore
from geo.territory import load_territories


def run_sheet(args: argparse.Namespace) -> int:
    target = Path(args.out) if args.out else None
    if target is None and not args.json:
        msg = "Indiquez --out FICHIER.html ou FICHIER.pdf (ou --json pour les chiffres)."
        raise GeoError(msg)
    if target is not None:
        sheet_format(target)  # a wrong extension is said before anything is computed
    settings = get_settings()
    territories = load_territories(settings)
    ref = territories.parse(args.territory)
    context = open_context(territories, settings)
    for dataset_id, problem in context.problems.items():
        print(f"Jeu de données {dataset_id} non chargé : {problem}", file=sys.stderr)
    store = ProjectStore(settings=settings)
    try:
        portrait = build_portrait(ref, context=context, store=store)
    finally:
        store.close()
    if target is not None:
        size = write_sheet(sheet_html(portrait, app_url=args.app_url), target)
        print(f"Fiche de {portrait.place.nom} écrite : {target} ({size} octets).", file=sys.stderr)
    if args.json:
        print_json(portrait.to_json())
    return 0
