"""geo.mapping.overlays and the basemaps of geo.mapping.base, on rendered HTML (no browser)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from urllib.parse import urlsplit

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.datasets import CATALOGUE
from geo.datasets.catalogue import get_dataset
from geo.mapping import base as maps
from geo.mapping import overlays
from geo.mapping.choropleth import _unit_for
from geo.mapping.elements import VIEW_COUNT_CLASS, Credit, ViewCount

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'
RAW_EVIL = ("<script>alert", "<img src=x")
BUDGET_BYTES = 1_500_000


def _irve(count: int, *, seed: int = 0, evil: bool = False) -> gpd.GeoDataFrame:
    """IRVE-like normalised rows spread uniformly over metropolitan France (the worst case for
    cells: every one is filled)."""
    rng = np.random.default_rng(seed)
    lon = rng.uniform(-4.5, 8.0, count)
    lat = rng.uniform(42.5, 51.0, count)
    name = np.array([f"Station {i}" for i in range(count)], dtype=object)
    if evil:
        name[:] = EVIL
    return gpd.GeoDataFrame(
        {
            "nom_station": name,
            "nom_operateur": rng.choice(["Izivia", "Ionity", "Electra"], count),
            "nom_amenageur": rng.choice(["Ville", EVIL if evil else "Région"], count),
            "puissance_kw": rng.choice([7.4, 22.0, 150.0], count),
            "gratuit": pd.array(rng.random(count) < 0.3, dtype="boolean"),
            "date_mise_en_service": pd.to_datetime("2024-03-01").date(),
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )


def _group_page(group: folium.FeatureGroup, *, offline: bool = True) -> str:
    m = maps.base_map(offline=offline)
    group.add_to(m)
    return m.get_root().render()


def _payload(page: str, element: str) -> dict:
    """The JSON passed to one of our overlay scripts (the last argument of its function)."""
    found = re.findall(r"\}\)\([a-z_0-9]+, (\{.*?\})\);\n", page, flags=re.S)
    assert found, element
    return [json.loads(blob) for blob in found if f'"{element}"' in blob][0]


def _resource_links(page: str) -> list[str]:
    scripts = re.findall(r"<script[^>]*\bsrc=[\"']([^\"']+)", page)
    links = re.findall(r"<link[^>]*\bhref=[\"']([^\"']+)", page)
    return scripts + links


@pytest.fixture(scope="module")
def national() -> overlays.OverlayData:
    return overlays.prepare_overlay(_irve(150_000), CATALOGUE["irve"])


# --- view, mode, key ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zoom", "mode"), [(5, "agrege"), (8, "agrege"), (11, "agrege"), (12, "points"), (17, "points")]
)
def test_mode_by_zoom(zoom: int, mode: str) -> None:
    assert overlays.overlay_mode(zoom) == mode


def test_tracked_view_from_st_folium_state() -> None:
    state = {"zoom": 13, overlays.VIEW_FIELD: {"zoom": 13, "key": [12, 2113, 1470, 2, 1]}}
    view = overlays.OverlayView.from_map_state(state)
    assert view == overlays.OverlayView(13, None, (12, 2113, 1470, 2, 1))
    assert overlays.view_key(view) == ("points", 13, (12, 2113, 1470, 2, 1))
    assert overlays.RETURNED_OBJECTS == ["zoom", overlays.VIEW_FIELD]
    for bad in ({"key": "x"}, {"key": [1, 2]}, {"key": [1, 2, 3, 4, "5"]}, "nope"):
        assert (
            overlays.OverlayView.from_map_state({"zoom": 13, overlays.VIEW_FIELD: bad}).tiles
            is None
        )


_NODE_HARNESS = """
var window = {__GLOBAL_DATA__: {}};
var L = {};
var views = JSON.parse(process.argv[1]), out = [];
views.forEach(function (v) {
    var handlers = [];
    var MAP = {
        getZoom: function () { return v.zoom; },
        getBounds: function () { return {getWest: () => v.b[1], getEast: () => v.b[3],
                                         getNorth: () => v.b[2], getSouth: () => v.b[0]}; },
        on: function (name, f) { handlers.push(f); },
        whenReady: function (f) { f(); },
    };
    SCRIPT
    out.push(window.__GLOBAL_DATA__[FIELD]);
});
console.log(JSON.stringify(out));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="node not installed")
def test_browser_view_key_equals_python_view_key() -> None:
    m = maps.base_map(offline=True)
    overlays.track_view(m)
    page = m.get_root().render()
    found = re.search(
        r"\(function \(map, national, field\).*?\}\)\((map_[0-9a-f]+), \d+, [^)]*\);",
        page,
        flags=re.S,
    )
    script = found.group(0).replace(found.group(1), "MAP")
    views = [
        overlays.OverlayView(
            zoom,
            (
                lat - 0.02 * 2 ** (12 - zoom),
                lon - 0.05 * 2 ** (12 - zoom),
                lat + 0.02 * 2 ** (12 - zoom),
                lon + 0.05 * 2 ** (12 - zoom),
            ),
        )
        for zoom in (6, 9, 11, 12, 14, 17)
        for lat, lon in ((45.19, 5.72), (48.8566, 2.3522), (-20.88, 55.45), (16.24, -61.53))
    ]
    source = _NODE_HARNESS.replace("SCRIPT", script).replace(
        "FIELD", json.dumps(overlays.VIEW_FIELD)
    )
    argument = json.dumps([{"zoom": v.zoom, "b": v.bounds} for v in views])
    result = subprocess.run(
        ["node", "-e", source, argument], capture_output=True, text=True, check=True, timeout=30
    )
    tracked = json.loads(result.stdout)
    for view, browser in zip(views, tracked, strict=True):
        from_browser = overlays.OverlayView.from_map_state(
            {"zoom": view.zoom, overlays.VIEW_FIELD: browser}
        )
        assert overlays.view_key(from_browser) == overlays.view_key(view), view


def test_view_from_st_folium_state() -> None:
    state = {
        "zoom": 13,
        "bounds": {
            "_southWest": {"lat": 45.1, "lng": 5.6},
            "_northEast": {"lat": 45.2, "lng": 5.8},
        },
    }
    assert overlays.OverlayView.from_map_state(state) == overlays.OverlayView(
        13, (45.1, 5.6, 45.2, 5.8)
    )
    assert overlays.OverlayView.from_map_state(None) == overlays.OverlayView(6, None)
    broken = {"zoom": "x", "bounds": {"_southWest": {"lat": None}}}
    assert overlays.OverlayView.from_map_state(broken) == overlays.OverlayView(6, None)


def test_national_key_ignores_pans() -> None:
    a = overlays.view_key(overlays.OverlayView(6, (41.0, -5.0, 51.0, 9.0)))
    b = overlays.view_key(overlays.OverlayView(6, (42.0, -3.0, 52.0, 11.0)))
    assert a == b == ("agrege", 6, None)


@pytest.mark.parametrize("zoom", [10, 12, 14])
def test_key_is_stable_under_small_pans_and_changes_under_large_ones(zoom: int) -> None:
    # A view of about 1000 x 600 px centred in Grenoble.
    width, height = 1000 * 360 / 256 / 2**zoom, 600 * 360 / 256 / 2**zoom * 0.7
    centre = (45.19, 5.725)

    def view(dlat: float, dlon: float) -> overlays.OverlayView:
        lat, lon = centre[0] + dlat, centre[1] + dlon
        bounds = (lat - height / 2, lon - width / 2, lat + height / 2, lon + width / 2)
        return overlays.OverlayView(zoom, bounds)

    key = overlays.view_key(view(0, 0))
    small = [overlays.view_key(view(width * f, height * f)) for f in (0.01, -0.01, 0.02)]
    assert all(k == key for k in small)
    assert overlays.view_key(view(0, width * 3)) != key
    # The data box around the key covers the whole view.
    x0, y0, x1, y1 = overlays.key_box(key)
    south, west, north, east = view(0, 0).bounds
    (vx0, vx1), (vy1, vy0) = overlays.mercator(np.array([west, east]), np.array([south, north]))
    assert x0 <= vx0 and vx1 <= x1 and y0 <= vy0 and vy1 <= y1


# --- overlay layer ------------------------------------------------------------------------------


def test_national_view_of_150k_points_is_within_budget(national: overlays.OverlayData) -> None:
    group = overlays.overlay_layer(national, overlays.OverlayView(6))
    page = _group_page(group)
    assert len(page.encode("utf-8")) < BUDGET_BYTES / 5
    cells = _payload(page, "cells")["cells"]
    assert 50 < len(cells) < 5_000
    assert sum(cell[3] for cell in cells) == 150_000
    for cell in cells[:50]:
        assert all(len(str(value).split(".")[-1]) <= overlays.CELL_DECIMALS for value in cell[:2])


def test_cells_count_and_sum_the_measure() -> None:
    frame = _irve(3)
    frame["puissance_kw"] = [22.0, np.nan, 150.0]
    frame.geometry = gpd.points_from_xy([5.7, 5.7001, 2.35], [45.19, 45.1901, 48.85])
    data = overlays.prepare_overlay(frame, CATALOGUE["irve"])
    cells = overlays.aggregate_cells(data, 10).sort_values("count").reset_index(drop=True)
    assert cells["count"].tolist() == [1, 2]
    assert cells["measure"].tolist() == [150.0, 22.0]


def test_points_mode_sends_only_points_around_the_view(national: overlays.OverlayData) -> None:
    view = overlays.OverlayView(14, (45.17, 5.68, 45.21, 5.78))
    page = _group_page(overlays.overlay_layer(national, view))
    points = _payload(page, "points")["points"]
    assert 0 < len(points) <= overlays.MAX_POINTS
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    assert 45.05 < min(lats) and max(lats) < 45.33 and 5.55 < min(lons) and max(lons) < 5.91
    assert len(page.encode("utf-8")) < BUDGET_BYTES


def test_too_many_points_in_view_are_aggregated_finer() -> None:
    frame = _irve(20_000)
    frame.geometry = gpd.points_from_xy(
        np.random.default_rng(1).uniform(2.30, 2.40, 20_000),
        np.random.default_rng(2).uniform(48.84, 48.88, 20_000),
    )
    data = overlays.prepare_overlay(frame, CATALOGUE["irve"])
    page = _group_page(
        overlays.overlay_layer(data, overlays.OverlayView(13, (48.84, 2.3, 48.88, 2.4)))
    )
    assert "cells" in _payload(page, "cells")


@pytest.mark.parametrize("zoom", [10, 14])
def test_view_without_bounds_at_high_zoom_stays_light(
    national: overlays.OverlayData, zoom: int
) -> None:
    page = _group_page(overlays.overlay_layer(national, overlays.OverlayView(zoom)))
    assert len(_payload(page, "cells")["cells"]) <= overlays.MAX_CELLS
    assert len(page.encode("utf-8")) < BUDGET_BYTES / 5


def test_popups_and_legend_escape_published_text() -> None:
    data = overlays.prepare_overlay(_irve(50, evil=True), CATALOGUE["irve"])
    page = _group_page(
        overlays.overlay_layer(data, overlays.OverlayView(15, (42.0, -5.0, 51.0, 8.5)))
    )
    for raw in RAW_EVIL:
        assert raw not in page
    payload = _payload(page, "points")
    station = payload["fields"].index("Station")
    assert payload["values"][station] == [
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
    ]
    assert "Puissance" in payload["fields"] and "22 kW" in sum(payload["values"], [])
    assert "oui" in sum(payload["values"], []) and "01/03/2024" in sum(payload["values"], [])


def test_legend_is_short_and_the_map_credits_the_source() -> None:
    dataset = get_dataset("covoiturage")
    frame = gpd.GeoDataFrame(
        {"nom_lieu": ["Aire <b>A</b>"], "nbre_pl": [12]},
        geometry=gpd.points_from_xy([5.7], [45.2]),
        crs="EPSG:4326",
    )
    data = overlays.prepare_overlay(frame, dataset)
    group = overlays.overlay_layer(data, overlays.OverlayView(6))
    legend = next(c for c in group._children.values() if isinstance(c, overlays.Legend))
    # The legend says what is drawn, in two short lines; the licence goes to the attribution.
    assert "Lieux de covoiturage (BNLC)" in legend.html and "ODbL" not in legend.html
    assert len(re.sub(r"<[^>]+>", "", legend.html)) < 90
    [credit] = [c.text for c in group._children.values() if isinstance(c, Credit)]
    assert "Lieux de covoiturage (BNLC)" in credit and "ODbL 1.0" in credit
    assert f'href="{dataset.licence.url}"' in credit
    page = _group_page(group)
    assert "Aire <b>A</b>" not in page and "attributionControl" in page


def test_overlay_is_local_only(national: overlays.OverlayData) -> None:
    page = _group_page(overlays.overlay_layer(national, overlays.OverlayView(6)))
    for url in _resource_links(page):
        assert url.startswith("/app/static/vendor/"), url
    # The only URLs in the page are links inside the legend (licence), never loaded.
    for url in re.findall(r"https?://[^\s\"'<>\\]+", page):
        assert url in _resource_links(page) or "opendatacommons" in url or "etalab" in url, url


def test_filtering_prepared_data(national: overlays.OverlayData) -> None:
    fast = national.take(national.measure >= 150)
    assert 0 < len(fast) < len(national)
    assert len(fast.popup) == len(fast) and (fast.popup["puissance_kw"] >= 150).all()


# --- choropleth ---------------------------------------------------------------------------------


def _territories(values: list[float | None]) -> tuple[gpd.GeoDataFrame, pd.Series]:
    boxes = [shapely.box(5 + i * 0.1, 45, 5.05 + i * 0.1, 45.05) for i in range(len(values))]
    codes = [f"380{i:02d}" for i in range(len(values))]
    names = [f"Commune {i}" for i in range(len(values))]
    names[0] = EVIL
    frame = gpd.GeoDataFrame({"code": codes, "nom": names}, geometry=boxes, crs="EPSG:4326")
    return frame, pd.Series(values, index=codes, dtype="Float64")


def test_class_breaks_are_quantiles_of_distinct_values() -> None:
    assert overlays.class_breaks(pd.Series(range(1, 11)), 5) == [1, 2, 4, 6, 8, 10]
    assert overlays.class_breaks(pd.Series([3, 3, 3]), 5) == [3, 3]
    assert overlays.class_breaks(pd.Series([None, None], dtype="Float64")) == []
    classes = overlays.value_classes(pd.Series([1, 2, 5, 10, None]), [1, 2, 4, 6, 8, 10])
    assert classes.tolist() == [0, 0, 2, 4, -1]  # class 0 is [1, 2], then (2, 4]…


@pytest.mark.parametrize(
    ("values", "breaks", "sizes"),
    [
        # Carpool places per commune of an EPCI: most communes have none, one has 712.
        ([0] * 40 + [8, 8, 21, 60, 711.8], [0, 0, 8, 21, 60, 711.8], [40, 2, 1, 1, 1]),
        # Projects per commune: zero, then ties.
        ([0] * 30 + [1] * 6 + [2, 3], [0, 0, 1, 2, 3], [30, 6, 1, 1]),
        ([0] * 10 + [5, 5], [0, 0, 5], [10, 2]),
        (list(range(11)), [0, 0, 3, 5, 8, 10], [1, 3, 2, 3, 2]),
    ],
)
def test_skewed_figures_keep_zero_apart_and_survive_ties(
    values: list[float], breaks: list[float], sizes: list[int]
) -> None:
    found = overlays.class_breaks(pd.Series(values), 5)
    assert found == breaks
    classes = overlays.value_classes(pd.Series(values), found)
    assert np.bincount(classes).tolist() == sizes
    assert (classes[: values.count(0)] == 0).all() if 0 in values else True


def test_choropleth_classes_legend_and_missing_values() -> None:
    outlines, values = _territories([1.0, 2.0, 3.0, 4.0, 5.0, None, 7.0, 8.0, 9.0, 10.0])
    group = overlays.choropleth_layer(
        outlines, values, label="Points de charge pour 10 000 hab.", unit="pts"
    )
    page = _group_page(group)
    payload = _payload(page, "colours")
    props = {f["properties"]["code"]: f["properties"] for f in payload["data"]["features"]}
    assert props["38005"]["c"] == -1 and props["38005"]["t"] == "non disponible"
    assert props["38000"]["c"] == 0 and props["38009"]["c"] == len(payload["colours"]) - 1
    assert props["38009"]["t"] == "10 pts"
    assert len(payload["colours"]) == 5 and payload["missing"] == overlays.NOT_AVAILABLE_COLOUR
    assert props["38000"]["nom"].startswith("&lt;script&gt;")
    for raw in RAW_EVIL:
        assert raw not in page
    legend = next(c for c in group._children.values() if isinstance(c, overlays.Legend))
    assert (
        "non disponible" in legend.html and legend.html.count("margin-right:4px;background:#") == 6
    )
    assert "d3.min.js" not in page and "d3js" not in page and "branca" not in page.lower()


def test_choropleth_without_any_value() -> None:
    outlines, values = _territories([None, None])
    page = _group_page(overlays.choropleth_layer(outlines, values, label="Rien"))
    payload = _payload(page, "colours")
    assert {f["properties"]["c"] for f in payload["data"]["features"]} == {-1}


# --- basemaps -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("choice", "host"), [("osm", "tile.openstreetmap.org"), ("ign", "data.geopf.fr")]
)
def test_basemap_choices(choice: str, host: str) -> None:
    page = maps.base_map(offline=False, basemap=choice).get_root().render()
    tiles = re.findall(r'L\.tileLayer\(\s*"([^"]+)"', page)
    assert len(tiles) == 1 and urlsplit(tiles[0]).hostname == host
    assert "tileerror" in page and "removeLayer" in page
    assert maps.OFFLINE_BACKGROUND in page
    if choice == "ign":
        assert "PLANIGNV2" in tiles[0] and "TILEMATRIX={z}&amp;" not in page
        assert "IGN-F" in page and "G\\u00e9oplateforme" in page


@pytest.mark.parametrize(("choice", "offline"), [("aucun", False), ("osm", True), ("ign", True)])
def test_no_tiles_offline_or_without_basemap(choice: str, offline: bool) -> None:
    assert maps.basemap_layers(choice, offline=offline) == []
    page = maps.base_map(offline=offline, basemap=choice).get_root().render()
    assert "tileLayer" not in page and maps.OFFLINE_BACKGROUND in page
    assert "http://" not in page and "https://" not in page


def test_unknown_basemap_is_refused_in_french() -> None:
    with pytest.raises(ValueError, match="Fond de carte inconnu"):
        maps.basemap_layers("satellite", offline=False)


def test_legend_classes_read_as_the_values_they_hold() -> None:
    """Projects per commune: 30 without, 6 with one, then 2 and 3: "0", "1", "2", "3", never
    "0 – 1" after a class "0"; each class says how many territories it holds."""
    outlines, values = _territories([0.0] * 6 + [1.0, 1.0, 2.0, 3.0])
    group = overlays.choropleth_layer(outlines, values, label="Projets", unit="projets")
    legend = next(c for c in group._children.values() if isinstance(c, overlays.Legend))
    lines = [re.sub(r"<[^>]+>", "", line) for line in legend.html.split("<br>")]
    assert lines[1:5] == [
        "0 projet (6 territoires)",
        "1 projet (2 territoires)",
        "2 projets (1 territoire)",
        "3 projets (1 territoire)",
    ]
    # French counts below 2 are singular; other units are left as they are.
    assert _unit_for(0.5, "places pour 10 000 hab.") == (" place pour 10 000 hab.")
    assert _unit_for(0.5, "kW pour 10 000 hab.") == " kW pour 10 000 hab."


@pytest.mark.parametrize(
    ("unit", "counts"),
    [
        ("lieux", {0: "0 lieu", 1: "1 lieu", 18: "18 lieux"}),
        ("points de charge", {1: "1 point de charge", 2: "2 points de charge"}),
        ("communes", {1: "1 commune", 2473: "2\u202f473 communes"}),
    ],
)
def test_view_count_words_agree_with_the_count(unit: str, counts: dict[int, str]) -> None:
    words = ViewCount.of(unit)
    for count, text in counts.items():
        assert words.text(count) == text


def test_the_legend_count_is_left_to_the_view() -> None:
    """The server sends the points of a box wider than the view: the legend's count is a part
    the browser rewrites with the markers in view, and a cell's marker says how many it holds."""
    data = overlays.prepare_overlay(_irve(500), CATALOGUE["irve"])
    for view in (overlays.OverlayView(6), overlays.OverlayView(15, (42.0, -5.0, 51.0, 8.5))):
        group = overlays.overlay_layer(data, view)
        legend = next(c for c in group._children.values() if isinstance(c, overlays.Legend))
        assert legend.count == {"one": "point", "many": "points"}
        assert f'<span class="{VIEW_COUNT_CLASS}">' in legend.html and " ici" not in legend.html
        assert "dans la vue" in legend.html
        page = _group_page(group)
        assert "layer.options.compte" in page and "moveend" in page
    assert "compte: c[3]" in _group_page(overlays.overlay_layer(data, overlays.OverlayView(6)))
