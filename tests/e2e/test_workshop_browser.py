"""Workshop mode in a real browser: a 3-stop tour built from the Explorer, presented full
screen and stepped through with the keyboard (each stop's title, territory outline and
project checked), then a phone (390 px) sends an idea through the room's QR link and its pin
appears on the presentation's map without a reload within 5 s. Screenshots of the
presentation at 1920×1080 and of the participant's form at 390×844."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from geo.settings import get_settings
from geo.store import ProjectStore
from geo.store.identity import Operator
from geo.territory import load_territories
from geo.workshop import room

pytestmark = pytest.mark.e2e

APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
TIMEOUT_MS = 60_000
OPERATOR = Operator("essai")
PROJECTS = {
    "toits": {"title": "Toits solaires des écoles", "themes": ["energie"], "lat": 45.1885,
              "lon": 5.7245, "summary": "Une coopérative sur les écoles."},
    "velos": {"title": "Vélos partagés du centre", "themes": ["mobilite"], "lat": 45.1900,
              "lon": 5.7300},
    "pouce": {"title": "Covoiturage du plateau", "themes": ["mobilite"], "lat": 45.0700,
              "lon": 5.5500},
}  # fmt: skip


@pytest.fixture
def served(
    app_with_env: Callable[[dict[str, str]], AbstractContextManager[str]],
    tmp_path: Path,
) -> Iterator[tuple[str, dict[str, ProjectStore | dict[str, int]]]]:
    """A server with a store of its own holding the three projects (published)."""
    url = f"sqlite:///{tmp_path / 'projets.sqlite'}"
    settings = get_settings()
    store = ProjectStore(url, settings=settings, locate=load_territories(settings))
    results = store.add_many(
        [row | {"source": "essai-atelier", "external_id": key} for key, row in PROJECTS.items()],
        actor=OPERATOR,
        status="publie",
    )
    ids = {key: int(r.id) for key, r in zip(PROJECTS, results, strict=True)}
    env = dict(os.environ) | {"DATABASE_URL": url, "GEO_DEMO": "0"}
    with app_with_env(env) as app:
        yield app, {"store": store, "ids": ids}
    store.close()


MAP_SETTLED = """() => !document.querySelector('.leaflet-zoom-anim')
    && document.querySelectorAll('img.leaflet-tile').length > 0
    && Array.from(document.querySelectorAll('img.leaflet-tile')).every(
        (tile) => tile.classList.contains('leaflet-tile-loaded')
            && getComputedStyle(tile).opacity === '1')"""


def _settled(page: object) -> None:
    """The map drawn and still (its zoom animation over, its tiles shown): a screenshot."""
    container = page.frame_locator(MAP_FRAME).last.locator(".leaflet-container")
    container.element_handle().owner_frame().wait_for_function(MAP_SETTLED)


def _idle(page: object) -> None:
    page.wait_for_selector(APP_IDLE)


def _map(page: object) -> object:
    return page.frame_locator(MAP_FRAME).last


def _add_stop(page: object, url: str, title: str, note: str, *, new_tour: str | None = None) -> str:
    from playwright.sync_api import expect

    page.goto(url)
    _idle(page)
    page.get_by_role("button", name="Ajouter au parcours").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    if new_tour:
        dialog.get_by_text("Nouveau parcours", exact=True).click()
        dialog.get_by_label("Titre du nouveau parcours *").fill(new_tour)
    else:
        # The tour made on the first stop is remembered by this browser, and offered first.
        expect(dialog.get_by_role("radio").first).to_be_checked()
    dialog.get_by_label("Titre de l'arrêt *").fill(title)
    dialog.get_by_label(re.compile("^Note")).fill(note)
    # The note is taken when it loses focus (a rerun of the dialog): then the button.
    dialog.get_by_label(re.compile("^Note")).press("Tab")
    _idle(page)
    dialog.get_by_role("button", name="Ajouter l'arrêt").click()
    notice = page.get_by_text(re.compile(rf"Arrêt \d « {re.escape(title)} » ajouté"))
    try:
        expect(notice).to_be_visible()
    except AssertionError:
        page.screenshot(path=str(Path(__file__).parents[1] / "screenshots" / "echec-arret.png"))
        raise
    return notice.inner_text()


def _expect_stop(page: object, *, number: int, title: str, outline: str, project: int,
                 project_title: str) -> None:  # fmt: skip
    from playwright.sync_api import expect

    expect(page.locator(".st-key-presentation-progression")).to_have_text(f"{number} / 3")
    expect(page.locator(".st-key-presentation-titre h2")).to_have_text(title)
    frame = _map(page)
    expect(frame.locator(f"path.territoire-selectionne.{outline}")).to_have_count(1)
    expect(frame.locator(f"path.projet-vedette-{project}")).to_have_count(1)
    expect(page.locator(".st-key-presentation-fiche h3").first).to_have_text(project_title)


def test_a_tour_presented_with_the_keyboard_and_an_idea_from_a_phone(
    served: tuple[str, dict],
    routed_context: Callable[..., tuple[object, object]],
    screenshots_dir: Path,
) -> None:
    from playwright.sync_api import expect

    app, seeded = served
    ids, store = seeded["ids"], seeded["store"]
    vercors = store.get(ids["pouce"]).code_epci
    context, network = routed_context(width=1920, height=1080)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)

    # --- a tour of three stops, each saved from an Explorer view --------------------------
    _add_stop(
        page,
        f"{app}/?territoire=epci%3A200040715&projet={ids['toits']}",
        "Les toits solaires",
        "**Trois écoles** équipées",
        new_tour="Atelier PCAET",
    )
    _add_stop(
        page,
        f"{app}/?territoire=commune%3A38185&projet={ids['velos']}",
        "Les vélos du centre",
        "- 40 vélos\n- 6 stations",
    )
    _add_stop(
        page,
        f"{app}/?territoire={quote(f'epci:{vercors}')}&projet={ids['pouce']}",
        "Le covoiturage du plateau",
        "Une ligne vers la ville",
    )

    # --- the tour page: publish it, open a workshop ---------------------------------------
    page.goto(f"{app}/parcours")
    _idle(page)
    expect(page.get_by_role("heading", name="Atelier PCAET")).to_be_visible()
    titles = page.locator('[class*="st-key-arret-"] strong').all_inner_texts()
    assert [t.split(". ", 1)[1] for t in titles if ". " in t][:3] == [
        "Les toits solaires",
        "Les vélos du centre",
        "Le covoiturage du plateau",
    ]
    page.get_by_role("button", name="Publier").click()
    expect(page.get_by_text("Parcours publié")).to_be_visible()
    page.get_by_role("button", name="Ouvrir un atelier").click()
    expect(page.get_by_text("Atelier ouvert.")).to_be_visible()
    present = page.get_by_role("link", name="Présenter avec cet atelier")
    href = present.get_attribute("href")
    query = parse_qs(urlsplit(href).query)
    assert query["embed"] == ["true"] and "light_theme" in query["embed_options"]
    code = query["atelier"][0]

    # --- the presentation, stepped through with the keyboard ------------------------------
    page.goto(href if href.startswith("http") else f"{app}{href}")
    _idle(page)
    expect(page.locator('[data-testid="stSidebar"]')).to_be_hidden()
    _expect_stop(
        page,
        number=1,
        title="Les toits solaires",
        outline="territoire-epci-200040715",
        project=ids["toits"],
        project_title=PROJECTS["toits"]["title"],
    )
    expect(page.locator(".st-key-presentation-note strong")).to_have_text("Trois écoles")
    size = page.locator(".st-key-presentation-titre h2").evaluate(
        "(h) => parseFloat(getComputedStyle(h).fontSize)"
    )
    assert size >= 28
    page.keyboard.press("ArrowRight")
    _expect_stop(
        page,
        number=2,
        title="Les vélos du centre",
        outline="territoire-commune-38185",
        project=ids["velos"],
        project_title=PROJECTS["velos"]["title"],
    )
    _idle(page)
    page.keyboard.press(" ")
    _expect_stop(
        page,
        number=3,
        title="Le covoiturage du plateau",
        outline=f"territoire-epci-{vercors}",
        project=ids["pouce"],
        project_title=PROJECTS["pouce"]["title"],
    )
    _idle(page)
    page.keyboard.press("ArrowRight")  # the last stop: nothing further
    page.keyboard.press("ArrowLeft")
    expect(page.locator(".st-key-presentation-progression")).to_have_text("2 / 3")
    _idle(page)
    page.keyboard.press("ArrowLeft")
    _expect_stop(
        page,
        number=1,
        title="Les toits solaires",
        outline="territoire-epci-200040715",
        project=ids["toits"],
        project_title=PROJECTS["toits"]["title"],
    )
    _idle(page)
    expect(_map(page).locator(".leaflet-container")).to_be_visible()
    _settled(page)
    page.screenshot(path=str(screenshots_dir / "presentation-1920x1080.png"))

    # --- the room's QR code leads a phone to the participants' form ------------------------
    link = page.locator(".st-key-presentation-atelier .lien-atelier").inner_text().strip()
    assert link == room.participant_url(code, origin=app)
    qr = page.locator("img.qr-atelier").get_attribute("src")
    assert qr == room.qr_image(link).split('src="', 1)[1].split('"', 1)[0]
    phone, phone_network = routed_context(width=390, height=844)
    mobile = phone.new_page()
    mobile.set_default_timeout(TIMEOUT_MS)
    mobile.goto(link)
    _idle(mobile)
    expect(mobile.get_by_text("Atelier PCAET")).to_be_visible()
    outline = mobile.frame_locator(MAP_FRAME).last.locator(
        "path.territoire-selectionne.territoire-epci-200040715"
    )
    expect(outline).to_have_count(1)  # the workshop's territory, where to tap
    _settled(mobile)
    mobile.screenshot(path=str(screenshots_dir / "atelier-ouvert-390x844.png"))
    mobile.get_by_label("Votre idée *").fill("Des bornes au marché")
    mobile.get_by_label("En quelques mots").fill("Pour les artisans")
    mobile.get_by_role("button", name="Mobilité").click()
    _idle(mobile)
    frame = mobile.frame_locator(MAP_FRAME).last
    container = frame.locator(".leaflet-container")
    expect(container).to_be_visible()
    box = container.bounding_box()
    container.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    # The pin is placed, and the commune it falls in is said, before anything is sent.
    expect(frame.locator("path.epingle-idee")).to_have_count(1)
    placed = mobile.locator('[data-testid="stCaptionContainer"]', has_text="location_on")
    expect(placed).to_have_count(1)
    _idle(mobile)
    name = mobile.get_by_role("textbox", name="Votre prénom (facultatif)")
    name.fill("Camille")
    name.press("Tab")  # taken when it loses focus, as a thumb leaving the field does
    _idle(mobile)
    expect(name).to_have_value("Camille")
    mobile.screenshot(path=str(screenshots_dir / "atelier-390x844.png"))
    width = mobile.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390  # nothing wider than the phone
    sent = time.monotonic()
    mobile.get_by_role("button", name="Envoyer mon idée").click()
    expect(mobile.get_by_text("Votre idée porte le n° 1")).to_be_visible()
    # Ready for the next idea: blank, the theme and the name kept.
    expect(mobile.get_by_label("Votre idée *")).to_have_value("")
    expect(mobile.get_by_role("textbox", name="Votre prénom (facultatif)")).to_have_value("Camille")
    mobile.screenshot(path=str(screenshots_dir / "atelier-envoye-390x844.png"))

    # --- its pin on the room's map, without a reload, within 5 s ---------------------------
    pin = _map(page).locator(".idee-atelier.idee-1")
    expect(pin).to_be_visible(timeout=5_000)
    assert time.monotonic() - sent <= 5.0
    expect(page.locator(".st-key-presentation-idees")).to_contain_text("1 idée")
    page.screenshot(path=str(screenshots_dir / "presentation-idee-1920x1080.png"))
    (idea,) = [p for p in store.query(limit=50).items if p.source == "atelier"]
    assert idea.status == "propose" and idea.title == "Des bornes au marché"

    # Autoplay: every 10 s the next stop, on its own.
    _idle(page)
    page.locator(".st-key-presentation_auto button", has_text="10 s").click()
    expect(page.locator(".st-key-presentation-progression")).to_have_text("2 / 3", timeout=15_000)
    assert parse_qs(urlsplit(page.url).query)["auto"] == ["10"]
    assert network.external == [] and phone_network.external == []


def _tap(mobile: object, x: float, y: float) -> None:
    """A tap on the participant's map at (x, y) in fractions of its size."""
    container = _map(mobile).locator(".leaflet-container")
    box = container.bounding_box()
    container.click(position={"x": box["width"] * x, "y": box["height"] * y})


def _send_idea(mobile: object, title: str, *, theme: bool, x: float = 0.5) -> None:
    """Type, place (at ``x``: a tap where the last one was is not a new tap) and send."""
    from playwright.sync_api import expect

    mobile.get_by_label("Votre idée *").fill(title)
    mobile.get_by_label("Votre idée *").press("Tab")
    _idle(mobile)
    if theme:  # the theme stays from one idea to the next (same person)
        mobile.get_by_role("button", name="Énergie").click()
        _idle(mobile)
    _tap(mobile, x, 0.5)
    # The pin comes with the rerun the tap starts: seconds on a loaded machine (CI).
    expect(_map(mobile).locator("path.epingle-idee")).to_have_count(1, timeout=30_000)
    # Placed inside (its commune said under the map), not where an earlier tap put it.
    placed = mobile.locator('[data-testid="stCaptionContainer"]', has_text="location_on")
    expect(placed).to_have_count(1, timeout=30_000)
    _idle(mobile)
    mobile.get_by_role("button", name="Envoyer mon idée").click()
    _idle(mobile)


def test_a_phone_reloaded_keeps_its_limit_and_a_closing_room_keeps_its_text(
    served: tuple[str, dict],
    routed_context: Callable[..., tuple[object, object]],
    screenshots_dir: Path,
) -> None:
    """The limit per phone (2 a minute here) holds across a reload, by the phone's signed
    cookie; a tap outside the territory is said at once; an idea typed when the room closes
    stays in its field."""
    from playwright.sync_api import expect

    app, seeded = served
    store = seeded["store"]
    tour_id, key = store.tours.create("Atelier vélo", territory="epci:200040715")
    metro = store.workshops.open(
        tour_id,
        territory=load_territories(get_settings()).parse("epci:200040715"),
        per_minute=2,
        cap=50,
        token=key,
    )
    phone, network = routed_context(width=390, height=844)
    mobile = phone.new_page()
    mobile.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    mobile.goto(room.participant_url(metro.code, origin=app))
    _idle(mobile)
    expect(mobile.get_by_text("Atelier vélo")).to_be_visible()
    _settled(mobile)

    # A tap in the map's corner, outside the Métropole: said at once, nothing sent.
    _tap(mobile, 0.03, 0.04)
    toast = mobile.get_by_test_id("stToast")
    expect(toast).to_contain_text(room.OUTSIDE_TOAST)
    expect(toast).to_be_in_viewport()  # seen at once, where the text under the map is not
    expect(toast.get_by_test_id("stToastViewButton")).to_have_count(0)  # not cut
    under = mobile.get_by_text(re.compile("hors du territoire de l'atelier"))
    expect(under).to_contain_text("Grenoble-Alpes-Métropole")
    expect(_map(mobile).locator("path.epingle-refusee")).to_have_count(1)
    mobile.screenshot(path=str(screenshots_dir / "atelier-hors-territoire-390x844.png"))

    _send_idea(mobile, "Idée 1", theme=True)
    expect(mobile.get_by_text("Votre idée porte le n° 1")).to_be_visible()
    _send_idea(mobile, "Idée 2", theme=False, x=0.45)
    expect(mobile.get_by_text("Votre idée porte le n° 2")).to_be_visible()
    (cookie,) = [c for c in phone.cookies() if c["name"] == room.DEVICE_COOKIE]
    assert room.device_of(cookie["value"], store.workshops.device_secret()) is not None

    # Reloaded: the same phone, so a third idea within the minute is refused.
    mobile.reload()
    _idle(mobile)
    _send_idea(mobile, "Après rechargement", theme=True, x=0.55)
    expect(mobile.get_by_text(re.compile("dans la dernière minute"))).to_be_visible()
    expect(mobile.get_by_label("Votre idée *")).to_have_value("Après rechargement")
    ideas = [p for p in store.query(limit=50).items if p.source == "atelier"]
    assert sorted(p.title for p in ideas) == ["Idée 1", "Idée 2"]

    # The room closes while an idea is typed: the text stays, the closed room is said.
    store.workshops.close(metro.code, token=key)
    mobile.get_by_role("button", name="Envoyer mon idée").click()
    expect(mobile.get_by_text(re.compile("Cet atelier vient d'être clos"))).to_be_visible()
    expect(mobile.get_by_label("Votre idée *")).to_have_value("Après rechargement")
    expect(mobile.get_by_role("button", name="Envoyer mon idée")).to_be_disabled()
    mobile.screenshot(path=str(screenshots_dir / "atelier-clos-390x844.png"), full_page=True)

    # The facilitator reads the ideas' text, hides both at once, blocks the phone.
    desk, desk_network = routed_context(width=1280, height=800)
    page = desk.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{app}/parcours?parcours={tour_id}&jeton={key}")
    _idle(page)
    page.get_by_text(re.compile(f"Atelier {metro.code} — ")).click()  # closed: folded
    for number in (1, 2):
        page.locator(f".st-key-choisir-{metro.code}-{number} label").click()
        _idle(page)
    page.get_by_role("button", name="Masquer la sélection (2)").click()
    expect(page.get_by_text("2 idées masquées.")).to_be_visible()
    _idle(page)
    page.locator(f".st-key-idee-{metro.code}-1").get_by_role("button", name="Bloquer").click()
    expect(page.get_by_text(re.compile("Téléphone 1 bloqué"))).to_be_visible()
    expect(page.locator(f".st-key-idee-{metro.code}-2")).to_contain_text("téléphone 1 bloqué")
    page.locator(f".st-key-idee-{metro.code}-1").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots_dir / "parcours-idees-1280x800.png"))
    assert [i.hidden for i in store.workshops.changes(metro.code).items] == [True, True]
    assert network.external == [] and desk_network.external == []
