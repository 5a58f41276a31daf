"""Choropleth of an indicator per territory: quantile classes, own legend, no branca.

branca's ColorMap is avoided on purpose: streamlit-folium injects d3 from a CDN for it, and
the map must work offline. Missing values are grey, "non disponible"; names are escaped.
No Streamlit here.
"""

from __future__ import annotations

import html

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from folium.template import Template

from geo.mapping.base import outlines_geojson
from geo.mapping.elements import Credit, LayerScript, Legend, swatch
from geo.text import french_count, french_number

NOT_AVAILABLE = "non disponible"
NOT_AVAILABLE_COLOUR = "#bdbdbd"
#: ColorBrewer YlGnBu, light to dark, for 2 to 5 classes.
PALETTE = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")


def class_breaks(values: pd.Series, classes: int = 5) -> list[float]:
    """Class limits ``[b0, b1, …, bn]`` of the known values: class 0 is ``[b0, b1]``, class
    ``i`` is ``(b_i, b_i+1]``; empty when no value is known.

    Skewed figures (most communes without any carpool place, one with 700) would make plain
    quantiles collapse into one class. So zero, when some values are zero and others are not,
    is a class of its own (``[0, 0]``), and the other values are split at quantiles of their
    *distinct* values: ties cannot merge classes, and every class holds at least one value.
    """
    known = pd.to_numeric(pd.Series(values), errors="coerce").dropna().astype(float).to_numpy()
    if known.size == 0:
        return []
    distinct = np.unique(known)
    if distinct.size == 1:
        return [float(distinct[0]), float(distinct[0])]
    breaks: list[float] = []
    if distinct[0] == 0:
        breaks, distinct, classes = [0.0], distinct[1:], classes - 1
    count = max(1, min(classes, distinct.size))
    # Each class's upper limit is the distinct value at its rank (as equal shares as can be).
    n = distinct.size
    uppers = [distinct[((i + 1) * n + count - 1) // count - 1] for i in range(count)]
    breaks += [0.0, *uppers] if breaks else [float(distinct[0]), *uppers]
    return [float(f"{limit:.10g}") for limit in breaks]  # no 6.000000000000001 in legends


def value_classes(values: pd.Series, breaks: list[float]) -> np.ndarray:
    """Class index of each value (0 = lowest, see :func:`class_breaks`), -1 where missing."""
    numbers = pd.to_numeric(pd.Series(values), errors="coerce").astype(float).to_numpy()
    if not breaks:
        return np.full(len(numbers), -1)
    inner = np.asarray(breaks[1:-1])
    classes = np.searchsorted(inner, numbers, side="left")
    return np.where(np.isnan(numbers), -1, classes)


def class_ranges(
    values: pd.Series, classes: np.ndarray, count: int
) -> list[tuple[float, float] | None]:
    """The lowest and highest value of each of ``count`` classes (None for an empty class):
    what the legend says, so that a class reads "1 – 3", never "0 – 3" after a class "0"."""
    numbers = pd.to_numeric(pd.Series(values), errors="coerce").astype(float).to_numpy()
    ranges: list[tuple[float, float] | None] = []
    for klass in range(count):
        inside = numbers[classes == klass]
        ranges.append((float(inside.min()), float(inside.max())) if inside.size else None)
    return ranges


def legend_decimals(ranges: list[tuple[float, float] | None], *, least: int = 1) -> int:
    """The fewest decimals (``least`` at least, 6 at most) at which the classes' limits all
    read differently and none above 0 reads 0: "2,25 – 2,3" then "2,34", never "2,3" twice."""
    limits = sorted({limit for bounds in ranges if bounds for limit in bounds})
    decimals = least
    while decimals < 6:
        texts = [french_number(limit, decimals=decimals) for limit in limits]
        zero = any(
            limit and not any(c in "123456789" for c in t)
            for limit, t in zip(limits, texts, strict=True)
        )
        if len(set(texts)) == len(texts) and not zero:
            break
        decimals += 1
    return decimals


def _palette(count: int) -> list[str]:
    if count <= 1:
        return [PALETTE[2]]
    picks = np.round(np.linspace(0, len(PALETTE) - 1, count)).astype(int)
    return [PALETTE[i] for i in picks]


class _Choropleth(LayerScript):
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


def choropleth_layer(
    outlines: gpd.GeoDataFrame,
    values: pd.Series,
    *,
    label: str,
    unit: str | None = None,
    classes: int = 5,
    name: str | None = None,
    attribution: str | None = None,
) -> folium.FeatureGroup:
    """Territories (``code``, ``nom``, geometry) coloured by ``values`` (indexed by code) in
    classes (:func:`class_breaks`), with their section of the legend; missing values are
    grey, "non disponible". ``attribution`` is the data's line in the map's attribution
    (:func:`~geo.mapping.elements.credit`)."""
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
        text = NOT_AVAILABLE if klass < 0 else f"{french_number(float(value))}{suffix}"
        feature["properties"]["t"] = html.escape(text)
    colours = _palette(max(len(breaks) - 1, 1))
    group = folium.FeatureGroup(name=name or label)
    payload = {"data": data, "colours": colours, "missing": NOT_AVAILABLE_COLOUR}
    _Choropleth(payload).add_to(group)
    if attribution:
        Credit(attribution).add_to(group)
    counts = np.bincount(index[index >= 0], minlength=len(colours)) if len(index) else []
    legend(
        label, class_ranges(mapped, index, len(colours)) if breaks else [], colours,
        unit=unit, counts=list(counts), missing=int((index < 0).sum()),
    ).add_to(group)  # fmt: skip
    return group


#: Count units whose singular a class below 2 takes ("0 projet", "1 projet", "0,5 place…").
SINGULAR_UNITS = {"projets": "projet", "points": "point", "places": "place", "lieux": "lieu"}


def _unit_for(high: float, unit: str | None) -> str:
    """`` unit`` after a class whose highest value is ``high``: French puts a count below 2 in
    the singular."""
    if not unit:
        return ""
    first, _, rest = unit.partition(" ")
    if high < 2 and first in SINGULAR_UNITS:
        unit = " ".join(filter(None, (SINGULAR_UNITS[first], rest)))
    return f" {unit}"


def legend(
    label: str,
    ranges: list[tuple[float, float] | None],
    colours: list[str],
    *,
    unit: str | None = None,
    counts: list[int] | None = None,
    missing: int | None = None,
    note: str | None = None,
) -> Legend:
    """The choropleth's section of the legend panel: its classes as the ``ranges`` of their
    values (:func:`class_ranges`; with how many territories each holds, when ``counts`` is
    given), "non disponible" and a note. Its source goes with the map's sources, under it."""
    rows = [f"<b>{html.escape(label)}</b>"]
    decimals = legend_decimals(ranges)
    for position, (colour, bounds) in enumerate(zip(colours, ranges, strict=False)):
        if bounds is None:
            continue
        low, high = (french_number(limit, decimals=decimals) for limit in bounds)
        suffix = _unit_for(bounds[1], unit)
        text = f"{low} – {high}{suffix}" if low != high else f"{low}{suffix}"
        if counts is not None and position < len(counts):
            text += f" ({french_count(int(counts[position]), 'territoire')})"
        rows.append(swatch(colour) + html.escape(text))
    absent = NOT_AVAILABLE
    if missing:
        absent += f" ({french_count(missing, 'territoire')})"
    rows.append(swatch(NOT_AVAILABLE_COLOUR) + html.escape(absent))
    if note:
        rows.append(html.escape(note))
    return Legend("<br>".join(rows), rank=10, css_class="legende-choroplethe")
