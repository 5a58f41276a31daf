"""A choropleth too heavy to send as outlines, sent as an image: one pixel per ~1 km.

35,000 commune outlines weigh tens of MB in a page; the same choropleth at the national view
is a picture of France whose every pixel takes the colour of the territory under its centre
(rasterised once per edition by the territory engine, :mod:`geo.territory.raster`). A
palette PNG of the classes, transparent outside the territories, weighs ~100 kB and is
embedded in the page (a data URL: no request leaves it). No tooltip: the legend says to
choose a territory for the details.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

import folium
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from PIL import Image

from geo.mapping.choropleth import (
    NOT_AVAILABLE_COLOUR,
    _palette,
    class_breaks,
    class_ranges,
    legend,
    value_classes,
)
from geo.mapping.elements import Credit

RASTER_NOTE = "Carte en mosaïque (1 pixel ≈ 1 km) : choisissez un territoire pour le détail."


@dataclass(frozen=True)
class PixelGrid:
    """Which territory lies under each pixel of a picture of ``bounds``: ``pixels`` holds an
    index into ``codes`` (the territories' codes; the last one is None, outside)."""

    bounds: tuple[tuple[float, float], tuple[float, float]]  # ((south, west), (north, east))
    pixels: NDArray[np.int32]  # (height, width)
    codes: NDArray[np.object_]

    def codes_shown(self) -> set[str]:
        used = np.unique(self.pixels)
        return {str(code) for code in self.codes[used] if code is not None}


def raster_layer(
    grid: PixelGrid,
    values: pd.Series,
    *,
    label: str,
    unit: str | None = None,
    classes: int = 5,
    attribution: str | None = None,
) -> folium.FeatureGroup:
    """The choropleth of ``values`` (indexed by territory code) as an image over the map,
    its legend counting the territories of each class."""
    numbers = pd.to_numeric(pd.Series(values), errors="coerce").astype(float)
    numbers.index = numbers.index.astype(str)
    # Values per territory first (tens of thousands), then spread to the pixels by index.
    present = np.array([code is not None for code in grid.codes])
    per_code = numbers.reindex([str(code) for code in grid.codes]).to_numpy()
    used = np.unique(grid.pixels)
    shown = pd.Series(per_code[used[present[used]]])
    breaks = class_breaks(shown, classes)
    colours = _palette(max(len(breaks) - 1, 1))
    # Palette image: 0 transparent, 1 "non disponible", 2… the classes.
    klass = value_classes(pd.Series(per_code), breaks)
    colour_of = np.where(present, np.where(klass < 0, 1, klass + 2), 0).astype(np.uint8)
    index = colour_of[grid.pixels.ravel()]
    image = Image.fromarray(index.reshape(grid.pixels.shape), mode="P")
    palette = [0, 0, 0, *_rgb(NOT_AVAILABLE_COLOUR)]
    for colour in colours:
        palette += _rgb(colour)
    image.putpalette(palette)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", transparency=0)
    data_url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    group = folium.FeatureGroup(name=label)
    folium.raster_layers.ImageOverlay(
        image=data_url, bounds=[list(grid.bounds[0]), list(grid.bounds[1])], opacity=0.75,
        interactive=False, cross_origin=False,
    ).add_to(group)  # fmt: skip
    if attribution:
        Credit(attribution).add_to(group)
    shown_classes = value_classes(shown, breaks)
    counts = np.bincount(shown_classes[shown_classes >= 0], minlength=len(colours))
    legend(
        label, class_ranges(shown, shown_classes, len(colours)) if breaks else [], colours,
        unit=unit, counts=list(counts),
        missing=int((shown_classes < 0).sum()), note=RASTER_NOTE,
    ).add_to(group)  # fmt: skip
    return group


def _rgb(colour: str) -> list[int]:
    colour = colour.lstrip("#")
    return [int(colour[i : i + 2], 16) for i in (0, 2, 4)]
