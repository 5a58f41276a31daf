"""The workshop's layers: participants' ideas as numbered pins, and the project a tour's stop
puts forward.

Never imports Streamlit. A pin's number is drawn by the icon (our digits only); its title, a
participant's text, goes into the tooltip as a JSON string of escaped text
(:func:`geo.text.html_text`), never into HTML or a script as is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import folium
from folium.elements import MacroElement
from folium.template import Template

from geo.text import html_text

IDEAS_LAYER = "Idées de la salle"
FEATURED_LAYER = "Projet présenté"
#: CSS class of every idea pin (``idee-atelier idee-<number>``), for styling and tests.
IDEA_CLASS = "idee-atelier"
#: SVG class of the ring around the project a stop puts forward.
FEATURED_CLASS = "projet-vedette"
FEATURED_PANE = "projet-vedette"
IDEA_COLOUR = "#c2255c"
IDEA_STYLE = (
    "width:30px;height:30px;line-height:26px;border-radius:50% 50% 50% 0;transform:rotate(-45deg);"
    f"background:{IDEA_COLOUR};border:2px solid #fff;box-shadow:0 0 0 1px rgba(0,0,0,.4);"
)
NUMBER_STYLE = "display:block;transform:rotate(45deg);color:#fff;font:700 14px sans-serif;" + (
    "text-align:center"
)


class Pin(Protocol):
    number: int
    lat: float
    lon: float
    title: str

    def label(self) -> str: ...


def ideas_layer(ideas: Sequence[Pin]) -> folium.FeatureGroup:
    """One numbered pin per idea (never clustered: each number must stay readable)."""
    group = folium.FeatureGroup(name=IDEAS_LAYER)
    for idea in ideas:
        number = int(idea.number)
        icon = folium.DivIcon(
            html=f'<div style="{IDEA_STYLE}"><span style="{NUMBER_STYLE}">{number}</span></div>',
            icon_size=(30, 30),
            icon_anchor=(15, 30),
            class_name=f"{IDEA_CLASS} idee-{number}",
        )
        marker = folium.Marker([float(idea.lat), float(idea.lon)], icon=icon)
        marker.add_child(_Tooltip(html_text(idea.label())))
        marker.add_to(group)
    return group


def featured_pane() -> folium.map.CustomPane:
    """The pane of the ring, above the markers and their groups (Leaflet draws circles below
    markers otherwise): added to the map itself, the ring's layer coming later."""
    return folium.map.CustomPane(FEATURED_PANE, z_index=650, pointer_events=False)


def featured_layer(lat: float, lon: float, project_id: int, title: str) -> folium.FeatureGroup:
    """A wide ring around the project a stop puts forward, outside any group of markers and
    above them (in :func:`featured_pane`, which the map must hold)."""
    group = folium.FeatureGroup(name=FEATURED_LAYER)
    ring = folium.CircleMarker(
        location=[float(lat), float(lon)],
        radius=18,
        color="#212529",
        weight=4,
        fill=False,
        class_name=f"{FEATURED_CLASS} {FEATURED_CLASS}-{int(project_id)}",
    )
    ring.options["pane"] = FEATURED_PANE  # folium's path options do not take it
    ring.add_child(_Tooltip(html_text(title)))
    ring.add_to(group)
    return group


class _FitWhileUntouched(MacroElement):
    """Fit the bounds again each time the map's frame changes size, until someone moves the
    map. The presentation's frame takes the height its stop's title and note leave, known
    only once the page is laid out: the map was fitted on the frame's first, smaller box
    (the territory a small shape in the top of the map)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (map, bounds) {
            var box = map.getContainer(), touched = false, last = null, request = null;
            ["pointerdown", "wheel", "keydown", "touchstart"].forEach(function (name) {
                box.addEventListener(name, function () { touched = true; }, {passive: true});
            });
            new ResizeObserver(function () {
                var size = box.clientWidth + "x" + box.clientHeight;
                if (touched || !box.clientWidth || !box.clientHeight || size === last) { return; }
                last = size;
                cancelAnimationFrame(request);
                request = requestAnimationFrame(function () {
                    map.invalidateSize();
                    map.fitBounds(bounds, {animate: false});
                    // The outlines are redrawn (and clipped to the new box) on "moveend"
                    // only, which a fit to an unchanged view does not fire.
                    map.fire("moveend");
                });
            }).observe(box);
        })({{ this._parent.get_name() }}, {{ this.bounds|tojson }});
        {% endmacro %}"""
    )

    def __init__(self, bounds: Sequence[Sequence[float]]) -> None:
        super().__init__()
        self._name = "FitWhileUntouched"
        self.bounds = [[float(v) for v in corner] for corner in bounds]


def keep_fitted(m: folium.Map) -> folium.Map:
    """The map fitted to its bounds again whenever its frame changes size, until someone
    moves it (a map opening on a saved view has no bounds to keep: left alone)."""
    fits = [c for c in m._children.values() if isinstance(c, folium.FitBounds)]
    if fits:
        _FitWhileUntouched(fits[-1].bounds).add_to(m)
    return m


class _Tooltip(MacroElement):
    """A tooltip as a JSON string (folium's Tooltip pastes text into a template literal)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.bindTooltip({{ this.text|tojson }});
        {% endmacro %}"""
    )

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Tooltip"
        self.text = text
