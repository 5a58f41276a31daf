"""The presentation on a room's screen, in a real browser, with a workshop open and its ideas
on the map: the QR code, the room's code and its link inside the window at 1280×800 and
1920×1080 on every stop (a long note included), the map filling the height left; screenshots
of both sizes."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import pytest

from geo.settings import get_settings
from geo.store import ProjectStore
from geo.store.identity import Operator
from geo.territory import TerritoryRef, load_territories
from geo.workshop import stops

pytestmark = pytest.mark.e2e

APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
TIMEOUT_MS = 60_000
OPERATOR = Operator("essai")
METRO = TerritoryRef("epci", "200040715")
#: Long enough to take many lines at both sizes (the issue: the map overflowed the window as
#: soon as a note was longer than one line).
LONG_NOTE = (
    "**Trois écoles** équipées. "
    + (
        "La coopérative en prévoit dix de plus d'ici 2027, avec les habitants du quartier, "
        "les parents d'élèves et la ville, qui prête les toits pour vingt ans. "
    )
    * 5
)
SIZES = [(1280, 800), (1920, 1080)]
#: Around the project put forward, as a room taps "here, near the school".
IDEA_SPOTS = [(45.1885 + 0.0004 * (i % 4), 5.7245 + 0.0004 * (i // 4)) for i in range(12)]


@dataclass(frozen=True)
class Room:
    app: str
    store: ProjectStore
    tour: int
    key: str
    code: str
    project: int

    def url(self, **params: object) -> str:
        path = stops.presentation_url(self.tour, key=self.key, workshop=self.code, **params)
        return f"{self.app}{path}"


@pytest.fixture
def room(
    app_with_env: Callable[[dict[str, str]], AbstractContextManager[str]], tmp_path: Path
) -> Iterator[Room]:
    """A server with a store of its own: three projects, a published three-stop tour of the
    Métropole (a project put forward under a long note, a portrait, a commune with a short
    note), and an open workshop that received twelve ideas around the project."""
    url = f"sqlite:///{tmp_path / 'projets.sqlite'}"
    settings = get_settings()
    store = ProjectStore(url, settings=settings, locate=load_territories(settings))
    project, _ = store.add(
        {"title": "Toits solaires des écoles", "themes": ["energie"], "lat": 45.1885,
         "lon": 5.7245, "summary": "Une coopérative sur les écoles."},
        actor=OPERATOR,
        status="publie",
    )  # fmt: skip
    # Two projects side by side in Échirolles: a group of projects at the stop's zoom (the
    # project put forward is drawn on its own, out of the groups).
    store.add_many(
        [{"title": "Vélos partagés d'Échirolles", "themes": ["mobilite"], "lat": 45.1450,
          "lon": 5.7150, "source": "essai", "external_id": "velos"},
         {"title": "Autopartage de la gare d'Échirolles", "themes": ["mobilite"],
          "lat": 45.1470, "lon": 5.7190, "source": "essai", "external_id": "gare"}],
        actor=OPERATOR,
        status="publie",
    )  # fmt: skip
    tour, key = store.tours.create("Atelier PCAET de la Métropole", territory=str(METRO))
    store.tours.add_stop(
        tour,
        kind="explorer",
        title="Les toits solaires des écoles de la Métropole",
        note=LONG_NOTE,
        params={"territoire": str(METRO), "projet": str(project)},
        token=key,
    )
    store.tours.add_stop(
        tour, kind="portrait", title="Grenoble en chiffres",
        params={"territoire": "commune:38185"}, token=key,
    )  # fmt: skip
    store.tours.add_stop(
        tour, kind="explorer", title="Et chez vous ?", note="Dites-le sur la carte.",
        params={"territoire": "commune:38185"}, token=key,
    )  # fmt: skip
    store.tours.set_status(tour, "publie", token=key)
    session = store.workshops.open(tour, territory=METRO, per_minute=50, cap=50, token=key)
    for number, (lat, lon) in enumerate(IDEA_SPOTS, start=1):
        store.workshops.contribute(
            session.code,
            {"title": f"Idée {number} près de l'école", "themes": ["energie"], "lat": lat,
             "lon": lon},
            participant=f"participant-{number}",
        )  # fmt: skip
    env = dict(os.environ) | {"DATABASE_URL": url, "GEO_DEMO": "0"}
    with app_with_env(env) as app:
        yield Room(app, store, tour, key, session.code, project)
    store.close()


def _open(routed_context: Callable[..., tuple[object, object]], url: str, size: tuple[int, int]):
    from playwright.sync_api import expect

    context, network = routed_context(width=size[0], height=size[1])
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    page.goto(url)
    page.wait_for_selector(APP_IDLE)
    expect(page.locator("img.qr-atelier")).to_be_visible()
    return page, network


def _map(page: object) -> object:
    return page.frame_locator(MAP_FRAME).last


def _inside(box: dict[str, float] | None, width: int, height: int) -> bool:
    return box is not None and (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= width + 0.5
        and box["y"] + box["height"] <= height + 0.5
    )


def _at_stop(page: object, number: int) -> None:
    from playwright.sync_api import expect

    expect(page.locator(".st-key-presentation-progression")).to_have_text(f"{number} / 3")
    page.wait_for_selector(APP_IDLE)
    # The map's frame is drawn a moment after the page's run ends.
    expect(page.locator(f".st-key-presentation-carte {MAP_FRAME}")).to_be_visible()
    expect(_map(page).locator(".leaflet-container")).to_be_visible()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_qr_code_code_and_link_stay_on_screen_and_the_map_fills_the_rest(
    room: Room,
    routed_context: Callable[..., tuple[object, object]],
    screenshots_dir: Path,
    size: tuple[int, int],
) -> None:
    from playwright.sync_api import expect

    width, height = size
    page, network = _open(routed_context, room.url(), size)
    for number in (1, 2, 3):
        _at_stop(page, number)
        if number == 1:
            expect(page.locator(".st-key-presentation-note strong")).to_have_text("Trois écoles")
        for selector in ("img.qr-atelier", ".code-atelier", ".lien-atelier"):
            box = page.locator(selector).bounding_box()
            assert _inside(box, width, height), (number, selector, box)
        expect(page.locator(".code-atelier")).to_have_text(room.code)
        # The map takes the height the title and the note leave: inside the window, not
        # squeezed to nothing, and the page itself does not scroll.
        frame_box = page.locator(f".st-key-presentation-carte {MAP_FRAME}").bounding_box()
        assert _inside(frame_box, width, height), (number, frame_box)
        assert frame_box["height"] >= 0.4 * height, (number, frame_box)
        main = page.locator('[data-testid="stMain"]')
        assert main.evaluate("(m) => m.scrollHeight <= m.clientHeight + 1"), number
        # Fitted to the frame it got: the stop's territory wholly on the map.
        outline = _map(page).locator("path.territoire-selectionne")
        expect(outline).to_have_count(1)
        box = outline.bounding_box()
        assert box is not None and box["height"] >= 0.3 * frame_box["height"], (number, box)
        assert _inside(
            {**box, "x": box["x"] - frame_box["x"], "y": box["y"] - frame_box["y"]},
            frame_box["width"],
            frame_box["height"],
        ), (number, box, frame_box)
        if number == 1:
            shot = screenshots_dir / f"presentation-atelier-{width}x{height}.png"
            page.screenshot(path=str(shot))
        if number < 3:
            page.keyboard.press("ArrowRight")
    assert network.external == []


def test_the_clicker_moves_the_tour_after_someone_touched_the_map(
    room: Room, routed_context: Callable[..., tuple[object, object]]
) -> None:
    """A presenter's clicker sends Page Down / Page Up (or the arrows): after a click on the
    map, its frame has the focus, and the keys went to the map instead of the tour."""
    page, _ = _open(routed_context, room.url(), (1920, 1080))
    _at_stop(page, 1)
    container = _map(page).locator(".leaflet-container")
    box = container.bounding_box()
    container.click(position={"x": box["width"] * 0.2, "y": box["height"] * 0.8})
    focused = _map(page).locator(":root").evaluate("() => document.hasFocus()")
    assert focused  # the map's frame has the focus, as after anyone's click on it
    page.keyboard.press("PageDown")
    _at_stop(page, 2)
    _map(page).locator(".leaflet-container").click(position={"x": 30, "y": 300})
    page.keyboard.press("ArrowRight")
    _at_stop(page, 3)
    _map(page).locator(".leaflet-container").click(position={"x": 30, "y": 300})
    page.keyboard.press("PageUp")
    _at_stop(page, 2)


#: What the room's map shows of its ideas: the count of each group, the number of each pin.
IDEAS_SHOWN = """() => ({
    groups: Array.from(document.querySelectorAll('.groupe-idees')).map(
        (g) => parseInt(g.textContent, 10)),
    pins: document.querySelectorAll('.leaflet-marker-pane .idee-atelier').length,
})"""
#: The group opened: pins shown, and every idea on the map once (in a pin or a group).
ALL_IDEAS_SPREAD = """(count) => {
    const groups = Array.from(document.querySelectorAll('.groupe-idees'));
    const pins = document.querySelectorAll('.leaflet-marker-pane .idee-atelier').length;
    const grouped = groups.reduce((sum, g) => sum + parseInt(g.textContent, 10), 0);
    return pins > 0 && grouped + pins === count;
}"""
#: The element on top at the centre of the featured project's dot.
ON_TOP = """() => {
    const dot = document.querySelector('path.projet-vedette-point');
    if (!dot) { return null; }
    const box = dot.getBoundingClientRect();
    const top = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
    return top && top.getAttribute('class');
}"""


def test_crowded_ideas_are_grouped_and_the_featured_project_stays_on_top(
    room: Room, routed_context: Callable[..., tuple[object, object]], screenshots_dir: Path
) -> None:
    """Twelve ideas tapped around the school: one badge saying how many, not twelve pins piled
    on the project the stop puts forward, which stays drawn above them."""
    from playwright.sync_api import expect

    page, _ = _open(routed_context, room.url(), (1920, 1080))
    _at_stop(page, 1)
    frame = _map(page)
    expect(frame.locator(".groupe-idees").first).to_be_visible()
    shown = frame.locator(":root").evaluate(IDEAS_SHOWN)
    assert sum(shown["groups"]) + shown["pins"] == len(IDEA_SPOTS), shown
    assert len(shown["groups"]) + shown["pins"] <= 3, shown
    expect(frame.locator("path.projet-vedette-point")).to_have_count(1)
    on_top = frame.locator(":root").evaluate(ON_TOP)
    assert on_top is not None and "projet-vedette-point" in on_top, on_top
    # A click on the group zooms in: the ideas spread out, still all there.
    frame.locator(".groupe-idees").first.click()
    map_frame = page.locator(f".st-key-presentation-carte {MAP_FRAME}").element_handle()
    map_frame.content_frame().wait_for_function(ALL_IDEAS_SPREAD, arg=len(IDEA_SPOTS))
    page.screenshot(path=str(screenshots_dir / "presentation-idees-groupees-1920x1080.png"))


#: The computed font size (px) of the map's texts a room reads.
MAP_TEXT_SIZES = """() => {
    const size = (el) => el ? parseFloat(getComputedStyle(el).fontSize) : null;
    const legend = document.querySelector('.geo-legende-panneau');
    return {
        legend: size(legend),
        legendRows: Array.from(legend.querySelectorAll('.geo-legende span, .geo-legende b'))
            .filter((el) => el.textContent.trim()).map(size),
        projectGroups: Array.from(document.querySelectorAll('.groupe-projets > div')).map(size),
        ideaGroups: Array.from(document.querySelectorAll('.groupe-idees > div')).map(size),
        pins: Array.from(document.querySelectorAll('.idee-atelier span')).map(size),
    };
}"""
ROOM_TEXT_PX = 20


def test_the_projected_map_text_is_large_enough_for_a_room(
    room: Room, routed_context: Callable[..., tuple[object, object]], screenshots_dir: Path
) -> None:
    """Legend, groups' counts and pins' numbers at 20 px at least on a 1920×1080 projector
    (the Explorer's 10–14 px could not be read from the back of the room)."""
    from playwright.sync_api import expect

    page, _ = _open(routed_context, room.url(), (1920, 1080))
    _at_stop(page, 1)
    frame = _map(page)
    expect(frame.locator(".groupe-idees").first).to_be_visible()
    expect(frame.locator(".groupe-projets").first).to_be_visible()
    expect(frame.locator(".legende-idees")).to_have_count(1)
    sizes = frame.locator(":root").evaluate(MAP_TEXT_SIZES)
    assert sizes["legend"] >= ROOM_TEXT_PX, sizes
    assert sizes["legendRows"] and min(sizes["legendRows"]) >= ROOM_TEXT_PX, sizes
    assert sizes["projectGroups"] and min(sizes["projectGroups"]) >= ROOM_TEXT_PX, sizes
    assert sizes["ideaGroups"] and min(sizes["ideaGroups"]) >= ROOM_TEXT_PX, sizes
    page.screenshot(path=str(screenshots_dir / "presentation-texte-salle-1920x1080.png"))
    frame.locator(".groupe-idees").first.click()
    expect(frame.locator(".leaflet-marker-pane .idee-atelier").first).to_be_visible()
    sizes = frame.locator(":root").evaluate(MAP_TEXT_SIZES)
    assert sizes["pins"] and min(sizes["pins"]) >= ROOM_TEXT_PX, sizes


def test_the_tours_key_leaves_the_projected_address_and_a_reload_keeps_the_room(
    room: Room, routed_context: Callable[..., tuple[object, object]]
) -> None:
    """Anyone reading the projected address could edit the tour and export the participants'
    first names with its key: once read, it is kept by this browser and leaves the address."""
    from urllib.parse import parse_qs, urlsplit

    from playwright.sync_api import expect

    page, _ = _open(routed_context, room.url(), (1280, 800))
    _at_stop(page, 1)
    page.wait_for_function("(key) => !window.location.href.includes(key)", arg=room.key)
    query = parse_qs(urlsplit(page.url).query)
    assert "jeton" not in query and query["atelier"] == [room.code], page.url
    assert query["embed"] == ["true"]  # still full screen
    # The facilitator's screen after a reload, with no key in the address: this browser's.
    page.reload()
    page.wait_for_selector(APP_IDLE)
    expect(page.locator(".code-atelier")).to_have_text(room.code)
    expect(page.locator(".st-key-presentation-idees")).to_contain_text("12 idées")
    assert room.key not in page.url
