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

The view and its key live in :mod:`geo.mapping.view`, the choropleth in
:mod:`geo.mapping.choropleth` (both re-exported here): the page needs only this module.

Layers are ``FeatureGroup``s whose legend (a Leaflet control) comes and goes with them. Text
from data (names, popup values) is HTML-escaped here, and embedded JSON escapes ``<``, ``>``
and ``&`` (Jinja's ``tojson``), so no published text is ever run as HTML or script.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium.template import Template

from geo.datasets.catalogue import CATALOGUE, Aggregate, Dataset
from geo.mapping.choropleth import (
    NOT_AVAILABLE,
    NOT_AVAILABLE_COLOUR,
    PALETTE,
    choropleth_layer,
    class_breaks,
    value_classes,
)
from geo.mapping.elements import VIEW_COUNT_CLASS, Credit, LayerScript, Legend, ViewCount, credit
from geo.mapping.view import (
    DEFAULT_ZOOM,
    NATIONAL_MAX_ZOOM,
    POINTS_MIN_ZOOM,
    RETURNED_OBJECTS,
    VIEW_FIELD,
    Mode,
    OverlayView,
    ViewTracker,
    key_box,
    mercator,
    overlay_mode,
    track_view,
    view_key,
)
from geo.text import french_number

__all__ = [
    "DEFAULT_ZOOM",
    "NATIONAL_MAX_ZOOM",
    "NOT_AVAILABLE",
    "NOT_AVAILABLE_COLOUR",
    "PALETTE",
    "POINTS_MIN_ZOOM",
    "RETURNED_OBJECTS",
    "VIEW_FIELD",
    "Legend",
    "Mode",
    "OverlayData",
    "OverlayView",
    "ViewTracker",
    "aggregate_cells",
    "choropleth_layer",
    "class_breaks",
    "dataset_legend",
    "overlay_layer",
    "overlay_mode",
    "prepare_overlay",
    "track_view",
    "value_classes",
    "view_key",
]

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

    dataset: Dataset
    lon: np.ndarray
    lat: np.ndarray
    x: np.ndarray
    y: np.ndarray
    measure: np.ndarray | None
    popup: pd.DataFrame

    def __len__(self) -> int:
        return len(self.lon)

    def take(self, mask: np.ndarray | pd.Series) -> OverlayData:
        """The rows where ``mask`` is true: a filter without preparing again."""
        keep = np.asarray(mask, dtype=bool)
        return OverlayData(
            self.dataset,
            self.lon[keep],
            self.lat[keep],
            self.x[keep],
            self.y[keep],
            None if self.measure is None else self.measure[keep],
            self.popup[keep].reset_index(drop=True),
        )


def prepare_overlay(frame: gpd.GeoDataFrame, dataset: Dataset) -> OverlayData:
    """Arrays of the points of ``frame`` (rows without a point are left out)."""
    geometry = frame.geometry.to_numpy()
    keep = ~(shapely.is_missing(geometry) | shapely.is_empty(geometry))
    keep &= shapely.get_type_id(geometry) == 0  # points only: lines are not aggregated here
    geometry = geometry[keep]
    lon, lat = shapely.get_x(geometry), shapely.get_y(geometry)
    x, y = mercator(lon, lat)
    main = _plain_aggregate(dataset, "sum")
    measure = None
    if main is not None and main.column in frame.columns:
        values = pd.to_numeric(frame[main.column].to_numpy()[keep], errors="coerce")
        measure = np.asarray(values, dtype=float)
    columns = [field.column for field in dataset.popup_fields if field.column in frame.columns]
    popup = pd.DataFrame(frame[columns])[keep].reset_index(drop=True)  # dtypes kept: fast
    return OverlayData(dataset, lon, lat, x, y, measure, popup)


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


class _Cells(LayerScript):
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
                    fillColor: d.colour, fillOpacity: 0.45, compte: c[3], className: d.css})
                    .bindTooltip(text).addTo(group);
            });
        })({{ this._parent.get_name() }}, {{ this.payload|tojson }});
        {% endmacro %}"""
    )


class _Points(LayerScript):
    """Circle markers whose popup is assembled from already-escaped values."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (group, d) {
            d.points.forEach(function (p) {
                L.circleMarker([p[0], p[1]], {radius: 5, color: "#fff", weight: 1,
                    fillColor: d.colour, fillOpacity: 0.9, className: d.css})
                    .bindPopup(function () {
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


def _unit_or(aggregate: Aggregate | None, default: str) -> str:
    return (aggregate.unit or aggregate.label.lower()) if aggregate is not None else default


def dataset_legend(dataset: Dataset, *, note: str, counted: str | None = None) -> str:
    """HTML of a dataset's section of the legend: its symbol, short title and what is drawn
    (``note``, after ``counted``, the count that :class:`ViewCount` keeps to the view),
    escaped. Producer, licence, attribution and date go with the map's sources."""
    symbol = (
        f'<span style="display:inline-block;width:11px;height:11px;border-radius:50%;'
        f"background:{html.escape(dataset.colour)};opacity:.7;margin-right:5px;"
        f'vertical-align:middle"></span>'
    )
    text = html.escape(note)
    if counted is not None:
        text = f'<span class="{VIEW_COUNT_CLASS}">{html.escape(counted)}</span> {text}'
    return f"{symbol}<b>{html.escape(dataset.label)}</b><br>{text}"


def dataset_credit(dataset: Dataset) -> str:
    """The dataset's line in the map's attribution (:func:`credit`)."""
    return credit(dataset.label, dataset.licence.name, dataset.licence.url)


def marker_class(dataset: Dataset) -> str:
    """SVG classes of a dataset's circles (points and cells), for styling and browser tests."""
    return f"couche-{dataset.id}"


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
        "css": marker_class(dataset),
    }


def _popup_values(values: pd.Series, unit: str | None) -> tuple[np.ndarray, list[str]]:
    """Codes into a list of distinct escaped texts (-1: missing): each text is sent once."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = []
    for value in uniques:
        if isinstance(value, bool | np.bool_):
            text = "oui" if value else "non"
        elif isinstance(value, float | int | np.floating | np.integer):
            text = french_number(float(value))
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
        "css": marker_class(dataset),
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
    colour = colour or dataset.colour
    key = view_key(view)
    mode = key[0]
    box = key_box(key)
    shown = _in_box(data, box)
    group = folium.FeatureGroup(name=name or dataset.title)
    Credit(dataset_credit(dataset)).add_to(group)
    count = ViewCount.of(_unit_or(_plain_aggregate(dataset, "count"), "éléments"))
    if mode == "points" and len(shown) <= MAX_POINTS:
        _Points(_points_payload(shown, dataset, colour)).add_to(group)
        note = "dans la vue ; cliquer pour le détail."
    else:
        level = view.zoom + CELL_SHIFT + (1 if mode == "points" else 0)
        if box is None:  # the whole dataset: no finer than the national cells
            level = min(level, NATIONAL_MAX_ZOOM + CELL_SHIFT)
        cells = aggregate_cells(shown, level)
        while len(cells) > MAX_CELLS and level > 0:
            level -= 1
            cells = aggregate_cells(shown, level)
        _Cells(_cells_payload(cells, dataset, colour)).add_to(group)
        note = "dans la vue ; cercle ∝ nombre, zoomer pour le détail."
    # The count is the browser's (what the view shows); the data sent cover a wider box.
    legend = dataset_legend(dataset, note=note, counted=count.text(len(shown)))
    rank = 20 + list(CATALOGUE).index(dataset.id) if dataset.id in CATALOGUE else 40
    Legend(legend, rank=rank, css_class=f"legende-couche {dataset.id}", count=count).add_to(group)
    return group


def overlay_datasets() -> list[Dataset]:
    """Datasets drawn as overlays: the point datasets, and the commune tables drawn as
    proportional symbols (:mod:`geo.mapping.symbols`). Lines are not drawn yet."""
    return [
        dataset
        for dataset in CATALOGUE.values()
        if dataset.geometry == "point" or dataset.symbols is not None
    ]
