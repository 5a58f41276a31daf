"""``python -m geo data fetch|status``: the declared open-data files from the shell."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from geo.cli.console import print_json
from geo.errors import FetchError
from geo.settings import Settings, get_settings
from geo.sources.declared import GROUPS
from geo.sources.download import human_size
from geo.sources.fetch import cached_path, fetch, status


def _run_fetch(args: argparse.Namespace, settings: Settings) -> int:
    mirror = Path(args.mirror).expanduser().resolve() if args.mirror else None
    results = fetch(args.names, settings=settings, mirror=mirror, force=args.force)
    for result in results:
        print(f"{'✓' if result.ok else '✗'} {result.message}", file=sys.stderr)
    failed = sum(not result.ok for result in results)
    if failed:
        print(f"{failed} source(s) en échec sur {len(results)}.", file=sys.stderr)
    if not failed and _reference_is_complete(results, settings):
        from geo.territory.loading import prepare_reference

        folder = prepare_reference(settings)
        print(f"✓ référence des territoires préparée ({folder.name})", file=sys.stderr)
    if args.json:
        print_json([result.to_dict() for result in results])
    return 1 if failed else 0


def _reference_is_complete(results: list, settings: Settings) -> bool:
    """Whether this fetch touched the territory reference and all of it is now cached."""
    names = set(GROUPS["territoires"])
    touched = {result.name for result in results} & names
    return bool(touched) and all(cached_path(name, settings) is not None for name in names)


def _run_status(args: argparse.Namespace, settings: Settings) -> int:
    rows = status(settings)
    if args.json:
        print_json(rows)
        return 0
    print(f"Dossier des données : {settings.data_dir}")
    width = max(len(row["name"]) for row in rows) if rows else 10
    for row in rows:
        if row["cached"]:
            origin = "miroir" if row["from_mirror"] else "réseau"
            detail = f"{row['fetched_at'] or '?'}  {human_size(row['size']):>9}  ({origin})"
            if row["stale"]:
                detail += "  [URL changée : relancer data fetch --force]"
        else:
            detail = "absent — python -m geo data fetch " + row["name"]
        print(f"{row['name']:<{width}}  {'oui' if row['cached'] else 'non'}  {detail}")
    return 0


def run(args: argparse.Namespace) -> int:
    """``python -m geo data fetch|status`` (arguments declared in :mod:`geo.cli`)."""
    settings = get_settings()
    if args.data_command == "fetch":
        return _run_fetch(args, settings)
    if args.data_command == "status":
        return _run_status(args, settings)
    msg = f"Commande inconnue : data {args.data_command}"
    raise FetchError(msg)
