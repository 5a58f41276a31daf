"""Alembic environment: always online, on the connection :func:`geo.store.db.migrate` opened.

That connection is already inside a write transaction, so ``begin_transaction`` below is a
no-op and every revision of one upgrade commits together (SQLite and PostgreSQL both have
transactional DDL).
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
