"""All of France: the app and the CLI on the national mirror (every French commune), in a
data directory of their own, fetched and prepared once for the folder."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
NATIONAL_MIRROR = ROOT.parent / "shared" / "opendata-france"


@pytest.fixture(scope="module")
def national_env(
    geo_env: dict[str, str], e2e_env: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """The national mirror and a data directory of its own, set for the module's tests only:
    the session's settings (small mirror, set first) come back after it."""
    if not NATIONAL_MIRROR.is_dir():
        message = f"national mirror not found at {NATIONAL_MIRROR}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("national")
    values = {
        "GEO_DATA_MIRROR": str(NATIONAL_MIRROR),
        "GEO_DATA_DIR": str(folder / "data"),
        "DATABASE_URL": f"sqlite:///{folder / 'projets.sqlite'}",
        "GEO_OFFLINE": "0",
    }
    env = {**os.environ, **values}
    fetched = subprocess.run(
        [sys.executable, "-m", "geo", "data", "fetch", "territoires"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert fetched.returncode == 0, fetched.stderr
    with pytest.MonkeyPatch.context() as patch:
        for name, value in values.items():
            patch.setenv(name, value)
        yield values
