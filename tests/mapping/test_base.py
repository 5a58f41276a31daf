"""geo.mapping.base: folium output checked on the rendered HTML, without a browser."""

from __future__ import annotations

import html
import json
import re
from urllib.parse import urlsplit

import folium
import geopandas as gpd
import pytest
import shapely

from geo.mapping import base as maps

CDN_HOSTS = (
    "cdn.jsdelivr",
    "cdnjs",
    "unpkg",
    "code.jquery",
    "netdna",
    "bootstrapcdn",
    "googleapis",
)
EVIL = '<script>alert("x")</script> `${document.cookie}`'


def _frame(names: list[str]) -> gpd.GeoDataFrame:
    boxes = [shapely.box(5 + i * 0.1, 45, 5.05 + i * 0.1, 45.05) for i in range(len(names))]
    codes = [f"3800{i}" for i in range(len(names))]
    return gpd.GeoDataFrame({"code": codes, "nom": names}, geometry=boxes, crs="EPSG:4326")


def _render(m: folium.Map) -> str:
    return m.get_root().render()


def _resource_links(page: str) -> list[str]:
    """URLs the page loads: <script src> and <link href> (not anchors inside attributions)."""
    scripts = re.findall(r"<script[^>]*\bsrc=[\"']([^\"']+)", page)
    links = re.findall(r"<link[^>]*\bhref=[\"']([^\"']+)", page)
    return scripts + links


def _embedded_geojson(page: str) -> list[dict]:
    return [json.loads(blob) for blob in re.findall(r"_add\((\{.*?\})\);\n", page)]


@pytest.mark.parametrize("offline", [False, True])
def test_map_loads_leaflet_from_the_app_only(offline: bool) -> None:
    page = _render(
        maps.territory_map(outlines=maps.outlines_geojson(_frame(["A"])), offline=offline)
    )
    links = _resource_links(page)
    assert "/app/static/vendor/leaflet/leaflet.js" in links
    assert "/app/static/vendor/leaflet/leaflet.css" in links
    for url in links:
        assert url.startswith("/app/static/vendor/"), url
    for host in CDN_HOSTS:
        assert host not in page
    for dropped in ("jquery", "bootstrap", "awesome-markers", "fontawesome"):
        assert dropped not in page.lower()


def test_online_map_has_osm_tiles_and_no_other_external_host() -> None:
    page = _render(maps.territory_map(outlines=None, offline=False))
    assert maps.OSM_TILES in page
    hosts = {urlsplit(url).hostname for url in re.findall(r"https?://[^\s\"'<>`]+", page)}
    assert hosts <= {"tile.openstreetmap.org", "www.openstreetmap.org"}


def test_offline_map_has_no_tiles_and_a_plain_background() -> None:
    page = _render(maps.territory_map(outlines=None, offline=True))
    assert "tileLayer" not in page
    assert "openstreetmap" not in page
    assert maps.OFFLINE_BACKGROUND in page
    assert "http://" not in page and "https://" not in page


def test_scale_is_metric_only() -> None:
    page = _render(maps.base_map(offline=True))
    assert "L.control.scale({imperial: false})" in page


def test_view_is_fitted_before_tiles_are_added() -> None:
    page = _render(maps.base_map(offline=False))
    assert page.index("fitBounds(") < page.index("L.tileLayer(")


def test_base_url_path_prefixes_the_local_assets() -> None:
    page = _render(maps.base_map(offline=True, base_url_path="/carte/"))
    assert "/carte/app/static/vendor/leaflet/leaflet.js" in _resource_links(page)


def test_class_defaults_are_not_mutated() -> None:
    maps.base_map(offline=True)
    assert any("leaflet.js" in url for _, url in folium.Map.default_js)
    assert ("leaflet", "/app/static/vendor/leaflet/leaflet.js") not in folium.Map.default_js


def test_layer_names_and_selected_class() -> None:
    frame = _frame(["Grenoble", "Échirolles"])
    selection = maps.Selection("commune", "38185", "Grenoble (commune, Isère)", frame.geometry[0])
    m = maps.territory_map(outlines=maps.outlines_geojson(frame), selection=selection, offline=True)
    page = _render(m)
    # The layer control lists them by name (JSON-encoded by folium).
    assert f"{json.dumps(maps.OUTLINES_LAYER)} :" in page
    assert f"{json.dumps(maps.SELECTED_LAYER)} :" in page
    assert f'"className": "{maps.SELECTED_CLASS} territoire-commune-38185"' in page
    layers = [child for child in m._children.values() if isinstance(child, folium.GeoJson)]
    assert [layer.layer_name for layer in layers] == [maps.OUTLINES_LAYER, maps.SELECTED_LAYER]


def test_selected_territory_fits_the_view() -> None:
    geometry = shapely.box(5.6, 45.1, 5.8, 45.3)
    selection = maps.Selection("epci", "200040715", "X", geometry)
    page = _render(maps.territory_map(outlines=None, selection=selection))
    assert "fitBounds(\n                [[45.1, 5.6], [45.3, 5.8]]" in page


def test_no_selection_fits_france() -> None:
    page = _render(maps.territory_map(outlines=None, offline=True))
    assert f"fitBounds(\n                {json.dumps(maps.FRANCE_BOUNDS)}" in page


def test_names_are_escaped() -> None:
    frame = _frame(["Grenoble", EVIL])
    selection = maps.Selection("commune", "38001", EVIL, frame.geometry[1])
    m = maps.territory_map(outlines=maps.outlines_geojson(frame), selection=selection, offline=True)
    page = _render(m)
    assert "<script>alert" not in page
    names = [
        feature["properties"]["nom"]
        for collection in _embedded_geojson(page)
        for feature in collection["features"]
    ]
    # Tooltips use innerHTML: the browser shows the escaped name as the original text.
    assert names.count(html.escape(EVIL)) == 2
    assert all("<" not in name for name in names)


@pytest.mark.parametrize(
    ("level", "code", "expected"),
    [
        ("commune", "2A004", "territoire-commune-2A004"),
        ("region", "84", "territoire-region-84"),
        ("commune", '1" onload="x', "territoire-commune-1--onload--x"),
    ],
)
def test_selection_css_class(level: str, code: str, expected: str) -> None:
    assert maps.Selection(level, code, "", shapely.Point(0, 0)).css_class == expected


def test_empty_selection_keeps_the_france_view() -> None:
    selection = maps.Selection("commune", "1", "A", shapely.Polygon())
    page = _render(maps.territory_map(outlines=None, selection=selection, offline=True))
    assert json.dumps(maps.SELECTED_LAYER) not in page
    assert maps.SELECTED_CLASS not in page
    assert f"fitBounds(\n                {json.dumps(maps.FRANCE_BOUNDS)}" in page


def test_outlines_geojson_rounds_and_skips_empty_geometries() -> None:
    frame = gpd.GeoDataFrame(
        {"code": ["1", "2"], "nom": ["A", "B"]},
        geometry=[shapely.box(5.123456789, 45.0, 5.2, 45.1), None],
        crs="EPSG:4326",
    )
    data = maps.outlines_geojson(frame)
    assert [f["properties"]["code"] for f in data["features"]] == ["1"]
    xs = [x for ring in data["features"][0]["geometry"]["coordinates"] for x, _ in ring]
    assert 5.1235 in xs


def test_outlines_geojson_reprojects() -> None:
    frame = _frame(["A"]).to_crs("EPSG:2154")
    data = maps.outlines_geojson(frame)
    xs = [x for ring in data["features"][0]["geometry"]["coordinates"] for x, _ in ring]
    assert min(xs) == pytest.approx(5.0, abs=1e-4)


def test_empty_outlines_render() -> None:
    page = _render(maps.territory_map(outlines=maps.outlines_geojson(_frame([])), offline=True))
    assert maps.OUTLINES_LAYER in page


def test_marker_cluster_is_local() -> None:
    m = maps.base_map(offline=True)
    cluster = maps.marker_cluster(name="Projets")
    folium.CircleMarker([45.19, 5.72], radius=6).add_to(cluster)
    cluster.add_to(m)
    page = _render(m)
    links = _resource_links(page)
    assert "/app/static/vendor/leaflet.markercluster/leaflet.markercluster.js" in links
    assert "/app/static/vendor/leaflet.markercluster/MarkerCluster.Default.css" in links
    assert all(url.startswith("/app/static/vendor/") for url in links)
    assert not any(host in page for host in CDN_HOSTS)


def test_context_layer_is_drawn_under_the_outlines() -> None:
    square = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "38", "nom": "Isère"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[5, 45], [6, 45], [6, 46], [5, 45]]],
                },
            }
        ],
    }
    m = maps.territory_map(outlines=square, context=square)
    names = [getattr(child, "layer_name", None) for child in m._children.values()]
    assert names.index(maps.CONTEXT_LAYER) < names.index(maps.OUTLINES_LAYER)
    # Leaflet draws later layers on top: the communes, then the selection, stay clickable.


@pytest.mark.parametrize(("choice", "name"), [("osm", "OpenStreetMap"), ("ign", "Plan IGN")])
def test_failing_tiles_leave_a_french_notice_and_the_credit(choice: str, name: str) -> None:
    page = _render(maps.base_map(offline=False, basemap=choice))
    notice = json.dumps(maps.tiles_failed_notice(name))
    assert notice in page and "Fond de carte indisponible (réseau)" in maps.tiles_failed_notice(
        name
    )
    # Leaflet drops a removed layer's credit: the fallback puts it back.
    assert "removeLayer(layer)" in page and "addAttribution(credit)" in page
    assert "Réessayer" in page


def test_offline_maps_have_no_tile_notice() -> None:
    assert maps.TILES_FAILED_CLASS not in _render(maps.base_map(offline=True))


def test_leaflets_controls_are_given_french_words() -> None:
    page = _render(maps.territory_map(outlines=None, offline=True))
    words = json.loads(re.search(r"\}\)\(map_[0-9a-f]+, (\{\"close\".*?\})\);", page).group(1))
    assert words == maps.FRENCH_CONTROLS
    # Patched before the layers control is made (it is the map's last script).
    assert page.index("zoomInTitle") < page.index("L.control.layers(")
