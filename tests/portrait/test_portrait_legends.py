"""The choropleth legends of the portrait, on the page's map and in the sheet: each class
reads as the values it holds, no two classes read alike, and no class above 0 reads 0."""

from __future__ import annotations

import html
import re

import geopandas as gpd
import pandas as pd
import shapely

from geo.mapping.choropleth import choropleth_layer
from geo.mapping.elements import Legend
from geo.portrait.svg import choropleth

#: Per 10,000 inhabitants: zeros, small figures, two close ones (2,25 and 2,34).
VALUES = [0.0, 0.0, 0.0, 0.04, 0.26, 0.33, 0.46, 2.25, 2.34, None]


def _squares() -> list[shapely.Geometry]:
    return [shapely.box(i, 0, i + 1, 1) for i in range(len(VALUES))]


def _check(labels: list[str]) -> None:
    assert labels and not any("≥" in label for label in labels), labels
    assert len(set(labels)) == len(labels), labels
    zero = [label for label in labels if re.fullmatch(r"0(,0+)?", label)]
    assert zero == ["0"], labels  # only the class of zeros reads 0
    assert "0,04" in " ".join(labels)


def test_the_sheets_legend_says_distinct_classes() -> None:
    shapes = _squares()
    svg = choropleth(
        ("Ici", shapes[0]),
        [(f"V{i}", shape, VALUES[i]) for i, shape in enumerate(shapes) if i],
        VALUES[0],
        label="Essai",
        unit="pour 10 000 hab.",
    )
    labels = [
        html.unescape(t) for t in re.findall(r'<g class="classe">.*?<text[^>]*>([^<]*)<', svg)
    ]
    assert labels[-1] == "n. d."
    _check(labels[:-1])


def test_the_page_maps_legend_says_distinct_classes() -> None:
    outlines = gpd.GeoDataFrame(
        {
            "code": [str(i) for i in range(len(VALUES))],
            "nom": [f"T{i}" for i in range(len(VALUES))],
        },
        geometry=_squares(),
        crs=4326,
    )
    values = pd.Series(VALUES, index=outlines["code"], dtype="Float64")
    layer = choropleth_layer(outlines, values, label="Essai (pour 10 000 hab.)")
    legend = next(c for c in layer._children.values() if isinstance(c, Legend))
    rows = [re.sub(r"<[^>]+>", "", row) for row in legend.html.split("<br>")[1:-1]]
    _check([html.unescape(row).split(" (")[0] for row in rows])
