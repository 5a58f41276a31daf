"""The workshop's layers: participants' ideas as numbered pins, grouped where they crowd, and
the project a tour's stop puts forward, drawn above them.

Never imports Streamlit. A pin's number is drawn by the icon (our digits only); its title, a
participant's text, goes into the tooltip as a JSON string of escaped text
(:func:`geo.text.html_text`), never into HTML or a script as is.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Protocol

import folium
from folium.elements import MacroElement
from folium.template import Template

from geo.mapping import base as maps
from geo.mapping.elements import Legend
from geo.text import html_text

IDEAS_LAYER = "Idées de la salle"
FEATURED_LAYER = "Projet présenté"
#: CSS class of every idea pin (``idee-atelier idee-<number>``), for styling and tests.
IDEA_CLASS = "idee-atelier"
#: CSS class of a group of ideas (with MarkerCluster's own ``marker-cluster``).
IDEA_GROUP_CLASS = "groupe-idees"
#: SVG class of the ring around the project a stop puts forward (and ``-point`` of its dot).
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
#: Ideas closer than this on the screen are grouped (the projects' groups use the same).
GROUP_RADIUS = 40
#: A group of ideas: a round badge in the ideas' colour with how many it holds (a single
#: idea is a pin with its number: the two never read alike).
GROUP_ICON = (
    "function (cluster) {"
    "  var n = cluster.getChildCount(), size = n < 10 ? 34 : n < 100 ? 40 : 46;"
    "  return L.divIcon({"
    "    html: '<div style=\"background:" + IDEA_COLOUR + ";width:' + size + 'px;height:' + size"
    "      + 'px;margin:0;box-sizing:border-box;border-radius:50%;color:#fff;"
    "font:700 14px/' + (size - 6) + 'px sans-serif;text-align:center;border:3px solid #fff;"
    "box-shadow:0 0 0 1px rgba(0,0,0,.45)\">' + n + '</div>',"
    "    className: 'marker-cluster " + IDEA_GROUP_CLASS + "', iconSize: L.point(size, size)"
    "  });"
    "}"
)


class Pin(Protocol):
    number: int
    lat: float
    lon: float
    title: str

    def label(self) -> str: ...


def ideas_layer(ideas: Sequence[Pin], *, base_url_path: str = "") -> folium.FeatureGroup:
    """One numbered pin per idea; ideas that crowd one place make a group showing how many
    they are (a click on it zooms in, or spreads them out when they share one spot)."""
    group = folium.FeatureGroup(name=IDEAS_LAYER)
    if not ideas:
        return group
    cluster = maps.marker_cluster(
        name=IDEAS_LAYER, base_url_path=base_url_path, icon_create_function=GROUP_ICON
    )
    cluster.options["showCoverageOnHover"] = False
    cluster.options["maxClusterRadius"] = GROUP_RADIUS
    cluster.add_to(group)
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
        marker.add_to(cluster)
    ideas_legend().add_to(group)
    return group


def ideas_legend() -> Legend:
    """The ideas' section of the legend: a pin and its number, a group and its count."""
    pin = (
        f'<span style="display:inline-block;width:12px;height:12px;margin-right:6px;'
        f"vertical-align:middle;border-radius:50% 50% 50% 0;transform:rotate(-45deg);"
        f'background:{IDEA_COLOUR};border:1px solid #fff"></span>'
    )
    bubble = (
        f'<span style="display:inline-block;min-width:16px;height:16px;border-radius:8px;'
        f"background:{IDEA_COLOUR};color:#fff;font-size:10px;line-height:16px;"
        f'text-align:center;margin-right:6px;vertical-align:middle">5</span>'
    )
    rows = [
        pin + html.escape("une idée de la salle (son numéro)"),
        bubble + html.escape("groupe d'idées (leur nombre) — zoomer pour les voir"),
    ]
    return Legend("<b>Idées de la salle</b><br>" + "<br>".join(rows), rank=1,
                  css_class="legende-idees")  # fmt: skip


def featured_pane() -> folium.map.CustomPane:
    """The pane of the project put forward, above the markers and their groups, the room's
    ideas included (Leaflet draws circles below markers otherwise): added to the map
    itself, the project's layer coming later."""
    return folium.map.CustomPane(FEATURED_PANE, z_index=650, pointer_events=False)


def featured_layer(
    lat: float, lon: float, project_id: int, title: str, *, colour: str = "#212529"
) -> folium.FeatureGroup:
    """The project a stop puts forward, drawn again above every marker and group (in
    :func:`featured_pane`, which the map must hold): its dot in its theme's ``colour`` and a
    wide ring around it, so that no idea of the room covers it."""
    group = folium.FeatureGroup(name=FEATURED_LAYER)
    location = [float(lat), float(lon)]
    ring = folium.CircleMarker(
        location=location,
        radius=18,
        color="#212529",
        weight=4,
        fill=False,
        class_name=f"{FEATURED_CLASS} {FEATURED_CLASS}-{int(project_id)}",
    )
    ring.add_child(_Tooltip(html_text(title)))
    # Drawn, not clickable: a click at the project goes to what is under it (the group of
    # ideas around it, the project's own marker and its popup); the ring's tooltip names it.
    dot = folium.CircleMarker(
        location=location,
        radius=9,
        color="#ffffff",
        weight=2,
        fill=True,
        fill_color=colour,
        fill_opacity=1,
        class_name=f"{FEATURED_CLASS}-point",
    )
    dot.options["interactive"] = False
    for circle in (ring, dot):
        circle.options["pane"] = FEATURED_PANE  # folium's path options take neither
        circle.add_to(group)
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
