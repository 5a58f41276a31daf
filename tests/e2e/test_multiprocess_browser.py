"""Several app processes on one PostgreSQL, in a real browser.

Two Streamlit servers on two ports share a database: a project a moderator approves on the
first appears on the second at its next rerun (each process keeps what it read only while the
database's data version stays the same). Then, in the middle of a write storm, the first
server is killed (SIGKILL) while its moderator approves: every approval it acknowledged is in
the database and the second server, which never stopped serving, shows it. And a workshop's
idea sent from a phone served by one process appears on the room's screen served by the other.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from pg_server import PostgresServer
from reference import ROOT, territories
from test_contribution_browser import _card, _idle, _listed, _log_in, _moderator
from test_explorer_browser import _open as open_explorer

from geo.store.identity import Operator
from geo.store.project_store import ProjectFilter, ProjectStore
from geo.workshop.room import participant_url
from geo.workshop.stops import presentation_url

pytestmark = pytest.mark.e2e

COUNT = re.compile(r"^(Aucun projet|\d[\d\s\u202f]* projets?)$")  # spaces: 1 234 (normalised)
OPERATOR = Operator("essai")
PUBLISHED = ProjectFilter(statuses=("publie",))
ROOM_MAP = 'iframe[title="streamlit_folium.st_folium"]'


def grenoble(title: str, **changes: object) -> dict[str, object]:
    return {"title": title, "summary": "Deux serveurs, une base.", "themes": ["energie"],
            "categories": ["solaire"], "stage": "en_projet", "lat": 45.1885,
            "lon": 5.7245} | changes  # fmt: skip


@pytest.fixture
def shared(postgres_server: PostgresServer, geo_env: dict[str, str]) -> Iterator[dict[str, str]]:
    """The environment of app processes sharing one new PostgreSQL database (3 projects)."""
    url = postgres_server.new_database()
    store = ProjectStore(url, locate=territories())
    store.add_many([grenoble(f"Projet partagé {i}") for i in range(3)], actor=OPERATOR,
                   status="publie")  # fmt: skip
    store.close()
    yield dict(os.environ) | {"DATABASE_URL": url, "GEO_DEMO": "0", "GEO_OFFLINE": "1"}
    postgres_server.drop_database(url)


def _open(routed_context: Callable[..., tuple[object, object]], url: str) -> object:
    page, _ = open_explorer(routed_context, url)
    return page


def _count(page: object) -> int:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    heading = page.get_by_role("heading", name=COUNT)
    try:
        heading.wait_for(state="visible")
    except PlaywrightTimeout:  # say what the page shows instead
        pytest.fail(f"no project count on the page: {page.get_by_test_id('stMain').inner_text()}")
    text = heading.inner_text()
    return 0 if text.startswith("Aucun") else int(re.sub(r"\D", "", text))


def _rerun(page: object) -> None:
    """A rerun of the same session (a theme chosen, then let go), the list drawn again."""
    for _ in range(2):
        _idle(page)
        page.locator(".st-key-f_themes").get_by_role("button", name="Énergie", exact=True).click()
    _listed(page)


def _search(page: object, words: str) -> None:
    field = page.locator(".st-key-f_texte input")
    field.fill(words)
    field.press("Enter")
    _idle(page)


def _approve(page: object, title: str) -> None:
    from playwright.sync_api import expect

    _card(page, title).get_by_role("button", name="Approuver").click()
    _idle(page)
    expect(page.get_by_test_id("stMain")).to_contain_text("approuvé")


def test_a_project_approved_on_one_server_appears_on_the_other(
    shared: dict[str, str],
    app_with_env: Callable[[dict[str, str]], AbstractContextManager[str]],
    routed_context: Callable[..., tuple[object, object]],
    screenshots_dir: Path,
) -> None:
    password = _moderator(shared, "essai-multi")
    store = ProjectStore(shared["DATABASE_URL"], locate=territories())
    store.add(grenoble("Approuvé sur l'autre serveur"), actor="formulaire")
    store.close()
    with app_with_env(shared) as first, app_with_env(shared) as second:
        visitor = _open(routed_context, second)
        assert _count(visitor) == 3  # read (and kept) by the second process
        assert "Approuvé sur l'autre serveur" not in _listed(visitor)

        moderator = _open(routed_context, first)
        _log_in(moderator, first, "essai-multi", password)
        _approve(moderator, "Approuvé sur l'autre serveur")

        _rerun(visitor)  # the same session, its next rerun
        assert _count(visitor) == 4
        assert "Approuvé sur l'autre serveur" in _listed(visitor)
        visitor.screenshot(path=str(screenshots_dir / "multiprocess-second-server-1280.png"))


def test_a_server_killed_in_a_write_storm_loses_no_acknowledged_approval(
    shared: dict[str, str],
    app_with_env: Callable[[dict[str, str]], AbstractContextManager[str]],
    routed_context: Callable[..., tuple[object, object]],
) -> None:
    password = _moderator(shared, "essai-orage")
    store = ProjectStore(shared["DATABASE_URL"], locate=territories())
    for title in ("Première approbation", "Approbation coupée"):
        store.add(grenoble(title), actor="formulaire")
    store.close()
    writer_env = shared | {"PYTHONPATH": f"{ROOT / 'tests'}{os.pathsep}{ROOT}"}
    with app_with_env(shared) as first, app_with_env(shared) as second:
        visitor = _open(routed_context, second)
        moderator = _open(routed_context, first)
        _log_in(moderator, first, "essai-orage", password)
        storm = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "storm_writer.py"), shared["DATABASE_URL"],
             "e2e", "3", "20"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=writer_env,
        )  # fmt: skip
        acks: list[str] = []
        reader = threading.Thread(target=lambda: acks.extend(storm.stdout), daemon=True)
        reader.start()
        deadline = time.monotonic() + 60
        while sum(line.startswith("ack status") for line in acks) < 5:
            assert storm.poll() is None and time.monotonic() < deadline, "no storm"
            time.sleep(0.1)  # polling another process's progress, not the page

        _approve(moderator, "Première approbation")  # acknowledged: its message was shown
        _card(moderator, "Approbation coupée").get_by_role("button", name="Approuver").click()
        os.kill(_server_of(first), signal.SIGKILL)  # while it writes, or just before
        _rerun(visitor)  # the other process goes on serving, in the storm
        _, err = storm.communicate(timeout=120)
        reader.join(timeout=30)
        assert storm.returncode == 0, err

        store = ProjectStore(shared["DATABASE_URL"], locate=territories())
        published = set(store.all_frame(PUBLISHED)["title"])
        stored_ids = set(store.all_frame(PUBLISHED)["id"])
        total = store.count(PUBLISHED)
        store.close()
        assert "Première approbation" in published
        acknowledged = {int(line.split()[2]) for line in acks if line.startswith("ack status")}
        assert acknowledged <= stored_ids
        _rerun(visitor)
        assert _count(visitor) == total
        _search(visitor, "Première approbation")
        assert _listed(visitor) == ["Première approbation"]


def _server_of(url: str) -> int:
    """The pid of the Streamlit server listening on the port of ``url``."""
    port = url.rsplit(":", 1)[1].encode()
    for path in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            command = path.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"streamlit" in b" ".join(command) and port in command:
            return int(path.parent.name)
    pytest.fail(f"no streamlit process found for {url}")


def test_a_workshop_idea_sent_to_one_server_appears_on_the_room_screen_of_the_other(
    shared: dict[str, str],
    app_with_env: Callable[[dict[str, str]], AbstractContextManager[str]],
    routed_context: Callable[..., tuple[object, object]],
    screenshots_dir: Path,
) -> None:
    """The room's screen polls the database, not its process: a phone served by another
    process (another port, as behind a proxy) sends an idea, its pin shows within 5 s."""
    from playwright.sync_api import expect

    store = ProjectStore(shared["DATABASE_URL"], locate=territories())
    tour_id, key = store.tours.create("Atelier à deux serveurs", territory="epci:200040715")
    store.tours.add_stop(tour_id, kind="explorer", title="La Métropole",
                         params={"territoire": "epci:200040715"}, token=key)  # fmt: skip
    store.tours.set_status(tour_id, "publie", token=key)
    session = store.workshops.open(tour_id, territory=territories().parse("epci:200040715"),
                                   per_minute=3, cap=300, token=key)  # fmt: skip
    with app_with_env(shared) as first, app_with_env(shared) as second:
        context, network = routed_context(width=1920, height=1080)
        room_screen = context.new_page()
        path = presentation_url(tour_id, key=key, workshop=session.code)
        room_screen.goto(f"{first}{path}")
        _idle(room_screen)
        expect(room_screen.locator(".st-key-presentation-atelier")).to_contain_text(session.code)
        expect(room_screen.locator(".st-key-presentation-idees")).not_to_contain_text("1 idée")

        phone, phone_network = routed_context(width=390, height=844)
        mobile = phone.new_page()
        mobile.goto(participant_url(session.code, origin=second))
        _idle(mobile)
        mobile.get_by_label("Votre idée *").fill("Une idée venue de l'autre serveur")
        mobile.get_by_role("button", name="Énergie").click()
        _idle(mobile)
        frame = mobile.frame_locator(ROOM_MAP).last
        container = frame.locator(".leaflet-container")
        expect(container).to_be_visible()
        box = container.bounding_box()
        container.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
        expect(frame.locator("path.epingle-idee")).to_have_count(1)
        _idle(mobile)
        sent = time.monotonic()
        mobile.get_by_role("button", name="Envoyer mon idée").click()
        expect(mobile.get_by_text("Votre idée porte le n° 1")).to_be_visible()

        pin = room_screen.frame_locator(ROOM_MAP).first.locator(".idee-atelier.idee-1")
        expect(pin).to_be_visible(timeout=5_000)
        assert time.monotonic() - sent <= 5.0
        expect(room_screen.locator(".st-key-presentation-idees")).to_contain_text("1 idée")
        room_screen.screenshot(path=str(screenshots_dir / "multiprocess-atelier-1920x1080.png"))
        assert network.external == [] and phone_network.external == []
    (idea,) = [p for p in store.query(limit=50).items if p.source == "atelier"]
    assert idea.status == "propose"
    store.close()
