"""Who may frame the app, on a real server and in Chromium: every page answers with the
refusal headers but the embed view (what ``curl -sI`` shows); another site's page framing
Modération or the Explorer gets nothing, the same page framing the embed view of a tour shows
the map and its legend, steps through the stops, and offers no link to another page."""

from __future__ import annotations

import http.client
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fakeserver import Route, serve

from geo.settings import get_settings
from geo.store import ProjectStore
from geo.store.identity import Operator
from geo.territory import TerritoryRef, load_territories
from geo.workshop import embed

pytestmark = pytest.mark.e2e

APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
NAV_LINKS = '[data-testid="stSidebarNav"] a'
TIMEOUT_MS = 60_000
OPERATOR = Operator("essai")
METRO = TerritoryRef("epci", "200040715")
GRENOBLE = TerritoryRef("commune", "38185")
REFUSAL = {"x-frame-options": "DENY", "content-security-policy": "frame-ancestors 'none'"}


@pytest.fixture
def served(
    app_with_env: Callable[[dict[str, str]], AbstractContextManager[str]], tmp_path: Path
) -> Iterator[tuple[str, dict[str, int]]]:
    """A server with a store of its own: a project, a published two-stop tour, a draft."""
    url = f"sqlite:///{tmp_path / 'projets.sqlite'}"
    settings = get_settings()
    store = ProjectStore(url, settings=settings, locate=load_territories(settings))
    project, _ = store.add(
        {"title": "Toits solaires des écoles", "themes": ["energie"], "lat": 45.1885,
         "lon": 5.7245, "source": "essai-cadre", "external_id": "toits"},
        actor=OPERATOR, status="publie",
    )  # fmt: skip
    tour, key = store.tours.create("Énergie à Grenoble", territory=str(METRO))
    for title, territory in (("La Métropole", METRO), ("Grenoble", GRENOBLE)):
        store.tours.add_stop(
            tour, kind="explorer", title=title, params={"territoire": str(territory)}, token=key
        )
    store.tours.set_status(tour, "publie", token=key)
    draft, draft_key = store.tours.create("Brouillon")
    store.tours.add_stop(
        draft, kind="explorer", title="Vue", params={"territoire": str(METRO)}, token=draft_key
    )
    store.close()
    env = dict(os.environ) | {"DATABASE_URL": url, "GEO_DEMO": "0", "GEO_OFFLINE": "1"}
    with app_with_env(env) as app:
        yield app, {"tour": tour, "key": key, "draft": draft, "project": project}


def _head(url: str) -> tuple[int, dict[str, str]]:
    """``curl -sI``: the status and the framing headers, redirects not followed."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("HEAD", f"{parts.path}?{parts.query}" if parts.query else parts.path)
        answer = connection.getresponse()
        headers = {name.lower(): value for name, value in answer.getheaders()}
        return answer.status, {name: headers[name] for name in REFUSAL if name in headers}
    finally:
        connection.close()


def test_the_server_refuses_framing_but_for_the_embed_view(
    served: tuple[str, dict[str, int]],
) -> None:
    app, ids = served
    for path in ("/", "/moderation", "/parcours", "/presentation", "/proposer", "/atelier"):
        assert _head(app + path) == (200, REFUSAL), path
    # A trailing slash is redirected, never served framable.
    assert _head(app + "/integrer/") == (301, REFUSAL)
    assert _head(app + embed.tour_path(ids["tour"])) == (200, {})


def _host_page(app: str, frames: dict[str, str]) -> bytes:
    """Another site's page framing the app's ``frames`` (id → path)."""
    tags = "".join(
        f'<iframe id="{name}" src="{app}{path}" width="800" height="500"></iframe>'
        for name, path in frames.items()
    )
    return f"<!doctype html><html lang='fr'><body>{tags}</body></html>".encode()


def test_another_site_frames_the_embed_view_only(
    served: tuple[str, dict[str, int]],
    routed_context: Callable[..., tuple[object, object]],
    screenshots_dir: Path,
) -> None:
    from playwright.sync_api import expect

    app, ids = served
    frames = {
        "moderation": "/moderation",
        "explorer": "/",
        "integration": embed.tour_path(ids["tour"]),
    }
    with serve({"/hote.html": Route(_host_page(app, frames), headers={
        "Content-Type": "text/html; charset=utf-8"})}) as site:  # fmt: skip
        # Another site: "localhost" is not the app's 127.0.0.1.
        host = site.url("/hote.html").replace("127.0.0.1", "localhost")
        context, _network = routed_context(width=1280, height=1700)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        refused: list[str] = []
        page.on("console", lambda m: refused.append(m.text) if "frame" in m.text else None)
        page.goto(host)

        embedded = page.frame_locator("#integration")
        expect(embedded.locator(APP_IDLE)).to_be_attached(timeout=TIMEOUT_MS)
        leaflet = embedded.frame_locator(MAP_FRAME).locator(".leaflet-container")
        expect(leaflet).to_be_visible(timeout=TIMEOUT_MS)
        expect(leaflet.locator(".geo-legende-panneau")).to_contain_text("Projets")
        expect(
            leaflet.locator(f"path.territoire-selectionne.territoire-epci-{METRO.code}")
        ).to_have_count(1)
        # The tour, stop after stop, and no menu: no other page can be reached from here.
        expect(embedded.get_by_text("1 / 2")).to_be_visible()
        expect(embedded.locator(NAV_LINKS)).to_have_count(0)
        expect(embedded.locator('[data-testid="stSidebar"]')).to_have_count(0)
        embedded.get_by_role("button", name="Suivant").click()
        expect(embedded.get_by_text("2 / 2")).to_be_visible(timeout=TIMEOUT_MS)
        expect(
            embedded.frame_locator(MAP_FRAME).locator(
                f"path.territoire-selectionne.territoire-commune-{GRENOBLE.code}"
            )
        ).to_have_count(1)
        page.screenshot(path=str(screenshots_dir / "integration-site-hote.png"))

        # Refused by the browser: an error page in their place, the app's never loaded.
        blocked = [f.url for f in page.frames if f.parent_frame == page.main_frame]
        assert blocked.count("chrome-error://chromewebdata/") == 2, blocked
        assert any("X-Frame-Options" in m or "frame-ancestors" in m for m in refused), refused
        for name in ("moderation", "explorer"):
            expect(page.frame_locator(f"#{name}").locator('[data-testid="stApp"]')).to_have_count(0)


def test_the_code_of_integrer_shows_the_tour_on_another_site(
    served: tuple[str, dict],
    routed_context: Callable[..., tuple[object, object]],
    screenshots_dir: Path,
) -> None:
    """The facilitator copies the code of « Intégrer à un site » (a size of their own) into a
    page of another site: that page shows the tour's map at that size."""
    from playwright.sync_api import expect

    app, ids = served
    context, _network = routed_context(width=1280, height=800)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{app}/parcours?parcours={ids['tour']}&jeton={ids['key']}")
    page.get_by_role("button", name="Intégrer à un site").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.locator("code")).to_contain_text("<iframe", timeout=TIMEOUT_MS)
    dialog.get_by_text("Toute la largeur de la page").click()
    expect(dialog.locator("code")).to_contain_text('width="800"', timeout=TIMEOUT_MS)
    dialog.get_by_label("Hauteur (pixels)").fill("420")
    dialog.get_by_label("Hauteur (pixels)").press("Enter")
    expect(dialog.locator("code")).to_contain_text('height="420"', timeout=TIMEOUT_MS)
    dialog.screenshot(path=str(screenshots_dir / "integration-code.png"))
    code = dialog.locator("code").inner_text()
    assert ids["key"] not in code

    body = f"<!doctype html><html lang='fr'><body><h1>Notre commune</h1>{code}</body></html>"
    with serve({"/hote.html": Route(body.encode(), headers={
        "Content-Type": "text/html; charset=utf-8"})}) as site:  # fmt: skip
        page.goto(site.url("/hote.html").replace("127.0.0.1", "localhost"))
        frame = page.locator("iframe")
        expect(frame).to_have_attribute("width", "800")
        assert frame.bounding_box()["height"] == 420
        embedded = page.frame_locator("iframe")
        leaflet = embedded.frame_locator(MAP_FRAME).locator(".leaflet-container")
        expect(leaflet).to_be_visible(timeout=TIMEOUT_MS)
        expect(embedded.get_by_text("1 / 2")).to_be_visible()
        # The map fills the frame below the tour's bar: nothing to scroll inside it.
        box = embedded.locator(MAP_FRAME).bounding_box()
        assert box["y"] + box["height"] <= frame.bounding_box()["y"] + 420 + 1
        assert box["height"] > 300
        page.screenshot(path=str(screenshots_dir / "integration-code-colle.png"))


def test_the_app_itself_still_shows_its_menu_and_map(
    served: tuple[str, dict[str, int]],
    routed_context: Callable[..., tuple[object, object]],
) -> None:
    """Refusing to be framed keeps the app's own frames (the map) and its menu."""
    from playwright.sync_api import expect

    app, ids = served
    context, _network = routed_context(width=1280, height=800)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(app)
    leaflet = page.frame_locator(MAP_FRAME).locator(".leaflet-container")
    expect(leaflet).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.locator(NAV_LINKS).first).to_be_visible()
    # A draft tour is never shown by the embed view (its code is pasted where anyone reads).
    page.goto(app + embed.tour_path(ids["draft"]))
    expect(page.get_by_text("Ce parcours n'est pas publié")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.locator(MAP_FRAME)).to_have_count(0)
