"""The project store: SQLAlchemy 2 on SQLite by default, PostgreSQL by ``DATABASE_URL``.

Owns :mod:`.project_store` (the public API: add, update, moderation, tokens, audit, queries),
:mod:`.db` (tables, engine, transactions, retries, Alembic migrations in :mod:`.migrations`),
:mod:`.query` (filters and the SQL they become) and :mod:`.rows` (rows in and out); tours
(:mod:`.tours`), workshop sessions (:mod:`.workshops`) and copies into an offline kit
(:mod:`.kit_copy`). May import ``geo.errors``, ``geo.settings``, ``geo.projects.model`` and
``geo.territory``; never a file format or a map layer.
"""

from geo.store.project_store import ProjectStore
from geo.store.query import ProjectFilter, QueryResult

__all__ = ["ProjectFilter", "ProjectStore", "QueryResult"]
