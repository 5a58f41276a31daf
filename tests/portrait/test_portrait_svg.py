"""The sheet's inline drawings: bars ranked and escaped, points inside the map, the footer's
CSS string escaped."""

from __future__ import annotations

import re

import shapely

from geo.portrait.sheet import css_string
from geo.portrait.svg import Bar, Marker, bar_chart, choropleth, territory_map


def test_bars_are_ranked_largest_first_and_their_labels_escaped() -> None:
    svg = bar_chart([Bar("petit", 1.0), Bar("<script>grand</script>", 9.0, highlight=True),
                     Bar("inconnu", None)])  # fmt: skip
    labels = re.findall(r'text-anchor="end"[^>]*>([^<]*)<', svg)
    assert labels == ["&lt;script&gt;grand&lt;/script&gt;", "petit", "inconnu"]
    assert "<script>" not in svg and svg.count('class="barre-territoire"') == 1
    widths = [float(w) for w in re.findall(r'<rect[^>]*width="([\d.]+)"', svg)]
    assert widths[0] > widths[1] > 0  # proportional, the largest fills the room
    assert "non disponible" in svg


def test_project_points_fall_inside_the_drawn_outline() -> None:
    square = shapely.box(5.6, 45.1, 5.8, 45.3)
    svg = territory_map(square, [], [Marker(5.7, 45.2, 1, "#e8590c")], label="Carré")
    x, y = (float(v) for v in re.search(r'<circle cx="([\d.]+)" cy="([\d.]+)"', svg).groups())
    assert 260 < x < 380 and 150 < y < 270  # the centre of a 640×420 picture
    assert 'class="contour"' in svg and "km</text>" in svg  # outline and scale bar


def test_choropleth_greys_what_is_not_available() -> None:
    a, b = shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)
    svg = choropleth(("A", a), [("B", b, None)], 3.0, label="Essai")
    assert "#bdbdbd" in svg and "B : non disponible" in svg


def test_footercss_string_cannot_close_the_style() -> None:
    text = css_string('Saint-Jean "</style><script>" \\ fin\nligne 2')
    assert "</style>" not in text and "<" not in text
    assert text.startswith('"') and text.endswith('"') and '\\"' in text and "\\A " in text
