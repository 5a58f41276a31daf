"""``python -m geo projects add|list``: the project registry from the shell.

``add --json-file PROJECT.json`` (``-`` reads stdin) validates one project written with the
exchange field names, stores it and prints its id and edit token, shown once only. ``list``
prints every project (any status unless ``--status``), without private fields.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import Any

from geo.console import print_json
from geo.errors import GeoError, ProjectValidationError
from geo.projects import FIELD_LABELS, STAGES, STATUSES, public_dict


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="projects_command", required=True)
    add = sub.add_parser("add", help="add one project from a JSON file; prints id and token")
    add.add_argument("--json-file", required=True, help="project as JSON (- for stdin)")
    add.add_argument("--status", choices=list(STATUSES), default="propose", help="initial status")
    add.add_argument("--json", action="store_true")
    listing = sub.add_parser("list", help="list projects (every status unless --status)")
    listing.add_argument("--status", choices=list(STATUSES), action="append")
    listing.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    from geo.store import ProjectStore

    store = ProjectStore()
    try:
        if args.projects_command == "add":
            return _add(store, args)
        return _list(store, args)
    finally:
        store.close()


def actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


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
        pid, token = store.add(data, actor=actor(), status=args.status)
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


def _list(store: Any, args: argparse.Namespace) -> int:
    from geo.store import ProjectFilter

    criteria = ProjectFilter(statuses=tuple(args.status) if args.status else None)
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
