"""``python -m geo moderators list|add|remove|scope``: moderator accounts, for operators.

``add NAME [--scope LEVEL:CODE …]`` creates an account and prints its password once (only its
argon2id hash is stored; there is no other way to read it again: ``remove`` then ``add`` gives
a new one). ``--oidc`` creates an account for the app's OpenID Connect login instead: NAME is
the e-mail the identity provider gives, and no password exists. Scopes are territories
(``departement:38``, ``epci:200040715``, ``commune:38185``, ``region:84``), resolved by the
territory reference (an old commune code becomes today's); an account without scope moderates
all of France. ``scope NAME LEVEL:CODE …`` replaces the scopes, ``scope NAME --everywhere``
removes them. The person running the command is the operator (``operateur:cli:<login>``).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from geo.cli.console import print_json
from geo.errors import GeoError, ModerationError
from geo.store.identity import shell_operator
from geo.store.moderators import parse_scope, scope_text
from geo.territory import TerritoryRef


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="moderators_command", required=True)
    listing = sub.add_parser("list", help="moderator accounts and their scopes")
    listing.add_argument("--json", action="store_true")
    add = sub.add_parser("add", help="create an account; prints its password once")
    add.add_argument("name", help="login name (or the e-mail of an --oidc account)")
    add.add_argument("--scope", action="append", default=[], metavar="LEVEL:CODE",
                     help="territory moderated (repeatable; none: all of France)")  # fmt: skip
    add.add_argument(
        "--oidc",
        action="store_true",
        help="log in through the app's OpenID Connect provider (no password)",
    )
    add.add_argument("--json", action="store_true")
    remove = sub.add_parser("remove", help="delete an account (its sessions end)")
    remove.add_argument("name")
    remove.add_argument("--json", action="store_true")
    scope = sub.add_parser("scope", help="replace the territories of an account")
    scope.add_argument("name")
    scope.add_argument("scopes", nargs="*", metavar="LEVEL:CODE")
    scope.add_argument("--everywhere", action="store_true", help="no scope: all of France")
    scope.add_argument("--json", action="store_true")


def resolve_scopes(texts: list[str], reference: Any) -> list[TerritoryRef]:
    """Each ``LEVEL:CODE`` checked by form, then resolved by the reference when it loads."""
    scopes = [parse_scope(text) for text in texts]
    if not scopes:
        return scopes
    territories = reference()
    resolved = []
    for scope in scopes:
        try:
            resolved.append(territories.resolve(scope.level, scope.code))
        except GeoError as error:
            msg = f"Territoire de modération inconnu : {scope} ({error})"
            raise ModerationError(msg) from None
    return resolved


def _account_json(account: Any) -> dict[str, Any]:
    return {
        "name": account.name,
        "scopes": [str(s) for s in account.scopes],
        "oidc": account.oidc,
        "created_at": account.created_at,
        "last_login_at": account.last_login_at,
        "locked_until": account.locked_until,
    }


def run(args: argparse.Namespace) -> int:
    from functools import cache

    from geo.store.project_store import ProjectStore
    from geo.territory import load_territories

    reference = cache(load_territories)
    store = ProjectStore(locate=lambda lat, lon: reference().locate(lat, lon))
    accounts = store.moderators
    operator = shell_operator()
    try:
        command = args.moderators_command
        if command == "list":
            found = accounts.list()
            if args.json:
                print_json([_account_json(a) for a in found])
                return 0
            if not found:
                print("Aucun modérateur (python -m geo moderators add NOM).", file=sys.stderr)
            for account in found:
                how = "OpenID Connect" if account.oidc else "mot de passe"
                print(f"{account.name:<30} {scope_text(account.scopes):<40} {how}")
            return 0
        if command == "add":
            scopes = resolve_scopes(args.scope, reference)
            password = accounts.add(args.name, scopes, operator=operator, oidc=args.oidc)
            if args.json:
                print_json({"name": args.name.strip(), "scopes": [str(s) for s in scopes],
                            "oidc": args.oidc, "password": password})  # fmt: skip
                return 0
            print(f"Modérateur ajouté : {args.name.strip()} ({scope_text(scopes)}).")
            if password is not None:
                print(f"Mot de passe (à transmettre, il ne sera plus affiché) : {password}")
            else:
                print("Connexion par le fournisseur d'identité (section [auth] des secrets).")
            return 0
        if command == "remove":
            accounts.remove(args.name, operator=operator)
            if args.json:
                print_json({"removed": args.name.strip()})
            else:
                print(f"Modérateur retiré : {args.name.strip()}.")
            return 0
        if not args.scopes and not args.everywhere:
            msg = "Indiquez les territoires (NIVEAU:CODE …) ou --everywhere (toute la France)."
            raise ModerationError(msg)
        if args.scopes and args.everywhere:
            raise ModerationError("Des territoires ou --everywhere, pas les deux.")
        scopes = resolve_scopes(args.scopes, reference)
        accounts.set_scopes(args.name, scopes, operator=operator)
        if args.json:
            print_json({"name": args.name.strip(), "scopes": [str(s) for s in scopes]})
        else:
            print(f"Territoires de {args.name.strip()} : {scope_text(scopes)}.")
        return 0
    finally:
        store.close()
