"""PostgreSQL closing the store's connections (a restart, an idle timeout, an administrator):
the next read and the next write go through on new connections, nothing is asked twice."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from pg_server import PostgresServer
from store_helpers import fake_locate, project

from geo.errors import StoreError
from geo.store.project_store import ProjectStore


@pytest.fixture
def store(postgres_server: PostgresServer) -> ProjectStore:
    url = postgres_server.new_database()
    opened = ProjectStore(url, locate=fake_locate)
    yield opened
    opened.close()
    postgres_server.drop_database(url)


def close_every_connection(store: ProjectStore, postgres_server: PostgresServer) -> int:
    admin = sa.create_engine(postgres_server.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        closed = connection.execute(
            sa.text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"),
            {"name": store.engine.url.database},
        ).scalar_one()  # fmt: skip
    admin.dispose()
    return closed


def test_reads_and_writes_survive_closed_connections(
    store: ProjectStore, postgres_server: PostgresServer
) -> None:
    store.add(project(), actor="formulaire")
    assert store.count() == 1  # the pool now holds a connection
    assert close_every_connection(store, postgres_server) >= 1
    assert store.count() == 1
    assert close_every_connection(store, postgres_server) >= 1
    pid, _ = store.add(project(title="Après la coupure"), actor="formulaire")
    assert store.count() == 2 and store.get(pid).title == "Après la coupure"


def test_a_connection_lost_during_a_commit_is_not_retried(
    store: ProjectStore, postgres_server: PostgresServer
) -> None:
    """The write may have been made: saying it failed is right, writing it twice is not."""
    from geo.store.db import run_with_retry

    calls = []

    def work(connection: sa.Connection) -> None:
        calls.append(1)
        connection.exec_driver_sql("UPDATE store_version SET version = version + 1")
        close_every_connection(store, postgres_server)  # lost before the commit returns

    with pytest.raises(StoreError):
        run_with_retry(store.engine, work, write=True)
    assert calls == [1]
