"""The Explorer's pure logic: URL state, filters, clicks, sorting, counts and escaping."""

from __future__ import annotations

import json
import re

import folium
import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import box

from geo.errors import MapTooHeavyError, UnknownTerritoryError
from geo.explorer import choropleth as choropleths
from geo.explorer import selection
from geo.explorer import state as explorer
from geo.explorer.selection import handle_click
from geo.explorer.state import ExplorerState, decode, encode
from geo.mapping import base as maps
from geo.mapping import projects as explorer_map
from geo.mapping.projects import popup_html
from geo.projects.model import CARRIER_TYPES, STAGES, THEMES, categories
from geo.territory import TerritoryRef
from geo.territory.ref import split_ref
from geo.text import plain_markdown, safe_markdown

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


HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "javascript:alert(1)",
    "`${alert(1)}`\\",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_popup_escapes_everything(text: str) -> None:
    html = popup_html(
        title=text,
        carriers=[{"name": text, "type": "association"}],
        stage="idee",
        commune=text,
        link="/?projet=1",
    )
    assert "<script" not in html and "<img" not in html and "`" not in html and "${" not in html
    assert html.count("<a ") == 1 and 'href="/?projet=1"' in html


@pytest.mark.parametrize("link", ["javascript:alert(1)", "//evil.example/x", "https://e.x"])
def test_popup_link_is_ours_only(link: str) -> None:
    html = popup_html(title="t", carriers=[], stage="idee", commune=None, link=link)
    assert 'href="#"' in html


def test_markers_carry_escaped_text_in_the_rendered_map() -> None:
    frame = pd.DataFrame(
        {
            "id": [5],
            "title": [HOSTILE[1]],
            "lat": [45.19],
            "lon": [5.72],
            "themes": [["energie", "mobilite"]],
            "carriers": [[{"name": HOSTILE[0], "type": "association"}]],
            "stage": ["en_service"],
        }
    )
    m = folium.Map(tiles=None)
    explorer_map.project_layer(frame, link=lambda pid: f"/?projet={pid}").add_to(m)
    page = m.get_root().render()
    assert "onerror=" not in page.replace("onerror=&#34;", "") or "<img" not in page
    assert "<img src=x" not in page and "<script>alert" not in page
    assert explorer_map.THEME_COLOURS["both"] in page
    assert "marqueur-projet projet-5 projet-choisi" not in page
    popup = re.search(r"bindPopup\((\".*?\"), \{maxWidth", page)
    assert popup and "&lt;script&gt;" in json.loads(popup.group(1))


@pytest.mark.parametrize(
    ("text", "absent", "present"),
    [
        ("<script>alert(1)</script>", "<script>", "&lt;script&gt;"),
        ('<img src=x onerror="alert(1)">', "<img", "&lt;img"),
        ("[clic](javascript:alert(1))", "javascript:", "clic"),
        ("[clic]( JavaScript:alert(1) )", "JavaScript:", "clic"),
        ("![x](data:text/html;base64,xx)", "data:", "x"),
        ("[a]: javascript:alert(1)", "javascript:", ""),
        ("<javascript:alert(1)>", "<javascript", "&lt;javascript"),
    ],
)
def test_safe_markdown_neutralises_html_and_scripts(text: str, absent: str, present: str) -> None:
    safe = safe_markdown(text)
    assert absent not in safe
    assert present in safe


def test_safe_markdown_keeps_formatting_and_web_links() -> None:
    text = "**Gras** et [site](https://exemple.fr)\n\n- point"
    assert safe_markdown(text) == text


def test_plain_markdown_shows_text_as_itself() -> None:
    assert plain_markdown("[a](b) *c*") == "\\[a\\](b) \\*c\\*"


def test_standalone_html_inlines_leaflet() -> None:
    from geo.mapping import base as maps

    m = explorer_map.explorer_map(basemap="aucun", selection=None, context=None)
    frame = pd.DataFrame(
        {
            "id": [1],
            "title": ["Toits"],
            "lat": [45.19],
            "lon": [5.72],
            "themes": [["energie"]],
            "carriers": [[]],
            "stage": ["idee"],
        }
    )
    explorer_map.project_layer(frame, link=lambda pid: f"/?projet={pid}").add_to(m)
    page = explorer_map.standalone_html(m)
    assert "/app/static/" not in page
    assert "https://cdn" not in page and "jquery" not in page.lower()
    assert "L.markerClusterGroup" in page and "Leaflet 1.9.3" in page.replace('"', "")
    assert maps.FRANCE_BOUNDS  # the France view stays the default


def test_indicator_ids_and_values() -> None:
    assert choropleths.indicator_ids(["irve:points_de_charge"]) == [
        "projets:departement",
        "projets:region",
        "projets:epci",
        "projets:commune",
        "irve:points_de_charge:departement",
        "irve:points_de_charge:region",
        "irve:points_de_charge:epci",
        "irve:points_de_charge:commune",
    ]
    assert choropleths.parse_indicator("projets:region") == ("projets", None, "region")
    assert choropleths.parse_indicator("irve:puissance_kw:departement") == (
        "irve",
        "puissance_kw",
        "departement",
    )
    codes = pd.Series(["38", "38", "69", None])
    assert choropleths.indicator_values(codes).to_dict() == {"38": 2.0, "69": 1.0}
    population = pd.Series({"38": 20_000.0, "69": 10_000.0, "75": 5_000.0, "99": 0.0})
    per = choropleths.indicator_values(codes, population)
    assert per.to_dict() == {"38": 1.0, "69": 1.0, "75": 0.0}


def _squares(codes: list[str]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": codes, "nom": [f"Commune {c}" for c in codes]},
        geometry=[box(i, 45, i + 0.5, 45.5) for i in range(len(codes))],
        crs=4326,
    )


def test_choropleth_outlines_fit_the_browser_budget() -> None:
    outlines = _squares(["38185", "38151", "69123"])
    size = maps.geojson_size(maps.outlines_geojson(outlines))
    one = maps.geojson_size(maps.outlines_geojson(outlines.iloc[:1]))
    draw = choropleths.drawable_outlines
    # Within budget: every outline, territory or not.
    assert draw(outlines, "commune", national_size=size, budget=size) is outlines
    assert len(draw(outlines, "commune", national_size=size, inside={"38185"}, budget=size)) == 3
    # Over budget: a French notice without a territory, its communes with one.
    with pytest.raises(MapTooHeavyError, match="choisissez d'abord un territoire"):
        draw(outlines, "commune", national_size=size, budget=size - 1)
    kept = draw(outlines, "commune", national_size=size, inside={"38185", "38151"}, budget=size - 1)
    assert list(kept["code"]) == ["38185", "38151"]
    # A territory whose own communes are still too heavy.
    with pytest.raises(MapTooHeavyError, match="plus petit"):
        draw(outlines, "commune", national_size=size, inside={"38185", "38151"}, budget=one)


def test_codes_inside_a_territory() -> None:
    communes = pd.DataFrame(
        {
            "code": ["38185", "38151", "69123"],
            "epci": ["200040715", "200040715", "200046977"],
            "departement": ["38", "38", "69"],
            "region": ["84", "84", "84"],
        }
    )
    inside = ["38185", "38151"]
    assert choropleths.codes_inside(communes, inside, "commune") == {"38185", "38151"}
    assert choropleths.codes_inside(communes, inside, "epci") == {"200040715"}
    assert choropleths.codes_inside(communes, inside, "departement") == {"38"}
    assert choropleths.indicator_label("projets:epci") == "Projets sélectionnés, par EPCI"
    assert choropleths.indicator_label("projets:commune") == "Projets sélectionnés, par commune"
