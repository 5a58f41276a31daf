"""Text search index: FTS5 trigram table on SQLite, pg_trgm GIN index on PostgreSQL.

Queries keep ``search_text LIKE '%word%'``: PostgreSQL answers it from the trigram index by
itself; on SQLite the store asks the FTS5 table (same LIKE, indexed) for the matching ids.
Where neither extension is available the plain LIKE still gives the same answers, slower.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_SQLITE = [
    "CREATE VIRTUAL TABLE projects_fts USING fts5("
    "search_text, content='projects', content_rowid='id', tokenize='trigram')",
    "INSERT INTO projects_fts(rowid, search_text) SELECT id, search_text FROM projects",
    "CREATE TRIGGER projects_fts_insert AFTER INSERT ON projects BEGIN "
    "INSERT INTO projects_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER projects_fts_delete AFTER DELETE ON projects BEGIN "
    "INSERT INTO projects_fts(projects_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER projects_fts_update AFTER UPDATE OF search_text ON projects BEGIN "
    "INSERT INTO projects_fts(projects_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO projects_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
]


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        options = {row[0] for row in connection.exec_driver_sql("PRAGMA compile_options")}
        if "ENABLE_FTS5" in options and sqlite3.sqlite_version_info >= (3, 34):  # trigram
            for statement in _SQLITE:
                connection.exec_driver_sql(statement)
    elif connection.dialect.name == "postgresql":
        savepoint = connection.begin_nested()
        try:
            connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            connection.exec_driver_sql(
                "CREATE INDEX ix_projects_search_trgm ON projects "
                "USING gin (search_text gin_trgm_ops)"
            )
            savepoint.commit()
        except sa.exc.DBAPIError:
            savepoint.rollback()  # no pg_trgm here: LIKE still works, unindexed


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS projects_fts_{name}")
        connection.exec_driver_sql("DROP TABLE IF EXISTS projects_fts")
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql("DROP INDEX IF EXISTS ix_projects_search_trgm")
