"""The sheet's drawings as inline SVG: a ranked bar chart, the map of a territory with its
projects, and a choropleth of an indicator over the neighbours.

Inline SVG rather than pictures rendered by a charting engine: the sheet stays one text file
that works offline and prints sharp at any size, and no browser or native library is needed
to draw it. Coordinates are projected on a plane tangent at the territory (longitudes scaled
by the cosine of its latitude), which is what a map of one territory needs; no tile is used.
Every text is escaped here.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely

from geo.mapping.choropleth import (
    NOT_AVAILABLE_COLOUR,
    class_breaks,
    class_ranges,
    legend_decimals,
    value_classes,
)
from geo.text import french_count_of, french_number

#: Marker colours by theme (as the Explorer's map): energy, mobility, both.
THEME_COLOURS = {"energie": "#e8590c", "mobilite": "#1971c2", "both": "#7b2cbf"}
HIGHLIGHT = "#c92a2a"
BAR = "#4c6ef5"
#: Light to dark (ColorBrewer YlGnBu), as the app's choropleths.
PALETTE = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")


def _text(value: object) -> str:
    return html.escape(str(value), quote=True)


# --- bar chart ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    highlight: bool = False


def bar_chart(
    bars: Sequence[Bar], *, unit: str | None = None, title: str = "", width: int = 420
) -> str:
    """Horizontal bars, largest first, the highlighted one in red; a missing value is
    written "non disponible" without a bar."""
    ordered = sorted(bars, key=lambda b: (b.value is None, -(b.value or 0.0)))
    row, label_width, top = 20, 170, 22 if title else 4
    height = top + row * len(ordered) + 6
    largest = max([b.value for b in ordered if b.value is not None] + [0.0])
    room = width - label_width - 90
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{_text(title)}" '
        'class="graphique" font-family="sans-serif" font-size="11">'
    ]
    if title:
        parts.append(f'<text x="0" y="14" font-weight="bold">{_text(title)}</text>')
    suffix = f" {unit}" if unit else ""
    for position, bar in enumerate(ordered):
        y = top + position * row
        label = bar.label if len(bar.label) <= 30 else bar.label[:29] + "…"
        weight = ' font-weight="bold"' if bar.highlight else ""
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 14}" text-anchor="end"{weight}>'
            f"{_text(label)}</text>"
        )
        if bar.value is None:
            parts.append(
                f'<text x="{label_width}" y="{y + 14}" fill="#868e96">non disponible</text>'
            )
            continue
        length = 0.0 if largest <= 0 else room * max(bar.value, 0.0) / largest
        colour = HIGHLIGHT if bar.highlight else BAR
        parts.append(
            f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" height="{row - 6}" '
            f'fill="{colour}" class="{"barre-territoire" if bar.highlight else "barre"}"/>'
        )
        figure = french_number(bar.value, decimals=2) + suffix
        if unit and float(bar.value).is_integer():
            figure = french_count_of(int(bar.value), unit)  # "1 site", "0 lieu"
        parts.append(
            f'<text x="{label_width + length + 4:.1f}" y="{y + 14}"{weight}>{_text(figure)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


# --- maps ---------------------------------------------------------------------------------------


class _Frame:
    """Longitude/latitude → SVG pixels, fitted to ``bounds`` with a margin."""

    def __init__(self, bounds: Sequence[float], width: int, height: int, margin: int = 10):
        west, south, east, north = bounds
        self.scale_x = math.cos(math.radians((south + north) / 2))
        span_x = max((east - west) * self.scale_x, 1e-9)
        span_y = max(north - south, 1e-9)
        self.k = min((width - 2 * margin) / span_x, (height - 2 * margin) / span_y)
        self.x0 = (width - span_x * self.k) / 2 - west * self.scale_x * self.k
        self.y0 = (height - span_y * self.k) / 2 + north * self.k
        self.width, self.height = width, height

    def points(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.x0 + lon * self.scale_x * self.k, self.y0 - lat * self.k

    def geometry(self, geometry: shapely.Geometry) -> shapely.Geometry:
        def move(coords: np.ndarray) -> np.ndarray:
            x, y = self.points(coords[:, 0], coords[:, 1])
            return np.column_stack([x, y])

        # Half a pixel of simplification: invisible, and a région stays a few kB.
        return shapely.simplify(shapely.transform(geometry, move), 0.5)


def _path(geometry: shapely.Geometry) -> str:
    """SVG path data of a (multi)polygon in pixels, holes included (even-odd filling)."""
    rings = []
    for polygon in getattr(geometry, "geoms", [geometry]):
        if polygon.is_empty or polygon.geom_type != "Polygon":
            continue
        for ring in [polygon.exterior, *polygon.interiors]:
            coords = np.asarray(ring.coords)
            if len(coords) < 3:
                continue
            points = " ".join(f"{x:.1f} {y:.1f}" for x, y in coords[:-1])
            rings.append(f"M{points}Z")
    return "".join(rings)


@dataclass(frozen=True)
class Marker:
    lon: float
    lat: float
    number: int
    colour: str


def _svg_open(width: int, height: int, label: str, css_class: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{_text(label)}" '
        f'class="{css_class}" font-family="sans-serif" font-size="10">'
        f'<rect width="{width}" height="{height}" fill="#f8f9fa"/>'
    )


def territory_map(
    outline: shapely.Geometry | None,
    neighbours: Sequence[tuple[str, shapely.Geometry]],
    markers: Sequence[Marker],
    *,
    label: str,
    width: int = 640,
    height: int = 420,
) -> str:
    """The territory's outline, its neighbours faint around it (named), and the projects as
    numbered dots (the numbers of the sheet's list)."""
    if outline is None or outline.is_empty:
        if not markers:
            return ""
        lon = np.array([m.lon for m in markers])
        lat = np.array([m.lat for m in markers])
        bounds = (lon.min() - 0.05, lat.min() - 0.05, lon.max() + 0.05, lat.max() + 0.05)
    else:
        bounds = outline.bounds
    frame = _Frame(bounds, width, height, margin=24)
    parts = [_svg_open(width, height, label, "carte-statique")]
    names = []
    for name, geometry in neighbours:
        moved = frame.geometry(geometry)
        parts.append(f'<path d="{_path(moved)}" fill="#e9ecef" stroke="#adb5bd" stroke-width="1"/>')
        point = moved.intersection(shapely.box(0, 0, width, height)).representative_point()
        if not point.is_empty:
            names.append((point, name))
    if outline is not None and not outline.is_empty:
        parts.append(
            f'<path d="{_path(frame.geometry(outline))}" fill="#fff3bf" fill-opacity="0.6" '
            f'fill-rule="evenodd" stroke="{HIGHLIGHT}" stroke-width="2.5" class="contour"/>'
        )
    for point, name in names:
        parts.append(
            f'<text x="{point.x:.1f}" y="{point.y:.1f}" text-anchor="middle" fill="#495057" '
            f'font-style="italic">{_text(name)}</text>'
        )
    if markers:
        x, y = frame.points(np.array([m.lon for m in markers]), np.array([m.lat for m in markers]))
        for marker, px, py in zip(markers, x, y, strict=True):
            parts.append(
                f'<g class="projet"><circle cx="{px:.1f}" cy="{py:.1f}" r="8" '
                f'fill="{marker.colour}" stroke="#fff" stroke-width="1.5"/>'
                f'<text x="{px:.1f}" y="{py + 3.5:.1f}" text-anchor="middle" fill="#fff" '
                f'font-weight="bold">{marker.number}</text></g>'
            )
    parts.append(_scale_bar(frame))
    parts.append("</svg>")
    return "".join(parts)


def _scale_bar(frame: _Frame) -> str:
    """A scale bar of a round length (about a fifth of the width)."""
    km_per_pixel = 111.32 / frame.k
    target = km_per_pixel * frame.width / 5
    length = next(
        (n for n in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000) if n >= target * 0.6), 1000
    )
    pixels = length / km_per_pixel
    x, y = 12, frame.height - 12
    return (
        f'<g class="echelle"><rect x="{x}" y="{y - 4}" width="{pixels:.1f}" height="4" '
        f'fill="#212529"/><text x="{x}" y="{y - 8}">{length} km</text></g>'
    )


def choropleth(
    territory: tuple[str, shapely.Geometry | None],
    neighbours: Sequence[tuple[str, shapely.Geometry, float | None]],
    own: float | None,
    *,
    label: str,
    unit: str | None = None,
    width: int = 260,
    height: int = 186,
) -> str:
    """The territory and its neighbours coloured by a figure (quantile classes, grey when
    not available), the territory outlined in red, in ``height`` pixels, with a legend under
    it: each class as the values it holds ("0", "0,26 – 0,33", as the page's map says them),
    two to a line."""
    name, outline = territory
    shapes = [g for _, g, _ in neighbours if g is not None and not g.is_empty]
    if outline is not None and not outline.is_empty:
        shapes.append(outline)
    if not shapes:
        return ""
    values = [v for _, _, v in neighbours] + [own]
    breaks = class_breaks(values)
    classes = value_classes(values, breaks)
    count = max(len(breaks) - 1, 1)
    colours = [PALETTE[i] for i in np.round(np.linspace(0, len(PALETTE) - 1, count)).astype(int)]
    ranges = class_ranges(values, classes, count) if breaks else []
    decimals = legend_decimals(ranges, least=2)
    entries = [
        (colour, _range_text(bounds, decimals))
        for colour, bounds in zip(colours, ranges, strict=False)
        if bounds is not None
    ]
    entries.append((NOT_AVAILABLE_COLOUR, "n. d."))
    legend_height = 13 * math.ceil(len(entries) / 2) + 14
    frame = _Frame(shapely.union_all(shapes).bounds, width, height, margin=6)
    total = height + legend_height
    parts = [_svg_open(width, total, label, "choroplethe")]
    drawn = [*neighbours, (name, outline, own)]
    for (shape_name, geometry, value), klass in zip(drawn, classes, strict=True):
        if geometry is None or geometry.is_empty:
            continue
        fill = colours[int(klass)] if klass >= 0 else NOT_AVAILABLE_COLOUR
        is_own = shape_name == name and geometry is outline
        stroke = f'stroke="{HIGHLIGHT}" stroke-width="2.5"' if is_own else 'stroke="#495057"'
        title = f"{shape_name} : " + (
            "non disponible" if value is None else french_number(value, decimals=2)
        )
        parts.append(
            f'<path d="{_path(frame.geometry(geometry))}" fill="{fill}" fill-rule="evenodd" '
            f"{stroke}><title>{_text(title)}</title></path>"
        )
    column = (width - 8) / 2
    for position, (colour, text) in enumerate(entries):
        x = 4 + (position % 2) * column
        y = height + 4 + (position // 2) * 13
        parts.append(
            f'<g class="classe"><rect x="{x:.1f}" y="{y}" width="10" height="10" '
            f'fill="{colour}" stroke="#495057"/><text x="{x + 13:.1f}" y="{y + 9}" '
            f'font-size="8">{_text(text)}</text></g>'
        )
    if unit:
        parts.append(f'<text x="4" y="{total - 4}" font-size="8">{_text(unit)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _range_text(bounds: tuple[float, float], decimals: int) -> str:
    low, high = (french_number(limit, decimals=decimals) for limit in bounds)
    return low if low == high else f"{low} – {high}"
