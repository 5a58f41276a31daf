"""User text in the Explorer's widgets is plain text: a title's Markdown (a remote image, bold,
a bare URL) is shown as typed in the list buttons and the sheet's heading, never rendered."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from explorer_seed import app_store
from reference import ROOT
from streamlit.testing.v1 import AppTest

from geo.text import plain_markdown

PAGE = str(ROOT / "pages" / "explorer.py")
TITLE = "![x](http://pixel.example/p.png) **gras** www.exemple.fr :red[rouge] $x$"
ROW = {
    "external_id": "md1",
    "source": "essai-markdown",
    "title": TITLE,
    "themes": ["energie"],
    "categories": ["solaire"],
    "lat": 45.1885,
    "lon": 5.7245,
    "description": "## Un intertitre\n\nLe texte du projet.",
}


@pytest.fixture(scope="module")
def seeded(
    geo_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, int]]:
    with app_store(tmp_path_factory.mktemp("markdown-title"), [ROW]) as ids:
        yield ids


def test_a_title_in_the_list_and_the_sheet_is_plain_text(seeded: dict[str, int]) -> None:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    [button] = [b for b in at.button if b.key and b.key.startswith("choisir-")]
    assert button.label == plain_markdown(TITLE)
    at = button.click().run()
    assert not at.exception, at.exception
    assert plain_markdown(TITLE) in [h.value for h in at.subheader]


def test_a_heading_in_the_description_is_no_larger_than_the_sheets_title(
    seeded: dict[str, int],
) -> None:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.run()
    [button] = [b for b in at.button if b.key and b.key.startswith("choisir-")]
    at = button.click().run()
    assert not at.exception, at.exception
    shown = [m.value for m in at.markdown if "intertitre" in m.value]
    assert shown and not any(
        line.lstrip().startswith("#") for m in shown for line in m.splitlines()
    )
