"""Alembic migrations of the project store, applied by :func:`geo.store.db.migrate` at start.

Add a revision in ``versions/`` (``NNNN_what.py``, ``down_revision`` = the previous one) and
update the tables in :mod:`geo.store.db` to match, and :data:`HEAD` below; never edit a
revision that has shipped.
"""

#: The newest revision (a test checks it is Alembic's head), so that a start at the head
#: revision needs no Alembic.
HEAD = "0006"
