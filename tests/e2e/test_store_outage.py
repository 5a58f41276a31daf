"""A server started while its project store cannot be opened: its health check says so
(``/_stcore/script-health-check`` is not ``ok``), and once the store can be opened the same
process serves it, with no restart (README, Deploying)."""

from __future__ import annotations

import os
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.conftest import running_app

pytestmark = pytest.mark.e2e
RECOVERY_TIMEOUT = 90.0


def _health(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/script-health-check", timeout=60) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_a_server_started_during_an_outage_serves_once_the_store_is_back(
    geo_env: dict[str, str], tmp_path: Path
) -> None:
    blocker = tmp_path / "registre"  # a file where the store's folder must be: cannot open
    blocker.write_text("x", encoding="utf-8")
    database = blocker / "projets.sqlite"
    # As deployed (README, Deploying): the script health check on.
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "GEO_DEMO": "1",
           "STREAMLIT_SERVER_SCRIPT_HEALTH_CHECK_ENABLED": "true"}  # fmt: skip
    with running_app(tmp_path, env) as url:
        status, text = _health(url)
        assert status != 200 and text != "ok", (status, text)
        blocker.unlink()  # the outage ends
        deadline = time.monotonic() + RECOVERY_TIMEOUT
        while _health(url) != (200, "ok"):
            if time.monotonic() > deadline:
                pytest.fail("the store was never opened again after the outage")
            time.sleep(1)  # polling a server's health, as a load balancer does
        assert database.is_file()  # opened (and the demo projects loaded) by the same process
