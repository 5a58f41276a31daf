"""Several app processes on one PostgreSQL, in a real browser: two Streamlit servers on two ports
see each other's writes on their next rerun (what a process keeps is dropped when the database's
data version moves), and one server killed in the middle of a write storm leaves the other
serving every acknowledged project."""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from pg_server import PostgresServer
from reference import ROOT, territories

from geo.store.identity import Operator
from geo.store.project_store import ProjectFilter, ProjectStore

pytestmark = pytest.mark.e2e

APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
LIST_BUTTONS = ".st-key-liste-projets button"
COUNT = re.compile(r"^(Aucun projet|[\d\u202f]+ projets?)$")
TIMEOUT_MS = 60_000
OPERATOR = Operator("essai")


def grenoble(title: str, **changes: object) -> dict[str, object]:
    return {"title": title, "summary": "Deux serveurs, une base.", "themes": ["energie"],
            "categories": ["solaire"], "stage": "en_projet", "lat": 45.1885,
            "lon": 5.7245} | changes  # fmt: skip


@pytest.fixture
def shared_database(postgres_server: PostgresServer, geo_env: dict[str, str]) -> str:
    url = postgres_server.new_database()
    store = ProjectStore(url, locate=territories())
    store.add_many([grenoble(f"Projet partagé {i}") for i in range(3)], actor=OPERATOR,
                   status="publie")  # fmt: skip
    store.close()
    yield url
    postgres_server.drop_database(url)


def _open(routed_context: Callable[..., tuple[object, object]], url: str) -> object:
    from playwright.sync_api import expect

    context, _ = routed_context(width=1280, height=800)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    page.goto(url)
    page.wait_for_selector(APP_IDLE)
    expect(page.get_by_role("heading", name="Explorer les projets")).to_be_visible()
    return page


def _expect_count(page: object, count: int) -> None:
    from playwright.sync_api import expect

    text = f"{count:,}".replace(",", "\u202f")
    expect(page.get_by_role("heading", name=COUNT)).to_have_text(
        re.compile(rf"^{text} projets?$")
    )


def _rerun(page: object) -> None:
    """A rerun of the same session: a theme chosen, then let go."""
    for _ in range(2):
        page.wait_for_selector(APP_IDLE)
        page.locator(".st-key-f_themes").get_by_role("button", name="Énergie", exact=True).click()
    page.wait_for_selector(APP_IDLE)


def test_two_servers_see_each_others_writes(
    shared_database: str,
    app_with_env: Callable[[dict[str, str]], AbstractContextManager[str]],
    routed_context: Callable[..., tuple[object, object]],
    screenshots_dir: Path,
) -> None:
    from playwright.sync_api import expect

    env = dict(os.environ) | {"DATABASE_URL": shared_database, "GEO_DEMO": "0"}
    with app_with_env(env) as first, app_with_env(env) as second:
        one, two = _open(routed_context, first), _open(routed_context, second)
        _expect_count(one, 3)
        _expect_count(two, 3)  # both processes have read and kept the published projects

        # A contribution, then its approval, written by another process (the moderators').
        store = ProjectStore(shared_database, locate=territories())
        pid, _ = store.add(grenoble("Approuvé pendant la visite"), actor="formulaire")
        _rerun(one)
        _expect_count(one, 3)  # proposed: not public
        store.set_status(pid, "publie", operator=OPERATOR)
        store.close()

        for page in (two, one):
            _rerun(page)
            _expect_count(page, 4)
            expect(page.locator(LIST_BUTTONS).filter(has_text="Approuvé pendant la visite")
                   ).to_have_count(1)  # fmt: skip
        two.screenshot(path=str(screenshots_dir / "multiprocess-second-server.png"))


def test_one_server_killed_in_a_write_storm_the_other_serves_everything(
    shared_database: str,
    app_with_env: Callable[[dict[str, str]], AbstractContextManager[str]],
    routed_context: Callable[..., tuple[object, object]],
) -> None:
    import subprocess
    import sys
    import threading

    env = dict(os.environ) | {"DATABASE_URL": shared_database, "GEO_DEMO": "0"}
    writer_env = env | {"PYTHONPATH": f"{ROOT / 'tests'}{os.pathsep}{ROOT}"}
    with app_with_env(env) as first, app_with_env(env) as second:
        one, two = _open(routed_context, first), _open(routed_context, second)
        storm = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "storm_writer.py"), shared_database, "e2e",
             "3", "15"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=writer_env,
        )  # fmt: skip
        acks: list[str] = []
        reader = threading.Thread(target=lambda: acks.extend(storm.stdout), daemon=True)
        reader.start()
        deadline = time.monotonic() + 60
        while sum(line.startswith("ack status") for line in acks) < 5:
            assert time.monotonic() < deadline, "the storm did not start"
            time.sleep(0.1)  # polling another process's progress
        # The first server is serving a session while the storm goes on: it is killed.
        _rerun(one)
        server = _server_of(first)
        os.kill(server, signal.SIGKILL)
        _rerun(two)  # the other one goes on serving meanwhile
        _, err = storm.communicate(timeout=120)
        reader.join(timeout=30)
        assert storm.returncode == 0, err
        published = {int(line.split()[2]) for line in acks if line.startswith("ack status")}
        store = ProjectStore(shared_database, locate=territories())
        expected = store.count(ProjectFilter(statuses=("publie",)))
        stored = set(store.all_frame(ProjectFilter(statuses=("publie",)))["id"])
        store.close()
        assert published <= stored  # every publication acknowledged is there
        _rerun(two)
        _expect_count(two, expected)


def _server_of(url: str) -> int:
    """The pid of the Streamlit server listening on the port of ``url``."""
    port = url.rsplit(":", 1)[1]
    for proc in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            command = proc.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"streamlit" in b" ".join(command) and port.encode() in command:
            return int(proc.parent.name)
    pytest.fail(f"no streamlit process found for {url}")
