"""The presentation's map pieces without a browser: the room's ideas grouped where they crowd
(with their legend), the project a stop puts forward drawn above them, the fit kept while
the frame changes size."""

from __future__ import annotations

import re
from dataclasses import dataclass

import folium

from geo.mapping import base as maps
from geo.mapping import ideas as idea_maps


@dataclass(frozen=True)
class _Idea:
    number: int
    lat: float
    lon: float
    title: str = "Une idée"

    def label(self) -> str:
        return f"n° {self.number} — {self.title}"


def _rendered(*layers: folium.Element) -> str:
    m = maps.base_map(offline=True, bounds=[[45.1, 5.6], [45.3, 5.8]])
    idea_maps.featured_pane().add_to(m)
    for layer in layers:
        layer.add_to(m)
    return m.get_root().render()


def test_ideas_are_grouped_with_their_count_and_explained_in_the_legend() -> None:
    ideas = [_Idea(n, 45.19 + 0.0001 * n, 5.72) for n in range(1, 13)]
    html = _rendered(idea_maps.ideas_layer(ideas))
    # One group of markers holding every pin, drawn with the ideas' own badge.
    assert html.count("L.markerClusterGroup(") == 1
    assert "className: 'marker-cluster groupe-idees'" in html
    assert '"maxClusterRadius": 40' in html
    for n in range(1, 13):
        assert f'"className": "idee-atelier idee-{n}"' in html
    cluster = re.search(r"var (marker_cluster_\w+) = L\.markerClusterGroup", html).group(1)
    assert len(re.findall(rf"\.addTo\({cluster}\)", html)) == 12
    assert "legende-idees" in html and "(leur nombre)" in html


def test_no_idea_no_group_and_no_legend() -> None:
    html = _rendered(idea_maps.ideas_layer([]))
    assert "L.markerClusterGroup(" not in html and "legende-idees" not in html


def test_the_featured_project_is_drawn_above_the_ideas() -> None:
    html = _rendered(
        idea_maps.ideas_layer([_Idea(1, 45.19, 5.72)]),
        idea_maps.featured_layer(45.19, 5.72, 7, "Toits", colour="#e8590c", popup="<b>Toits</b>"),
    )
    pane = re.search(r'createPane\(\s*"projet-vedette"\)', html)
    assert pane is not None
    assert re.search(r"\.style\.zIndex = 650", html)  # above the markers' pane (600)
    # Its dot, in its theme's colour, with its popup, and its ring, both in that pane.
    assert '"className": "projet-vedette-point"' in html and '"fillColor": "#e8590c"' in html
    assert '"className": "projet-vedette projet-vedette-7"' in html
    assert html.count('"pane": "projet-vedette"') == 2
    assert html.count('"interactive": false') == 1  # the ring lets the clicks to the dot
    assert '.bindPopup("\\u003cb\\u003eToits\\u003c/b\\u003e"' in html


def test_a_group_of_ideas_stands_above_its_point() -> None:
    """Its count clear of the project drawn at the point: the badge's foot, a stalk, is the
    icon's anchor (not the badge's centre, as the projects' groups)."""
    icon = idea_maps.group_icon(1.75)
    assert "iconAnchor: L.point(size / 2, size + stalk)" in icon
    assert "Math.round(12 * k)" in icon and "k = 1.75" in icon


def test_the_fit_is_kept_while_the_frame_changes_size() -> None:
    m = maps.base_map(offline=True, bounds=[[45.1, 5.6], [45.3, 5.8]])
    html = idea_maps.keep_fitted(m).get_root().render()
    assert "new ResizeObserver" in html and "[[45.1, 5.6], [45.3, 5.8]]" in html
    # A map opening on a saved view keeps it.
    m = maps.base_map(offline=True, bounds=[[45.1, 5.6], [45.3, 5.8]])
    maps.remove_fit(m)
    assert "touched" not in idea_maps.keep_fitted(m).get_root().render()
