"""The Carte page in a real browser: offline Leaflet, search, selected outline, screenshots."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
SEARCH_INPUT = ".st-key-recherche input"
SELECTED_PATH = "path.territoire-selectionne"
# The map is remounted when the selection changes: wait for the new territory's own class.
GRENOBLE_PATH = "path.territoire-selectionne.territoire-commune-38185"
EPCI_PATH = "path.territoire-selectionne.territoire-epci-200040715"
LEAFLET_JS = "/app/static/vendor/leaflet/leaflet.js"
VIEWPORTS = {"desktop": (1280, 800), "mobile": (390, 844)}
TIMEOUT_MS = 60_000


# Settled for a screenshot: no zoom animation running and the tiles of the current zoom level
# loaded (or no tiles at all: the tile layer steps aside when tiles fail). Tiles of a previous
# level that Leaflet is pruning may never finish: they don't count.
MAP_SETTLED = """() => !document.querySelector('.leaflet-zoom-anim')
    && (!document.querySelector('img.leaflet-tile')
        || Array.from(document.querySelectorAll('.leaflet-tile-container')).some(
        (level) => getComputedStyle(level).opacity !== '0'
            && level.querySelectorAll('img.leaflet-tile').length > 0
            && Array.from(level.querySelectorAll('img.leaflet-tile')).every(
                (tile) => tile.classList.contains('leaflet-tile-loaded'))))"""


def _settle(frame: object) -> None:
    """Wait until Leaflet has finished zooming and every tile has faded in (for screenshots)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect

    # The map iframe is replaced when the selection changes: a wait bound to a frame that was
    # replaced meanwhile never ends, so each try resolves the current frame again.
    for attempt in range(3):
        container = frame.locator(".leaflet-container")
        expect(container).to_be_visible()
        try:
            container.element_handle().owner_frame().wait_for_function(MAP_SETTLED, timeout=20_000)
            return
        except PlaywrightTimeout:
            if attempt == 2:
                raise


def _assert_offline_leaflet(network: object) -> None:
    assert network.external == [], f"requests left the machine: {network.external}"
    leaflet = [url for url in network.responses if url.endswith(LEAFLET_JS)]
    assert leaflet, "Leaflet was not loaded from the app's static folder"
    assert all(network.responses[url] == 200 for url in leaflet)
    assert not any("leaflet" in url for url in network.external)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_search_grenoble_shows_its_outline(
    routed_context: Callable[..., tuple[object, object]],
    app_url: str,
    screenshots_dir: Path,
    viewport: str,
) -> None:
    from playwright.sync_api import expect

    width, height = VIEWPORTS[viewport]
    context, network = routed_context(width=width, height=height)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    page.goto(f"{app_url}/carte")  # the Explorer is the default page
    page.wait_for_selector(APP_IDLE)
    expect(page.get_by_role("heading", name="Trouver un territoire")).to_be_visible()
    frame = page.frame_locator(MAP_FRAME)
    container = frame.locator(".leaflet-container")
    expect(container).to_be_visible()
    # The loaded communes are drawn (SVG paths), and Leaflet is the vendored 1.9.3.
    expect(frame.locator("path.leaflet-interactive").first).to_be_attached()
    assert container.evaluate("() => window.L.version") == "1.9.3"
    _settle(frame)
    page.screenshot(path=screenshots_dir / f"carte-{viewport}-france.png")

    search = page.locator(SEARCH_INPUT)
    search.fill("Grenoble")
    search.press("Enter")
    caption = page.locator(".st-key-territoire-choisi").get_by_test_id("stCaptionContainer")
    expect(caption).to_contain_text("Grenoble (commune)")
    expect(caption).to_contain_text("Grenoble-Alpes-Métropole (EPCI)")
    expect(caption).to_contain_text("Isère (département)")
    expect(caption).to_contain_text("habitants")
    expect(frame.locator(GRENOBLE_PATH)).to_have_count(1)
    expect(frame.locator(SELECTED_PATH)).to_have_count(1)
    page.wait_for_selector(APP_IDLE)
    _settle(frame)
    assert "territoire=commune%3A38185" in page.url or "territoire=commune:38185" in page.url
    page.screenshot(path=screenshots_dir / f"carte-{viewport}-grenoble.png")

    # Another result of the same search: the EPCI.
    page.get_by_test_id("stSelectbox").filter(has_text="Résultats").click()
    page.get_by_role("option", name="Grenoble-Alpes-Métropole (EPCI, Isère)").click()
    expect(caption).to_contain_text("Grenoble-Alpes-Métropole (EPCI) → Isère")
    expect(caption).not_to_contain_text("Grenoble (commune)")
    expect(frame.locator(EPCI_PATH)).to_have_count(1)
    expect(frame.locator(SELECTED_PATH)).to_have_count(1)
    page.wait_for_selector(APP_IDLE)
    _settle(frame)
    page.screenshot(path=screenshots_dir / f"carte-{viewport}-epci.png")

    _assert_offline_leaflet(network)
    assert network.tiles, "no tile was requested: the OpenStreetMap layer is missing"


def test_url_reopens_a_territory(
    routed_context: Callable[..., tuple[object, object]], app_url: str
) -> None:
    from playwright.sync_api import expect

    context, network = routed_context(width=1280, height=800)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{app_url}/carte?territoire=departement:38")
    expect(page.locator(".st-key-territoire-choisi")).to_contain_text(
        "Isère (département) → Auvergne-Rhône-Alpes (région)", timeout=TIMEOUT_MS
    )
    frame = page.frame_locator(MAP_FRAME)
    expect(frame.locator("path.territoire-departement-38")).to_have_count(1, timeout=TIMEOUT_MS)
    _assert_offline_leaflet(network)


def test_unknown_territory_in_url_gives_a_notice(
    routed_context: Callable[..., tuple[object, object]], app_url: str
) -> None:
    from playwright.sync_api import expect

    context, network = routed_context(width=1280, height=800)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{app_url}/carte?territoire=commune:00000")
    expect(page.get_by_test_id("stAlertContentWarning")).to_contain_text(
        "inconnu", timeout=TIMEOUT_MS
    )
    expect(page.frame_locator(MAP_FRAME).locator(".leaflet-container")).to_be_visible(
        timeout=TIMEOUT_MS
    )
    expect(page.frame_locator(MAP_FRAME).locator(SELECTED_PATH)).to_have_count(0)
    assert network.external == []


def test_a_territory_leads_to_the_explorer_with_the_territory_kept(
    routed_context: Callable[..., tuple[object, object]], app_url: str
) -> None:
    import re

    from playwright.sync_api import expect

    context, network = routed_context(width=390, height=844)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{app_url}/carte?territoire=commune:38185")
    onward = page.get_by_role("link", name=re.compile(r"l'Explorer$"))
    expect(onward).to_be_visible(timeout=TIMEOUT_MS)
    onward.click()
    expect(page.locator("h1").first).to_have_text("Explorer les projets", timeout=TIMEOUT_MS)
    expect(page).to_have_url(re.compile(r"territoire=commune(:|%3A)38185"), timeout=TIMEOUT_MS)
    frame = page.frame_locator(MAP_FRAME)
    expect(frame.locator("path.territoire-selectionne.territoire-commune-38185")).to_have_count(
        1, timeout=TIMEOUT_MS
    )
    assert network.external == []
