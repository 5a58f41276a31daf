"""A broken store is said in French (what happened, what to do), without path or stack: a file
that is not a database, a damaged one, one that cannot be opened or written, a full one."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from broken_stores import cannot_be_opened, filled, malformed, not_a_database, read_only
from store_helpers import fake_locate, project

from geo.errors import GeoError, StoreError
from geo.store.identity import Operator
from geo.store.project_store import ProjectStore

CASES: dict[str, tuple[Callable[[Path], str], str]] = {
    "not a database": (not_a_database, "sauvegarde"),
    "malformed": (malformed, "sauvegarde"),
    "cannot be opened": (cannot_be_opened, "droits"),
    "read only": (read_only, "droits"),
    "unable to open": (
        lambda folder: f"sqlite:///file:{folder}/absent.sqlite?mode=ro&uri=true",
        "droits",
    ),
}


def _use(url: str) -> None:
    store = ProjectStore(url, locate=fake_locate)
    try:
        store.query(limit=500)
        store.add_many([project()], actor=Operator("essai"), status="publie")
    finally:
        store.close()


@pytest.mark.parametrize("case", list(CASES))
def test_a_broken_store_is_a_french_error_without_path(
    case: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    make, advice = CASES[case]
    url = make(tmp_path)
    with caplog.at_level(logging.ERROR, logger="geo"), pytest.raises(StoreError) as caught:
        _use(url)
    message = str(caught.value)
    assert advice in message and "registre des projets" in message
    assert str(tmp_path) not in message and "Traceback" not in message
    assert isinstance(caught.value, GeoError)
    # The detail is for the server's log.
    assert any(record.exc_info for record in caplog.records), caplog.records


def test_a_full_database_says_to_free_space(tmp_path: Path) -> None:
    path = filled(tmp_path, count=3)
    store = ProjectStore(f"sqlite:///{path}", locate=fake_locate)
    store.engine.dispose()

    @sa.event.listens_for(store.engine, "connect")
    def _small(dbapi_connection, _record) -> None:  # noqa: ANN001 - DB-API objects
        dbapi_connection.execute("PRAGMA max_page_count = 1")  # SQLite's own "disk is full"

    with pytest.raises(StoreError, match="espace"):
        store.add_many([project(description="y" * 4000) for _ in range(50)],
                       actor=Operator("essai"), status="publie")  # fmt: skip
    store.close()
    assert ProjectStore(f"sqlite:///{path}", locate=fake_locate).count() == 3
