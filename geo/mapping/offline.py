"""The offline basemap: outlines and names of the loaded territories where no tile can load.

With ``GEO_OFFLINE`` a map has no tiles (their images come from the internet), and a phone
in a workshop room showed a blank square around the territory's outline: nobody could place
"at the market". Drawn instead, from the territories the app has loaded (no external file):
the outlines of the communes around the view, and their names, each shown from the zoom at
which its commune is wide enough on screen to hold it. The outlines sit under every data
layer, the names over the data's fills, and neither takes clicks (a tap is for the map's own
use: placing an idea, choosing a project).

The data is embedded as JSON (``tojson``) and names are written with ``textContent``, so a
name is never read as HTML. No Streamlit here.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from folium.elements import MacroElement
from folium.template import Template

from geo.mapping.base import (
    MAX_ZOOM,
    MIN_ZOOM,
    OUTLINES_BUDGET_BYTES,
    geojson_size,
    geojson_size_at_least,
)
from geo.mapping.elements import credit
from geo.mapping.view import mercator

#: Share of the view's width and height added on each side: the communes just off the edge
#: are there when the user pans a little.
MARGIN = 0.5
#: Most outline GeoJSON the offline basemap embeds (half the map's outline budget).
BUDGET_BYTES = OUTLINES_BUDGET_BYTES // 2
#: A name shows once its commune is this much wider on screen than the name itself.
LABEL_ROOM = 1.2
#: Width of a name on screen: about 6.5 px per letter at 11 px, plus its halo.
PIXELS_PER_LETTER, LABEL_PADDING = 6.5, 8
#: Leaflet panes (z-index): the outlines above the tiles (200) and under the data layers
#: (overlayPane, 400); the names above the data's fills (a choropleth would hide them) and
#: under the markers' icons, tooltips and popups (600 and up).
OUTLINE_PANE, LABEL_PANE = ("fond-hors-ligne", 250), ("noms-hors-ligne", 450)
#: CSS classes of the outlines and of the names, for styling and browser tests.
OUTLINE_CLASS, LABEL_CLASS = "contour-hors-ligne", "nom-hors-ligne"
OUTLINE_STYLE = {"color": "#6c7a89", "weight": 0.8, "opacity": 0.9, "fill": False}
CREDIT = credit(
    "Contours IGN ADMIN EXPRESS (Etalab)",
    "Licence Ouverte 2.0",
    "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
)
#: Coordinates rounded to ~10 m (as the other outlines) and labels to ~1 m.
DECIMALS, LABEL_DECIMALS = 4, 5


@dataclass(frozen=True)
class OfflineBasemap:
    """What :class:`OfflineLayer` draws: ``outlines`` (a GeoJSON FeatureCollection of bare
    geometries, None when the map draws them already) and ``labels`` (``[lat, lon, min_zoom,
    max_zoom, name]``, the name as published, shown from ``min_zoom`` to ``max_zoom``)."""

    outlines: dict[str, Any] | None
    labels: list[list[Any]]

    def __len__(self) -> int:
        return len(self.labels)


def label_min_zoom(west: float, east: float, name: str) -> int:
    """The first zoom at which a territory spanning ``west``–``east`` (degrees) is
    :data:`LABEL_ROOM` times as wide on screen as ``name``: a tile is 256 px wide."""
    (x0, x1), _ = mercator(np.array([west, east]), np.array([0.0, 0.0]))
    width = max(float(x1 - x0), 1e-9)  # share of the world's width
    needed = LABEL_ROOM * (PIXELS_PER_LETTER * len(name) + LABEL_PADDING)
    zoom = math.ceil(math.log2(needed / (256 * width)))
    return max(MIN_ZOOM, min(zoom, MAX_ZOOM))


def _around(bounds: Sequence[Sequence[float]], margin: float) -> shapely.Geometry:
    (south, west), (north, east) = bounds
    dy, dx = (north - south) * margin, (east - west) * margin
    return shapely.box(west - dx, south - dy, east + dx, north + dy)


def offline_basemap(
    outlines: gpd.GeoDataFrame,
    bounds: Sequence[Sequence[float]],
    *,
    margin: float = MARGIN,
    budget_bytes: int = BUDGET_BYTES,
) -> OfflineBasemap | None:
    """The outlines of ``outlines`` (``code``, ``nom``, geometry in lon/lat: the loaded
    communes, or départements for a national view) that meet ``bounds``
    (``[[south, west], [north, east]]``) widened by ``margin``, with their names.

    None when none is there, or when they weigh more than ``budget_bytes`` (the view is too
    wide for communes: the caller draws coarser outlines instead)."""
    if outlines.crs is not None and not outlines.crs.equals("EPSG:4326"):
        outlines = outlines.to_crs("EPSG:4326")
    # The spatial index is cached with the frame: a cached frame is indexed once. Rows in the
    # frame's order, so that the same view gives the same map script (no remount).
    found = outlines.sindex.query(_around(bounds, margin), predicate="intersects")
    near = outlines.iloc[np.sort(found)]
    near = near[~(near.geometry.isna() | near.geometry.is_empty)]
    if near.empty:
        return None
    vertices = int(shapely.get_num_coordinates(near.geometry.to_numpy()).sum())
    if geojson_size_at_least(vertices) > budget_bytes:  # all of France's communes: not sent
        return None
    geometries = shapely.transform(near.geometry.to_numpy(), lambda xy: np.round(xy, DECIMALS))
    features = [
        {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(geometry)}
        for geometry in geometries
    ]
    data = {"type": "FeatureCollection", "features": features}
    if geojson_size(data) > budget_bytes:
        return None
    return OfflineBasemap(data, labels(near))


def labels(
    frame: gpd.GeoDataFrame, *, max_zoom: int = MAX_ZOOM, label_column: str = "nom"
) -> list[list[Any]]:
    """``[lat, lon, min_zoom, max_zoom, name]`` of each outline of ``frame`` (lon/lat): a
    point inside it, and the zooms at which its name fits (:func:`label_min_zoom`)."""
    geometries = frame.geometry.to_numpy()
    points = shapely.point_on_surface(geometries)
    west, _, east, _ = shapely.bounds(geometries).T
    rows = []
    for x, y, w, e, name in zip(
        shapely.get_x(points), shapely.get_y(points), west, east, frame[label_column], strict=True
    ):
        first = label_min_zoom(float(w), float(e), str(name))
        if first <= max_zoom:
            rows.append([round(float(y), LABEL_DECIMALS), round(float(x), LABEL_DECIMALS),
                         first, max_zoom, str(name)])  # fmt: skip
    return rows


def context_labels(context: dict[str, Any], *, max_zoom: int) -> OfflineBasemap:
    """The names of outlines a map draws already (the départements of a national view, from
    :func:`~geo.mapping.base.outlines_geojson`, whose names are HTML-escaped), up to
    ``max_zoom`` (beyond, the communes' names take over)."""
    features = [f for f in context["features"] if f.get("geometry")]
    frame = gpd.GeoDataFrame(
        {"nom": [html.unescape(str(f["properties"].get("nom", ""))) for f in features]},
        geometry=[shapely.geometry.shape(f["geometry"]) for f in features],
        crs="EPSG:4326",
    )
    return OfflineBasemap(None, labels(frame, max_zoom=max_zoom))


class OfflineLayer(MacroElement):
    """Draw an :class:`OfflineBasemap` on its parent map: the outlines in a pane under the
    data layers, the names in a pane above their fills, each name shown from its
    ``min_zoom`` to its ``max_zoom``."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (map, d) {
            d.panes.forEach(function (pane) {
                if (!map.getPane(pane[0])) {
                    var element = map.createPane(pane[0]);
                    element.style.zIndex = pane[1];
                    element.style.pointerEvents = "none";
                }
            });
            if (d.outlines) {
                L.geoJSON(d.outlines, {
                    pane: d.panes[0][0], interactive: false, attribution: d.credit,
                    style: function () {
                        return Object.assign({className: d.outline_css}, d.style);
                    }
                }).addTo(map);
            }
            var names = d.labels.map(function (label) {
                var text = document.createElement("span");
                text.className = d.label_css;
                text.textContent = label[4];
                var marker = L.marker([label[0], label[1]], {
                    icon: L.divIcon({className: d.label_css + "-ancre", html: text,
                                     iconSize: null}),
                    pane: d.panes[1][0], interactive: false, keyboard: false
                });
                return {marker: marker, from: label[2], to: label[3]};
            });
            var group = L.layerGroup().addTo(map);
            function show() {
                var zoom = map.getZoom();
                names.forEach(function (name) {
                    var wanted = zoom >= name.from && zoom <= name.to;
                    var there = group.hasLayer(name.marker);
                    if (wanted && !there) { group.addLayer(name.marker); }
                    if (!wanted && there) { group.removeLayer(name.marker); }
                });
            }
            map.on("zoomend", show);
            map.whenReady(show);
        })({{ this._parent.get_name() }}, {{ this.payload|tojson }});
        {% endmacro %}"""
    )

    def __init__(self, basemap: OfflineBasemap) -> None:
        super().__init__()
        self._name = "OfflineLayer"
        self.payload = {
            "outlines": basemap.outlines,
            "labels": basemap.labels,
            "panes": [list(OUTLINE_PANE), list(LABEL_PANE)],
            "style": OUTLINE_STYLE,
            "outline_css": OUTLINE_CLASS,
            "label_css": LABEL_CLASS,
            "credit": CREDIT,
        }


#: Names are dark on a white halo, centred on their point, never wrapped.
STYLE = f"""<style>
.{LABEL_CLASS}-ancre {{ background: none; border: none; }}
.{LABEL_CLASS} {{ position: absolute; transform: translate(-50%, -50%); white-space: nowrap;
  font: 11px/1.2 sans-serif; color: #343a40; letter-spacing: .02em;
  text-shadow: 0 0 2px #fff, 0 0 3px #fff, 0 0 4px #fff; }}
</style>"""
