"""The Explorer's exports in a real browser (issue 22): beside the exchange CSV, a « Tableur
(XLSX) » file whose codes are text and numbers are numbers, and a line saying which to use.
A server of its own, on a store holding one project in Grenoble."""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from explorer_seed import OPERATOR
from openpyxl import load_workbook

from geo.settings import get_settings
from geo.store.project_store import ProjectStore
from geo.territory import load_territories

pytestmark = pytest.mark.e2e

APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
TIMEOUT_MS = 60_000
TITLE = "Toits solaires des écoles"


@pytest.fixture
def served(
    app_with_env: Callable[[dict[str, str]], AbstractContextManager[str]], tmp_path: Path
) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'projets.sqlite'}"
    settings = get_settings()
    store = ProjectStore(url, settings=settings, locate=load_territories(settings))
    store.add_many(
        [{"title": TITLE, "themes": ["energie"], "lat": 45.1885, "lon": 5.7245,
          "power_kwc": 36.5, "source": "essai-tableur", "external_id": "0042"}],
        actor=OPERATOR,
        status="publie",
    )  # fmt: skip
    store.close()
    env = dict(os.environ) | {"DATABASE_URL": url, "GEO_DEMO": "0", "GEO_OFFLINE": "1"}
    with app_with_env(env) as app:
        yield app


def test_the_spreadsheet_export_keeps_codes_and_numbers(
    routed_context: Callable[..., tuple[object, object]],
    served: str,
    screenshots_dir: Path,
) -> None:
    from playwright.sync_api import expect

    context, network = routed_context(width=1280, height=800)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    page.goto(served)
    page.wait_for_selector(APP_IDLE)
    buttons = page.get_by_test_id("stDownloadButton")
    expect(buttons).to_have_count(5)
    note = page.get_by_text("pour l'ouvrir dans LibreOffice ou Excel")
    expect(note).to_contain_text("CSV d'échange")
    note.scroll_into_view_if_needed()
    page.screenshot(path=screenshots_dir / "explorer-exports.png")

    with page.expect_download() as download:
        buttons.filter(has_text="Tableur (XLSX)").click()
    assert download.value.suggested_filename == "projets.xlsx"
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    sheet = book["Projets"]
    header = [cell.value for cell in sheet[1]]
    cells = dict(zip(header, sheet[2], strict=True))
    assert cells["Titre"].value == TITLE
    assert cells["Code commune (INSEE)"].value == "38185"
    assert cells["Code département"].value == "38" and cells["Code département"].data_type == "s"
    assert cells["Identifiant externe"].value == "0042"
    assert isinstance(cells["Latitude"].value, float) and cells["Puissance (kWc)"].value == 36.5
    assert cells["Commune (nom)"].value == "Grenoble"
    assert network.external == []
