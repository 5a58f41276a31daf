"""The Explorer as users on bad wifi or offline meet it: the projects stay on the map when no
tile layer is drawn (tiles aborted, no basemap chosen, GEO_OFFLINE), after a filter change,
with an overlay and a choropleth, on a desktop and on a phone."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from explorer_seed import seed

from geo.settings import get_settings
from geo.store import ProjectFilter, ProjectStore
from geo.territory import load_territories

pytestmark = pytest.mark.e2e

APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
VIEWPORTS = {"desktop": (1280, 800), "mobile": (390, 844)}
PROJECTS_ON_MAP = """() => {
    const single = document.querySelectorAll('path.marqueur-projet').length;
    const grouped = Array.from(document.querySelectorAll('.marker-cluster'))
        .reduce((sum, cluster) => sum + parseInt(cluster.innerText, 10), 0);
    return single + grouped;
}"""


@pytest.fixture(scope="module")
def expected(e2e_env: str) -> dict[str, int]:
    settings = get_settings()
    store = ProjectStore(settings=settings, locate=load_territories(settings))
    seed(store)
    counts = {
        "all": store.count(ProjectFilter(statuses=("publie",))),
        "mobilite": store.count(ProjectFilter(themes=("mobilite",), statuses=("publie",))),
    }
    store.close()
    return counts


#: No tile is left (failed tiles made the tile layer give way, or there was none).
NO_TILES = "() => document.querySelectorAll('img.leaflet-tile').length === 0"


def _projects_on_map(page: object, count: int, *, tiles_gone: bool = False) -> None:
    """Wait until the markers and clusters of the (last) map stand for ``count`` projects;
    with ``tiles_gone``, again once no tile is left on the map (the tile layer has given way:
    that is when markers used to vanish)."""
    page.wait_for_selector(APP_IDLE)
    frame = page.frame_locator(MAP_FRAME).last
    container = frame.locator(".leaflet-container")
    container.wait_for(state="visible")
    owner = container.element_handle().owner_frame()
    owner.wait_for_function(f"() => ({PROJECTS_ON_MAP})() === {count}", timeout=30_000)
    if tiles_gone:
        owner.wait_for_function(NO_TILES, timeout=30_000)
        owner.wait_for_function(f"() => ({PROJECTS_ON_MAP})() === {count}", timeout=10_000)


def _check(page: object, url: str, expected: dict[str, int], shots: Path, name: str) -> None:
    page.goto(url)
    _projects_on_map(page, expected["all"])
    # A filter change swaps the projects layer: it must come back too.
    page.goto(url + ("&" if "?" in url else "?") + "themes=mobilite")
    _projects_on_map(page, expected["mobilite"])
    # With an overlay and a choropleth on.
    page.goto(
        url + ("&" if "?" in url else "?") + "couches=covoiturage&indicateur=projets:departement"
    )
    _projects_on_map(page, expected["all"])
    page.screenshot(path=shots / f"conditions-{name}.png")


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("condition", ["tiles-aborted", "no-basemap"])
def test_projects_stay_on_the_map_without_tiles(
    routed_context: Callable[..., tuple[object, object]],
    app_url: str,
    expected: dict[str, int],
    screenshots_dir: Path,
    condition: str,
    viewport: str,
) -> None:
    width, height = VIEWPORTS[viewport]
    tiles = "aborted" if condition == "tiles-aborted" else "blank"
    context, network = routed_context(width=width, height=height, tiles=tiles)
    page = context.new_page()
    page.set_default_timeout(60_000)
    url = f"{app_url}/?fond=aucun" if condition == "no-basemap" else f"{app_url}/"
    _check(page, url, expected, screenshots_dir, f"{condition}-{viewport}")
    assert network.external == []


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_projects_stay_on_the_map_offline(
    app_with_env: Callable[[dict[str, str]], AbstractContextManager[str]],
    routed_context: Callable[..., tuple[object, object]],
    expected: dict[str, int],
    screenshots_dir: Path,
    viewport: str,
) -> None:
    import os

    with app_with_env({**os.environ, "GEO_OFFLINE": "1"}) as url:
        width, height = VIEWPORTS[viewport]
        context, network = routed_context(width=width, height=height)
        page = context.new_page()
        page.set_default_timeout(60_000)
        _check(page, f"{url}/", expected, screenshots_dir, f"offline-{viewport}")
        # The départements are named where their name fits (zoom 7: Isère is ~140 px wide).
        frame = page.frame_locator(MAP_FRAME).last
        frame.locator(".leaflet-container").evaluate(
            "() => window.map_div.setView([45.3, 5.6], 7, {animate: false})"
        )
        from playwright.sync_api import expect

        expect(frame.locator(".nom-hors-ligne", has_text="Isère")).to_be_visible()
        page.screenshot(path=screenshots_dir / f"conditions-offline-{viewport}-noms.png")
        # On a territory, the communes around are drawn with their names: a place is found.
        page.goto(f"{url}/?territoire=epci:200040715")
        page.wait_for_selector(APP_IDLE)
        frame = page.frame_locator(MAP_FRAME).last
        # The territory's map drawn, its names placed (Claix, large, is named at its view):
        # then a zoom on Grenoble, named once it fits.
        frame.locator(".nom-hors-ligne", has_text="Claix").first.wait_for(state="attached")
        frame.locator(".leaflet-container").evaluate(
            "() => window.map_div.setView([45.1885, 5.7245], 13, {animate: false})"
        )
        expect(frame.locator(".nom-hors-ligne", has_text="Grenoble").first).to_be_visible()
        page.screenshot(path=screenshots_dir / f"conditions-offline-{viewport}-communes.png")
        assert network.tiles == []  # offline: not even a tile is asked for


NOTICE = ".fond-indisponible"


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_blocked_tiles_are_said_on_the_map_and_the_credit_stays(
    routed_context: Callable[..., tuple[object, object]],
    app_url: str,
    expected: dict[str, int],
    screenshots_dir: Path,
    viewport: str,
) -> None:
    """Tiles refused by the network (not GEO_OFFLINE): the map says why in French, keeps the
    OpenStreetMap credit, and "Réessayer" tries again (and says it again when it fails)."""
    from playwright.sync_api import expect

    width, height = VIEWPORTS[viewport]
    context, network = routed_context(width=width, height=height, tiles="aborted")
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{app_url}/")
    _projects_on_map(page, expected["all"], tiles_gone=True)
    frame = page.frame_locator(MAP_FRAME).last
    notice = frame.locator(NOTICE)
    expect(notice).to_have_count(1)
    expect(notice).to_be_visible()
    expect(notice).to_have_attribute("role", "status")
    expect(notice).to_contain_text("Fond de carte indisponible (réseau)")
    expect(notice).to_contain_text("OpenStreetMap")
    expect(frame.locator(".leaflet-control-attribution")).to_contain_text(
        "contributeurs OpenStreetMap"
    )
    page.screenshot(path=screenshots_dir / f"explorer-tuiles-bloquees-{viewport}.png")
    asked = len(network.tiles)
    notice.get_by_role("button", name="Réessayer").click()
    expect(notice).to_have_count(1)  # asked again, refused again: said again
    assert len(network.tiles) > asked
    expect(frame.locator(".leaflet-control-attribution")).to_contain_text(
        "contributeurs OpenStreetMap"
    )
    assert network.external == []


def test_tiles_that_load_bring_no_notice(
    routed_context: Callable[..., tuple[object, object]],
    app_url: str,
    expected: dict[str, int],
) -> None:
    from playwright.sync_api import expect

    context, network = routed_context(width=1280, height=800, tiles="blank")
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{app_url}/")
    _projects_on_map(page, expected["all"])
    frame = page.frame_locator(MAP_FRAME).last
    owner = frame.locator(".leaflet-container").element_handle().owner_frame()
    owner.wait_for_function(
        "() => document.querySelectorAll('img.leaflet-tile-loaded').length >= 4"
    )
    expect(frame.locator(NOTICE)).to_have_count(0)
    expect(frame.locator(".leaflet-control-attribution")).to_contain_text(
        "contributeurs OpenStreetMap"
    )
    assert network.tiles and network.external == []


#: The names the offline basemap shows, with the map's zoom.
OFFLINE_NAMES = """() => ({
    zoom: window.MAP.getZoom(),
    names: Array.from(document.querySelectorAll('.nom-hors-ligne')).map((e) => e.textContent),
    outlines: document.querySelectorAll('path.contour-hors-ligne').length,
})"""


def test_offline_basemap_names_the_communes_around(
    browser: object, e2e_env: str, screenshots_dir: Path
) -> None:
    """GEO_OFFLINE on a phone in a workshop room: the communes around the territory are drawn
    with their names (each from the zoom at which it fits), from the loaded outlines only,
    under the data and without taking a tap; nothing is asked of any server."""
    from playwright.sync_api import expect

    from geo.mapping import base as maps
    from geo.mapping import offline
    from geo.mapping.projects import standalone_html

    territories = load_territories(get_settings())
    communes = territories.display_outlines("commune")
    grenoble = territories.outline("commune", "38185")
    bounds = maps.geometry_bounds(grenoble)
    m = maps.base_map(offline=True, bounds=bounds, surroundings=communes)
    maps.selected_layer(maps.Selection("commune", "38185", "Grenoble", grenoble)).add_to(m)
    expected = offline.offline_basemap(communes, bounds)
    assert expected is not None and len(expected) > 10
    page_html = (
        standalone_html(m)
        .replace(m.get_name(), "MAP")
        .replace("var MAP = L.map(", "var MAP = window.MAP = L.map(")
    )
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    requested: list[str] = []
    context.route("**/*", lambda route: (requested.append(route.request.url), route.abort()))
    page = context.new_page()
    page.set_content(page_html, wait_until="load")
    expect(page.locator(".nom-hors-ligne", has_text="Grenoble")).to_be_visible()
    shown = page.evaluate(OFFLINE_NAMES)
    assert shown["outlines"] >= len(expected.outlines["features"])
    # Each name from its own zoom: at the view's zoom, exactly those that fit.
    fit = sorted(n for _, _, first, last, n in expected.labels if first <= shown["zoom"] <= last)
    assert sorted(shown["names"]) == fit and 3 <= len(fit) < len(expected), shown
    expect(page.locator(".leaflet-control-attribution")).to_contain_text("ADMIN EXPRESS")
    # The plain background of a map without tiles, not Leaflet's grey.
    expect(page.locator(".leaflet-container")).to_have_css("background-color", "rgb(238, 241, 244)")
    page.screenshot(path=screenshots_dir / "carte-hors-ligne-communes-mobile.png")
    page.evaluate("() => window.MAP.setZoom(window.MAP.getZoom() - 2, {animate: false})")
    fewer = page.evaluate(OFFLINE_NAMES)
    assert 0 < len(fewer["names"]) < len(shown["names"]), fewer
    page.evaluate("() => window.MAP.setZoom(window.MAP.getZoom() + 4, {animate: false})")
    expect(page.locator(".nom-hors-ligne", has_text="Échirolles")).to_be_visible()
    # Neither outlines nor names take a tap: it goes to the map (placing an idea).
    page.evaluate("() => window.MAP.once('click', () => { window.tapped = true; })")
    box = page.evaluate(
        """() => Array.from(document.querySelectorAll('.nom-hors-ligne'))
            .map((name) => name.getBoundingClientRect())
            .filter((b) => b.top > 60 && b.bottom < innerHeight - 60 && b.left > 60
                           && b.right < innerWidth - 10)
            .map((b) => ({x: b.x + b.width / 2, y: b.y + b.height / 2}))[0]"""
    )
    page.mouse.click(box["x"], box["y"])
    page.wait_for_function("() => window.tapped === true")
    assert requested == []
    context.close()
