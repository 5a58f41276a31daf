"""A commune in Gironde, one in Réunion and one in Corsica, on the national reference: located
and searched by the command line, found and outlined by the app in a real browser."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.national]

ROOT = Path(__file__).resolve().parents[3]
#: (commune, INSEE code, a point inside it, what a visitor types to find it)
PLACES = [
    ("Bordeaux", "33063", (44.8378, -0.5792), "Bordeaux"),
    ("Saint-Denis", "97411", (-20.8823, 55.4504), "Saint-Denis 974"),
    ("Ajaccio", "2A004", (41.9192, 8.7386), "Ajaccio"),
]
APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'


def _geo(env: dict[str, str], *args: str) -> object:
    done = subprocess.run(
        [sys.executable, "-m", "geo", *args, "--json"],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_located_by_the_command_line(national_env: dict[str, str]) -> None:
    coordinates = [str(v) for _, _, point, _ in PLACES for v in point]
    located = _geo(national_env, "territory", "locate", *coordinates)
    assert [row["code_commune"] for row in located] == [code for _, code, _, _ in PLACES]
    assert [row["code_departement"] for row in located] == ["33", "974", "2A"]


@pytest.mark.parametrize(("nom", "code", "point", "typed"), PLACES)
def test_searched_by_the_command_line(
    national_env: dict[str, str], nom: str, code: str, point: object, typed: str
) -> None:
    found = _geo(national_env, "territory", "search", typed, "--limit", "5")
    assert any(r["level"] == "commune" and r["code"] == code for r in found), found


def test_outlined_by_the_app(
    national_env: dict[str, str],
    fresh_app: Callable[[], AbstractContextManager[str]],
    routed_context: Callable[..., tuple[object, object]],
) -> None:
    from playwright.sync_api import expect

    with fresh_app() as url:
        context, network = routed_context(width=1280, height=800)
        page = context.new_page()
        page.set_default_timeout(120_000)
        for nom, code, _, _ in PLACES:
            page.goto(f"{url}/carte?territoire=commune:{code}")
            page.wait_for_selector(APP_IDLE)
            caption = page.locator(".st-key-territoire-choisi")
            expect(caption).to_contain_text(nom)
            outline = page.frame_locator(MAP_FRAME).locator(
                f"path.territoire-selectionne.territoire-commune-{code}"
            )
            expect(outline).to_have_count(1)
        # And the Explorer finds the Réunion commune by its name in its territory filter.
        page.goto(f"{url}/?territoire=commune:97411")
        page.wait_for_selector(APP_IDLE)
        expect(page.locator(".st-key-f_territoire input")).to_have_value("Saint-Denis")
        assert network.external == []
