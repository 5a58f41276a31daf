"""``streamlit run app.py`` runs the app once at start-up, before any visitor (app.py's warm-up).

Observed from outside, without a browser: on an empty store, the first run of the Explorer
loads the demo projects; with the warm-up, they are in the database while nobody has visited.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import running_app

WARM_UP_TIMEOUT = 60.0


def _projects(database: Path) -> int:
    if not database.exists():
        return 0
    with sqlite3.connect(database) as connection:
        try:
            return int(connection.execute("SELECT count(*) FROM projects").fetchone()[0])
        except sqlite3.OperationalError:  # the schema is being created
            return 0


def test_the_server_runs_the_app_once_before_its_first_visitor(
    geo_env: dict[str, str], tmp_path: Path
) -> None:
    database = tmp_path / "projets.sqlite"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "GEO_DEMO": "1"}
    with running_app(tmp_path, env):
        deadline = time.monotonic() + WARM_UP_TIMEOUT
        while _projects(database) == 0:
            if time.monotonic() > deadline:
                pytest.fail("no run of the app at start-up: the empty store was never filled")
            time.sleep(0.2)  # polling the database a starting server writes: not a page wait
    log = "\n".join(p.read_text(errors="replace") for p in tmp_path.glob("streamlit-*.log"))
    assert "Premier passage" not in log, log
    assert _projects(database) >= 30  # the demo projects, every one
