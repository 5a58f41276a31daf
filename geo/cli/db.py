"""``python -m geo db status|migrate-to|backup|restore``: the project store's database itself.

Each acts on the store of ``DATABASE_URL`` (else the SQLite file ``GEO_DATA_DIR/projets.sqlite``)
unless ``--from`` names another one. ``migrate-to URL`` copies it into the database at URL
(:mod:`geo.store.transfer`: idempotent, counts and checksums compared, exit 1 when they differ);
``backup --out FILE`` writes a backup (:mod:`geo.store.backup`: SQLite's online backup, or
``pg_dump``); ``restore FILE --yes`` replaces the store by a backup; ``status`` says which
database, at which revision and data version, with the rows of every table.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from geo.cli.console import JSON_HELP, print_json
from geo.errors import GeoError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="db_command", required=True, metavar="COMMANDE")
    source = {
        "dest": "source",
        "metavar": "URL",
        "help": "un autre registre (par défaut : celui de l'application, DATABASE_URL)",
    }
    status = sub.add_parser(
        "status",
        help="quelle base, quelle révision, quelle version des données, combien de lignes",
        description="La base du registre : moteur, révision du schéma, version des données, "
        "lignes de chaque table (l'adresse sans son mot de passe).",
    )
    status.add_argument("--from", **source)
    status.add_argument("--json", action="store_true", help=JSON_HELP)
    move = sub.add_parser(
        "migrate-to",
        help="copier le registre dans une autre base (PostgreSQL)",
        description="Copie tout le registre dans la base URL, en une transaction ; relancée, "
        "elle ajoute ce qui est nouveau ; comptes et empreintes comparés à la fin.",
    )
    move.add_argument(
        "url", metavar="URL", help="la base cible : postgresql+psycopg://NOM:MOT_DE_PASSE@HÔTE/BASE"
    )
    move.add_argument("--from", **source)
    move.add_argument("--json", action="store_true", help=JSON_HELP)
    save = sub.add_parser(
        "backup",
        help="sauvegarder le registre (pendant que l'application tourne)",
        description="Sauvegarde cohérente du registre, écrite à côté puis renommée : API de "
        "sauvegarde de SQLite, ou pg_dump pour PostgreSQL.",
    )
    save.add_argument("--out", required=True, metavar="FICHIER", help="la sauvegarde à écrire")
    save.add_argument("--from", **source)
    save.add_argument("--json", action="store_true", help=JSON_HELP)
    back = sub.add_parser(
        "restore",
        help="remplacer le registre par une sauvegarde",
        description="Remplace tout le registre par une sauvegarde du même moteur, en une "
        "transaction ; un fichier qui n'en est pas une est refusé sans rien changer.",
    )
    back.add_argument("file", metavar="FICHIER", help="un fichier écrit par db backup")
    back.add_argument("--yes", action="store_true", help="confirmer : le registre est remplacé")
    back.add_argument("--from", **source)
    back.add_argument("--json", action="store_true", help=JSON_HELP)


def run(args: argparse.Namespace) -> int:
    from geo.store.db import database_url

    url = args.source or database_url()
    if args.db_command == "migrate-to":
        return _migrate_to(url, args)
    if args.db_command == "backup":
        return _backup(url, args)
    if args.db_command == "restore":
        return _restore(url, args)
    return _status(url, args)


def _migrate_to(url: str, args: argparse.Namespace) -> int:
    from geo.store.transfer import copy_store

    report = copy_store(url, args.url)
    if args.json:
        print_json(report.to_dict())
    else:
        print(f"Copie de {report.source} vers {report.target} :")
        for table in report.tables:
            same = "identique" if table.checksum_equal else "DIFFÉRENTE"
            print(
                f"  {table.table:<22} {table.target_rows:>8} ligne(s) ({table.inserted} "
                f"ajoutée(s), {table.updated} mise(s) à jour, {table.unchanged} déjà là) : {same}"
            )
        print(f"  empreinte des champs publics : {report.public_checksum_target[:16]}…")
    if not report.identical:
        print(
            "Erreur : la base cible ne contient pas exactement la source (comptes ou empreintes "
            "différents) ; relancez la copie, et si cela persiste, signalez-le.",
            file=sys.stderr,
        )
        return 1
    if not args.json:
        print("Les deux bases contiennent les mêmes données (comptes et empreintes égaux).")
    return 0


def _backup(url: str, args: argparse.Namespace) -> int:
    from geo.store.backup import backup

    report = backup(url, args.out)
    if args.json:
        print_json(report.to_dict())
    else:
        print(
            f"Sauvegarde écrite : {report.file} ({report.bytes:,} octets, {report.projects} "
            f"projet(s), base {report.engine}, révision {report.revision})".replace(",", " ")
        )
    return 0


def _restore(url: str, args: argparse.Namespace) -> int:
    from geo.store.backup import restore

    if not args.yes:
        msg = (
            "La restauration remplace tout le registre des projets par la sauvegarde : "
            "relancez avec --yes pour confirmer (faites d'abord une sauvegarde de l'état actuel "
            "avec python -m geo db backup si besoin)."
        )
        raise GeoError(msg)
    report = restore(url, args.file)
    if args.json:
        print_json(report.to_dict())
    else:
        print(
            f"Registre restauré depuis {report.file} : {report.projects} projet(s), "
            f"révision {report.revision}."
        )
    return 0


def _status(url: str, args: argparse.Namespace) -> int:
    import sqlalchemy as sa

    from geo.store.db import current_revision, data_version, make_engine, metadata
    from geo.store.transfer import safe_url

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            present = set(sa.inspect(connection).get_table_names())
            rows: dict[str, Any] = {
                table.name: connection.execute(
                    sa.select(sa.func.count()).select_from(table)
                ).scalar_one()
                for table in metadata.sorted_tables
                if table.name in present
            }
            status = {
                "url": safe_url(url),
                "engine": engine.dialect.name,
                "revision": current_revision(connection),
                "data_version": data_version(connection) if "store_version" in present else None,
                "rows": rows,
            }
    except (sa.exc.OperationalError, sa.exc.DatabaseError) as error:
        from geo.store.db import store_error

        raise store_error(error) from error
    finally:
        engine.dispose()
    if args.json:
        print_json(status)
        return 0
    print(f"Base : {status['url']} ({status['engine']}), révision {status['revision']}, "
          f"version des données {status['data_version']}")  # fmt: skip
    for name, count in rows.items():
        print(f"  {name:<22} {count:>8}")
    return 0
