"""Proportional symbols of a commune table: one circle per commune, at a point inside its
outline, whose area is proportional to the figure and whose colour is the commune's main
category. The ODRÉ register of production units has no coordinates (units are located by
the INSEE code of their commune), so this is how it is drawn: installed power by filière.

Sizes are relative to the largest commune of the whole dataset, so a circle keeps its size
when the view moves. A view sends at most :data:`MAX_SYMBOLS` circles, the largest first,
and the legend says how many are left out (zoom in to see them). Names and categories come
from files: they are HTML-escaped here; the payload is embedded as JSON (``tojson``).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass

import folium
import numpy as np
import pandas as pd
from folium.template import Template

from geo.datasets.catalogue import Dataset
from geo.mapping.elements import VIEW_COUNT_CLASS, Credit, LayerScript, Legend, ViewCount, swatch
from geo.mapping.view import OverlayView, key_box, mercator, view_key
from geo.text import french_number

#: Most circles a view sends (the largest): a national register has ~35,000 communes.
MAX_SYMBOLS = 1_500
MAX_RADIUS = 26.0
MIN_RADIUS = 2.5
#: Colours of the ODRÉ filières (their published names); others are grey.
CATEGORY_COLOURS = {
    "Solaire": "#f08c00",
    "Éolien": "#1971c2",
    "Hydraulique": "#0c8599",
    "Bioénergies": "#2f9e44",
    "Énergies marines": "#15aabf",
    "Géothermie": "#c2255c",
    "Nucléaire": "#7048e8",
    "Thermique non renouvelable": "#495057",
    "Stockage non hydraulique": "#e8590c",
}
OTHER_COLOUR = "#868e96"


@dataclass(frozen=True)
class SymbolData:
    """One row per commune with a point: ``lat, lon, x, y`` (Mercator 0–1), ``total``,
    ``main`` (its largest category) and ``popup`` (escaped HTML); prepared once."""

    dataset: Dataset
    table: pd.DataFrame
    #: Communes of the frame left out: no outline loaded, so no point to draw them at.
    unplaced: int
    unit: str
    label: str

    def __len__(self) -> int:
        return len(self.table)


def prepare_symbols(
    frame: pd.DataFrame, dataset: Dataset, points: pd.DataFrame, names: Mapping[str, str]
) -> SymbolData:
    """Sum the dataset's :class:`~geo.datasets.catalogue.Symbols` value per commune
    (``code_commune``) and category; ``points`` gives ``lon, lat`` per commune code
    (:meth:`Territories.representative_points`), ``names`` the communes' names."""
    if dataset.symbols is None:
        msg = f"{dataset.id} n'est pas dessiné en symboles proportionnels"
        raise ValueError(msg)
    value, category = dataset.symbols.value, dataset.symbols.category
    unit, label = dataset.symbols.unit, dataset.symbols.label
    rows = pd.DataFrame(
        {
            "code": frame["code_commune"].astype("string"),
            "category": frame[category].astype("string").fillna("non précisée"),
            "value": pd.to_numeric(frame[value], errors="coerce"),
        }
    ).dropna(subset=["code", "value"])
    parts = rows.groupby(["code", "category"], observed=True)["value"].sum()
    parts = parts[parts > 0]
    totals = parts.groupby(level="code").sum().sort_values(ascending=False)
    placed = totals.index.intersection(points.index.astype("string"))
    totals = totals.loc[placed].sort_values(ascending=False)
    main = parts.loc[placed].groupby(level="code").idxmax().map(lambda pair: pair[1])
    popups = []
    for code in totals.index:
        lines = [f"<b>{html.escape(str(names.get(code, code)))}</b>"]
        for name, amount in parts.loc[code].sort_values(ascending=False).items():
            lines.append(html.escape(f"{name} : {french_number(float(amount))} {unit}"))
        popups.append("<br>".join(lines))
    where = points.set_axis(points.index.astype("string")).loc[totals.index]
    x, y = mercator(where["lon"].to_numpy(), where["lat"].to_numpy())
    table = pd.DataFrame(
        {
            "lat": where["lat"].to_numpy(),
            "lon": where["lon"].to_numpy(),
            "x": x,
            "y": y,
            "total": totals.to_numpy(),
            "main": main.loc[totals.index].to_numpy(),
            "popup": popups,
        },
        index=totals.index,
    )
    unplaced = int(rows["code"].nunique() - len(table))
    return SymbolData(dataset, table, max(unplaced, 0), unit, label)


class _Symbols(LayerScript):
    """Circles with an already-escaped popup, the largest drawn first (underneath)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (group, d) {
            d.symbols.forEach(function (s) {
                L.circleMarker([s[0], s[1]], {radius: s[2], color: "#fff", weight: 1,
                    fillColor: d.colours[s[3]], fillOpacity: 0.75, className: d.css})
                    .bindPopup(d.popups[s[4]]).addTo(group);
            });
        })({{ this._parent.get_name() }}, {{ this.payload|tojson }});
        {% endmacro %}"""
    )


def _colour(category: str) -> str:
    return CATEGORY_COLOURS.get(category, OTHER_COLOUR)


def symbol_layer(data: SymbolData, view: OverlayView, *, credit: str) -> folium.FeatureGroup:
    """The circles of the communes in ``view`` (at most :data:`MAX_SYMBOLS`, the largest),
    with their legend section and ``credit`` in the map's attribution."""
    table = data.table
    box = key_box(view_key(view))
    if box is not None:
        x0, y0, x1, y1 = box
        table = table[(table["x"] >= x0) & (table["x"] < x1) & (table["y"] >= y0)]
        table = table[table["y"] < y1]
    shown = table.head(MAX_SYMBOLS)
    largest = float(data.table["total"].max()) if len(data.table) else 1.0
    radius = np.maximum(MIN_RADIUS, MAX_RADIUS * np.sqrt(shown["total"] / max(largest, 1e-9)))
    categories = list(dict.fromkeys(shown["main"]))
    payload = {
        "symbols": [
            [round(lat, 5), round(lon, 5), round(float(r), 1), categories.index(main), i]
            for i, (lat, lon, r, main) in enumerate(
                zip(shown["lat"], shown["lon"], radius, shown["main"], strict=True)
            )
        ],
        "colours": [_colour(category) for category in categories],
        "popups": list(shown["popup"]),
        "css": f"symbole-{data.dataset.id}",
    }
    group = folium.FeatureGroup(name=data.dataset.title)
    _Symbols(payload).add_to(group)
    Credit(credit).add_to(group)
    legend = _legend(data, shown, len(table), categories)
    Legend(legend, rank=30, css_class=_css(data), count=COMMUNES).add_to(group)
    return group


def _css(data: SymbolData) -> str:
    return f"legende-couche {data.dataset.id}"


#: The symbols' count in the legend: the circles in the map's view (see :class:`ViewCount`).
COMMUNES = ViewCount("commune", "communes")


def _legend(data: SymbolData, shown: pd.DataFrame, sent: int, categories: list[str]) -> str:
    rows = [f"<b>{html.escape(data.dataset.label)}</b>"]
    rows += [swatch(_colour(c)) + html.escape(c) for c in sorted(categories)]
    note = (
        f" dans la vue ; cercle ∝ {data.label.lower()} ({data.unit}), couleur : filière principale"
    )
    if sent > len(shown):
        # Of the communes around the view, the largest only: said without a count of the
        # box around the view, which the user does not see.
        note += f" ; les {french_number(len(shown))} plus grandes seulement, zoomer pour les autres"
    count = f'<span class="{VIEW_COUNT_CLASS}">{html.escape(COMMUNES.text(len(shown)))}</span>'
    rows.append(count + html.escape(note + "."))
    return "<br>".join(rows)
