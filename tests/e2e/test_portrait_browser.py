"""The portrait page in a real browser: Grenoble-Alpes-Métropole's name, projects, an indicator
with its source and rank among neighbours; the comparison chart readable on a desktop and a
phone (every row named, bars of a height, French numbers); the HTML sheet opened with every
request blocked (none is made); the PDF sheet's text; screenshots on a desktop and a phone."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from explorer_seed import seed

from geo.settings import get_settings
from geo.store import ProjectStore
from geo.territory import load_territories

pytestmark = pytest.mark.e2e

APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
URL = "/portrait?territoire=epci:200040715"
NAME = "Grenoble-Alpes-Métropole"
VIEWPORTS = {"desktop": (1280, 800), "mobile": (390, 844)}
TIMEOUT_MS = 90_000
#: Whether the frame's Leaflet map is at a zoom of at least ``arg``.
CHART = ".st-key-graphique-comparaison svg.marks"
#: The chart's texts and bars with their boxes (the names, figures and bars are named layers).
CHART_PARTS = """(svg) => {
    const box = (e) => { const r = e.getBoundingClientRect();
                         return {x: r.x, y: r.y, w: r.width, h: r.height}; };
    const texts = (selector) => [...svg.querySelectorAll(selector)].map((e) => (
        {text: e.textContent, bold: e.getAttribute("font-weight") === "bold", box: box(e)}));
    return {svg: box(svg), names: texts(".noms_marks text"), figures: texts(".chiffres_marks text"),
            bars: [...svg.querySelectorAll(".barres_marks path")].map(box),
            labels: texts(".role-axis-label text"), title: texts(".role-axis-title text")};
}"""
FRENCH_FIGURE = re.compile(r"^(\d{1,3}(\u202f\d{3})*(,\d+)?|non disponible)$")
LEAFLET_ZOOM_AT_LEAST = """(zoom) => {
    const map = Object.values(window).find((v) => v && v._leaflet_id && v.getZoom);
    return map !== undefined && map.getZoom() >= zoom;
}"""


@pytest.fixture(scope="module")
def store(e2e_env: str) -> ProjectStore:
    settings = get_settings()
    store = ProjectStore(settings=settings, locate=load_territories(settings))
    seed(store)
    return store


def _open(routed_context: Callable[..., tuple[object, object]], url: str, viewport: str):
    from playwright.sync_api import expect

    width, height = VIEWPORTS[viewport]
    context, network = routed_context(width=width, height=height)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    page.goto(url)
    page.wait_for_selector(APP_IDLE)
    expect(page.get_by_role("heading", name=NAME)).to_be_visible()
    return page, network


def test_portrait_of_the_metropole_and_its_sheets(
    routed_context: Callable[..., tuple[object, object]],
    browser: object,
    app_url: str,
    store: ProjectStore,
    screenshots_dir: Path,
) -> None:
    from playwright.sync_api import expect
    from pypdf import PdfReader

    page, network = _open(routed_context, f"{app_url}{URL}", "desktop")
    projects = page.locator(".st-key-portrait-projets")
    expect(projects.get_by_text("Essai toits solaires de Grenoble")).to_be_visible()
    expect(projects.get_by_text("Essai vélos partagés de Grenoble")).to_be_visible()
    carpool = page.locator(".st-key-indicateurs-covoiturage")
    expect(carpool.get_by_text("Lieux de covoiturage (Base nationale, BNLC)")).to_be_visible()
    expect(carpool.get_by_text("© les contributeurs de la BNLC", exact=False)).to_be_visible()
    row = carpool.locator("tr", has_text="Places de covoiturage")
    expect(row).to_contain_text("places")
    expect(row).to_contain_text("sur 8")  # its rank among itself and its 7 neighbours
    page.locator('iframe[title="streamlit_folium.st_folium"]').first.scroll_into_view_if_needed()
    frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]').first
    # The two projects, 500 m apart, may be drawn as one cluster at the territory's zoom.
    expect(frame.locator("path.marqueur-projet, .marker-cluster").first).to_be_attached()
    # The comparison map, laid out below its chart, frames the Métropole and its neighbours
    # (it once opened on the world, the territory a dot: fitted before it had a size).
    comparison = page.locator(".st-key-carte-comparaison iframe")
    comparison.scroll_into_view_if_needed()
    comparison_frame = comparison.element_handle().content_frame()
    comparison_frame.wait_for_function(LEAFLET_ZOOM_AT_LEAST, arg=8)

    # The HTML sheet, opened where every request is refused: it makes none.
    with page.expect_download() as download:
        page.get_by_test_id("stDownloadButton").filter(has_text="fiche HTML").click()
    html = Path(download.value.path()).read_text(encoding="utf-8")
    offline = browser.new_context(viewport={"width": 900, "height": 1200}, locale="fr-FR")
    requested: list[str] = []
    failed: list[str] = []
    offline.route("**/*", lambda route: (requested.append(route.request.url), route.abort()))
    sheet = offline.new_page()
    sheet.on("requestfailed", lambda request: failed.append(request.url))
    sheet.set_content(html, wait_until="load")
    expect(sheet.get_by_role("heading", name=NAME, exact=True)).to_be_visible()
    expect(sheet.locator("svg.carte-statique .projet")).to_have_count(2)
    sheet.screenshot(path=str(screenshots_dir / "portrait-fiche-html.png"), full_page=True)
    assert requested == [] and failed == []
    offline.close()

    # The PDF sheet: printed on the server, its text names the territory.
    page.get_by_role("button", name="Préparer la fiche PDF").click()
    pdf_button = page.get_by_test_id("stDownloadButton").filter(has_text="fiche PDF")
    expect(pdf_button).to_be_visible()
    with page.expect_download() as download:
        pdf_button.click()
    reader = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    text = " ".join(p.extract_text() for p in reader.pages)
    assert NAME in text and "Essai toits solaires de Grenoble" in text
    assert len(reader.pages) >= 3
    assert network.external == [], f"requests left the machine: {network.external}"


def _chart(page: object, names: int) -> dict:
    """The comparison chart's parts once it shows ``names`` rows."""
    from playwright.sync_api import expect

    page.wait_for_selector(APP_IDLE)
    chart = page.locator(CHART)
    expect(chart.locator(".noms_marks text")).to_have_count(names)
    chart.scroll_into_view_if_needed()
    return chart.evaluate(CHART_PARTS)


def _inside(box: dict, frame: dict) -> bool:
    return frame["x"] - 1 <= box["x"] and box["x"] + box["w"] <= frame["x"] + frame["w"] + 1


def _readable(parts: dict) -> None:
    """Every row named, no two names on each other, bars thick, texts inside the chart,
    numbers French, the axis title whole."""
    names = sorted(parts["names"], key=lambda n: n["box"]["y"])
    for upper, lower in zip(names, names[1:], strict=False):
        assert upper["box"]["y"] + upper["box"]["h"] <= lower["box"]["y"], (upper, lower)
    assert all(bar["h"] >= 12 for bar in parts["bars"]), parts["bars"]
    for text in [*parts["names"], *parts["figures"], *parts["title"]]:
        assert _inside(text["box"], parts["svg"]), text
    assert parts["title"] and parts["title"][0]["box"]["y"] + parts["title"][0]["box"]["h"] <= (
        parts["svg"]["y"] + parts["svg"]["h"] + 1
    )
    assert all(FRENCH_FIGURE.match(f["text"]) for f in parts["figures"]), parts["figures"]
    assert all("." not in label["text"] for label in parts["labels"]), parts["labels"]


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_comparison_chart_is_readable(
    routed_context: Callable[..., tuple[object, object]],
    app_url: str,
    store: ProjectStore,
    viewport: str,
) -> None:
    territories = load_territories(get_settings())
    neighbours = territories.neighbours("epci", "200040715")
    expected = {NAME} | {territories.nom("epci", code) for code in neighbours}
    page, network = _open(routed_context, f"{app_url}{URL}", viewport)
    page.get_by_test_id("stRadioGroup").get_by_text("France (données chargées)").click()
    parts = _chart(page, 2)
    # The territory and France, one above the other (they once printed on each other).
    assert {n["text"] for n in parts["names"]} == {NAME, "France"}
    assert [n["bold"] for n in parts["names"] if n["text"] == NAME] == [True]
    assert len(parts["bars"]) == 2
    _readable(parts)
    page.get_by_test_id("stRadioGroup").get_by_text("Territoires voisins").click()
    parts = _chart(page, len(expected))
    # Every neighbour named, the territory among them (every other name was once hidden).
    assert {n["text"] for n in parts["names"]} == expected
    _readable(parts)
    assert network.external == []


#: Each table of the portrait: how far its cells reach past its box, and what labels its
#: cells' values on a phone (a table cut at the right once hid its "Remarque" column).
TABLES = """(tables) => tables.map((table) => {
    const right = table.getBoundingClientRect().right;
    const cells = [...table.querySelectorAll("td")];
    return {overflow: Math.max(0, ...cells.map((c) => c.getBoundingClientRect().right - right)),
            labels: [...new Set(cells.map((c) => getComputedStyle(c, "::before").content))]};
})"""


def test_the_portrait_tables_fit_a_phone(
    routed_context: Callable[..., tuple[object, object]], app_url: str, store: ProjectStore
) -> None:
    from playwright.sync_api import expect

    page, network = _open(routed_context, f"{app_url}{URL}", "mobile")
    expect(page.get_by_text("Ce que font les voisins")).to_be_visible()
    page.get_by_text("Sources et dates des données").click()
    for key, heading in (("portrait-indicateurs", "Remarque"), ("portrait-sources", "Date")):
        tables = page.locator(f".st-key-{key} [data-testid='stTable']")
        expect(tables.first).to_be_visible()
        for table in tables.evaluate_all(TABLES):
            assert table["overflow"] <= 1, (key, table)
            assert f'"{heading}"' in table["labels"], (key, table)
    assert network.external == []


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_portrait_screenshots(
    routed_context: Callable[..., tuple[object, object]],
    app_url: str,
    store: ProjectStore,
    screenshots_dir: Path,
    viewport: str,
) -> None:
    from playwright.sync_api import expect

    page, network = _open(routed_context, f"{app_url}{URL}", viewport)
    expect(page.get_by_text("Ce que font les voisins")).to_be_visible()
    page.wait_for_selector(APP_IDLE)
    page.screenshot(path=str(screenshots_dir / f"portrait-{viewport}.png"))
    # The page scrolls inside Streamlit's main area: one picture per section.
    for number, section in enumerate(
        ["Projets ici", "Indicateurs", "Comparaison", "Ce que font les voisins"], start=1
    ):
        page.get_by_role("heading", name=section).scroll_into_view_if_needed()
        page.wait_for_selector(APP_IDLE)
        page.screenshot(path=str(screenshots_dir / f"portrait-{viewport}-{number}.png"))
    assert network.external == []


def test_explorer_sidebar_leads_to_the_portrait(
    routed_context: Callable[..., tuple[object, object]], app_url: str, store: ProjectStore
) -> None:
    from playwright.sync_api import expect

    width, height = VIEWPORTS["desktop"]
    context, network = routed_context(width=width, height=height)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    page.goto(f"{app_url}/?territoire=epci:200040715")
    page.wait_for_selector(APP_IDLE)
    page.get_by_test_id("stSidebar").get_by_text("Voir le portrait").click()
    expect(page.get_by_role("heading", name=NAME)).to_be_visible()
    assert "territoire=epci%3A200040715" in page.url or "territoire=epci:200040715" in page.url
    assert network.external == []
