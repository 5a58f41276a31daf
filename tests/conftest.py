"""Shared fixtures: the real open-data mirror and an isolated data directory.

Tests read reference data from ``../shared/opendata`` (the folder beside the repository root),
or from ``GEO_DATA_MIRROR`` when it is already set, and never from the network.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

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
