"""Shared fixtures: the real open-data mirror, an isolated data directory, the project store's
database on each engine.

Tests read reference data from ``../shared/opendata`` (the folder beside the repository root),
or from ``GEO_DATA_MIRROR`` when it is already set, and never from the network.

``store_url`` is the one way a test gets a project store's database: it is parametrised over
:data:`store_helpers.ENGINES` (``sqlite``, ``postgresql``), so a test taking it runs on both.
PostgreSQL comes from ``GEO_TEST_DATABASE_URL`` or a throwaway cluster started for the session
(:mod:`pg_server`); without either the PostgreSQL cases are skipped with the reason, except
under CI (``CI`` set) where they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pg_server import PostgresServer, Unavailable, new_store_url
from store_helpers import ENGINES

ROOT = Path(__file__).resolve().parents[1]


def mirror_dir() -> Path:
    configured = os.environ.get("GEO_DATA_MIRROR")
    return Path(configured) if configured else ROOT.parent / "shared" / "opendata"


@pytest.fixture(scope="session")
def opendata_mirror() -> Path:
    """The real open-data mirror (``https://HOST/PATH`` is ``MIRROR/HOST/PATH``)."""
    mirror = mirror_dir()
    if not mirror.is_dir():
        message = f"open-data mirror not found at {mirror} (set GEO_DATA_MIRROR)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return mirror


@pytest.fixture(scope="session")
def geo_env(
    opendata_mirror: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """Point the settings at the mirror and a session-wide temporary data directory.

    Set in ``os.environ`` for the whole session (so a Streamlit app or subprocess started by a test
    sees it too); the data directory is shared so the reference is fetched from the mirror once.
    Yields the variables that were set.
    """
    values = {
        "GEO_DATA_MIRROR": str(opendata_mirror),
        "GEO_DATA_DIR": str(tmp_path_factory.mktemp("geo-data")),
        "GEO_OFFLINE": "0",
    }
    with pytest.MonkeyPatch.context() as patch:
        for name, value in values.items():
            patch.setenv(name, value)
        yield values


@pytest.fixture
def store(
    geo_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[object]:
    """A project store of its own for a page's app test (``DATABASE_URL``), offline, without
    demo projects. A test module that needs another store defines its own ``store``."""
    from reference import territories

    from geo.settings import get_settings
    from geo.store import ProjectStore

    url = f"sqlite:///{tmp_path / 'projets.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("GEO_DEMO", "0")
    monkeypatch.setenv("GEO_OFFLINE", "1")
    opened = ProjectStore(url, settings=get_settings(), locate=territories())
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server with PostGIS for the session (see the module docstring)."""
    try:
        server = PostgresServer.start()
    except Unavailable as reason:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL needed under CI: {reason}")
        pytest.skip(str(reason))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=ENGINES)
def store_engine(request: pytest.FixtureRequest) -> str:
    """``sqlite`` or ``postgresql``: the engine of :func:`store_url`."""
    return request.param


@pytest.fixture
def store_url(store_engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A new, empty project database on each engine (the store migrates it when it opens)."""
    return new_store_url(store_engine, tmp_path, request)
