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
from geo.mapping.elements import LayerScript, Legend, swatch
from geo.text import french_number

NOT_AVAILABLE = "non disponible"
NOT_AVAILABLE_COLOUR = "#bdbdbd"
#: ColorBrewer YlGnBu, light to dark, for 2 to 5 classes.
PALETTE = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")


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
        text = NOT_AVAILABLE if klass < 0 else f"{french_number(float(value))}{suffix}"
        feature["properties"]["t"] = html.escape(text)
    colours = _palette(max(len(breaks) - 1, 1))
    group = folium.FeatureGroup(name=name or label)
    payload = {"data": data, "colours": colours, "missing": NOT_AVAILABLE_COLOUR}
    _Choropleth(payload).add_to(group)
    legend(label, breaks, colours, unit=unit, source=source).add_to(group)
    return group


def legend(
    label: str,
    breaks: list[float],
    colours: list[str],
    *,
    unit: str | None = None,
    source: str | None = None,
    note: str | None = None,
) -> Legend:
    """The legend of a choropleth: its classes, "non disponible", the source and a note."""
    suffix = f" {unit}" if unit else ""
    rows = [f"<b>{html.escape(label)}</b>"]
    for position, colour in enumerate(colours if breaks else []):
        low, high = breaks[position], breaks[min(position + 1, len(breaks) - 1)]
        text = f"{french_number(low)} – {french_number(high)}{suffix}"
        rows.append(swatch(colour) + html.escape(text))
    rows.append(swatch(NOT_AVAILABLE_COLOUR) + NOT_AVAILABLE)
    if note:
        rows.append(html.escape(note))
    if source:
        rows.append(f"<i>{html.escape(source)}</i>")
    return Legend("<br>".join(rows), position="bottomleft")
