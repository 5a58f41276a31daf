"""People and process in a real browser, on the demo data: from a project's sheet to its
carrier's actor page, to a commun it reuses, to the map of every project reusing that commun,
to the Explorer filtered by that commun; on a desktop and a 390 px phone, tiles failing, every
non-local request refused; screenshots of each step."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from geo.store import ProjectFilter, ProjectStore

pytestmark = pytest.mark.e2e

APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
VIEWPORTS = {"desktop": (1280, 900), "mobile": (390, 844)}
TIMEOUT_MS = 90_000
PROJECT = "Toits solaires citoyens des écoles"
CARRIER = "Collectif des écoles solaires"
COMMUN = "Kit de la centrale villageoise"


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('demo-store') / 'projets.sqlite'}"


def _idle(page: object) -> None:
    page.wait_for_selector(APP_IDLE)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_from_a_sheet_to_the_projects_reusing_a_commun(
    viewport: str,
    app_with_env: Callable[[dict[str, str]], object],
    routed_context: Callable[..., tuple[object, object]],
    demo_url: str,
    screenshots_dir: Path,
) -> None:
    from playwright.sync_api import expect

    env = dict(os.environ) | {"DATABASE_URL": demo_url, "GEO_DEMO": "1"}
    width, height = VIEWPORTS[viewport]
    with app_with_env(env) as app_url:
        context, network = routed_context(width=width, height=height, tiles="aborted")
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        expect.set_options(timeout=TIMEOUT_MS)
        page.goto(app_url)  # the first visit loads the demo projects, communs and actors
        _idle(page)
        store = ProjectStore(demo_url)
        (project,) = store.query(ProjectFilter(text=PROJECT)).items
        commun = next(c for c in store.communs.list() if c.title == COMMUN)
        reusing = store.communs.get(commun.id).reused_by
        assert len(reusing) >= 5
        store.close()

        # 1. The project's sheet: its carrier is a link to its actor page.
        page.goto(f"{app_url}/?projet={project.id}")
        _idle(page)
        sheet = page.locator(".st-key-fiche-projet")
        expect(sheet.get_by_role("heading", name=PROJECT)).to_be_visible()
        expect(sheet.get_by_text("Ce qui a marché", exact=False)).to_be_visible()
        carrier = sheet.get_by_role("link", name=re.compile(CARRIER))
        carrier.scroll_into_view_if_needed()
        page.screenshot(path=screenshots_dir / f"communs-1-fiche-{viewport}.png")
        carrier.click()

        # 2. The actor's page: its projects, and the communs it reuses.
        expect(page.get_by_role("heading", name=CARRIER)).to_be_visible()
        _idle(page)
        assert "acteur=" in page.url
        expect(page.locator(".st-key-acteur-projets").get_by_text(PROJECT)).to_be_visible()
        page.screenshot(path=screenshots_dir / f"communs-2-acteur-{viewport}.png", full_page=True)
        page.get_by_role("link", name=COMMUN).click()

        # 3. The commun's page: what it is, its licence in words, who maintains it, where it
        # is reused (a map of every project reusing it, by territory).
        expect(page.get_by_role("heading", name=COMMUN)).to_be_visible()
        _idle(page)
        assert f"commun={commun.id}" in page.url
        expect(page.get_by_text("Qu'est-ce que c'est ?", exact=False)).to_be_visible()
        expect(page.get_by_text("Commun d'exemple, fictif", exact=False).first).to_be_visible()
        heading = page.get_by_role("heading", name=f"Où il est réutilisé : {len(reusing)} projets")
        expect(heading).to_be_visible()
        listed = page.locator(".st-key-commun-projets li")
        expect(listed).to_have_count(len(reusing))
        carte = page.locator(".st-key-commun-carte")
        carte.scroll_into_view_if_needed()
        frame = carte.frame_locator('iframe[title="streamlit_folium.st_folium"]')
        expect(frame.locator("path.marqueur-projet, .marker-cluster").first).to_be_attached()
        expect(page.get_by_role("link", name=re.compile("Isère : \\d+ projets"))).to_be_visible()
        page.screenshot(path=screenshots_dir / f"communs-3-commun-{viewport}.png", full_page=True)
        page.get_by_role("link", name="Voir ces projets sur l'Explorer").click()

        # 4. The Explorer, filtered by that commun (in its link): the same projects.
        _idle(page)
        expect(page.get_by_role("heading", name=f"{len(reusing)} projets")).to_be_visible()
        assert f"commun={commun.id}" in page.url
        # The sidebar's "Utilise le commun" shows it (on a phone the sidebar is folded).
        assert COMMUN in page.locator(".st-key-f_commun").aria_snapshot()
        for title in listed_titles(page, len(reusing)):
            assert title
        page.screenshot(path=screenshots_dir / f"communs-4-explorer-{viewport}.png")
        assert network.external == []


def listed_titles(page: object, count: int) -> list[str]:
    buttons = page.locator(".st-key-liste-projets button")
    from playwright.sync_api import expect

    expect(buttons).to_have_count(count)
    return [buttons.nth(i).inner_text() for i in range(count)]
