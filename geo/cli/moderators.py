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

from geo.cli.console import JSON_HELP, print_json
from geo.errors import GeoError, ModerationError
from geo.store.identity import shell_operator
from geo.store.moderators import parse_scope, scope_text
from geo.territory import TerritoryRef


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="moderators_command", required=True, metavar="ACTION")
    listing = sub.add_parser(
        "list", help="les comptes modérateurs et leurs périmètres",
        description="Les comptes modérateurs, leurs périmètres et leur mode de connexion.",
    )  # fmt: skip
    listing.add_argument("--json", action="store_true", help=JSON_HELP)
    add = sub.add_parser(
        "add", help="créer un compte ; son mot de passe est affiché une seule fois",
        description="Crée un compte modérateur ; seul le condensé argon2id du mot de passe est "
        "gardé : il est affiché une seule fois.",
    )  # fmt: skip
    add.add_argument("name", metavar="NOM",
                     help="identifiant (ou l'adresse e-mail d'un compte --oidc)")  # fmt: skip
    add.add_argument("--scope", action="append", default=[], metavar="NIVEAU:CODE",
                     help="territoire modéré (répétable ; aucun : toute la France)")  # fmt: skip
    add.add_argument(
        "--oidc",
        action="store_true",
        help="connexion par le fournisseur OpenID Connect de l'application (sans mot de passe)",
    )
    add.add_argument("--json", action="store_true", help=JSON_HELP)
    remove = sub.add_parser(
        "remove", help="supprimer un compte (ses sessions prennent fin)",
        description="Supprime un compte modérateur ; ses sessions ouvertes prennent fin.",
    )  # fmt: skip
    remove.add_argument("name", metavar="NOM", help="identifiant du compte")
    remove.add_argument("--json", action="store_true", help=JSON_HELP)
    scope = sub.add_parser(
        "scope", help="remplacer les territoires d'un compte",
        description="Remplace les périmètres d'un compte (--everywhere : toute la France).",
    )  # fmt: skip
    scope.add_argument("name", metavar="NOM", help="identifiant du compte")
    scope.add_argument("scopes", nargs="*", metavar="NIVEAU:CODE",
                       help="territoires modérés (departement:38, epci:200040715…)")  # fmt: skip
    scope.add_argument("--everywhere", action="store_true",
                       help="aucun périmètre : toute la France")  # fmt: skip
    scope.add_argument("--json", action="store_true", help=JSON_HELP)


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
