"""What a stop saves and how it reads back; the presentation's links, progress and autoplay."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from geo.explorer.state import ExplorerState
from geo.projects.model import THEMES
from geo.territory import TerritoryRef
from geo.workshop import stops

METRO = TerritoryRef("epci", "200040715")


def test_an_explorer_stop_saves_the_link_state_and_reads_it_back() -> None:
    state = ExplorerState(
        territory=METRO,
        themes=("energie",),
        overlays=("covoiturage",),
        project=12,
        view=(45.18, 5.72, 12),
        indicator="projets:commune",
        order="title",
    )
    params = stops.explorer_params(state)
    assert params["territoire"] == "epci:200040715" and params["projet"] == "12"
    assert params["vue"] == "45.18000,5.72000,12" and "tri" not in params  # the list's order
    decoded = stops.explorer_state(params, overlays=["covoiturage"], indicators=["projets:commune"])
    assert decoded.notices == []
    assert decoded.state.territory == METRO and decoded.state.project == 12
    assert decoded.state.overlays == ("covoiturage",) and decoded.state.view == (45.18, 5.72, 12)


def test_a_stop_whose_layer_is_gone_still_opens_without_it() -> None:
    params = {"territoire": "epci:200040715", "couches": "disparue", "projet": "x"}
    decoded = stops.explorer_state(params, overlays=["covoiturage"])
    assert decoded.state.overlays == () and decoded.state.project is None
    assert decoded.state.territory == METRO
    assert len(decoded.notices) == 2 and all("ignoré" in n for n in decoded.notices)


def test_portrait_params_and_territory() -> None:
    params = stops.portrait_params(METRO, indicator="irve:points", reference="voisins")
    assert params == {
        "territoire": "epci:200040715",
        "indicateur": "irve:points",
        "reference": "voisins",
    }
    assert stops.stop_territory(params) == METRO
    assert stops.stop_territory({"territoire": "pays:FR"}) is None
    assert stops.stop_territory({}) is None


def test_suggested_titles() -> None:
    state = ExplorerState(themes=("energie", "mobilite"), text="vélo")
    assert stops.suggested_title(state, "Grenoble", THEMES) == (
        "Grenoble — énergie et mobilité — « vélo »"
    )
    assert stops.suggested_title(ExplorerState(), None, THEMES) == "France"


def test_the_presentation_link_carries_streamlits_embed_options() -> None:
    url = stops.presentation_url(
        7, base_path="/carte/", stop=3, key="clé", workshop="ACD346", autoplay=20
    )
    parts = urlsplit(url)
    assert parts.path == "/carte/presentation"
    query = parse_qs(parts.query)
    assert query["parcours"] == ["7"] and query["arret"] == ["3"] and query["auto"] == ["20"]
    assert query["jeton"] == ["clé"] and query["atelier"] == ["ACD346"]
    assert query["embed"] == ["true"]
    assert query["embed_options"] == ["light_theme", "hide_loading_screen"]
    assert "jeton" not in stops.presentation_url(7)


@pytest.mark.parametrize(
    ("raw", "count", "expected"),
    [
        ("1", 5, 0),
        ("3", 5, 2),
        ("9", 5, 4),
        ("0", 5, 0),
        ("-2", 5, 0),
        ("x", 5, 0),
        (None, 5, 0),
        ("2", 0, 0),
    ],
)
def test_stop_index_from_the_address(raw: object, count: int, expected: int) -> None:
    assert stops.stop_index(raw, count) == expected


def test_progress_and_autoplay() -> None:
    assert stops.progress_text(2, 7) == "3 / 7"
    assert stops.progress_text(0, 0) == "0 / 0"
    assert stops.autoplay_delay("20") == 20
    assert stops.autoplay_delay("7") is None and stops.autoplay_delay("vite") is None
