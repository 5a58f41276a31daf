"""The presentation page driven by AppTest: the tour's private key leaves the address once
read (the room reads the projected address), the facilitator's view stays."""

from __future__ import annotations

import pytest
from markdown_text import shown
from reference import ROOT
from streamlit.testing.v1 import AppTest

from geo.store.project_store import ProjectStore
from geo.territory import TerritoryRef

PRESENTATION = str(ROOT / "pages" / "presentation.py")
TIMEOUT = 120
METRO = TerritoryRef("epci", "200040715")


@pytest.fixture
def draft(store: ProjectStore) -> tuple[int, str, str]:
    """A draft tour of one stop, its key, and the code of a workshop with one idea."""
    tour_id, key = store.tours.create("Atelier PCAET", territory=str(METRO))
    store.tours.add_stop(
        tour_id, kind="explorer", title="Les toits", params={"territoire": str(METRO)}, token=key
    )
    code = store.workshops.open(tour_id, territory=METRO, per_minute=5, cap=10, token=key).code
    store.workshops.contribute(
        code,
        {"title": "Une idée", "themes": ["energie"], "lat": 45.19, "lon": 5.72},
        participant="p",
    )
    return tour_id, key, code


def _text(at: AppTest) -> str:
    elements = [*at.markdown, *at.error, *at.warning, *at.caption, *at.header]
    return " ".join(shown(str(e.value)) for e in elements)


def test_the_private_key_leaves_the_address_and_the_facilitator_keeps_the_room(
    store: ProjectStore, draft: tuple[int, str, str]
) -> None:
    tour_id, key, code = draft
    at = AppTest.from_file(PRESENTATION, default_timeout=TIMEOUT)
    at.query_params.update({"parcours": str(tour_id), "jeton": key, "atelier": code})
    at.run()
    assert not at.exception, at.exception
    assert "jeton" not in at.query_params
    assert key not in " ".join(f"{k}={v}" for k, v in at.query_params.items())
    # Still the facilitator's screen: the draft shown, the room's ideas with it.
    assert [h.value for h in at.header] == ["Les toits"]
    assert "n° 1 — Une idée" in _text(at)
    at.run()  # a rerun, the address without the key
    assert not at.exception and "n° 1 — Une idée" in _text(at)


def test_a_wrong_key_is_said_and_leaves_the_address_too(
    store: ProjectStore, draft: tuple[int, str, str]
) -> None:
    tour_id, _, _ = draft
    at = AppTest.from_file(PRESENTATION, default_timeout=TIMEOUT)
    at.query_params.update({"parcours": str(tour_id), "jeton": "pas-la-bonne-cle-du-tout"})
    at.run()
    assert "jeton" not in at.query_params
    assert "lien privé de parcours n'est pas valable" in _text(at)
    assert "n'est pas publié" in _text(at)
