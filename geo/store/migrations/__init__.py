"""Alembic migrations of the project store, applied by :func:`geo.store.db.migrate` at start.

Add a revision in ``versions/`` (``NNNN_what.py``, ``down_revision`` = the previous one) and
update the tables in :mod:`geo.store.db` to match, and :data:`HEAD` below; never edit a
revision that has shipped. A new table whose changes readers may cache gets the triggers that
increase ``store_version`` (as 0005 does for the project tables; a test checks that every table
of :data:`geo.store.db.VERSIONED_TABLES` has them on both engines).

Each revision must build the same schema on SQLite and PostgreSQL (``tests/store/
test_schema_engines.py`` compares them); what only one engine has is declared in that test:
the FTS5 table on SQLite, the PostGIS columns and their indexes on PostgreSQL.
"""

#: The newest revision (a test checks it is Alembic's head), so that a start at the head
#: revision needs no Alembic.
HEAD = "0008"
