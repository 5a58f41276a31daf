"""A fresh server whose first visit is a page URL shows that page behind the router: page
config, the navigation with every page, and Leaflet served by the app itself."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest

pytestmark = pytest.mark.e2e

APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
NAV_LINKS = '[data-testid="stSidebarNav"] a'
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'


@pytest.mark.parametrize(
    ("path", "title"), [("/carte", "Trouver un territoire"), ("/", "Explorer")]
)
def test_the_first_visit_of_a_fresh_server_runs_behind_the_router(
    fresh_app: Callable[[], AbstractContextManager[str]],
    routed_context: Callable[..., tuple[object, object]],
    path: str,
    title: str,
) -> None:
    from playwright.sync_api import expect

    with fresh_app() as url:
        context, network = routed_context(width=1280, height=800)
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(f"{url}{path}")
        expect(page.locator("h1").first).to_contain_text(title)
        page.wait_for_selector(APP_IDLE)
        # The router ran: the navigation lists its pages (legacy mode would also list
        # navigation.py).
        expect(page.locator(NAV_LINKS)).to_have_count(8)
        # Each link's text after its icon (a Material icon's text is its name, on a line
        # of its own: "search\n\nExplorer").
        names = [re.sub(r"^[^\w]+", "", text.splitlines()[-1]).strip()
                 for text in page.locator(NAV_LINKS).all_inner_texts()]  # fmt: skip
        assert names == [
            "Explorer",
            "Territoires",
            "Portrait de territoire",
            "Communs",
            "Acteurs",
            "Proposer un projet",
            "Parcours",
            "Modération",
        ]
        assert page.title().startswith("Carte des communs")  # set_page_config ran
        frame = page.frame_locator(MAP_FRAME)
        expect(frame.locator(".leaflet-container")).to_be_visible()
        assert network.external == []
        assert any(u.endswith("/app/static/vendor/leaflet/leaflet.js") for u in network.local)
