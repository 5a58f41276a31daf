"""The Explorer's URL state: encode, decode, notices, shared views."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.errors import UnknownTerritoryError
from geo.explorer import state as explorer
from geo.explorer.state import ExplorerState, decode, encode
from geo.projects.model import CARRIER_TYPES, STAGES, THEMES, categories
from geo.territory import TerritoryRef
from geo.territory.ref import split_ref

OVERLAYS = ("irve", "covoiturage")
KNOWN = {("commune", "38185"), ("departement", "38"), ("epci", "200040715")}


def _resolve(text: str) -> TerritoryRef:
    ref = TerritoryRef(*split_ref(text))
    if (ref.level, ref.code) not in KNOWN:
        raise UnknownTerritoryError("inconnu")
    return ref


def _subset(values: object) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(sorted(values)), unique=True, max_size=4).map(tuple)


_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40).map(
    lambda t: " ".join(t.split())
)

states = st.builds(
    ExplorerState,
    text=_text,
    themes=_subset(THEMES),
    categories=_subset(categories()),
    stages=_subset(STAGES),
    carrier_types=_subset(CARRIER_TYPES),
    territory=st.none() | st.sampled_from([TerritoryRef(*k) for k in sorted(KNOWN)]),
    near=_text,
    radius_km=st.sampled_from(explorer.RADII_KM),
    overlays=_subset(OVERLAYS),
    basemap=st.sampled_from(sorted(explorer.BASEMAPS)),
    project=st.none() | st.integers(1, 10**9),
    order=st.sampled_from(["recent", "title"]),
    view=st.none()
    | st.tuples(
        st.floats(-90, 90).map(lambda v: round(v, 5)),
        st.floats(-180, 180).map(lambda v: round(v, 5)),
        st.integers(0, 19),
    ),
)


@given(states)
def test_url_state_round_trip(state: ExplorerState) -> None:
    params = encode(state)
    assert all(isinstance(v, str) for v in params.values())
    decoded = decode(params, resolve=_resolve, overlays=OVERLAYS)
    assert decoded.notices == []
    expected = state if state.near else ExplorerState(**{**state.__dict__, "radius_km": 10})
    assert decoded.state == expected


def test_defaults_give_an_empty_url() -> None:
    assert encode(ExplorerState()) == {}
    assert decode({}).state == ExplorerState()
    assert explorer.permalink(ExplorerState(project=12)) == "/?projet=12"


@pytest.mark.parametrize(
    ("params", "field", "notices"),
    [
        ({"themes": "velo"}, "themes", 1),
        ({"categories": "<script>"}, "categories", 1),
        ({"etapes": "fini"}, "stages", 1),
        ({"porteurs": "mairie"}, "carrier_types", 1),
        ({"territoire": "commune:99999"}, "territory", 1),
        ({"territoire": "pays:FR"}, "territory", 1),
        ({"territoire": "grenoble"}, "territory", 1),
        ({"rayon": "7"}, "radius_km", 1),
        ({"rayon": "abc"}, "radius_km", 1),
        ({"fond": "satellite"}, "basemap", 1),
        ({"tri": "au hasard"}, "order", 1),
        ({"projet": "-3"}, "project", 1),
        ({"projet": "1e3"}, "project", 1),
        ({"projet": "٣"}, "project", 1),  # a digit, but not ASCII
        ({"vue": "45,5"}, "view", 1),
        ({"vue": "nan,5,6"}, "view", 1),
        ({"vue": "95,5,6"}, "view", 1),
        ({"vue": "45,5,40"}, "view", 1),
        ({"couches": "inconnue"}, "overlays", 1),
        ({"indicateur": "x"}, "indicator", 1),
        ({"q": "a" * 500}, "text", 1),
    ],
)
def test_invalid_params_are_ignored_with_a_notice(
    params: dict[str, str], field: str, notices: int
) -> None:
    decoded = decode(params, resolve=_resolve, overlays=OVERLAYS)
    default = getattr(ExplorerState(), field)
    kept = getattr(decoded.state, field)
    assert kept == default
    assert len(decoded.notices) == notices
    for notice in decoded.notices:
        assert "<script>" not in notice and "99999" not in notice and "a" * 50 not in notice


def test_valid_values_are_kept_beside_invalid_ones() -> None:
    decoded = decode({"themes": "energie,bidon", "categories": "solaire"})
    assert decoded.state.themes == ("energie",)
    assert decoded.state.categories == ("solaire",)


def test_distance_order_needs_a_place() -> None:
    assert decode({"tri": "distance"}).state.order == "recent"
    assert decode({"tri": "distance", "pres": "Grenoble"}).state.order == "distance"


def test_list_values_from_repeated_params() -> None:
    assert decode({"projet": ["3", "4"]}).state.project == 4


def test_nearest_first_is_the_default_around_a_place() -> None:
    assert decode({"pres": "Grenoble"}).state.order == "distance"
    assert decode({"pres": "Grenoble", "tri": "recent"}).state.order == "recent"
    near = ExplorerState(near="Grenoble", order="distance")
    assert "tri" not in encode(near)
    assert encode(replace(near, order="recent"))["tri"] == "recent"
    assert decode(encode(replace(near, order="recent"))).state.order == "recent"
