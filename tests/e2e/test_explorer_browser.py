"""The Explorer page in a real browser: markers, filters, Grenoble, shared links, screenshots.

The store of the app under test (the browser tests' own, see ``e2e_env``) holds the projects of
``tests/explorer_seed.py``: expected counts are asked of the store, not hard-coded.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from explorer_seed import OPERATOR, PROJECTS, seed

from geo.settings import get_settings
from geo.store.project_store import ProjectFilter, ProjectStore
from geo.territory import TerritoryRef, load_territories

pytestmark = pytest.mark.e2e

APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
MARKERS = "path.marqueur-projet"
CLUSTERS = ".marker-cluster"
GRENOBLE_PATH = "path.territoire-selectionne.territoire-commune-38185"
LIST_BUTTONS = ".st-key-liste-projets button"
DETAIL = ".st-key-fiche-projet"
VIEWPORTS = {"desktop": (1280, 800), "mobile": (390, 844)}
TIMEOUT_MS = 60_000
COUNT = re.compile(r"^(Aucun projet|[\d\u202f]+ projets?)$")
PUBLIC = ("publie",)

MAP_SETTLED = """() => !document.querySelector('.leaflet-zoom-anim')
    && Array.from(document.querySelectorAll('img.leaflet-tile')).every(
        (tile) => tile.classList.contains('leaflet-tile-loaded')
            && getComputedStyle(tile).opacity === '1')"""


@pytest.fixture(scope="module")
def store(e2e_env: str) -> ProjectStore:
    """The app's own store (same ``GEO_DATA_DIR``), with the test projects in it."""
    settings = get_settings()
    store = ProjectStore(settings=settings, locate=load_territories(settings))
    seed(store)
    return store


def _open(
    routed_context: Callable[..., tuple[object, object]], url: str, viewport: str = "desktop"
):
    from playwright.sync_api import expect

    width, height = VIEWPORTS[viewport]
    context, network = routed_context(width=width, height=height)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    page.goto(url)
    page.wait_for_selector(APP_IDLE)
    expect(page.get_by_role("heading", name="Explorer les projets")).to_be_visible()
    return page, network


def _frame(page: object) -> object:
    # When what the map returns changes, Streamlit mounts a new map beside the old one for a
    # moment: the new one comes last.
    return page.frame_locator(MAP_FRAME).last


def _settle(page: object) -> None:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect

    page.wait_for_selector(APP_IDLE)
    # When what the map returns changes, the old map frame is detached a moment after the new
    # one mounts: a wait begun on the old one fails, so it is begun again on the current one.
    for attempt in range(3):
        container = _frame(page).locator(".leaflet-container")
        expect(container).to_be_visible()
        try:
            container.element_handle().owner_frame().wait_for_function(MAP_SETTLED)
            return
        except PlaywrightError as error:
            if "detached" not in str(error) or attempt == 2:
                raise


def _count_heading(page: object) -> object:
    return page.get_by_role("heading", name=COUNT)


def _expect_count(page: object, count: int) -> None:
    from playwright.sync_api import expect

    text = "Aucun projet" if count == 0 else f"{count:,}".replace(",", "\u202f")
    expect(_count_heading(page)).to_have_text(
        text if count == 0 else re.compile(rf"^{text} projets?$")
    )


def _pick(page: object, key: str, option: str) -> None:
    """Tap the pill ``option`` of the filter whose widget key is ``key``."""
    from playwright.sync_api import expect

    page.wait_for_selector(APP_IDLE)
    pill = page.locator(f".st-key-{key}").get_by_role("button", name=option, exact=True)
    pill.click()
    page.wait_for_selector(APP_IDLE)
    expect(pill).to_have_attribute("aria-pressed", "true")
    expect(page.locator(MAP_FRAME)).to_have_count(1)


def _territory(page: object, text: str) -> None:
    field = page.locator(".st-key-f_territoire input")
    field.fill(text)
    field.press("Enter")


def _listed(page: object) -> list[str]:
    page.wait_for_selector(APP_IDLE)
    return sorted(t.strip() for t in page.locator(LIST_BUTTONS).all_inner_texts())


def _visible_marks(page: object) -> int:
    frame = _frame(page)
    return frame.locator(MARKERS).count() + frame.locator(CLUSTERS).count()


PROJECTS_ON_MAP = """(expected) => {
    const single = document.querySelectorAll('path.marqueur-projet').length;
    const grouped = Array.from(document.querySelectorAll('.marker-cluster'))
        .reduce((sum, cluster) => sum + parseInt(cluster.innerText, 10), 0);
    return single + grouped === expected;
}"""


def _wait_marks(page: object, expected: int) -> None:
    """Wait until the markers and clusters on the map stand for ``expected`` projects."""
    page.wait_for_selector(APP_IDLE)
    container = _frame(page).locator(".leaflet-container").element_handle()
    container.owner_frame().wait_for_function(PROJECTS_ON_MAP, arg=expected)


def test_markers_theme_filter_and_grenoble(
    routed_context: Callable[..., tuple[object, object]],
    app_url: str,
    store: ProjectStore,
    screenshots_dir: Path,
) -> None:
    from playwright.sync_api import expect

    page, network = _open(routed_context, app_url)
    everything = store.count(ProjectFilter(statuses=PUBLIC))
    _expect_count(page, everything)
    frame = _frame(page)
    expect(frame.locator(f"{MARKERS}, {CLUSTERS}").first).to_be_visible()
    expect(frame.locator(".legende-projets")).to_contain_text("Mobilité")
    _settle(page)
    all_marks = _visible_marks(page)
    _wait_marks(page, everything)

    _pick(page, "f_themes", "Mobilité")
    mobility = store.count(ProjectFilter(themes=("mobilite",), statuses=PUBLIC))
    assert 0 < mobility < everything
    _expect_count(page, mobility)
    _wait_marks(page, mobility)
    assert _visible_marks(page) <= all_marks
    assert "themes=mobilite" in page.url

    _territory(page, "Grenoble")
    expect(frame.locator(GRENOBLE_PATH)).to_have_count(1)
    grenoble = store.query(
        ProjectFilter(
            territory=TerritoryRef("commune", "38185"), themes=("mobilite",), statuses=PUBLIC
        ),
        limit=1000,
    ).items
    expected = sorted(p.title for p in grenoble)
    assert expected and "Essai vélos partagés de Grenoble" in expected
    _expect_count(page, len(expected))
    assert _listed(page) == expected
    assert "territoire=commune%3A38185" in page.url
    _settle(page)
    page.screenshot(path=screenshots_dir / "explorer-desktop-grenoble.png")
    assert network.external == [], f"requests left the machine: {network.external}"


def test_shared_link_reopens_filters_and_selection(
    routed_context: Callable[..., tuple[object, object]],
    app_url: str,
    store: ProjectStore,
    screenshots_dir: Path,
) -> None:
    from playwright.sync_api import expect

    page, network = _open(routed_context, app_url)
    _pick(page, "f_themes", "Énergie")
    _territory(page, "Grenoble")
    expect(_frame(page).locator(GRENOBLE_PATH)).to_have_count(1)
    page.locator(LIST_BUTTONS).filter(has_text="Essai toits solaires de Grenoble").click()
    detail = page.locator(DETAIL)
    expect(detail).to_contain_text("Essai toits solaires de Grenoble")
    expect(detail).to_contain_text("Grenoble (commune)")
    expect(detail).to_contain_text("<script>alert(1)</script>")  # shown as text, not run
    page.wait_for_selector(APP_IDLE)
    shared = page.url
    assert "projet=" in shared and "themes=energie" in shared
    _settle(page)
    page.screenshot(path=screenshots_dir / "explorer-desktop-fiche.png")

    again, network_again = _open(routed_context, shared, viewport="mobile")
    expect(again.locator(DETAIL)).to_contain_text("Essai toits solaires de Grenoble")
    expect(
        again.locator(".st-key-f_themes").get_by_role("button", name="Énergie", exact=True)
    ).to_have_attribute("aria-pressed", "true")
    expect(_frame(again).locator(GRENOBLE_PATH)).to_have_count(1)
    expect(_frame(again).locator(".projet-choisi")).to_have_count(1)
    assert again.url == shared
    _settle(again)
    again.screenshot(path=screenshots_dir / "explorer-mobile-shared.png")
    again.locator(DETAIL).screenshot(path=screenshots_dir / "explorer-mobile-fiche.png")
    exports = again.get_by_test_id("stDownloadButton")
    expect(exports).to_have_count(5)
    exports.last.scroll_into_view_if_needed()
    again.screenshot(path=screenshots_dir / "explorer-mobile-exports.png")
    assert network.external == [] and network_again.external == []


def test_marker_click_selects_the_project(
    routed_context: Callable[..., tuple[object, object]],
    app_url: str,
    store: ProjectStore,
) -> None:
    from playwright.sync_api import expect

    page, network = _open(routed_context, f"{app_url}/?territoire=commune:38185&themes=mobilite")
    frame = _frame(page)
    expect(frame.locator(GRENOBLE_PATH)).to_have_count(1)
    _settle(page)
    cluster = frame.locator(CLUSTERS)
    while cluster.count():  # zoom in through the clusters
        cluster.first.click()
        _settle(page)
    marker = frame.locator(MARKERS).first
    marker.click()
    expect(page.locator(DETAIL)).to_be_visible()
    expect(frame.locator(".projet-choisi")).to_have_count(1)
    # The link follows once the run that drew the sheet ends.
    expect(page).to_have_url(re.compile(r"[?&]projet=\d+"))
    assert network.external == []


def test_on_a_phone_a_project_chosen_in_the_list_shows_its_sheet(
    routed_context: Callable[..., tuple[object, object]],
    app_with_env: Callable[[dict[str, str]], AbstractContextManager[str]],
    tmp_path: Path,
    screenshots_dir: Path,
) -> None:
    """25 projects, as a real territory has: the list under the map is long, and the sheet
    opens above the button pressed, out of sight unless the page goes to it."""
    from playwright.sync_api import expect

    rows = [
        {**PROJECTS[0], "external_id": f"n{i}", "title": f"Essai projet n°{i:02d}",
         "lat": 45.1885 + i / 1000}
        for i in range(25)
    ]  # fmt: skip
    url = f"sqlite:///{tmp_path / 'projets.sqlite'}"
    store = ProjectStore(url, locate=load_territories(get_settings()))
    store.add_many(rows, actor=OPERATOR, status="publie")
    store.close()
    with app_with_env({**os.environ, "DATABASE_URL": url}) as app:
        page, network = _open(routed_context, app, "mobile")
        _settle(page)
        button = page.locator(LIST_BUTTONS).nth(20)
        button.scroll_into_view_if_needed()
        button.click()
        sheet = page.locator(DETAIL)
        expect(sheet).to_be_visible()
        # The page scrolls to the sheet: its title is on the screen, below the header bar.
        page.wait_for_function(
            """() => { const title = document.querySelector('.st-key-fiche-projet h3');
                       if (!title) { return false; }
                       const box = title.getBoundingClientRect();
                       return box.top >= 56 && box.bottom <= window.innerHeight; }"""
        )
        page.screenshot(path=screenshots_dir / "explorer-mobile-fiche.png")
        assert network.external == []


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_screenshots(
    routed_context: Callable[..., tuple[object, object]],
    app_url: str,
    store: ProjectStore,
    screenshots_dir: Path,
    viewport: str,
) -> None:
    from playwright.sync_api import expect

    page, network = _open(routed_context, app_url, viewport)
    expect(_frame(page).locator(f"{MARKERS}, {CLUSTERS}").first).to_be_visible()
    _settle(page)
    page.screenshot(path=screenshots_dir / f"explorer-{viewport}.png")
    page.screenshot(path=screenshots_dir / f"explorer-{viewport}-full.png", full_page=True)
    assert network.external == []


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_overlay_toggles_on_with_its_legend(
    routed_context: Callable[..., tuple[object, object]],
    app_url: str,
    store: ProjectStore,
    screenshots_dir: Path,
    viewport: str,
) -> None:
    from playwright.sync_api import expect

    page, network = _open(routed_context, app_url, viewport)
    frame = _frame(page)
    expect(frame.locator(".legende-projets")).to_have_count(1)
    expect(frame.locator(".legende-couche")).to_have_count(0)
    if viewport == "mobile":
        page.get_by_test_id("stExpandSidebarButton").click()
    _pick(page, "f_couches", "Lieux de covoiturage (Base nationale, BNLC)")
    frame = _frame(page)
    expect(frame.locator(".legende-couche.covoiturage")).to_contain_text("Lieux de covoiturage")
    # The licence is credited on the map, in full under it.
    expect(frame.locator(".leaflet-control-attribution")).to_contain_text("ODbL 1.0")
    expect(page.get_by_test_id("stExpander").filter(has_text="Sources")).to_have_count(1)
    assert "couches=covoiturage" in page.url
    if viewport == "mobile":
        page.get_by_test_id("stSidebarCollapseButton").locator("button").click()
    _settle(page)
    page.screenshot(path=screenshots_dir / f"explorer-{viewport}-couche.png")
    assert network.external == []


LEGEND_BOX = """() => {
    const map = document.querySelector('.leaflet-container').getBoundingClientRect();
    const panels = document.querySelectorAll('.geo-legende-panneau');
    const box = panels[0].getBoundingClientRect();
    return {panels: panels.length, share: (box.width * box.height) / (map.width * map.height),
            open: panels[0].open};
}"""


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_two_overlays_and_a_choropleth_leave_the_map_readable(
    routed_context: Callable[..., tuple[object, object]],
    app_url: str,
    store: ProjectStore,
    screenshots_dir: Path,
    viewport: str,
) -> None:
    from playwright.sync_api import expect

    url = f"{app_url}?couches=covoiturage,irve&indicateur=projets:departement"
    page, network = _open(routed_context, url, viewport)
    frame = _frame(page)
    for section in (".legende-projets", ".legende-couche.covoiturage", ".legende-couche.irve",
                    ".legende-choroplethe"):  # fmt: skip
        expect(frame.locator(section)).to_have_count(1)
    _settle(page)
    _wait_marks(page, store.count(ProjectFilter(statuses=PUBLIC)))
    legend = frame.locator(".leaflet-container").evaluate(LEGEND_BOX)
    # One legend panel, open on a wide map, closed on a phone; it never covers a quarter.
    assert legend["panels"] == 1 and legend["open"] == (viewport == "desktop")
    assert legend["share"] < 0.25, legend
    page.screenshot(path=screenshots_dir / f"explorer-{viewport}-deux-couches-choroplethe.png")
    assert network.external == []


def test_shared_view_reopens_at_the_same_place(
    routed_context: Callable[..., tuple[object, object]],
    app_url: str,
    store: ProjectStore,
) -> None:
    from playwright.sync_api import expect

    page, network = _open(routed_context, app_url)
    page.get_by_test_id("stCheckbox").filter(has_text="Partager cette vue").click()
    page.wait_for_selector(APP_IDLE)
    frame = _frame(page)
    _settle(page)
    frame.locator(".leaflet-control-zoom-in").click()
    _settle(page)
    frame.locator(".leaflet-control-zoom-in").click()
    _settle(page)
    zoom = frame.locator(".leaflet-container").evaluate("() => window.map_div.getZoom()")
    expect(page).to_have_url(re.compile(rf"vue=[^&]*(%2C|,){zoom}(&|$)"))
    shared = page.url

    again, network_again = _open(routed_context, shared)
    container = _frame(again).locator(".leaflet-container")
    expect(container).to_be_visible()
    _settle(again)
    assert container.evaluate("() => window.map_div.getZoom()") == zoom
    assert network.external == [] and network_again.external == []


def test_shared_view_with_a_territory_keeps_its_zoom(
    routed_context: Callable[..., tuple[object, object]],
    app_url: str,
    store: ProjectStore,
) -> None:
    from playwright.sync_api import expect

    url = f"{app_url}/?territoire=commune:38185&vue=45.13964,5.72483,11"
    page, network = _open(routed_context, url)
    container = _frame(page).locator(".leaflet-container")
    expect(container).to_be_visible()
    _settle(page)
    view = container.evaluate(
        "() => [window.map_div.getZoom(), window.map_div.getCenter().lat,"
        " window.map_div.getCenter().lng]"
    )
    assert view[0] == 11 and abs(view[1] - 45.13964) < 1e-3 and abs(view[2] - 5.72483) < 1e-3
    expect(page).to_have_url(re.compile(r"vue=45\.13964(%2C|,)5\.72483(%2C|,)11"))
    assert network.external == []


def test_near_centres_the_map_draws_the_radius_and_sorts_by_distance(
    routed_context: Callable[..., tuple[object, object]],
    app_url: str,
    store: ProjectStore,
    screenshots_dir: Path,
) -> None:
    from playwright.sync_api import expect

    page, network = _open(routed_context, app_url)
    field = page.locator(".st-key-f_pres input")
    field.fill("Grenoble")
    field.press("Enter")
    page.wait_for_selector(APP_IDLE)
    frame = _frame(page)
    expect(frame.locator("path.rayon-pres-de")).to_have_count(1)
    expect(frame.locator("path.lieu-pres-de")).to_have_count(1)
    expect(frame.locator(".legende-pres-de")).to_contain_text("Grenoble")
    _settle(page)
    centre = frame.locator(".leaflet-container").evaluate(
        "() => [window.map_div.getCenter().lat, window.map_div.getCenter().lng,"
        " window.map_div.getZoom()]"
    )
    assert abs(centre[0] - 45.18) < 0.05 and abs(centre[1] - 5.72) < 0.05 and centre[2] >= 10
    expect(page.locator(".st-key-f_tri input")).to_have_value("distance")
    distances = [float(t.rsplit("—", 1)[1].split("km")[0].replace(",", ".")) for t in _listed(page)]
    assert distances == sorted(distances) and len(distances) >= 1
    page.screenshot(path=screenshots_dir / "explorer-desktop-pres-de.png")
    assert network.external == []


def test_exports_of_the_selection(
    routed_context: Callable[..., tuple[object, object]],
    app_url: str,
    store: ProjectStore,
) -> None:
    page, network = _open(routed_context, f"{app_url}/?territoire=commune:38185")
    expected = store.count(
        ProjectFilter(territory=TerritoryRef("commune", "38185"), statuses=PUBLIC)
    )
    _expect_count(page, expected)
    with page.expect_download() as csv_download:
        page.get_by_test_id("stDownloadButton").filter(has_text="CSV").click()
    text = Path(csv_download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == expected + 1  # the header and one row per project
    assert "Essai toits solaires de Grenoble" in text and "contact_email" not in text
    with page.expect_download() as html_download:
        page.get_by_test_id("stDownloadButton").filter(has_text="Carte HTML").click()
    html = Path(html_download.value.path()).read_text(encoding="utf-8")
    assert "/app/static/" not in html and "L.markerClusterGroup" in html
    assert network.external == []


def test_a_filter_change_keeps_the_users_view(
    routed_context: Callable[..., tuple[object, object]],
    app_url: str,
    store: ProjectStore,
) -> None:
    page, network = _open(routed_context, app_url)
    frame = _frame(page)
    _settle(page)
    frame.locator(".leaflet-control-zoom-in").click()
    _settle(page)
    frame.locator(".leaflet-control-zoom-in").click()
    _settle(page)
    container = frame.locator(".leaflet-container")
    zoom = container.evaluate("() => window.map_div.getZoom()")
    _pick(page, "f_themes", "Mobilité")
    _expect_count(page, store.count(ProjectFilter(themes=("mobilite",), statuses=PUBLIC)))
    page.wait_for_selector(APP_IDLE)
    # Same map (only the projects layer was swapped), same zoom.
    assert container.evaluate("() => window.map_div.getZoom()") == zoom
    assert network.external == []


#: The circles of a dataset layer on the map (``couche-<id>``) and how many are in the view.
LAYER_IN_VIEW = """(container, css) => {
    const map = window.map_div, bounds = map.getBounds();
    let sent = 0, seen = 0;
    (window.feature_group || []).filter((group) => group._map).forEach((group) => {
        group.eachLayer((layer) => {
            if (layer.getLatLng && String(layer.options.className).split(' ').includes(css)) {
                sent += 1;
                seen += bounds.contains(layer.getLatLng()) ? 1 : 0;
            }
        });
    });
    return {sent, seen};
}"""


def test_a_layers_legend_counts_what_the_view_shows(
    routed_context: Callable[..., tuple[object, object]],
    app_url: str,
    store: ProjectStore,
) -> None:
    """Carpooling places around Grenoble at zoom 13: the points sent cover a box wider than the
    view (so that a pan needs no new data), and the legend counts those in the view only, again
    after each move (it said "88 lieux ici" with 6 on screen)."""
    from playwright.sync_api import expect

    from geo.mapping.elements import ViewCount

    places = ViewCount.of("lieux")
    page, network = _open(routed_context, f"{app_url}/?vue=45.19,5.72,13&couches=covoiturage")
    frame = _frame(page)
    expect(frame.locator("path.couche-covoiturage").first).to_be_attached()
    _settle(page)
    count = _frame(page).locator(".legende-couche.covoiturage .compte-vue")
    container = _frame(page).locator(".leaflet-container")
    drawn = container.evaluate(LAYER_IN_VIEW, "couche-covoiturage")
    assert drawn["sent"] > drawn["seen"] > 0, drawn  # else this view proves nothing
    expect(count).to_have_text(places.text(drawn["seen"]))
    # A pan within the data sent: no rerun, the count follows the view.
    container.evaluate("() => window.map_div.panBy([250, 150], {animate: false})")
    moved = container.evaluate(LAYER_IN_VIEW, "couche-covoiturage")
    assert moved["seen"] != drawn["seen"], moved
    expect(count).to_have_text(places.text(moved["seen"]))
    assert network.external == []


#: Every title and screen-reader label of the map's controls, and whatever of Leaflet's
#: English could still show on hover or be read out.
CONTROL_WORDS = """() => {
    const named = Array.from(document.querySelectorAll('.leaflet-control-container [title],'
        + ' .leaflet-control-container [aria-label], .leaflet-popup [aria-label]'));
    return named.map((e) => [e.className, e.getAttribute('title'), e.getAttribute('aria-label')]);
}"""
ENGLISH = re.compile(
    r"Zoom in|Zoom out|Layers|Close popup|Fullscreen|JavaScript library", re.IGNORECASE
)


def _no_english(frame: object) -> list[list[str]]:
    named = frame.locator(".leaflet-container").evaluate(CONTROL_WORDS)
    assert named, "no titled control found"
    english = [row for row in named if any(ENGLISH.search(text or "") for text in row[1:])]
    assert english == [], english
    return named


def test_the_maps_controls_speak_french(
    routed_context: Callable[..., tuple[object, object]],
    app_url: str,
    store: ProjectStore,
) -> None:
    """Hovering or reading out the map's buttons gives French: zoom, full screen, a popup's
    close button (Explorer), the layers button (Territoires), the Leaflet credit."""
    from playwright.sync_api import expect

    page, network = _open(routed_context, f"{app_url}/?vue=45.19,5.72,13&couches=covoiturage")
    frame = _frame(page)
    for selector, words in (
        (".leaflet-control-zoom-in", "Zoom avant"),
        (".leaflet-control-zoom-out", "Zoom arrière"),
    ):
        expect(frame.locator(selector)).to_have_attribute("title", words)
        expect(frame.locator(selector)).to_have_attribute("aria-label", words)
    expect(frame.get_by_role("button", name="Zoom avant")).to_be_visible()
    expect(frame.locator(".leaflet-control-attribution a").first).to_have_attribute(
        "title", re.compile("^Une bibliothèque JavaScript")
    )
    full = frame.locator(".plein-ecran a")
    expect(full).to_have_attribute("aria-label", "Plein écran")
    full.click()
    expect(full).to_have_attribute("aria-label", "Quitter le plein écran")
    expect(full).to_have_attribute("title", "Quitter le plein écran")
    full.click()
    expect(full).to_have_attribute("aria-label", "Plein écran")
    expect(frame.locator("path.couche-covoiturage").first).to_be_attached()
    _settle(page)
    frame = _frame(page)
    frame.locator(".leaflet-container").evaluate(
        """() => { const map = window.map_div, bounds = map.getBounds();
            window.feature_group.filter((g) => g._map).forEach((g) => g.eachLayer((layer) => {
                if (String(layer.options.className).includes('couche-covoiturage')
                    && bounds.contains(layer.getLatLng()) && !map._popup) { layer.openPopup(); }
            })); }"""
    )
    expect(frame.locator(".leaflet-popup-close-button")).to_have_attribute("aria-label", "Fermer")
    _no_english(frame)
    assert network.external == []

    page.goto(f"{app_url}/carte")
    page.wait_for_selector(APP_IDLE)
    frame = page.frame_locator(MAP_FRAME).last
    toggle = frame.locator(".leaflet-control-layers-toggle")
    expect(toggle).to_have_attribute("title", "Couches")
    expect(toggle).to_have_attribute("aria-label", "Couches")
    _no_english(frame)
    assert network.external == []
