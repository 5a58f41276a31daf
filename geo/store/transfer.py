"""Copy a whole project store into another database (``python -m geo db migrate-to URL``).

Made for moving a workshop's SQLite file to the shared PostgreSQL of a national deployment,
and working the other way too: every table :mod:`geo.store.db` declares (projects, their tags,
the audit log, and whatever later revisions add — moderators, revisions, reports, tours,
workshop sessions) is copied row by row with its primary key, in dependency order, inside one
transaction of the target: nothing is half-copied. Both stores are migrated to the head
revision first (the target's schema, with PostGIS, is made by the migrations, never here).

Idempotent: a row already in the target with the same values is left alone, one with other
values takes the source's, a missing one is inserted, so running it again after more writes
in the source brings the target up to date. A row that only the target has makes it refuse
before writing (the target is not a copy of this source). The data version is not copied:
the target's triggers move its own. On PostgreSQL the id sequences are moved past the copied
ids, so that the next project gets a new one.

At the end the rows of every table are counted on both sides and checksummed (every column,
normalised), and so are the public fields of the projects (what anyone may see, as the export
writes them): the report says whether both sides hold the same.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from geo.errors import GeoError
from geo.projects.model import public_dict
from geo.store.db import (
    make_engine,
    metadata,
    migrate,
    projects,
    run_with_retry,
    store_error,
    store_version,
)
from geo.store.query import PROJECT_COLUMNS, to_project

_CHUNK = 1000


@dataclass
class TableCopy:
    table: str
    source_rows: int = 0
    target_rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    checksum_equal: bool = False


@dataclass
class TransferReport:
    source: str
    target: str
    tables: list[TableCopy] = field(default_factory=list)
    public_checksum_source: str = ""
    public_checksum_target: str = ""

    @property
    def identical(self) -> bool:
        return self.public_checksum_source == self.public_checksum_target and all(
            t.source_rows == t.target_rows and t.checksum_equal for t in self.tables
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "target": self.target,
            "identical": self.identical,
            "tables": {
                t.table: {
                    "source_rows": t.source_rows,
                    "target_rows": t.target_rows,
                    "inserted": t.inserted,
                    "updated": t.updated,
                    "unchanged": t.unchanged,
                    "checksum_equal": t.checksum_equal,
                }
                for t in self.tables
            },
            "public_checksum": {
                "source": self.public_checksum_source,
                "target": self.public_checksum_target,
            },
        }


def copied_tables() -> list[sa.Table]:
    """Every declared table but the data version, parents before children."""
    return [t for t in metadata.sorted_tables if t is not store_version]


def safe_url(url: str) -> str:
    """The URL without its password, for messages and reports."""
    return sa.make_url(url).render_as_string(hide_password=True)


def copy_store(source_url: str, target_url: str) -> TransferReport:
    """Copy the store at ``source_url`` into ``target_url`` (see the module docstring)."""
    if _same_database(source_url, target_url):
        msg = "La base cible est la base source : indiquez une autre base (DATABASE_URL)."
        raise GeoError(msg)
    source, target = make_engine(source_url), make_engine(target_url)
    try:
        for engine in (source, target):
            try:
                migrate(engine)
            except (sa.exc.OperationalError, sa.exc.DatabaseError) as error:
                raise store_error(error) from error
        report = TransferReport(safe_url(source_url), safe_url(target_url))
        with _snapshot(source) as reading:
            run_with_retry(target, lambda writing: _copy(reading, writing, report), write=True)
        with _snapshot(source) as reading, _snapshot(target) as written:
            for copied in report.tables:
                table = metadata.tables[copied.table]
                copied.source_rows = _count(reading, table)
                copied.target_rows = _count(written, table)
                copied.checksum_equal = _checksum(reading, table) == _checksum(written, table)
            report.public_checksum_source = public_checksum(reading)
            report.public_checksum_target = public_checksum(written)
        return report
    finally:
        source.dispose()
        target.dispose()


# --- copying ------------------------------------------------------------------------------------


def _copy(reading: Connection, writing: Connection, report: TransferReport) -> None:
    report.tables = []
    for table in copied_tables():
        extra = _keys(writing, table) - _keys(reading, table)
        if extra:
            msg = (
                f"La base cible a déjà {len(extra)} ligne(s) de la table {table.name} que la "
                "source n'a pas : elle n'est pas une copie de cette base. Rien n'a été copié ; "
                "choisissez une base vide (ou une copie antérieure de la même source)."
            )
            raise GeoError(msg)
    for table in copied_tables():
        copied = TableCopy(table.name)
        for chunk in _chunks(reading, table):
            keys = [_key(table, row) for row in chunk]
            present = {_key(table, row): row for row in _rows_with_keys(writing, table, keys)}
            inserts, updates = [], []
            for key, row in zip(keys, chunk, strict=True):
                if key not in present:
                    inserts.append(row)
                elif _normal_row(table, present[key]) != _normal_row(table, row):
                    updates.append(row)
            if inserts:
                writing.execute(table.insert(), [_writable(table, r) for r in inserts])
            for row in updates:
                writing.execute(
                    table.update().where(*_key_clause(table, _key(table, row)))
                    .values(_writable(table, row))
                )  # fmt: skip
            copied.inserted += len(inserts)
            copied.updated += len(updates)
            copied.unchanged += len(chunk) - len(inserts) - len(updates)
        report.tables.append(copied)
    if writing.dialect.name == "postgresql":
        _move_sequences(writing)


def _move_sequences(connection: Connection) -> None:
    for table in copied_tables():
        columns = list(table.primary_key.columns)
        if len(columns) != 1 or not isinstance(columns[0].type, sa.Integer):
            continue
        if columns[0].autoincrement is False:
            continue
        sequence = connection.execute(
            sa.select(sa.func.pg_get_serial_sequence(table.name, columns[0].name))
        ).scalar()
        if sequence:
            connection.execute(
                sa.text(
                    f"SELECT setval(:sequence, COALESCE(MAX({columns[0].name}), 0) + 1, false) "
                    f"FROM {table.name}"
                ),
                {"sequence": sequence},
            )


def _chunks(connection: Connection, table: sa.Table) -> Iterator[list[dict[str, Any]]]:
    query = sa.select(table).order_by(*table.primary_key.columns)
    result = connection.execution_options(yield_per=_CHUNK).execute(query)
    for partition in result.mappings().partitions(_CHUNK):
        yield [dict(row) for row in partition]


def _rows_with_keys(
    connection: Connection, table: sa.Table, keys: Sequence[tuple[Any, ...]]
) -> list[dict[str, Any]]:
    if not keys:
        return []
    columns = list(table.primary_key.columns)
    if len(columns) == 1:
        condition = columns[0].in_([k[0] for k in keys])
    else:
        condition = sa.tuple_(*columns).in_(list(keys))
    return [dict(row) for row in connection.execute(sa.select(table).where(condition)).mappings()]


def _keys(connection: Connection, table: sa.Table) -> set[tuple[Any, ...]]:
    columns = list(table.primary_key.columns)
    return {tuple(row) for row in connection.execute(sa.select(*columns))}


def _key(table: sa.Table, row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[c.name] for c in table.primary_key.columns)


def _key_clause(table: sa.Table, key: tuple[Any, ...]) -> list[Any]:
    return [c == v for c, v in zip(table.primary_key.columns, key, strict=True)]


def _writable(table: sa.Table, row: dict[str, Any]) -> dict[str, Any]:
    """Datetimes stated in UTC (SQLite gives them back without a zone: they were UTC)."""
    values = {}
    for column in table.columns:
        value = row.get(column.name)
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        values[column.name] = value
    return values


# --- comparing ----------------------------------------------------------------------------------


def _normal(value: Any) -> Any:
    if isinstance(value, datetime):
        value = value if value.tzinfo else value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat()
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, str) and value[:1] in "[{":
        # A JSON column written as text by an old release stays the same JSON.
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _normal_row(table: sa.Table, row: dict[str, Any]) -> list[Any]:
    return [_normal(row.get(c.name)) for c in table.columns]


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")


def _count(connection: Connection, table: sa.Table) -> int:
    return connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def _checksum(connection: Connection, table: sa.Table) -> str:
    digest = hashlib.sha256()
    for chunk in _chunks(connection, table):
        for row in chunk:
            digest.update(_canonical(_normal_row(table, row)) + b"\n")
    return digest.hexdigest()


def public_checksum(connection: Connection) -> str:
    """sha256 of every project's public fields (id order), as anyone may see them."""
    digest = hashlib.sha256()
    query = sa.select(*[projects.c[c] for c in PROJECT_COLUMNS]).order_by(projects.c.id)
    result = connection.execution_options(yield_per=_CHUNK).execute(query)
    for row in result.mappings():
        digest.update(_canonical(public_dict(to_project(row))) + b"\n")
    return digest.hexdigest()


class _snapshot:  # noqa: N801 - used as a context manager, like a function
    """A read transaction that sees one state of the database from start to end."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __enter__(self) -> Connection:
        options = {}
        if self.engine.dialect.name == "postgresql":
            options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        self.connection = self.engine.connect().execution_options(**options)
        self.transaction = self.connection.begin()
        return self.connection

    def __exit__(self, *exc: object) -> None:
        self.transaction.rollback()
        self.connection.close()


def _same_database(first: str, second: str) -> bool:
    a, b = sa.make_url(first), sa.make_url(second)
    if a.get_backend_name() != b.get_backend_name():
        return False
    if a.get_backend_name() == "sqlite":
        from pathlib import Path

        return bool(a.database) and Path(a.database).resolve() == Path(b.database or "").resolve()
    return (a.host, a.port, a.database) == (b.host, b.port, b.database)
