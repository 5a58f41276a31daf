"""``python -m geo communs list|add|import-wiki`` and ``python -m geo actors
list|add|duplicates|merge|distinct|match``: communs and actors, for operators.

``communs list --json`` prints ``[{"id", "title", "kind", "url", "licence", "reused_by",
"produced_by"}]`` and ``actors list --json`` ``[{"id", "name", "type", "siren", "projects"}]``
(project ids: the published ones, as the public pages show them; every status with
``--all``). Writes are an operator's (``operateur:cli:<login>`` in the audit log).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from geo.cli.console import JSON_HELP, print_json
from geo.errors import GeoError
from geo.projects.entities import COMMUN_KINDS, licence_label
from geo.projects.model import CARRIER_TYPES
from geo.store.identity import shell_operator


def add_communs_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="communs_command", required=True, metavar="ACTION")
    listing = sub.add_parser(
        "list",
        help="les communs et les projets qui les réutilisent ou les produisent",
        description="Les communs, avec les projets publiés qui les réutilisent ou les produisent.",
    )
    listing.add_argument("--all", action="store_true", help="compter aussi les projets non publiés")
    listing.add_argument("--json", action="store_true", help=JSON_HELP)
    add = sub.add_parser(
        "add",
        help="enregistrer des communs décrits en JSON",
        description="Enregistre un commun (objet JSON) ou une liste de communs : titre, type, "
        "adresse, licence, description, mainteneurs, thèmes. Un commun de même adresse (ou de "
        "même source et identifiant externe) est mis à jour.",
    )
    add.add_argument(
        "--json-file",
        required=True,
        metavar="FICHIER.json",
        help="le commun ou la liste de communs (- : entrée standard)",
    )
    add.add_argument("--json", action="store_true", help=JSON_HELP)
    wiki = sub.add_parser(
        "import-wiki",
        help="importer les communs d'un wiki de la Fabrique (API MediaWiki)",
        description="Importe les pages d'une catégorie d'un wiki Semantic MediaWiki comme "
        "communs (l'adresse de la page est leur identifiant : un nouvel import met à jour). "
        "Tout est lu avant d'écrire : une coupure réseau n'importe rien.",
    )
    wiki.add_argument(
        "base_url", metavar="ADRESSE", help="adresse du wiki (https://wiki…, ou son api.php)"
    )
    wiki.add_argument(
        "--category",
        default="Commun",
        metavar="CATÉGORIE",
        help="catégorie des pages à importer (par défaut : %(default)s)",
    )
    wiki.add_argument(
        "--recorded",
        type=Path,
        metavar="DOSSIER",
        help="rejouer des réponses enregistrées (0001.json, 0002.json…) au lieu "
        "d'interroger le réseau",
    )
    wiki.add_argument("--json", action="store_true", help=JSON_HELP)


def add_actors_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="actors_command", required=True, metavar="ACTION")
    listing = sub.add_parser(
        "list",
        help="les acteurs (organisations) et leurs projets",
        description="Les acteurs publics (organisations) et leurs projets publiés.",
    )
    listing.add_argument(
        "--all", action="store_true", help="aussi les acteurs connus seulement par des propositions"
    )
    listing.add_argument("--json", action="store_true", help=JSON_HELP)
    add = sub.add_parser(
        "add",
        help="enregistrer un acteur décrit en JSON",
        description="Enregistre un acteur (nom, type, SIREN, site web, siège NIVEAU:CODE) ; "
        "celui de même SIREN, sinon de même nom, est mis à jour.",
    )
    add.add_argument(
        "--json-file",
        required=True,
        metavar="FICHIER.json",
        help="l'acteur ou la liste d'acteurs (- : entrée standard)",
    )
    add.add_argument("--json", action="store_true", help=JSON_HELP)
    dupes = sub.add_parser(
        "duplicates",
        help="les doublons probables à examiner (jamais fusionnés seuls)",
        description="Les paires d'acteurs qui pourraient être une seule organisation : même "
        "nom, noms très proches, un nom contenu dans l'autre.",
    )
    dupes.add_argument("--json", action="store_true", help=JSON_HELP)
    merge = sub.add_parser(
        "merge",
        help="fusionner un acteur dans un autre",
        description="L'acteur AUTRE devient GARDÉ : ses projets, ses communs et ses noms passent "
        "à GARDÉ, puis il est supprimé.",
    )
    merge.add_argument("keep", type=int, metavar="GARDÉ", help="identifiant de l'acteur gardé")
    merge.add_argument("other", type=int, metavar="AUTRE", help="identifiant de l'acteur fusionné")
    merge.add_argument("--json", action="store_true", help=JSON_HELP)
    distinct = sub.add_parser(
        "distinct",
        help="dire que deux acteurs sont deux organisations",
        description="Deux acteurs sont deux organisations : la liste des doublons ne les "
        "propose plus.",
    )
    distinct.add_argument("first", type=int, metavar="ID1", help="identifiant d'un acteur")
    distinct.add_argument("second", type=int, metavar="ID2", help="identifiant de l'autre")
    distinct.add_argument("--json", action="store_true", help=JSON_HELP)
    match = sub.add_parser(
        "match",
        help="rapprocher à nouveau les porteurs de tous les projets des acteurs",
        description="Rapproche à nouveau les porteurs et partenaires de chaque projet des "
        "acteurs (par SIREN, sinon par nom sans accents ni majuscules).",
    )
    match.add_argument("--json", action="store_true", help=JSON_HELP)


def _read_json(name: str) -> list[Any]:
    try:
        text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        data = json.loads(text)
    except OSError as error:
        msg = f"Fichier illisible : {name} ({error.strerror or error})."
        raise GeoError(msg) from None
    except ValueError as error:
        msg = f"Le fichier {name} n'est pas du JSON valide ({error})."
        raise GeoError(msg) from None
    return data if isinstance(data, list) else [data]


def _store() -> Any:
    from functools import cache

    from geo.store.project_store import ProjectStore
    from geo.territory import load_territories

    reference = cache(load_territories)
    return ProjectStore(locate=lambda lat, lon: reference().locate(lat, lon))


def run_communs(args: argparse.Namespace) -> int:
    from geo.communs.wiki import import_wiki

    store = _store()
    try:
        command = args.communs_command
        if command == "list":
            found = store.communs.list(public=not args.all)
            if args.json:
                print_json([c.to_dict() for c in found])
                return 0
            if not found:
                print("Aucun commun (python -m geo communs add|import-wiki).", file=sys.stderr)
            for c in found:
                kind = COMMUN_KINDS.get(c.kind, c.kind)
                print(
                    f"{c.id:>5}  {c.title[:50]:<50} {kind:<18} {licence_label(c.licence):<28} "
                    f"réutilisé par {len(c.reused_by)}, produit par {len(c.produced_by)}"
                )
            return 0
        if command == "add":
            report = store.communs.save_many(_read_json(args.json_file), operator=shell_operator())
            result = {
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "ids": report.ids,
            }
            if args.json:
                print_json(result)
            else:
                print(
                    f"Communs : {report.created} créé(s), {report.updated} mis à jour, "
                    f"{report.unchanged} inchangé(s)."
                )
            return 0
        wiki = import_wiki(
            args.base_url,
            store,
            category=args.category,
            operator=shell_operator(),
            recorded=args.recorded,
        )
        if args.json:
            print_json(wiki.to_dict())
            return 0
        print(
            f"{wiki.pages} page(s) lue(s) en {wiki.requests} requête(s) : {wiki.created} "
            f"commun(s) créé(s), {wiki.updated} mis à jour, {wiki.unchanged} inchangé(s), "
            f"{len(wiki.skipped)} page(s) écartée(s)."
        )
        for item in wiki.skipped:
            print(f"Écartée : {item['page']} — {item['reason']}", file=sys.stderr)
        for item in wiki.warnings:
            print(f"Attention : {item['page']} — {item['warning']}", file=sys.stderr)
        return 0
    finally:
        store.close()


def run_actors(args: argparse.Namespace) -> int:
    store = _store()
    operator = shell_operator()
    try:
        command = args.actors_command
        if command == "list":
            found = store.actors.list(public=not args.all)
            if args.json:
                print_json([a.to_dict() for a in found])
                return 0
            if not found:
                print("Aucun acteur.", file=sys.stderr)
            for a in found:
                kind = CARRIER_TYPES.get(a.type, a.type)
                print(
                    f"{a.id:>5}  {a.name[:50]:<50} {kind:<22} {a.siren or '—':<10} "
                    f"{len(a.projects)} projet(s)"
                )
            return 0
        if command == "add":
            saved = [
                store.actors.save(item, operator=operator) for item in _read_json(args.json_file)
            ]
            if args.json:
                print_json([{"id": i, "action": action} for i, action in saved])
            else:
                for ident, action in saved:
                    said = {"created": "créé", "updated": "mis à jour", "unchanged": "inchangé"}
                    print(f"Acteur {ident} : {said[action]}.")
            return 0
        if command == "duplicates":
            pairs = store.actors.duplicates()
            if args.json:
                print_json([p.to_dict() for p in pairs])
                return 0
            if not pairs:
                print("Aucun doublon probable.", file=sys.stderr)
            for p in pairs:
                print(
                    f"{p.first.id:>5} {p.first.name} ↔ {p.second.id:>5} {p.second.name} : "
                    f"{p.reason} ({p.score})"
                )
            print(
                "Fusionner : python -m geo actors merge GARDÉ AUTRE ; deux organisations "
                "distinctes : python -m geo actors distinct ID1 ID2.",
                file=sys.stderr,
            )
            return 0
        if command == "merge":
            kept = store.actors.merge(args.keep, args.other, operator=operator)
            if args.json:
                print_json(kept.to_dict())
            else:
                print(f"Acteur {args.other} fusionné dans {kept.id} ({kept.name}).")
            return 0
        if command == "distinct":
            store.actors.distinct(args.first, args.second, operator=operator)
            if args.json:
                print_json({"distinct": sorted([args.first, args.second])})
            else:
                print(f"Acteurs {args.first} et {args.second} : deux organisations.")
            return 0
        report = store.actors.rematch(operator=operator)
        if args.json:
            print_json(report)
        else:
            print(
                f"{report['projects']} projet(s) rapproché(s) : {report['actors_after']} "
                f"acteur(s) (avant : {report['actors_before']}), {report['links']} lien(s)."
            )
        return 0
    finally:
        store.close()
