"""What a visitor's browser really receives (issue 11): a title full of Markdown is plain
text in the list and the sheet (no remote image fetched, no bold, no link made of a URL), and
a damaged project store is a French message, never a traceback. Each test runs a server of its
own on a store of its own."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from broken_stores import not_a_database
from explorer_seed import OPERATOR

from geo.settings import get_settings
from geo.store.project_store import ProjectStore
from geo.territory import load_territories

pytestmark = pytest.mark.e2e

APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
LIST_BUTTONS = ".st-key-liste-projets button"
DETAIL = ".st-key-fiche-projet"
TITLE = "![x](http://pixel.example/p.png) **gras** www.exemple.fr contact@exemple.fr :red[r]"


def _env(url: str) -> dict[str, str]:
    return dict(os.environ) | {"DATABASE_URL": url, "GEO_DEMO": "0", "GEO_OFFLINE": "1"}


def _open(routed_context: Callable[..., tuple[object, object]], url: str) -> tuple[object, object]:
    context, network = routed_context(width=1280, height=800)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    page.wait_for_selector(APP_IDLE)
    return page, network


def test_a_markdown_title_is_plain_text_in_the_browser(
    routed_context: Callable[..., tuple[object, object]], app_with_env: Callable, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    url = f"sqlite:///{tmp_path / 'projets.sqlite'}"
    store = ProjectStore(url, locate=load_territories(get_settings()))
    store.add_many([{"title": TITLE, "themes": ["energie"], "lat": 45.1885, "lon": 5.7245,
                     "source": "essai-md", "external_id": "1"}],
                   actor=OPERATOR, status="publie")  # fmt: skip
    store.close()
    with app_with_env(_env(url)) as app:
        page, network = _open(routed_context, app)
        button = page.locator(LIST_BUTTONS).first
        expect(button).to_be_visible()
        assert button.inner_text().replace("\u2060", "") == TITLE
        assert button.locator("img, strong, a, span[style*='color']").count() == 0
        button.click()
        page.wait_for_selector(APP_IDLE)
        heading = page.locator(f"{DETAIL} h3").first
        expect(heading).to_be_visible()
        assert heading.inner_text().replace("\u2060", "") == TITLE
        assert page.locator(f"{DETAIL} h3 img, {DETAIL} h3 a, {DETAIL} h3 strong").count() == 0
        assert not [u for u in network.external if "pixel.example" in u]
        assert not [u for u in network.local if "pixel.example" in u]


def test_a_damaged_store_is_a_french_message_not_a_traceback(
    routed_context: Callable[..., tuple[object, object]], app_with_env: Callable, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    with app_with_env(_env(not_a_database(tmp_path))) as app:
        page, _ = _open(routed_context, app)
        alert = page.get_by_test_id("stAlertContainer").filter(has_text="registre des projets")
        expect(alert.first).to_be_visible()
        text = page.locator('[data-testid="stMain"]').inner_text()
        assert "sauvegarde" in text
        assert "Traceback" not in text and str(tmp_path) not in text
        assert page.get_by_test_id("stException").count() == 0
