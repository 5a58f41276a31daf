"""The same migrations build the same schema on SQLite and PostgreSQL, and that schema is the
one :mod:`geo.store.db` declares; what only one engine has is listed here, and nothing else."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from pg_server import PostgresServer
from store_helpers import (
    POSTGRESQL_ONLY_COLUMNS,
    POSTGRESQL_ONLY_INDEXES,
    SQLITE_ONLY_TABLES,
)

from geo.store.db import VERSIONED_TABLES, make_engine, metadata, migrate

POSTGIS_TABLES = {"spatial_ref_sys"}  # the extension's own table, in the public schema


def family(column_type: sa.types.TypeEngine) -> tuple[str, int | None]:
    """What a column holds, whatever each engine calls it (DOUBLE PRECISION and FLOAT…)."""
    for name, kind in (
        ("boolean", sa.Boolean),
        ("json", sa.JSON),
        ("datetime", sa.DateTime),
        ("biginteger", sa.BigInteger),
        ("integer", sa.Integer),
        ("float", sa.Float),
        ("text", sa.Text),
        ("string", sa.String),
    ):
        if isinstance(column_type, kind):
            return name, getattr(column_type, "length", None) if name == "string" else None
    return type(column_type).__name__.lower(), None


def schema(inspector: sa.Inspector, tables: list[str]) -> dict[str, Any]:
    described: dict[str, Any] = {}
    for table in sorted(tables):
        columns = {
            c["name"]: (*family(c["type"]), c["nullable"]) for c in inspector.get_columns(table)
        }
        foreign = sorted(
            (
                tuple(fk["constrained_columns"]),
                fk["referred_table"],
                tuple(fk["referred_columns"]),
                (fk.get("options") or {}).get("ondelete", "NO ACTION").upper(),
            )
            for fk in inspector.get_foreign_keys(table)
        )
        indexes = {
            i["name"]: (tuple(i["column_names"]), bool(i["unique"]))
            for i in inspector.get_indexes(table)
            if not i.get("duplicates_constraint")  # PostgreSQL: the index of a UNIQUE
        }
        uniques = sorted(tuple(u["column_names"]) for u in inspector.get_unique_constraints(table))
        described[table] = {
            "columns": columns,
            "primary_key": tuple(inspector.get_pk_constraint(table)["constrained_columns"]),
            "foreign_keys": foreign,
            "indexes": indexes,
            "unique": uniques,
        }
    return described


@pytest.fixture
def engines(tmp_path: Path, postgres_server: PostgresServer) -> Iterator[tuple[sa.Engine, ...]]:
    """A new SQLite file and a new PostgreSQL database, both migrated to the head revision."""
    pg_url = postgres_server.new_database()
    made = (make_engine(f"sqlite:///{tmp_path / 'projets.sqlite'}"), make_engine(pg_url))
    for engine in made:
        migrate(engine)
    yield made
    for engine in made:
        engine.dispose()
    postgres_server.drop_database(pg_url)


def test_both_engines_build_the_declared_schema(engines: tuple[sa.Engine, ...]) -> None:
    lite_inspector, pg_inspector = (sa.inspect(engine) for engine in engines)
    lite_tables = set(lite_inspector.get_table_names()) - {"alembic_version"}
    pg_tables = set(pg_inspector.get_table_names()) - {"alembic_version"} - POSTGIS_TABLES
    assert lite_tables - pg_tables == SQLITE_ONLY_TABLES
    assert pg_tables - lite_tables == set()
    common = sorted(pg_tables)
    assert set(common) == set(metadata.tables)  # and exactly what geo/store/db.py declares

    on_sqlite = schema(lite_inspector, common)
    on_postgresql = schema(pg_inspector, common)
    extra_columns = {
        (table, name)
        for table, described in on_postgresql.items()
        for name in described["columns"]
        if name not in on_sqlite[table]["columns"]
    }
    assert extra_columns == POSTGRESQL_ONLY_COLUMNS
    extra_indexes = {
        name
        for described in on_postgresql.values()
        for name in described["indexes"]
        if name not in on_sqlite[described_table(on_postgresql, name)]["indexes"]
    }
    assert extra_indexes == POSTGRESQL_ONLY_INDEXES
    for table, name in POSTGRESQL_ONLY_COLUMNS:
        del on_postgresql[table]["columns"][name]
    for described in on_postgresql.values():
        for name in POSTGRESQL_ONLY_INDEXES:
            described["indexes"].pop(name, None)
    assert on_sqlite == on_postgresql

    # The declared tables: same columns, kinds, nullability, keys.
    for table in metadata.sorted_tables:
        declared = {
            c.name: (*family(c.type), c.nullable) for c in table.columns
        }  # fmt: skip
        assert on_sqlite[table.name]["columns"] == declared, table.name
        assert on_sqlite[table.name]["primary_key"] == tuple(table.primary_key.columns.keys())


def described_table(described: dict[str, Any], index: str) -> str:
    return next(table for table, value in described.items() if index in value["indexes"])


def test_the_versioned_tables_have_their_triggers_on_both_engines(
    engines: tuple[sa.Engine, ...],
) -> None:
    lite, pg = engines
    with lite.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"
        ).all()
    on_sqlite = {
        (table, event)
        for table, sql in rows
        if "store_version" in sql
        for event in ("INSERT", "UPDATE", "DELETE")
        if f"AFTER {event}" in sql
    }
    with pg.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT event_object_table, event_manipulation FROM information_schema.triggers "
            "WHERE action_statement LIKE '%%geo_bump_store_version%%'"
        ).all()
    on_postgresql = {(table, event) for table, event in rows}
    expected = {(t, e) for t in VERSIONED_TABLES for e in ("INSERT", "UPDATE", "DELETE")}
    assert on_sqlite == on_postgresql == expected
