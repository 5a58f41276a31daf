"""Dataset overlays and indicator choropleths that stay light in the browser. No Streamlit here.

A national dataset (150,000 charge points) cannot be sent point by point: at low zoom it is
aggregated into grid cells of about 64 screen pixels, drawn as proportional circles; from
:data:`POINTS_MIN_ZOOM` on, only the points around the viewport are sent (at most
:data:`MAX_POINTS`, else finer cells). The cells are squares of the Web Mercator tile grid, so
they line up with what the user sees at every zoom.

How a page uses it:

1. ``data = prepare_overlay(frame, dataset)`` once per dataset and filter (``st.cache_data``);
2. ``track_view(m)`` on the map, and ``st_folium(m, key=KEY, returned_objects=RETURNED_OBJECTS,
   feature_group_to_add=[group])``;
3. ``view = OverlayView.from_map_state(st.session_state.get(KEY))`` and
   ``group = overlay_layer(data, view)``, cached by ``view_key(view)``.

Why the key is computed in the browser: streamlit-folium's frontend reruns the script when the
JSON of the returned objects changes, and it reads ``returned_objects`` once, when the map is
mounted (later values are ignored). Returning ``bounds`` would rerun at every pan. So
:class:`ViewTracker` computes the same key as :func:`view_key` at every move and puts it in a
returned field (:data:`VIEW_FIELD`): a pan that keeps the key sends nothing, and up to
:data:`NATIONAL_MAX_ZOOM` the key is empty, so panning there never reruns the script.

Layers are ``FeatureGroup``s whose legend (a Leaflet control) comes and goes with them. Text
from data (names, popup values) is HTML-escaped here, and embedded JSON escapes ``<``, ``>``
and ``&`` (Jinja's ``tojson``), so no published text is ever run as HTML or script.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium.elements import MacroElement
from folium.template import Template

from geo.datasets.catalogue import Aggregate, Dataset, get_dataset
from geo.maps import outlines_geojson

Mode = Literal["agrege", "points"]

#: From this zoom on, points are drawn one by one (a city district fills the screen).
POINTS_MIN_ZOOM = 12
#: Up to this zoom the aggregated overlay covers the whole dataset: it is small enough, and
#: the view's bounds are not needed (panning at these zooms never reruns the script).
NATIONAL_MAX_ZOOM = 8
#: Cells are tiles of zoom ``zoom + CELL_SHIFT``: 256 / 2**2 = 64 screen pixels.
CELL_SHIFT = 2
MAX_POINTS = 5_000
#: Most cells a layer sends: beyond, cells are made coarser (a view without bounds at high zoom
#: would otherwise cut France into ~150,000 cells).
MAX_CELLS = 3_000
#: Decimals of point coordinates (~1 m) and of cell centres (~10 m).
POINT_DECIMALS = 5
CELL_DECIMALS = 4
MAX_RADIUS = 24.0
MIN_RADIUS = 3.0
DEFAULT_ZOOM = 6
NOT_AVAILABLE = "non disponible"
NOT_AVAILABLE_COLOUR = "#bdbdbd"
#: ColorBrewer YlGnBu, light to dark, for 2 to 5 classes.
PALETTE = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
DATASET_COLOURS = {"irve": "#1c7ed6", "covoiturage": "#2f9e44", "stationnement_velo": "#e8590c"}
DEFAULT_COLOUR = "#7048e8"
LEGEND_STYLE = (
    "background:#fff;padding:6px 8px;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3);"
    "font:12px/1.35 sans-serif;max-width:260px;max-height:40vh;overflow:auto"
)


# --- the view ---------------------------------------------------------------------------------


#: The ``st_folium`` field that carries the view key (set by :class:`ViewTracker`): a field
#: only the TagFilterButton plugin writes, which these maps do not use.
VIEW_FIELD = "selected_tags"
RETURNED_OBJECTS = ["zoom", VIEW_FIELD]

Tiles = tuple[int, int, int, int, int]


@dataclass(frozen=True)
class OverlayView:
    """The map view: zoom, and where it is either as bounds ``(south, west, north, east)``
    or as the tiles of :func:`view_key` computed by the browser (None: not known)."""

    zoom: int = DEFAULT_ZOOM
    bounds: tuple[float, float, float, float] | None = None
    tiles: Tiles | None = None

    @classmethod
    def from_map_state(cls, state: Mapping[str, Any] | None) -> OverlayView:
        """The view from what ``st_folium`` returns: ``zoom``, the :data:`VIEW_FIELD` of
        :class:`ViewTracker` or ``bounds`` (``_southWest``, ``_northEast``). Missing or
        malformed parts are ignored (the national view)."""
        state = state or {}
        try:
            zoom = max(0, min(int(state.get("zoom") or DEFAULT_ZOOM), 22))
        except (TypeError, ValueError):
            zoom = DEFAULT_ZOOM
        tiles = None
        tracked = state.get(VIEW_FIELD)
        if isinstance(tracked, Mapping) and isinstance(tracked.get("key"), list | tuple):
            values = tracked["key"]
            if len(values) == 5 and all(isinstance(v, int) for v in values):
                tiles = tuple(values)
        bounds = None
        raw = state.get("bounds")
        try:
            south_west, north_east = raw["_southWest"], raw["_northEast"]  # type: ignore[index]
            values = (south_west["lat"], south_west["lng"], north_east["lat"], north_east["lng"])
            bounds = tuple(float(value) for value in values)
        except (KeyError, TypeError, ValueError):
            bounds = None
        if bounds is not None and not all(math.isfinite(v) for v in bounds):
            bounds = None
        return cls(zoom=zoom, bounds=bounds, tiles=tiles)  # type: ignore[arg-type]


def overlay_mode(zoom: int) -> Mode:
    """``points`` from :data:`POINTS_MIN_ZOOM` on, else ``agrege``."""
    return "points" if zoom >= POINTS_MIN_ZOOM else "agrege"


def _mercator(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator in [0, 1) (the unit of tile numbers: tile = floor(x * 2**zoom))."""
    phi = np.radians(np.clip(lat, -85.0511, 85.0511))
    x = (np.asarray(lon, dtype=float) + 180.0) / 360.0
    y = 0.5 - np.arcsinh(np.tan(phi)) / (2 * math.pi)
    return x, y


def _key_zoom(zoom: int) -> int:
    return max(zoom - 1, 0)


def view_key(view: OverlayView, mode: Mode | None = None) -> tuple[Any, ...]:
    """A hashable key that changes only when ``view`` needs other overlay data.

    Up to :data:`NATIONAL_MAX_ZOOM`: the zoom only. Beyond: the zoom, the tile holding the
    view's centre (tiles of one zoom coarser than the view) and the half-size of the view in
    those tiles; the data cover that tile and as many around it, so a pan that keeps the
    centre in its tile needs nothing new. :class:`ViewTracker` computes the same in the browser.
    """
    mode = mode or overlay_mode(view.zoom)
    if view.zoom <= NATIONAL_MAX_ZOOM:
        return (mode, view.zoom, None)
    if view.tiles is not None:
        return (mode, view.zoom, tuple(view.tiles))
    if view.bounds is None:
        return (mode, view.zoom, None)
    south, west, north, east = view.bounds
    (x0, x1), (y1, y0) = _mercator(np.array([west, east]), np.array([south, north]))
    tiles = 2 ** _key_zoom(view.zoom)
    centre = (math.floor((x0 + x1) / 2 * tiles), math.floor((y0 + y1) / 2 * tiles))
    half = (math.ceil((x1 - x0) * tiles / 2), math.ceil((y1 - y0) * tiles / 2))
    return (mode, view.zoom, (_key_zoom(view.zoom), *centre, *half))


class ViewTracker(MacroElement):
    """Puts :func:`view_key`'s tiles, computed in the browser at every move, in the
    ``st_folium`` field :data:`VIEW_FIELD` (``{"zoom": z, "key": [kz, cx, cy, hx, hy] | null}``).
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (map, national, field) {
            var mx = function (lon) { return (lon + 180) / 360; };
            var my = function (lat) {
                var phi = Math.max(-85.0511, Math.min(85.0511, lat)) * Math.PI / 180;
                return 0.5 - Math.asinh(Math.tan(phi)) / (2 * Math.PI);
            };
            var report = function () {
                var data = window.__GLOBAL_DATA__, zoom = map.getZoom(), key = null;
                if (!data) { return; }
                if (zoom > national) {
                    var b = map.getBounds(), kz = Math.max(zoom - 1, 0), n = Math.pow(2, kz);
                    var x0 = mx(b.getWest()), x1 = mx(b.getEast());
                    var y0 = my(b.getNorth()), y1 = my(b.getSouth());
                    key = [kz, Math.floor((x0 + x1) / 2 * n), Math.floor((y0 + y1) / 2 * n),
                           Math.ceil((x1 - x0) * n / 2), Math.ceil((y1 - y0) * n / 2)];
                }
                data[field] = {zoom: zoom, key: key};
            };
            map.on("moveend", report);
            map.whenReady(report);
        })({{ this._parent.get_name() }}, {{ this.national }}, {{ this.field|tojson }});
        {% endmacro %}"""
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "ViewTracker"
        self.national = NATIONAL_MAX_ZOOM
        self.field = VIEW_FIELD


def track_view(m: folium.Map) -> folium.Map:
    """Add a :class:`ViewTracker` to ``m`` (once, with the map: not in a swapped layer)."""
    ViewTracker().add_to(m)
    return m


def _key_box(key: tuple[Any, ...]) -> tuple[float, float, float, float] | None:
    """Mercator box ``(x0, y0, x1, y1)`` of the data of a :func:`view_key`."""
    if key[2] is None:
        return None
    zoom, cx, cy, hx, hy = key[2]
    tiles = 2**zoom
    return ((cx - hx) / tiles, (cy - hy) / tiles, (cx + hx + 1) / tiles, (cy + hy + 1) / tiles)


# --- prepared data ------------------------------------------------------------------------------


def _plain_aggregate(dataset: Dataset, kind: str) -> Aggregate | None:
    return next(
        (
            a
            for a in dataset.aggregates
            if a.kind == kind and a.by is None and a.where_column is None
        ),
        None,
    )


@dataclass(frozen=True)
class OverlayData:
    """A dataset's points ready to draw: Mercator and lon/lat arrays, the measure summed per
    cell (the dataset's main ``sum`` aggregate, NaN when missing) and the popup columns."""

    dataset_id: str
    lon: np.ndarray
    lat: np.ndarray
    x: np.ndarray
    y: np.ndarray
    measure: np.ndarray | None
    popup: pd.DataFrame
    date_text: str | None = None

    def __len__(self) -> int:
        return len(self.lon)

    @property
    def dataset(self) -> Dataset:
        return get_dataset(self.dataset_id)

    def take(self, mask: np.ndarray | pd.Series) -> OverlayData:
        """The rows where ``mask`` is true: a filter without preparing again."""
        keep = np.asarray(mask, dtype=bool)
        return OverlayData(
            self.dataset_id,
            self.lon[keep],
            self.lat[keep],
            self.x[keep],
            self.y[keep],
            None if self.measure is None else self.measure[keep],
            self.popup[keep].reset_index(drop=True),
            self.date_text,
        )


def prepare_overlay(
    frame: gpd.GeoDataFrame, dataset: Dataset | str, *, date_text: str | None = None
) -> OverlayData:
    """Arrays of the points of ``frame`` (rows without a point are left out). ``date_text``
    dates the data in the legend (e.g. ``geo.indicators.source_info(...).date_text``)."""
    dataset = get_dataset(dataset) if isinstance(dataset, str) else dataset
    geometry = frame.geometry.to_numpy()
    keep = ~(shapely.is_missing(geometry) | shapely.is_empty(geometry))
    keep &= shapely.get_type_id(geometry) == 0  # points only: lines are not aggregated here
    geometry = geometry[keep]
    lon, lat = shapely.get_x(geometry), shapely.get_y(geometry)
    x, y = _mercator(lon, lat)
    main = _plain_aggregate(dataset, "sum")
    measure = None
    if main is not None and main.column in frame.columns:
        values = pd.to_numeric(frame[main.column].to_numpy()[keep], errors="coerce")
        measure = np.asarray(values, dtype=float)
    columns = [field.column for field in dataset.popup_fields if field.column in frame.columns]
    popup = pd.DataFrame(frame[columns])[keep].reset_index(drop=True)  # dtypes kept: fast
    return OverlayData(dataset.id, lon, lat, x, y, measure, popup, date_text)


# --- aggregation --------------------------------------------------------------------------------


def aggregate_cells(data: OverlayData, level: int) -> pd.DataFrame:
    """Count, measure sum and mean position of the points per tile of zoom ``level``."""
    tiles = 2**level
    cell = np.floor(data.x * tiles).astype(np.int64) * tiles + np.floor(data.y * tiles).astype(
        np.int64
    )
    codes, inverse = np.unique(cell, return_inverse=True)
    count = np.bincount(inverse, minlength=len(codes))
    cells = pd.DataFrame(
        {
            "lat": np.bincount(inverse, data.lat, len(codes)) / count,
            "lon": np.bincount(inverse, data.lon, len(codes)) / count,
            "count": count,
        }
    )
    if data.measure is not None:
        known = ~np.isnan(data.measure)
        total = np.bincount(inverse[known], data.measure[known], len(codes))
        seen = np.bincount(inverse[known], minlength=len(codes))
        cells["measure"] = np.where(seen > 0, total, np.nan)
    return cells


def _in_box(data: OverlayData, box: tuple[float, float, float, float] | None) -> OverlayData:
    if box is None:
        return data
    x0, y0, x1, y1 = box
    return data.take((data.x >= x0) & (data.x < x1) & (data.y >= y0) & (data.y < y1))


class _Cells(MacroElement):
    """Proportional circles, one per cell, with a count (and measure) tooltip."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (group, d) {
            var fmt = function (v) {
                return v.toLocaleString("fr-FR", {maximumFractionDigits: 0});
            };
            d.cells.forEach(function (c) {
                var text = fmt(c[3]) + " " + d.count_unit;
                if (c.length > 4 && c[4] !== null) {
                    text += " · " + fmt(c[4]) + " " + d.measure_unit;
                }
                L.circleMarker([c[0], c[1]], {radius: c[2], color: d.colour, weight: 1,
                    fillColor: d.colour, fillOpacity: 0.45}).bindTooltip(text).addTo(group);
            });
        })({{ this._parent.get_name() }}, {{ this.payload|tojson }});
        {% endmacro %}"""
    )

    def __init__(self, payload: dict[str, Any]) -> None:
        super().__init__()
        self._name = "OverlayCells"
        self.payload = payload


class _Points(MacroElement):
    """Circle markers whose popup is assembled from already-escaped values."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (group, d) {
            d.points.forEach(function (p) {
                L.circleMarker([p[0], p[1]], {radius: 5, color: "#fff", weight: 1,
                    fillColor: d.colour, fillOpacity: 0.9}).bindPopup(function () {
                    var rows = [];
                    for (var i = 0; i < d.fields.length; i++) {
                        var k = p[i + 2];
                        if (k >= 0) { rows.push("<b>" + d.fields[i] + "</b> : " + d.values[i][k]); }
                    }
                    return rows.join("<br>") || d.empty;
                }).addTo(group);
            });
        })({{ this._parent.get_name() }}, {{ this.payload|tojson }});
        {% endmacro %}"""
    )

    def __init__(self, payload: dict[str, Any]) -> None:
        super().__init__()
        self._name = "OverlayPoints"
        self.payload = payload


class Legend(MacroElement):
    """An HTML legend (a Leaflet control) shown while its parent layer is on the map."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (group, content) {
            var legend = L.control({position: {{ this.position|tojson }}});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "geo-legende");
                div.innerHTML = content;
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            group.on("add", function () { legend.remove(); legend.addTo(group._map); });
            group.on("remove", function () { legend.remove(); });
            if (group._map) { legend.addTo(group._map); }
        })({{ this._parent.get_name() }}, {{ this.html|tojson }});
        {% endmacro %}"""
    )

    def __init__(self, content: str, *, position: str = "bottomright") -> None:
        super().__init__()
        self._name = "Legend"
        self.html = f'<div style="{LEGEND_STYLE}">{content}</div>'
        self.position = position


def _french_number(value: float) -> str:
    text = f"{value:,.1f}" if value % 1 else f"{value:,.0f}"
    return text.replace(",", "\u202f").replace(".", ",")


def _unit_or(aggregate: Aggregate | None, default: str) -> str:
    return (aggregate.unit or aggregate.label.lower()) if aggregate is not None else default


def dataset_legend(dataset: Dataset, *, date_text: str | None, note: str) -> str:
    """HTML of a dataset's legend: title, producer, licence with its attribution, data date and
    what is drawn (``note``); every text escaped."""
    licence = dataset.licence
    parts = [f"<b>{html.escape(dataset.title)}</b>"]
    if dataset.producer not in licence.attribution:  # else the attribution names it already
        parts.append(f"Source : {html.escape(dataset.producer)}")
    parts += [
        f'Licence : <a href="{html.escape(licence.url)}" target="_blank" rel="noopener">'
        f"{html.escape(licence.name)}</a>",
        f"<i>{html.escape(licence.attribution)}</i>",
        html.escape(date_text or "date des données inconnue"),
        html.escape(note),
    ]
    return "<br>".join(parts)


def _cells_payload(cells: pd.DataFrame, dataset: Dataset, colour: str) -> dict[str, Any]:
    count = cells["count"].to_numpy()
    radius = np.maximum(MIN_RADIUS, MAX_RADIUS * np.sqrt(count / max(count.max(initial=1), 1)))
    table = [
        cells["lat"].round(CELL_DECIMALS).to_numpy(),
        cells["lon"].round(CELL_DECIMALS).to_numpy(),
        np.round(radius, 1),
        count,
    ]
    if "measure" in cells:
        table.append(cells["measure"].round(0).to_numpy())
    rows = [
        [None if isinstance(v, float) and math.isnan(v) else v for v in row]
        for row in zip(*(column.tolist() for column in table), strict=True)
    ]
    return {
        "cells": rows,
        "colour": colour,
        "count_unit": _unit_or(_plain_aggregate(dataset, "count"), "éléments"),
        "measure_unit": _unit_or(_plain_aggregate(dataset, "sum"), ""),
    }


def _popup_values(values: pd.Series, unit: str | None) -> tuple[np.ndarray, list[str]]:
    """Codes into a list of distinct escaped texts (-1: missing): each text is sent once."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = []
    for value in uniques:
        if isinstance(value, bool | np.bool_):
            text = "oui" if value else "non"
        elif isinstance(value, float | int | np.floating | np.integer):
            text = _french_number(float(value))
        elif hasattr(value, "strftime"):
            text = value.strftime("%d/%m/%Y")
        else:
            text = str(value)
        texts.append(html.escape(f"{text} {unit}" if unit else text))
    return codes, texts


def _points_payload(data: OverlayData, dataset: Dataset, colour: str) -> dict[str, Any]:
    fields = [f for f in dataset.popup_fields if f.column in data.popup.columns]
    columns = [
        data.lat.round(POINT_DECIMALS).tolist(),
        data.lon.round(POINT_DECIMALS).tolist(),
    ]
    values = []
    for field in fields:
        codes, texts = _popup_values(data.popup[field.column], field.unit)
        columns.append(codes.tolist())
        values.append(texts)
    return {
        "points": [list(row) for row in zip(*columns, strict=True)],
        "fields": [html.escape(field.label) for field in fields],
        "values": values,
        "colour": colour,
        "empty": html.escape(dataset.title),
    }


def overlay_layer(
    data: OverlayData,
    view: OverlayView,
    *,
    name: str | None = None,
    colour: str | None = None,
) -> folium.FeatureGroup:
    """The dataset layer for ``view``, with its legend: cells below :data:`POINTS_MIN_ZOOM`,
    points of the view's data box above (cells of 32 px when more than :data:`MAX_POINTS`)."""
    dataset = data.dataset
    colour = colour or DATASET_COLOURS.get(dataset.id, DEFAULT_COLOUR)
    key = view_key(view)
    mode = key[0]
    box = _key_box(key)
    shown = _in_box(data, box)
    group = folium.FeatureGroup(name=name or dataset.title)
    count_unit = _unit_or(_plain_aggregate(dataset, "count"), "éléments")
    if mode == "points" and len(shown) <= MAX_POINTS:
        _Points(_points_payload(shown, dataset, colour)).add_to(group)
        note = (
            f"{_french_number(len(shown))} {count_unit} autour de la vue ; cliquer pour le détail."
        )
    else:
        level = view.zoom + CELL_SHIFT + (1 if mode == "points" else 0)
        if box is None:  # the whole dataset: no finer than the national cells
            level = min(level, NATIONAL_MAX_ZOOM + CELL_SHIFT)
        cells = aggregate_cells(shown, level)
        while len(cells) > MAX_CELLS and level > 0:
            level -= 1
            cells = aggregate_cells(shown, level)
        _Cells(_cells_payload(cells, dataset, colour)).add_to(group)
        note = (
            f"{_french_number(len(shown))} {count_unit} regroupés : surface des cercles "
            f"proportionnelle au nombre ; zoomer pour voir le détail."
        )
    Legend(dataset_legend(dataset, date_text=data.date_text, note=note)).add_to(group)
    return group


# --- choropleth ---------------------------------------------------------------------------------


def class_breaks(values: pd.Series, classes: int = 5) -> list[float]:
    """Quantile class limits ``[min, …, max]`` of the known values (fewer classes when values
    repeat); empty when no value is known."""
    known = pd.to_numeric(pd.Series(values), errors="coerce").dropna().astype(float)
    if known.empty:
        return []
    limits = np.unique(np.quantile(known.to_numpy(), np.linspace(0, 1, classes + 1)))
    if len(limits) == 1:
        return [float(limits[0]), float(limits[0])]
    return [float(f"{limit:.10g}") for limit in limits]  # no 6.000000000000001 in legends


def value_classes(values: pd.Series, breaks: list[float]) -> np.ndarray:
    """Class index of each value (0 = lowest), -1 where the value is missing."""
    numbers = pd.to_numeric(pd.Series(values), errors="coerce").astype(float).to_numpy()
    if not breaks:
        return np.full(len(numbers), -1)
    inner = np.asarray(breaks[1:-1])
    classes = np.searchsorted(inner, numbers, side="right")
    return np.where(np.isnan(numbers), -1, classes)


def _palette(count: int) -> list[str]:
    if count <= 1:
        return [PALETTE[2]]
    picks = np.round(np.linspace(0, len(PALETTE) - 1, count)).astype(int)
    return [PALETTE[i] for i in picks]


class _Choropleth(MacroElement):
    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (group, d) {
            L.geoJSON(d.data, {
                style: function (f) {
                    var c = f.properties.c;
                    return {color: "#555", weight: 0.6, opacity: 0.8, fillOpacity: 0.7,
                            fillColor: c >= 0 ? d.colours[c] : d.missing};
                },
                onEachFeature: function (f, layer) {
                    var text = "<b>" + f.properties.nom + "</b><br>" + f.properties.t;
                    layer.bindTooltip(text, {sticky: true});
                }
            }).addTo(group);
        })({{ this._parent.get_name() }}, {{ this.payload|tojson }});
        {% endmacro %}"""
    )

    def __init__(self, payload: dict[str, Any]) -> None:
        super().__init__()
        self._name = "Choropleth"
        self.payload = payload


def _swatch(colour: str) -> str:
    return (
        f'<span style="display:inline-block;width:14px;height:10px;margin-right:4px;'
        f'background:{colour};border:1px solid #777"></span>'
    )


def choropleth_layer(
    outlines: gpd.GeoDataFrame,
    values: pd.Series,
    *,
    label: str,
    unit: str | None = None,
    classes: int = 5,
    name: str | None = None,
    source: str | None = None,
) -> folium.FeatureGroup:
    """Territories (``code``, ``nom``, geometry) coloured by ``values`` (indexed by code) in
    quantile classes, with a legend; missing values are grey, "non disponible". ``source``
    (e.g. the attribution of the dataset) is added to the legend."""
    data = outlines_geojson(outlines)
    codes = [feature["properties"]["code"] for feature in data["features"]]
    numbers = pd.to_numeric(pd.Series(values), errors="coerce").astype(float)
    numbers.index = numbers.index.astype(str)
    mapped = numbers.reindex(codes)
    breaks = class_breaks(mapped, classes)
    index = value_classes(mapped, breaks)
    suffix = f" {unit}" if unit else ""
    for feature, value, klass in zip(data["features"], mapped.to_numpy(), index, strict=True):
        feature["properties"]["c"] = int(klass)
        text = NOT_AVAILABLE if klass < 0 else f"{_french_number(float(value))}{suffix}"
        feature["properties"]["t"] = html.escape(text)
    colours = _palette(max(len(breaks) - 1, 1))
    group = folium.FeatureGroup(name=name or label)
    payload = {"data": data, "colours": colours, "missing": NOT_AVAILABLE_COLOUR}
    _Choropleth(payload).add_to(group)
    rows = [f"<b>{html.escape(label)}</b>"]
    for position, colour in enumerate(colours if breaks else []):
        low, high = breaks[position], breaks[min(position + 1, len(breaks) - 1)]
        text = f"{_french_number(low)} – {_french_number(high)}{suffix}"
        rows.append(_swatch(colour) + html.escape(text))
    rows.append(_swatch(NOT_AVAILABLE_COLOUR) + NOT_AVAILABLE)
    if source:
        rows.append(f"<i>{html.escape(source)}</i>")
    Legend("<br>".join(rows), position="bottomleft").add_to(group)
    return group
