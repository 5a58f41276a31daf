"""An old commune code in a link means today's commune everywhere: the outline drawn, the store
query and the projects listed (Arzay, 38016, is part of Porte-des-Bonnevaux, 38479)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from explorer_seed import app_store
from markdown_text import shown
from reference import ROOT
from streamlit.testing.v1 import AppTest

from geo.mapping import projects as project_maps
from geo.store import ProjectStore
from geo.territory import TerritoryRef

PAGE = str(ROOT / "pages" / "explorer.py")
BONNEVAUX = {
    "external_id": "b1",
    "source": "essai-ancien-code",
    "title": "Essai chaufferie de Porte-des-Bonnevaux",
    "themes": ["energie"],
    "categories": ["reseau_de_chaleur"],
    "stage": "en_projet",
    "lat": 45.431925,
    "lon": 5.221868,
}
GRENOBLE = {
    **BONNEVAUX,
    "external_id": "g1",
    "title": "Essai ailleurs",
    "lat": 45.1885,
    "lon": 5.7245,
}


@pytest.fixture(scope="module")
def seeded(
    geo_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, int]]:
    with app_store(tmp_path_factory.mktemp("old-codes"), [BONNEVAUX, GRENOBLE]) as ids:
        yield ids


def test_an_old_commune_code_in_the_url_lists_the_current_communes_projects(
    seeded: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    queried: list[Any] = []
    drawn: list[Any] = []
    all_frame, explorer_map = ProjectStore.all_frame, project_maps.explorer_map

    def spy_frame(self: ProjectStore, criteria: Any = None, **kwargs: Any) -> Any:
        queried.append(criteria)
        return all_frame(self, criteria, **kwargs)

    def spy_map(**kwargs: Any) -> Any:
        drawn.append(kwargs.get("selection"))
        return explorer_map(**kwargs)

    monkeypatch.setattr(ProjectStore, "all_frame", spy_frame)
    monkeypatch.setattr(project_maps, "explorer_map", spy_map)
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.query_params["territoire"] = "commune:38016"
    at.run()
    assert not at.exception, at.exception
    assert not at.warning
    assert queried[-1].territory == TerritoryRef("commune", "38479")
    assert (drawn[-1].level, drawn[-1].code) == ("commune", "38479")
    listed = [shown(b.label) for b in at.button if b.key and b.key.startswith("choisir-")]
    assert listed == [BONNEVAUX["title"]]
    assert at.text_input(key="f_territoire").value == "Porte-des-Bonnevaux"
    # The link now names the current commune.
    assert at.query_params["territoire"] == "commune:38479"
