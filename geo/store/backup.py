"""Backups of the project store and their restore (``python -m geo db backup|restore``).

SQLite: the online backup API (``sqlite3.Connection.backup``) copies a consistent state of the
live database, page by page, while the app keeps writing; the backup is itself a SQLite
database file. PostgreSQL: ``pg_dump --format=custom`` of the store's database (the
``postgresql-client`` package of the server's major version), restored by ``pg_restore`` piped
into ``psql --single-transaction``: the store's tables are dropped and recreated from the file
in one transaction, so a restore that fails leaves the store as it was. PostGIS and pg_trgm
are not restored (the server's own extensions stay, installed by its administrator).

Either way a backup file is written beside its destination and renamed into place (never half
a backup under the final name), and a restore is checked first: a file that is not a backup
of a project store is refused in French with nothing changed. After a restore the data version
is set past both the restored one and the one it replaces, so that no process serves what it
kept from before (:mod:`geo.store.cache`); then the schema is migrated to the head revision
(a backup made by an older release is upgraded).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from geo.errors import GeoError, StoreError
from geo.store.db import (
    current_revision,
    make_engine,
    metadata,
    migrate,
    run_with_retry,
    store_error,
    store_version,
)

_NOT_A_BACKUP = (
    "{name} n'est pas une sauvegarde du registre des projets ({why}) : rien n'a été restauré."
)


@dataclass(frozen=True)
class BackupReport:
    engine: str
    file: str
    bytes: int
    projects: int
    revision: str | None
    data_version: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- backup ------------------------------------------------------------------------------------


#: What a backup of no store says: the usual cause is a command run without the service's
#: environment (a cron line that does not load it opens the default SQLite file).
_NO_STORE = (
    "Aucun registre des projets à sauvegarder : {why}. Rien n'a été écrit. La commande "
    "a-t-elle l'environnement du service (DATABASE_URL) ? Depuis cron, chargez-le d'abord "
    "(`set -a; . /etc/carte/env; set +a`, voir le README, Déployer)."
)


def backup(url: str, out: str | Path) -> BackupReport:
    """Write a backup of the store at ``url`` to ``out`` (atomically). A store that does not
    exist is refused, never created: a backup of an empty new store would look like one."""
    out = Path(out)
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = Path(parsed.database or "")
        if not parsed.database or not database.is_file():
            raise GeoError(_NO_STORE.format(why=f"le fichier {database} n'existe pas"))
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            revision = current_revision(connection)
        if revision is None:
            where = parsed.render_as_string(hide_password=True)
            raise GeoError(_NO_STORE.format(why=f"la base {where} n'en contient aucun"))
        with _beside(out) as partial:
            if engine.dialect.name == "sqlite":
                _sqlite_backup(Path(engine.url.database or ""), partial)
            elif engine.dialect.name == "postgresql":
                _run_pg(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                         f"--file={partial}"], url)  # fmt: skip
            else:
                msg = f"Sauvegarde impossible : base {engine.dialect.name} non prise en charge."
                raise GeoError(msg)
        projects, revision, version = _summary(engine)
    except (sa.exc.OperationalError, sa.exc.DatabaseError) as error:
        raise store_error(error) from error
    finally:
        engine.dispose()
    return BackupReport(engine.dialect.name, str(out), out.stat().st_size, projects, revision,
                        version)  # fmt: skip


def _sqlite_backup(database: Path, partial: Path) -> None:
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
    target = sqlite3.connect(partial)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode = DELETE")  # one file, nothing beside it
    except sqlite3.Error as error:
        raise store_error(error) from error
    finally:
        target.close()
        source.close()


@contextlib.contextmanager
def _beside(out: Path) -> Iterator[Path]:
    """A temporary path in ``out``'s folder, renamed to ``out`` when the block succeeds."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent)
        os.close(handle)
    except OSError as error:
        msg = (
            f"Impossible d'écrire la sauvegarde dans {out.parent} ({error.strerror}) : vérifiez "
            "que le dossier existe et qu'il est accessible en écriture."
        )
        raise GeoError(msg) from error
    partial = Path(name)
    try:
        yield partial
        with partial.open("rb") as done:
            os.fsync(done.fileno())
        partial.replace(out)
    except OSError as error:
        msg = f"La sauvegarde n'a pas pu être écrite ({error.strerror}) : rien n'a été remplacé."
        raise GeoError(msg) from error
    finally:
        partial.unlink(missing_ok=True)


# --- restore -----------------------------------------------------------------------------------


def restore(url: str, file: str | Path) -> BackupReport:
    """Replace the store at ``url`` by the backup ``file`` (see the module docstring)."""
    file = Path(file)
    if not file.is_file():
        msg = f"Sauvegarde introuvable : {file}."
        raise GeoError(msg)
    engine = make_engine(url)
    try:
        before = _version_or_zero(engine)
        if engine.dialect.name == "sqlite":
            _sqlite_restore(file, Path(engine.url.database or ""), before)
        elif engine.dialect.name == "postgresql":
            _pg_restore(file, url, before)
        else:
            msg = f"Restauration impossible : base {engine.dialect.name} non prise en charge."
            raise GeoError(msg)
        engine.dispose()  # connections opened before may point at replaced pages or tables
        migrate(engine)
        # Past ``before`` even when the backup had no data version yet (before 0005).
        past = sa.case((store_version.c.version > before, store_version.c.version),
                       else_=before + 1)  # fmt: skip
        run_with_retry(
            engine, lambda c: c.execute(store_version.update().values(version=past)), write=True
        )
        projects, revision, version = _summary(engine)
    except (sa.exc.OperationalError, sa.exc.DatabaseError) as error:
        raise store_error(error) from error
    finally:
        engine.dispose()
    return BackupReport(engine.dialect.name, str(file), file.stat().st_size, projects, revision,
                        version)  # fmt: skip


def _sqlite_restore(file: Path, database: Path, before: int) -> None:
    with tempfile.TemporaryDirectory(prefix="geo-restore-") as folder:
        copy = Path(folder) / "restore.sqlite"
        shutil.copyfile(file, copy)  # the operator's file itself is never written
        try:
            staged = sqlite3.connect(copy)
            try:
                if _check_sqlite(staged, file.name):
                    staged.execute(
                        "UPDATE store_version SET version = MAX(version, ?) + 1 WHERE id = 1",
                        (before,),
                    )
                    staged.commit()
                target = sqlite3.connect(database, timeout=30)
                try:
                    target.execute("PRAGMA busy_timeout = 30000")
                    staged.backup(target)  # one write transaction on the live database
                finally:
                    target.close()
            finally:
                staged.close()
        except sqlite3.DatabaseError as error:
            if "not a database" in str(error) or "malformed" in str(error):
                raise GeoError(
                    _NOT_A_BACKUP.format(name=file.name, why="fichier illisible")
                ) from error
            raise store_error(error) from error


def _check_sqlite(connection: sqlite3.Connection, name: str) -> bool:
    """Refuse what is not a store; whether it has a data version (revision 0005 on)."""
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    missing = {"projects", "alembic_version"} - tables
    if missing:
        why = f"il y manque la table {sorted(missing)[0]}"
        raise GeoError(_NOT_A_BACKUP.format(name=name, why=why))
    if connection.execute("PRAGMA quick_check").fetchone()[0] != "ok":
        raise GeoError(_NOT_A_BACKUP.format(name=name, why="fichier endommagé"))
    return "store_version" in tables


def _pg_restore(file: Path, url: str, before: int) -> None:
    listing = _run_pg(["pg_restore", "--list", str(file)], url, check=False, database=False)
    if listing.returncode != 0:
        raise GeoError(_NOT_A_BACKUP.format(name=file.name, why="pas une archive pg_dump"))
    entries = listing.stdout.splitlines()
    if not any(" TABLE public projects " in line for line in entries):
        raise GeoError(_NOT_A_BACKUP.format(name=file.name, why="il y manque la table projects"))
    with tempfile.TemporaryDirectory(prefix="geo-restore-") as folder:
        chosen = Path(folder) / "list"
        # The server's extensions stay as they are (creating them needs a superuser).
        chosen.write_text(
            "\n".join(line for line in entries if " EXTENSION " not in line), encoding="utf-8"
        )
        script = _run_pg(["pg_restore", "--no-owner", "--no-privileges", f"--use-list={chosen}",
                          "--file=-", str(file)], url, database=False)  # fmt: skip
        engine = make_engine(url)
        try:
            drops = _pg_drops(engine)
        finally:
            engine.dispose()
        after = (  # a backup made before revision 0005 has no data version yet
            "\nRESET search_path;\nDO $$ BEGIN IF to_regclass('store_version') IS NOT NULL THEN "
            f"UPDATE store_version SET version = GREATEST(version, {int(before)}) + 1 "
            "WHERE id = 1; END IF; END $$;\n"
        )
        sql = drops + script.stdout + after
        _run_pg(["psql", "--no-psqlrc", "--quiet", "--single-transaction",
                 "--set=ON_ERROR_STOP=1", "--file=-"], url, stdin=sql)  # fmt: skip


def _pg_drops(engine: sa.Engine) -> str:
    """DROP statements for the store's tables and functions now in the database (what the
    extensions own excepted)."""
    not_an_extensions = (
        "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = {oid} AND d.deptype = 'e')"
    )
    with engine.connect() as connection:
        tables = connection.exec_driver_sql(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm') "
            + not_an_extensions.format(oid="c.oid")
        ).scalars()
        names = sorted(tables)
        functions = connection.exec_driver_sql(
            "SELECT p.oid::regprocedure::text FROM pg_proc p "
            "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = current_schema() "
            + not_an_extensions.format(oid="p.oid")
        ).scalars()
        signatures = sorted(functions)
    statements = [f'DROP TABLE IF EXISTS "{name}" CASCADE;' for name in names]
    statements += [f"DROP FUNCTION IF EXISTS {signature} CASCADE;" for signature in signatures]
    return "\n".join(statements) + "\n"


# --- shared ------------------------------------------------------------------------------------


def _version_or_zero(engine: sa.Engine) -> int:
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table("store_version"):
                return 0
            value = connection.exec_driver_sql("SELECT MAX(version) FROM store_version").scalar()
            return int(value or 0)
    except (sa.exc.OperationalError, sa.exc.DatabaseError) as error:
        raise store_error(error) from error


def _summary(engine: sa.Engine) -> tuple[int, str | None, int]:
    with engine.connect() as connection:
        projects = connection.execute(
            sa.select(sa.func.count()).select_from(metadata.tables["projects"])
        ).scalar_one()
        version = connection.exec_driver_sql("SELECT version FROM store_version").scalar()
        return int(projects), current_revision(connection), int(version or 0)


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The libpq form of a SQLAlchemy URL, its password passed in the environment (never on a
    command line that ``ps`` shows)."""
    parsed = sa.make_url(url)
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run_pg(
    command: list[str],
    url: str,
    *,
    check: bool = True,
    database: bool = True,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    program = shutil.which(command[0])
    if program is None:
        msg = (
            f"{command[0]} est introuvable : installez le client PostgreSQL de la version du "
            "serveur (Debian : apt-get install postgresql-client)."
        )
        raise GeoError(msg)
    libpq, env = _libpq(url)
    arguments = [program, *command[1:]]
    if database:
        arguments.append(f"--dbname={libpq}")
    done = subprocess.run(
        arguments, input=stdin, capture_output=True, text=True, env=env, check=False
    )
    if check and done.returncode != 0:
        detail = done.stderr.strip().splitlines()
        last = detail[-1] if detail else f"code {done.returncode}"
        msg = f"{command[0]} a échoué : {last} ; rien n'a été modifié dans le registre."
        raise StoreError(msg)
    return done
