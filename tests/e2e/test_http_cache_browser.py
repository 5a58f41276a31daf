"""A returning visitor's browser keeps the map component's script: the next visit of the
Explorer takes it from the browser's cache instead of downloading it again (ui/http_cache.py)."""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest

pytestmark = pytest.mark.e2e

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
#: The component's script, named by its content's hash (main.521860b0.js).
SCRIPT_SIZES = """() => performance.getEntriesByType("resource")
    .filter((entry) => /\\/main\\.[0-9a-f]{8,}\\.js$/.test(entry.name))
    .map((entry) => [entry.name, entry.transferSize])"""


def test_the_next_visit_takes_the_map_component_script_from_the_browser_cache(
    app_with_env: Callable[[dict[str, str]], AbstractContextManager[str]], browser: object
) -> None:
    from playwright.sync_api import expect

    # Offline: no tile requests. Not routed: Playwright's routing turns the HTTP cache off.
    with app_with_env({**os.environ, "GEO_OFFLINE": "1"}) as url:
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR")
        try:
            sizes = []
            for _visit in ("first", "next"):
                page = context.new_page()
                page.set_default_timeout(60_000)
                page.goto(url)
                leaflet = page.frame_locator(MAP_FRAME).locator(".leaflet-container")
                expect(leaflet).to_be_visible(timeout=60_000)
                frame = next(f for f in page.frames if "/component/streamlit_folium" in f.url)
                sizes.append(frame.evaluate(SCRIPT_SIZES))
                page.close()
        finally:
            context.close()
        (first,), (again,) = sizes
        assert first[1] > 0, "the first visit downloads the script"
        assert again == [first[0], 0], "the next visit finds it in the browser's cache"
        with urllib.request.urlopen(first[0], timeout=10) as answer:
            assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        index = first[0].split("/static/")[0] + "/index.html"
        with urllib.request.urlopen(index, timeout=10) as answer:
            assert answer.headers["Cache-Control"] == "no-cache"
