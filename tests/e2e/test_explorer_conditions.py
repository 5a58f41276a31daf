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
