"""The Explorer's selection: store filter, order, carriers, count, map clicks."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.explorer import selection
from geo.explorer.selection import handle_click
from geo.explorer.state import ExplorerState
from geo.territory import TerritoryRef


def test_project_filter() -> None:
    state = ExplorerState(
        text="soleil", themes=("energie",), territory=TerritoryRef("commune", "38185"), radius_km=5
    )
    criteria = selection.project_filter(state, near_point=(45.2, 5.7))
    assert criteria.themes == ("energie",)
    assert criteria.territory == TerritoryRef("commune", "38185")
    assert criteria.text == "soleil"
    assert criteria.near == (45.2, 5.7, 5.0)
    assert criteria.statuses == ("publie",)
    assert selection.project_filter(ExplorerState()).near is None


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [1, 2, 3],
            "title": ["Zèbre solaire", "éolien citoyen", "Autopartage"],
            "lat": [45.0, 45.1, 45.5],
            "lon": [5.0, 5.1, 5.5],
            "carriers": [
                [{"name": "Mairie", "type": "collectivite"}],
                [{"name": "Coop", "type": "cooperative"}, {"name": "Asso", "type": "association"}],
                [],
            ],
        }
    )


def test_sorting() -> None:
    frame = _frame()
    assert selection.sort_frame(frame, "title")["id"].tolist() == [3, 2, 1]
    assert selection.sort_frame(frame, "recent")["id"].tolist() == [3, 2, 1]
    distances = selection.distances_km(frame, (45.5, 5.5))
    assert distances is not None and distances.iloc[2] == pytest.approx(0)
    assert selection.sort_frame(frame, "distance", distances)["id"].tolist() == [3, 2, 1]
    assert selection.sort_frame(frame, "distance", selection.distances_km(frame, (45, 5)))[
        "id"
    ].tolist() == [1, 2, 3]


def test_carrier_type_filter() -> None:
    frame = _frame()
    assert selection.with_carriers(frame, ["association"])["id"].tolist() == [2]
    assert selection.with_carriers(frame, [])["id"].tolist() == [1, 2, 3]
    assert selection.with_carriers(frame, ["entreprise"]).empty


@pytest.mark.parametrize(
    ("count", "text"),
    [(0, "Aucun projet"), (1, "1 projet"), (23, "23 projets"), (1234, "1\u202f234 projets")],
)
def test_count_text(count: int, text: str) -> None:
    assert selection.count_text(count) == text


POINTS = [(1, 45.0, 5.0, "Un"), (2, 45.1, 5.1, "Deux"), (3, 45.1, 5.1, "Trois")]


@pytest.mark.parametrize(
    ("clicked", "tooltip", "last", "current", "expected"),
    [
        (None, None, None, 7, 7),  # nothing clicked: the selection stays
        ({"lat": 45.0, "lng": 5.0}, "Un", None, None, 1),
        ({"lat": 45.0000001, "lng": 5.0}, None, None, None, 1),  # float noise
        ({"lat": 45.1, "lng": 5.1}, "Trois", None, None, 3),  # same place, told by title
        ({"lat": 45.1, "lng": 5.1}, " Deux ", None, None, 2),
        ({"lat": 45.1, "lng": 5.1}, None, None, None, 2),  # no title: the first there
        ({"lat": 46.0, "lng": 6.0}, "12", None, 2, 2),  # a cluster or outline: kept
        ({"lat": 45.0, "lng": 5.0}, "Un", (45.0, 5.0, "Un"), 2, 2),  # already handled
        ({"lat": "x", "lng": 5.0}, None, None, 2, 2),
        ({"lng": 5.0}, None, None, 2, 2),
    ],
)
def test_handle_click(
    clicked: dict | None, tooltip: str | None, last: tuple | None, current: int | None, expected
) -> None:
    outcome = handle_click(clicked, tooltip, points=POINTS, last_handled=last, current=current)
    assert outcome.project == expected


def test_a_handled_click_is_remembered() -> None:
    first = handle_click(
        {"lat": 45.0, "lng": 5.0}, "Un", points=POINTS, last_handled=None, current=None
    )
    assert first.project == 1
    # The user then picks another project in the list: the same click, returned again, is stale.
    again = handle_click(
        {"lat": 45.0, "lng": 5.0}, "Un", points=POINTS, last_handled=first.handled, current=2
    )
    assert again.project == 2
