"""The PostgreSQL server the store tests run on, and a fresh database per test.

``GEO_TEST_DATABASE_URL`` names a server whose user may create databases (the tests create and
drop ``geo_test_*`` databases there); without it a throwaway cluster is started for the
session with ``scripts/pg-test-cluster.sh`` when PostgreSQL is installed, and stopped at the
end. Every database is copied from a template holding PostGIS and pg_trgm (creating PostGIS
costs half a second, a copy a twentieth), and starts without any table: the store migrates it
when it opens, as it would a new server. No pytest import here (worker processes use it).
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
CLUSTER_SCRIPT = ROOT / "scripts" / "pg-test-cluster.sh"
TEMPLATE = "geo_test_template"


class Unavailable(Exception):  # noqa: N818 - a reason to skip, not an error of the code
    """No PostgreSQL server with PostGIS can be had here (the message says why)."""


class PostgresServer:
    """A server (admin URL) on which databases are created from a PostGIS template."""

    def __init__(self, admin_url: str, *, cluster_dir: Path | None = None) -> None:
        self.admin_url = admin_url
        self.cluster_dir = cluster_dir
        self._names = itertools.count(1)
        self._admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        self._prefix = f"geo_test_{os.getpid()}_"

    # --- lifecycle ---------------------------------------------------------------------------

    @classmethod
    def start(cls) -> PostgresServer:
        """The server of ``GEO_TEST_DATABASE_URL``, else a throwaway cluster of our own."""
        url = os.environ.get("GEO_TEST_DATABASE_URL")
        if url:
            server = cls(url)
        else:
            if not _postgres_installed():
                msg = (
                    "PostgreSQL is not installed (initdb not found; apt-get install postgresql "
                    "postgresql-15-postgis-3) and GEO_TEST_DATABASE_URL is not set"
                )
                raise Unavailable(msg)
            folder = Path(tempfile.mkdtemp(prefix="geo-pg-"))
            folder.chmod(0o711)  # the server runs as another user when we are root
            done = subprocess.run(
                ["bash", str(CLUSTER_SCRIPT), "start", str(folder / "cluster"), "--fast"],
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                shutil.rmtree(folder, ignore_errors=True)
                msg = f"could not start a PostgreSQL test cluster: {done.stderr.strip()}"
                raise Unavailable(msg)
            server = cls(done.stdout.strip(), cluster_dir=folder)
        try:
            server._make_template()
        except BaseException:
            server.stop()
            raise
        return server

    def stop(self) -> None:
        self._admin.dispose()
        if self.cluster_dir is not None:
            subprocess.run(
                ["bash", str(CLUSTER_SCRIPT), "stop", str(self.cluster_dir / "cluster")],
                capture_output=True,
                check=False,
            )
            shutil.rmtree(self.cluster_dir, ignore_errors=True)
            self.cluster_dir = None
        else:
            with self._admin.connect() as connection:
                names = connection.exec_driver_sql(
                    "SELECT datname FROM pg_database WHERE datname LIKE %(p)s",
                    {"p": f"{self._prefix}%"},
                ).scalars()
                for name in list(names):
                    connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    # --- databases ---------------------------------------------------------------------------

    def new_database(self) -> str:
        """The URL of a new, empty database (PostGIS and pg_trgm installed, no table)."""
        name = f"{self._prefix}{next(self._names)}"
        with self._admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
        return self.url_of(name)

    def drop_database(self, url: str) -> None:
        name = sa.make_url(url).database
        with self._admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def url_of(self, database: str) -> str:
        return (
            sa.make_url(self.admin_url).set(database=database).render_as_string(hide_password=False)
        )

    def _make_template(self) -> None:
        try:
            with self._admin.connect() as connection:
                exists = connection.exec_driver_sql(
                    "SELECT 1 FROM pg_database WHERE datname = %(n)s", {"n": TEMPLATE}
                ).scalar()
                if not exists:
                    connection.exec_driver_sql(f'CREATE DATABASE "{TEMPLATE}"')
        except sa.exc.OperationalError as error:
            msg = f"PostgreSQL server not reachable at GEO_TEST_DATABASE_URL: {error.orig}"
            raise Unavailable(msg) from error
        engine = sa.create_engine(self.url_of(TEMPLATE), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                available = set(
                    connection.exec_driver_sql("SELECT name FROM pg_available_extensions").scalars()
                )
                if "postgis" not in available:
                    msg = (
                        "PostGIS is not installed on the PostgreSQL server "
                        "(apt-get install postgresql-15-postgis-3)"
                    )
                    raise Unavailable(msg)
                connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")
                connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        finally:
            engine.dispose()


def new_store_url(engine: str, folder: Path, request: Any) -> str:
    """An empty database of that engine: a new SQLite file in ``folder``, or a new PostgreSQL
    database (dropped when the requesting test or module is done). ``request`` is the
    fixture's ``pytest.FixtureRequest``."""
    if engine == "sqlite":
        return f"sqlite:///{folder / 'projets.sqlite'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.new_database()
    request.addfinalizer(lambda: server.drop_database(url))
    return url


def _postgres_installed() -> bool:
    if os.environ.get("PG_BIN"):
        return (Path(os.environ["PG_BIN"]) / "initdb").exists()
    return any(Path("/usr/lib/postgresql").glob("*/bin/initdb")) or bool(shutil.which("initdb"))
