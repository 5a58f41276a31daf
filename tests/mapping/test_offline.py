"""geo.mapping.offline: the basemap drawn from the loaded outlines when there are no tiles."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import pytest
import shapely

from geo.mapping import base as maps
from geo.mapping import offline
from geo.mapping import projects as project_maps

EVIL = "<img src=x onerror=alert(1)>"


def _grid(names: list[str], *, size: float = 0.05) -> gpd.GeoDataFrame:
    """Square communes in a row from 5.0° E, 45.0° N."""
    boxes = [
        shapely.box(5 + i * size, 45, 5 + (i + 1) * size, 45 + size) for i in range(len(names))
    ]
    codes = [f"380{i:02d}" for i in range(len(names))]
    return gpd.GeoDataFrame({"code": codes, "nom": names}, geometry=boxes, crs="EPSG:4326")


def _payload(page: str) -> dict:
    found = re.search(r"\}\)\(map_[0-9a-f]+, (\{\"credit\".*?\})\);\n", page, flags=re.S)
    assert found
    return json.loads(found.group(1))


def test_a_name_shows_from_the_zoom_where_it_fits() -> None:
    # A commune 0.05° wide is ~36 px at zoom 10, ~146 px at zoom 12 (256 px per tile).
    assert offline.label_min_zoom(5.0, 5.05, "Vif") == 10
    assert offline.label_min_zoom(5.0, 5.05, "Saint-Martin-d'Hères") == 13
    assert offline.label_min_zoom(5.0, 5.8, "Saint-Martin-d'Hères") < 13  # wider: sooner
    assert offline.label_min_zoom(5.0, 5.0, "Point") == maps.MAX_ZOOM
    assert offline.label_min_zoom(-30.0, 60.0, "Europe") == maps.MIN_ZOOM


def test_the_communes_around_the_view_are_drawn_with_their_names() -> None:
    frame = _grid([f"Commune {i}" for i in range(40)])
    bounds = [[45.01, 5.52], [45.04, 5.58]]  # in communes 10 and 11
    drawn = offline.offline_basemap(frame, bounds)
    assert drawn is not None
    names = [label[4] for label in drawn.labels]
    # Half the view's width more on each side (5.49° to 5.61° E): communes 9 to 12.
    assert names == [f"Commune {i}" for i in range(9, 13)]
    assert len(drawn.outlines["features"]) == len(names)
    for lat, lon, first, last, _ in drawn.labels:
        assert 45.0 < lat < 45.05 and 5.4 < lon < 5.7 and first <= last == maps.MAX_ZOOM
    assert offline.offline_basemap(frame, [[48.8, 2.3], [48.9, 2.4]]) is None  # none near


def test_too_many_outlines_for_the_page_are_not_sent() -> None:
    frame = _grid([f"C{i}" for i in range(200)], size=0.01)
    bounds = [[45.0, 5.0], [45.01, 7.0]]
    assert offline.offline_basemap(frame, bounds) is not None
    assert offline.offline_basemap(frame, bounds, budget_bytes=2_000) is None


def test_names_are_data_never_html() -> None:
    frame = _grid([EVIL, "Saint-Égrève"])
    m = maps.base_map(offline=True, bounds=[[45.0, 5.0], [45.05, 5.1]], surroundings=frame)
    page = m.get_root().render()
    assert EVIL not in page and "<img" not in page.split("<body>")[1]
    payload = _payload(page)
    assert [label[4] for label in payload["labels"]] == [EVIL, "Saint-Égrève"]
    assert "text.textContent = label[4];" in page  # written as text, never parsed
    # Outlines under the data layers, names over their fills, and no tap taken.
    assert payload["panes"] == [["fond-hors-ligne", 250], ["noms-hors-ligne", 450]]
    assert "interactive: false" in page and 'pointerEvents = "none"' in page
    assert "ADMIN EXPRESS" in payload["credit"]


def test_online_maps_draw_no_offline_basemap() -> None:
    frame = _grid(["A", "B"])
    page = maps.base_map(offline=False, surroundings=frame).get_root().render()
    assert offline.LABEL_CLASS not in page and offline.OUTLINE_CLASS not in page


@pytest.mark.parametrize("offline_mode", [True, False])
def test_explorer_names_the_departements_offline(offline_mode: bool) -> None:
    departements = _grid(["Isère", "Côte-d'Or"], size=1.5)
    context = maps.outlines_geojson(departements)
    m = project_maps.explorer_map(
        basemap="osm", offline=offline_mode, selection=None, context=context
    )
    page = m.get_root().render()
    if not offline_mode:
        assert offline.LABEL_CLASS not in page
        return
    payload = _payload(page)
    assert payload["outlines"] is None  # the context layer draws them already
    names = [label[4] for label in payload["labels"]]
    assert names == ["Isère", "Côte-d'Or"]  # unescaped: written as text
    assert all(label[3] == project_maps.CONTEXT_LABELS_MAX_ZOOM for label in payload["labels"])
