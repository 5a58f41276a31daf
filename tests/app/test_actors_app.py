"""The actors' index driven by AppTest: every public actor listed, narrowed by a search of
its name and by its type, a French notice when nothing matches."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown_text import shown
from reference import ROOT, territories
from streamlit.testing.v1 import AppTest

from geo.settings import get_settings
from geo.store.identity import Operator
from geo.store.project_store import ProjectStore

ACTEURS = str(ROOT / "pages" / "acteurs.py")
OPERATOR = Operator("essai")


def project(title: str, carrier: str, kind: str) -> dict:
    return {"title": title, "themes": ["energie"], "lat": 45.1885, "lon": 5.7245,
            "carriers": [{"name": carrier, "type": kind}]}  # fmt: skip


@pytest.fixture
def index(geo_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    url = f"sqlite:///{tmp_path / 'projets.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("GEO_DEMO", "0")
    monkeypatch.setenv("GEO_OFFLINE", "1")
    store = ProjectStore(url, settings=get_settings(), locate=territories())
    store.add_many(
        [
            project("Toits solaires", "Énergie Partagée", "association"),
            project("Chaufferie bois", "Énergies du Grésivaudan", "cooperative"),
            project("Navette", "Commune de Crolles", "collectivite"),
        ],
        actor=OPERATOR,
        status="publie",
    )
    store.close()
    at = AppTest.from_file(ACTEURS, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def _listed(at: AppTest) -> list[str]:
    """The actors' names in the links, as shown (``:material/groups: NAME — type, n projet``)."""
    found = (re.match(r":material/groups: (.+?) — ", shown(m.value)) for m in at.markdown)
    return [match.group(1) for match in found if match]


def test_a_search_and_a_type_narrow_the_actors(index: AppTest) -> None:
    assert len(_listed(index)) == 3
    index.text_input(key="acteurs_recherche").input("energie").run()
    assert sorted(_listed(index)) == ["Énergie Partagée", "Énergies du Grésivaudan"]
    index.button_group(key="acteurs_types").set_value(["cooperative"]).run()
    assert _listed(index) == ["Énergies du Grésivaudan"]
    index.text_input(key="acteurs_recherche").input("crolles").run()
    assert _listed(index) == []
    assert "Aucun acteur ne correspond à cette recherche." in [shown(i.value) for i in index.info]
