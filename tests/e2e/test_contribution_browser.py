"""Contribute and moderate in a real browser (issue 13): a collective proposes a project by its
address, it stays off the Explorer until a moderator (an account made by the command) approves
it, then shows in its commune; a change through the private link waits in the inbox while the
published text stays. Scopes, refusals, script injection in every field, phone screenshots.

Each test runs a server of its own on a store of its own, offline (``GEO_OFFLINE=1``: the
address is found by the offline COG fallback, with its notice; no request leaves the machine).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fakeserver import Route, serve

from geo.settings import get_settings
from geo.store.project_store import ProjectStore
from geo.territory import load_territories

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
LIST_BUTTONS = ".st-key-liste-projets button"
DETAIL = ".st-key-fiche-projet"
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
TIMEOUT_MS = 60_000
CARDS = '[class*="st-key-m-projet-"]'
INJECTION = "<img src=x onerror=alert(1)><script>alert(2)</script>"
MULTI = {"c_themes", "c_categories"}
MD_LINK = "[clic](javascript:alert(3))"


def _env(url: str, **extra: str) -> dict[str, str]:
    return dict(os.environ) | {"DATABASE_URL": url, "GEO_DEMO": "0", "GEO_OFFLINE": "1"} | extra


@pytest.fixture(scope="module")
def geocoders() -> Iterator[dict[str, str]]:
    """A local server speaking the Géoplateforme format (recorded answer for 10 rue des Arts,
    Grenoble); the app runs online but asks only this server (tiles go to the blank image)."""
    answer = ROOT / "tests" / "data" / "geocode" / "geoplateforme_10_rue_des_arts_grenoble.json"
    json_type = {"Content-Type": "application/json; charset=utf-8"}
    routes = {"/geocodage/search": Route(answer.read_bytes(), headers=json_type),
              "/nominatim/search": Route(b"[]", headers=json_type)}  # fmt: skip
    with serve(routes) as fake:
        yield {"GEO_OFFLINE": "0", "GEO_GEOPLATEFORME_URL": fake.url("/geocodage"),
               "GEO_NOMINATIM_URL": fake.url("/nominatim")}  # fmt: skip


def _moderator(env: dict[str, str], name: str, *scopes: str) -> str:
    """A moderator account made by the operator's command; its password."""
    command = [sys.executable, "-m", "geo", "moderators", "add", name, "--json"]
    for scope in scopes:
        command += ["--scope", scope]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["password"]


def _page(routed_context: Callable, width: int = 1280, height: int = 800) -> tuple[object, list]:
    from playwright.sync_api import expect

    context, network = routed_context(width=width, height=height)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    dialogs: list[str] = []

    def on_dialog(dialog: object) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    context.on("page", lambda p: p.on("dialog", on_dialog))
    page.on("dialog", on_dialog)
    page.network = network  # type: ignore[attr-defined]
    return page, dialogs


def _go(page: object, url: str, heading: str) -> None:
    from playwright.sync_api import expect

    page.goto(url)
    page.wait_for_selector(APP_IDLE)
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()


def _idle(page: object) -> None:
    page.wait_for_timeout(300)  # let a rerun start after the last event
    page.wait_for_selector(APP_IDLE)


def _type(page: object, key: str, text: str, *, area: bool = False) -> None:
    field = page.locator(f".st-key-{key} {'textarea' if area else 'input'}")
    field.fill(text)
    field.press("Tab" if area else "Enter")
    _idle(page)


def _pick(page: object, key: str, option: str) -> None:
    """Choose ``option`` in a select box or multiselect (a react-aria combo box)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    widget = page.locator(f".st-key-{key}")
    choice = page.get_by_role("option", name=option, exact=True)
    for attempt in range(4):  # a rerun landing at that moment may close the list again
        _idle(page)
        if attempt % 2:
            widget.get_by_role("button", name="Ouvrir la liste").click()
        else:
            widget.get_by_role("combobox").click()
        try:
            choice.wait_for(timeout=3_000)
            break
        except PlaywrightTimeout:
            continue
    choice.click()
    if key in MULTI:  # a multiselect stays open; Escape in a select box would clear it
        page.keyboard.press("Escape")
    _idle(page)


def _find_address(page: object, address: str) -> None:
    _type(page, "c_adresse", address)
    page.locator(".st-key-c_chercher button").click()
    _idle(page)


def _send(page: object) -> None:
    page.locator(".st-key-c_envoyer button").click()
    _idle(page)


def _edit_link(page: object) -> str:
    from playwright.sync_api import expect

    box = page.locator(".st-key-projet-envoye")
    expect(box).to_contain_text("ne sera plus jamais affiché")
    link = box.locator('[data-testid="stCode"] code').inner_text().strip()
    assert re.search(r"/proposer\?projet=\d+&jeton=[\w-]{40,}$", link), link
    return link


LISTED = """() => document.querySelectorAll('.st-key-liste-projets button').length > 0
    || document.body.innerText.includes('Aucun projet')"""


def _listed(page: object) -> list[str]:
    """The Explorer's list once drawn (it may come a run after the page first goes idle)."""
    _idle(page)
    page.wait_for_function(LISTED)
    _idle(page)
    return [t.replace("\u2060", "").strip() for t in page.locator(LIST_BUTTONS).all_inner_texts()]


def _log_in(page: object, app: str, name: str, password: str) -> None:
    from playwright.sync_api import expect

    _go(page, f"{app}/moderation", "Modération")
    page.locator(".st-key-m_nom input").fill(name)
    page.locator(".st-key-m_mot_de_passe input").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    _idle(page)
    expect(page.get_by_text("Connecté :")).to_be_visible()


MARKED = """() => document.querySelectorAll('path.marqueur-projet, .marker-cluster').length > 0"""


def _wait_marker(page: object) -> None:
    """Wait for a project marker on the current map (a remounted map detaches the old frame)."""
    from playwright.sync_api import Error as PlaywrightError

    for attempt in range(3):
        _idle(page)
        container = page.frame_locator(MAP_FRAME).last.locator(".leaflet-container")
        try:
            container.element_handle().owner_frame().wait_for_function(MARKED)
            return
        except PlaywrightError as error:
            if "detached" not in str(error) or attempt == 2:
                raise


def _card(page: object, title: str) -> object:
    return page.locator(CARDS).filter(has_text=title)


def _propose(page: object, app: str, title: str, *, summary: str = "Des panneaux sur les écoles.",
             address: str = "38000 Grenoble", online: bool = False) -> str:  # fmt: skip
    from playwright.sync_api import expect

    _go(page, f"{app}/proposer", "Proposer un projet")
    _type(page, "c_title", title)
    _type(page, "c_summary", summary, area=True)
    _pick(page, "c_themes", "Énergie")
    _type(page, "c_porteur_nom_0", "Énergies citoyennes du Drac")
    _pick(page, "c_porteur_type_0", "Collectif citoyen")
    _find_address(page, address)
    main = page.get_by_test_id("stMain")
    if online:  # two candidates from the Géoplateforme: the address and its street
        page.get_by_text("10 Rue des Arts 38000 Grenoble (adresse)").click()
        _idle(page)
    else:
        expect(main).to_contain_text("Recherche sans réseau")  # the offline notice
    expect(main).to_contain_text("Commune : Grenoble (38185)")
    expect(main).to_contain_text("EPCI : Grenoble-Alpes-Métropole")
    expect(main).to_contain_text("Département : Isère (38)")
    expect(main).to_contain_text("Région : Auvergne-Rhône-Alpes")
    _send(page)
    return _edit_link(page)


def test_propose_moderate_publish_then_edit_through_the_private_link(
    routed_context: Callable,
    app_with_env: Callable,
    tmp_path: Path,
    screenshots_dir: Path,
    geocoders: dict[str, str],
) -> None:
    from playwright.sync_api import expect

    url = f"sqlite:///{tmp_path / 'projets.sqlite'}"
    env = _env(url, **geocoders)
    password = _moderator(env, "essai-isere", "departement:38")
    title = "Toits solaires du Drac"
    with app_with_env(env) as app:
        page, dialogs = _page(routed_context)
        page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app)
        link = _propose(page, app, title, address="10 rue des Arts, 38000 Grenoble", online=True)
        page.get_by_role("button", name="Copier le lien").click()
        expect(page.locator(".copie-etat")).to_have_text("Lien copié.")
        assert page.evaluate("navigator.clipboard.readText()") == link
        page.screenshot(path=str(screenshots_dir / "proposer-envoye-1280.png"))

        _go(page, app, "Explorer les projets")
        assert title not in _listed(page)  # proposed: not public

        _go(page, f"{app}/moderation", "Modération")
        page.locator(".st-key-m_nom input").fill("essai-isere")
        page.locator(".st-key-m_mot_de_passe input").fill("mauvais")
        page.get_by_role("button", name="Se connecter").click()
        _idle(page)
        expect(page.get_by_test_id("stMain")).to_contain_text("mot de passe incorrect")
        _log_in(page, app, "essai-isere", password)
        expect(page.get_by_role("link", name=re.compile(r"^Modération \(1\)$"))).to_be_visible()
        card = _card(page, title)
        expect(card).to_contain_text("proposition")
        expect(page.locator(".st-key-m_anciennete input")).to_have_value("toutes")  # drawn
        page.screenshot(path=str(screenshots_dir / "moderation-1280.png"))
        card.get_by_role("button", name="Approuver").click()
        _idle(page)
        expect(page.get_by_test_id("stMain")).to_contain_text("approuvé")
        expect(page.get_by_text("Rien à modérer")).to_be_visible()

        _go(page, app, "Explorer les projets")
        assert title in _listed(page)
        page.locator(LIST_BUTTONS).filter(has_text=title).click()
        _idle(page)
        detail = page.locator(DETAIL)
        expect(detail).to_contain_text("Grenoble (commune) → Grenoble-Alpes-Métropole (EPCI)")
        _wait_marker(page)

        # The private link: the same form, filled in; the change waits for a moderator.
        _go(page, link, "Proposer un projet")
        expect(page.locator(".st-key-c_title input")).to_have_value(title)
        expect(page.get_by_test_id("stMain")).to_contain_text("après accord d'un modérateur")
        _type(page, "c_title", f"{title}, saison 2")
        _send(page)
        expect(page.get_by_test_id("stMain")).to_contain_text("attend la validation")
        _go(page, app, "Explorer les projets")
        listed = _listed(page)
        assert title in listed and f"{title}, saison 2" not in listed

        _log_in(page, app, "essai-isere", password)
        card = _card(page, title)
        expect(card).to_contain_text("modification")
        expect(card).to_contain_text(f"{title}, saison 2")
        card.get_by_role("button", name="Approuver").click()
        _idle(page)
        _go(page, app, "Explorer les projets")
        listed = _listed(page)
        assert f"{title}, saison 2" in listed and title not in listed
        assert dialogs == []
        assert page.network.external == []


def test_a_moderator_of_isere_does_not_see_paris_and_refusals_are_french(
    routed_context: Callable, app_with_env: Callable, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    url = f"sqlite:///{tmp_path / 'projets.sqlite'}"
    env = _env(url, GEO_MODERATION_SESSION_MINUTES="0.1")
    store = ProjectStore(url, locate=load_territories(get_settings()))
    store.add({"title": "Chaleur du 11e arrondissement", "themes": ["energie"],
               "lat": 48.8589, "lon": 2.3800}, actor="formulaire")  # fmt: skip
    store.add({"title": "Vélos partagés de Meylan", "themes": ["mobilite"],
               "lat": 45.2096, "lon": 5.7797}, actor="formulaire")  # fmt: skip
    _, token = store.add({"title": "Covoiturage du Vercors", "themes": ["mobilite"],
                          "lat": 45.07, "lon": 5.55}, actor="formulaire")  # fmt: skip
    store.close()
    with app_with_env(env) as app:
        page, _ = _page(routed_context)
        # No account yet: moderation is not configured, and says how.
        _go(page, f"{app}/moderation", "Modération")
        main = page.get_by_test_id("stMain")
        expect(main).to_contain_text("La modération n'est pas configurée")
        expect(main).to_contain_text("python -m geo moderators add NOM")
        password = _moderator(env, "essai-isere", "departement:38")
        _log_in(page, app, "essai-isere", password)
        expect(page.locator(CARDS)).to_have_count(2)
        expect(main).to_contain_text("Vélos partagés de Meylan")
        assert "Chaleur du 11e" not in main.inner_text()
        # The session ends after 0.1 minute without an action.
        page.wait_for_timeout(7_000)  # time must pass for a session to expire
        _card(page, "Meylan").get_by_role("button", name="Approuver").click()
        _idle(page)
        expect(main).to_contain_text("expiré")
        expect(page.get_by_role("button", name="Se connecter")).to_be_visible()
        # A forged link, and a project's link on another project, are refused.
        _go(page, f"{app}/proposer?projet=1&jeton=forge", "Proposer un projet")
        expect(main).to_contain_text("Ce lien d'édition n'est pas valable")
        expect(page.locator(".st-key-c_title")).to_have_count(0)
        _go(page, f"{app}/proposer?projet=1&jeton={token}", "Proposer un projet")
        expect(main).to_contain_text("Ce lien d'édition n'est pas valable")


def test_scripts_typed_in_every_field_are_stored_as_typed_and_never_run(
    routed_context: Callable, app_with_env: Callable, tmp_path: Path, geocoders: dict[str, str]
) -> None:
    from playwright.sync_api import expect

    url = f"sqlite:///{tmp_path / 'projets.sqlite'}"
    env = _env(url, **geocoders)
    password = _moderator(env, "essai", "departement:38")
    with app_with_env(env) as app:
        page, dialogs = _page(routed_context)
        _go(page, f"{app}/proposer", "Proposer un projet")
        title = f"{INJECTION} Toits"
        _type(page, "c_title", title)
        _type(page, "c_summary", f"{INJECTION} {MD_LINK}", area=True)
        html_link = "<a href='javascript:alert(4)'>a</a>"
        _type(page, "c_description", f"{INJECTION}\n\n{MD_LINK} {html_link}", area=True)
        _pick(page, "c_themes", "Énergie")
        _type(page, "c_porteur_nom_0", INJECTION)
        _pick(page, "c_porteur_type_0", "Association")
        _type(page, "c_website", "javascript:alert(5)")
        _type(page, "c_commons", "data:text/html,<script>alert(6)</script>", area=True)
        _type(page, "c_licence", INJECTION[:90])
        _find_address(page, f"{INJECTION} 10 rue des Arts Grenoble")
        page.get_by_text("10 Rue des Arts 38000 Grenoble (adresse)").click()
        _idle(page)
        _send(page)
        main = page.get_by_test_id("stMain")
        expect(main).to_contain_text("n'a pas été enregistré : 2 problèmes")
        expect(page.locator(".st-key-c_website")).to_be_visible()
        expect(main).to_contain_text("« javascript:alert(5) » n'est pas une adresse web")
        # Everything typed is still there; the two links are corrected, then it is sent.
        expect(page.locator(".st-key-c_title input")).to_have_value(title)
        _type(page, "c_website", "https://toits.exemple.fr")
        _type(page, "c_commons", "https://communs.exemple.fr/outil", area=True)
        _send(page)
        link = _edit_link(page)
        pid = int(re.search(r"projet=(\d+)", link).group(1))
        store = ProjectStore(url, locate=lambda lat, lon: None)
        stored = store.get(pid)
        assert stored.title == title and stored.carriers[0].name == INJECTION  # as typed
        assert stored.address == f"{INJECTION} 10 rue des Arts Grenoble"

        _log_in(page, app, "essai", password)
        expect(_card(page, "Toits")).to_be_visible()
        _card(page, "Toits").get_by_text("Historique").click()
        _idle(page)
        assert (
            page.locator(f"{CARDS} img, {CARDS} script, {CARDS} a[href^='javascript']").count() == 0
        )
        _card(page, "Toits").get_by_role("button", name="Approuver").click()
        _idle(page)

        _go(page, app, "Explorer les projets")
        page.locator(LIST_BUTTONS).filter(has_text="Toits").click()
        _idle(page)
        detail = page.locator(DETAIL)
        expect(detail).to_contain_text("onerror")
        assert detail.locator("img, a[href^='javascript'], a[href^='data']").count() == 0
        # The only script of the sheet is the app's own (bringing the sheet into view).
        scripts = detail.locator("script").evaluate_all("all => all.map(s => s.textContent)")
        assert all("st-key-fiche-projet" in s and "alert" not in s for s in scripts), scripts
        frame = page.frame_locator(MAP_FRAME).last
        frame.locator("path.marqueur-projet").first.click(force=True)
        expect(frame.locator(".leaflet-popup-content")).to_contain_text("onerror")
        assert (
            frame.locator(".leaflet-popup-content img, .leaflet-popup-content script").count() == 0
        )
        # The exported files: the HTML map opened in the browser, the data files as typed.
        with page.expect_download() as html_download:
            page.get_by_test_id("stDownloadButton").filter(has_text="Carte HTML").click()
        exported = tmp_path / "carte.html"
        html_download.value.save_as(exported)
        viewer = page.context.new_page()
        viewer.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        viewer.set_content(exported.read_text(encoding="utf-8"))  # routed: nothing leaves
        viewer.wait_for_load_state("load")
        viewer.locator("path.marqueur-projet").first.click(force=True)
        expect(viewer.locator(".leaflet-popup-content")).to_contain_text("onerror")
        viewer.wait_for_timeout(1_000)  # a handler scheduled late in the map would fire here
        # Back to the app's tab: a tab in the background has its timers throttled, and a
        # download built on click waits on them.
        page.bring_to_front()
        with page.expect_download() as geojson_download:
            page.get_by_test_id("stDownloadButton").filter(has_text="GeoJSON").click()
        data = json.loads(Path(geojson_download.value.path()).read_text(encoding="utf-8"))
        assert data["features"][0]["properties"]["title"] == title
        page.wait_for_timeout(1_000)  # a handler scheduled late would still fire here
        assert dialogs == []
        store.close()


def test_a_collective_fills_the_form_on_a_phone(
    routed_context: Callable, app_with_env: Callable, tmp_path: Path, screenshots_dir: Path
) -> None:
    from playwright.sync_api import expect

    url = f"sqlite:///{tmp_path / 'projets.sqlite'}"
    with app_with_env(_env(url)) as app:
        page, dialogs = _page(routed_context, 390, 844)
        _go(page, f"{app}/proposer", "Proposer un projet")
        page.screenshot(path=str(screenshots_dir / "proposer-390.png"))
        _type(page, "c_title", "Autopartage du Trièves")
        _type(page, "c_start_year", "deux mille")
        _find_address(page, "38710 Mens")  # a postal code of five communes: pick one
        page.get_by_text("Mens (commune, Isère)").click()
        _idle(page)
        _send(page)
        main = page.get_by_test_id("stMain")
        expect(main).to_contain_text("2 problèmes")  # no theme, a year in words
        page.locator(".st-key-c_themes").scroll_into_view_if_needed()
        page.screenshot(path=str(screenshots_dir / "proposer-erreurs-390.png"))
        expect(page.locator(".st-key-c_title input")).to_have_value("Autopartage du Trièves")
        expect(page.locator(".st-key-c_start_year input")).to_have_value("deux mille")
        page.locator(".st-key-c_adresse").scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        page.screenshot(path=str(screenshots_dir / "proposer-carte-390.png"))
        # A click on the map moves the pin and keeps the territory shown.
        expect(page.locator(MAP_FRAME)).to_have_count(1)
        page.locator(MAP_FRAME).scroll_into_view_if_needed()
        frame = page.frame_locator(MAP_FRAME).last
        expect(frame.locator(".leaflet-container")).to_be_visible()
        box = frame.locator(".leaflet-container").bounding_box()
        frame.locator(".leaflet-container").click(position={"x": box["width"] / 2 + 20,
                                                            "y": box["height"] / 2})  # fmt: skip
        _idle(page)
        expect(main).to_contain_text("point placé sur la carte")
        expect(main).to_contain_text("Département : Isère (38)")
        page.locator(".st-key-c-carte-lieu").scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        page.screenshot(path=str(screenshots_dir / "proposer-epingle-390.png"))
        assert dialogs == []


#: Whether each "Retirer" label shows whole: its text no wider than its box, its button inside
#: its row (a label cut reads "Ret…").
REMOVE_LABELS_FIT = """() => [...document.querySelectorAll('[class*="st-key-c_retirer_"] button')]
    .filter(button => button.checkVisibility())
    .map(button => {
        const label = button.querySelector('[data-testid="stMarkdownContainer"]');
        const text = document.createRange();
        text.selectNodeContents(label);
        const row = button.closest('[data-testid="stHorizontalBlock"]').getBoundingClientRect();
        return text.getBoundingClientRect().width <= label.getBoundingClientRect().width + 0.5
            && button.getBoundingClientRect().right <= row.right + 0.5;
    })"""


def test_remove_buttons_fit_at_1280_and_a_corrected_field_loses_its_message(
    routed_context: Callable, app_with_env: Callable, tmp_path: Path, screenshots_dir: Path
) -> None:
    from playwright.sync_api import expect

    url = f"sqlite:///{tmp_path / 'projets.sqlite'}"
    with app_with_env(_env(url)) as app:
        page, dialogs = _page(routed_context, 1280, 800)
        _go(page, f"{app}/proposer", "Proposer un projet")
        page.get_by_role("button", name="Ajouter un partenaire").click()
        _idle(page)
        remove = page.get_by_role("button", name="Retirer", exact=True)
        expect(remove).to_have_count(2)  # the carrier's row and the partner's
        remove.first.scroll_into_view_if_needed()
        page.screenshot(path=str(screenshots_dir / "proposer-porteurs-1280.png"))
        assert page.evaluate(REMOVE_LABELS_FIT) == [True, True]

        _send(page)
        main = page.get_by_test_id("stMain")
        required = main.get_by_test_id("stAlert").filter(
            has_text=re.compile(r"^\s*Champ obligatoire\.\s*$")
        )  # under a field (the summary says more)
        expect(required).to_have_count(1)  # the title: the only required text field
        expect(main).to_contain_text("Titre : Champ obligatoire.")
        expect(main).to_contain_text("Choisissez une adresse ou cliquez sur la carte.")
        page.locator(".st-key-c_title").scroll_into_view_if_needed()
        page.screenshot(path=str(screenshots_dir / "proposer-erreurs-1280.png"))
        _type(page, "c_title", "Autopartage du Trièves")  # no new send
        expect(required).to_have_count(0)
        expect(main).not_to_contain_text("Titre : Champ obligatoire.")
        expect(main).to_contain_text("Choisissez une adresse ou cliquez sur la carte.")
        page.screenshot(path=str(screenshots_dir / "proposer-erreur-corrigee-1280.png"))
        assert dialogs == []


def test_a_refused_collective_reads_why_corrects_and_proposes_again(
    routed_context: Callable, app_with_env: Callable, tmp_path: Path, screenshots_dir: Path
) -> None:
    from playwright.sync_api import expect

    url = f"sqlite:///{tmp_path / 'projets.sqlite'}"
    env = _env(url)
    password = _moderator(env, "essai")
    reason = "Indiquez qui porte le projet et son site web."
    with app_with_env(env) as app:
        page, dialogs = _page(routed_context)
        link = _propose(page, app, "Toits solaires du Drac")
        _log_in(page, app, "essai", password)
        card = _card(page, "Toits solaires du Drac")
        card.get_by_role("button", name="Refuser…").click()
        page.locator('[class*="st-key-m-raison-"] textarea').fill(reason)
        page.get_by_role("button", name="Refuser", exact=True).click()
        _idle(page)
        expect(page.get_by_test_id("stMain")).to_contain_text("refusé.")

        _go(page, link, "Proposer un projet")
        main = page.get_by_test_id("stMain")
        expect(main).to_contain_text("Votre projet a été refusé par la modération le")
        expect(main).to_contain_text(f"Raison donnée par la modération : « {reason} »")
        page.screenshot(path=str(screenshots_dir / "proposer-refuse-1280.png"))
        expect(page.locator(".st-key-c_envoyer button")).to_have_text("Proposer à nouveau")
        _type(page, "c_website", "https://toits.exemple.fr")
        _send(page)
        expect(main).to_contain_text("Votre projet corrigé est renvoyé en modération")
        expect(main).not_to_contain_text(reason)
        expect(page.locator(".st-key-c_envoyer button")).to_have_text(
            "Enregistrer les modifications"
        )
        _log_in(page, app, "essai", password)
        card = _card(page, "Toits solaires du Drac")
        expect(card).to_contain_text("proposition")
        expect(card).to_contain_text("toits.exemple.fr")  # the correction reached the inbox
        expect(card).to_contain_text("renvoyé en modération")  # in its history
        assert dialogs == []
