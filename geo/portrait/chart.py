"""The portrait's ranked bar chart as a Vega-Lite specification (the page draws it with
``st.vega_lite_chart``; no charting library is needed to build it).

Each territory is one row of fixed height: its name written above its bar, its figure in
French after the bar's end ("0,46", "non disponible" without a bar). Names are text marks,
not axis labels, so Vega never hides one to avoid an overlap, a long name keeps the whole
width on a phone, and the territory (in red, bold) and the median are always named. The
chart's height grows with its rows (``autosize: fit-x``: the width follows the page, the
height is the rows'), so two bars are as thick as twenty. Numbers on the axis use the French
locale (decimal comma, narrow no-break space between thousands).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from geo.text import french_number

#: Pixels per territory: its name above, its bar below.
ROW_HEIGHT = 44
#: d3 number locale of French (what :func:`geo.text.french_number` writes).
FRENCH_LOCALE = {
    "number": {
        "decimal": ",",
        "thousands": "\u202f",
        "grouping": [3],
        "currency": ["", "\u00a0€"],
    }
}
COLOURS = {"territoire": "#c92a2a", "comparaison": "#4c6ef5", "reference": "#868e96"}
#: Room after the longest bar for its figure: the axis reaches this much beyond it.
ROOM = 1.3


def figure_text(value: float | None) -> str:
    """A bar's figure as the chart writes it."""
    return "non disponible" if value is None or pd.isna(value) else french_number(value, decimals=2)


def ranked_bars(rows: pd.DataFrame, *, unit: str, title: str = "") -> dict[str, Any]:
    """The chart of ``rows`` (``nom, valeur, role`` in the order drawn, as
    :func:`geo.portrait.view.chart_rows` gives them); ``unit`` titles the axis."""
    values = pd.to_numeric(rows["valeur"], errors="coerce")
    records = [
        {
            "ordre": position,
            "nom": str(name),
            "valeur": None if pd.isna(value) else float(value),
            "texte": figure_text(value),
            "resume": f"{name} : {figure_text(value)}",
            # Where the figure is written: after the bar, or at 0 without one.
            "x_texte": 0.0 if pd.isna(value) else max(float(value), 0.0),
            "role": str(role),
        }
        for position, (name, value, role) in enumerate(
            zip(rows["nom"], values, rows["role"], strict=True)
        )
    ]
    largest = max([r["valeur"] for r in records if r["valeur"] is not None] + [0.0])
    top = largest * ROOM if largest > 0 else 1.0
    x_scale = {"domain": [0, top], "nice": False, "zero": True}
    y = {"field": "ordre", "type": "ordinal", "axis": None, "sort": "ascending"}
    # The territory's name and figure in bold (a mark property read per row).
    bold = {"expr": "datum.role === 'territoire' ? 'bold' : 'normal'"}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": title,
        # Drawn as SVG, not on a canvas: sharp when printed or zoomed, and its texts can be
        # read (by a screen reader, a test).
        "usermeta": {"embedOptions": {"renderer": "svg"}},
        "autosize": {"type": "fit-x", "contains": "padding"},
        "height": {"step": ROW_HEIGHT},
        "data": {"values": records},
        "config": {"locale": FRENCH_LOCALE, "view": {"stroke": None}},
        "encoding": {"y": y},
        "layer": [
            {
                "name": "barres",
                "transform": [{"filter": "datum.valeur !== null"}],
                "mark": {"type": "bar", "height": {"band": 0.38}, "yOffset": 8, "aria": False},
                "encoding": {
                    "x": {
                        "field": "valeur",
                        "type": "quantitative",
                        "title": unit or None,
                        "scale": x_scale,
                        "axis": {"format": ",.2~f", "tickCount": 5, "labelFlush": True},
                    },
                    "color": {
                        "field": "role",
                        "type": "nominal",
                        "scale": {"domain": list(COLOURS), "range": list(COLOURS.values())},
                        "legend": None,
                    },
                    "tooltip": [
                        {"field": "nom", "type": "nominal", "title": "Territoire"},
                        {"field": "texte", "type": "nominal", "title": unit or "Valeur"},
                    ],
                },
            },
            {
                "name": "noms",
                "mark": {
                    "type": "text",
                    "align": "left",
                    "baseline": "bottom",
                    "yOffset": -1,
                    "fontSize": 13,
                    "limit": {"expr": "width"},
                    "fontWeight": bold,
                },
                "encoding": {
                    "x": {"datum": 0, "type": "quantitative", "scale": x_scale},
                    "text": {"field": "nom", "type": "nominal"},
                    # What a screen reader says of the row: its name and its figure.
                    "description": {"field": "resume", "type": "nominal"},
                },
            },
            {
                "name": "chiffres",
                "mark": {
                    "type": "text",
                    "align": "left",
                    "baseline": "middle",
                    "aria": False,
                    "dx": 4,
                    "yOffset": 8,
                    "fontSize": 12,
                    "fontWeight": bold,
                },
                "encoding": {
                    "x": {"field": "x_texte", "type": "quantitative", "scale": x_scale},
                    "text": {"field": "texte", "type": "nominal"},
                },
            },
        ],
    }


def chart_description(rows: pd.DataFrame, *, unit: str) -> str:
    """The chart in words, for a screen reader: every row's name and figure."""
    values = pd.to_numeric(rows["valeur"], errors="coerce")
    names = rows["nom"]
    parts = [f"{name} : {figure_text(value)}" for name, value in zip(names, values, strict=True)]
    return f"Classement ({unit}) : " + " ; ".join(parts) + "."
