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
#: The presentation's map is read from the back of a room: its text, 12 px on the Explorer's
#: map (legend, groups' counts), is 21 px there, and the pins, groups and their numbers grow
#: alike (a projector's 1920×1080 shows a map 1,400 px wide to people 10 m away).
ROOM_SCALE = 1.75
#: Ideas closer than this on the screen (at scale 1) are grouped, as the projects are.
GROUP_RADIUS = 40


def group_icon(scale: float = 1.0) -> str:
    """A group of ideas: a round badge in the ideas' colour with how many it holds (a single
    idea is a pin with its number: the two never read alike), standing on a short stalk
    above the group's point, as a pin stands above its own: the project a stop puts forward,
    drawn at its point above everything, never hides the count."""
    return (
        "function (cluster) {"
        f"  var k = {float(scale)!r}, n = cluster.getChildCount();"
        "  var size = Math.round((n < 10 ? 30 : n < 100 ? 36 : 42) * k);"
        "  var stalk = Math.round(12 * k);"
        "  return L.divIcon({"
        f"    html: '<div style=\"position:relative;background:{IDEA_COLOUR};width:' + size"
        "      + 'px;height:' + size + 'px;margin:0;box-sizing:border-box;border-radius:50%;"
        "color:#fff;font:700 ' + Math.round(12 * k) + 'px/' + (size - 6) + 'px sans-serif;"
        "text-align:center;border:3px solid #fff;box-shadow:0 0 0 1px rgba(0,0,0,.45)\">'"
        "      + n + '<div style=\"position:absolute;left:50%;top:100%;margin:0 0 0 -1.5px;"
        f"width:3px;height:' + stalk + 'px;border-radius:0;background:{IDEA_COLOUR}\"></div>'"
        "      + '</div>',"
        f"    className: 'marker-cluster {IDEA_GROUP_CLASS}',"
        "    iconSize: L.point(size, size + stalk),"
        "    iconAnchor: L.point(size / 2, size + stalk)"
        "  });"
        "}"
    )


def _pin_icon(number: int, scale: float) -> folium.DivIcon:
    """A pin (a square turned into a drop by its corners, its tip on the idea's point) with
    the idea's number in the middle."""
    size = round(28 * scale)
    box = (
        f"width:{size}px;height:{size}px;box-sizing:border-box;border-radius:50% 50% 50% 0;"
        f"transform:rotate(-45deg);background:{IDEA_COLOUR};border:2px solid #fff;"
        "box-shadow:0 0 0 1px rgba(0,0,0,.4)"
    )
    digits = (
        f"display:block;transform:rotate(45deg);color:#fff;text-align:center;"
        f"font:700 {round(12 * scale)}px/{size - 4}px sans-serif"
    )
    # The tip, the square's turned corner, is half a diagonal below the square's centre.
    tip = round(size / 2 + size / 2**0.5)
    return folium.DivIcon(
        html=f'<div style="{box}"><span style="{digits}">{int(number)}</span></div>',
        icon_size=(size, size),
        icon_anchor=(size // 2, tip),
        class_name=f"{IDEA_CLASS} idee-{int(number)}",
    )


class Pin(Protocol):
    number: int
    lat: float
    lon: float
    title: str

    def label(self) -> str: ...


def ideas_layer(
    ideas: Sequence[Pin], *, base_url_path: str = "", scale: float = 1.0
) -> folium.FeatureGroup:
    """One numbered pin per idea; ideas that crowd one place make a group showing how many
    they are (a click on it zooms in, or spreads them out when they share one spot)."""
    group = folium.FeatureGroup(name=IDEAS_LAYER)
    if not ideas:
        return group
    cluster = maps.marker_cluster(
        name=IDEAS_LAYER, base_url_path=base_url_path, icon_create_function=group_icon(scale)
    )
    cluster.options["showCoverageOnHover"] = False
    cluster.options["maxClusterRadius"] = round(GROUP_RADIUS * scale)
    cluster.add_to(group)
    for idea in ideas:
        marker = folium.Marker(
            [float(idea.lat), float(idea.lon)], icon=_pin_icon(idea.number, scale)
        )
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
    lat: float,
    lon: float,
    project_id: int,
    title: str,
    *,
    colour: str = "#212529",
    popup: str | None = None,
    scale: float = 1.0,
) -> folium.FeatureGroup:
    """The project a stop puts forward, drawn above every marker and group (in
    :func:`featured_pane`, which the map must hold): its dot in its theme's ``colour``, with
    its tooltip and ``popup`` (HTML built from escaped text, as
    :func:`geo.mapping.projects.popup_html`), and a wide ring around it, so that no idea of
    the room covers it. The page leaves it out of the projects' groups."""
    group = folium.FeatureGroup(name=FEATURED_LAYER)
    location = [float(lat), float(lon)]
    # Grown less than the text: the ring must not cover the groups' counts around it.
    grow = scale**0.5
    ring = folium.CircleMarker(
        location=location,
        radius=round(18 * grow),
        color="#212529",
        weight=round(4 * grow),
        fill=False,
        class_name=f"{FEATURED_CLASS} {FEATURED_CLASS}-{int(project_id)}",
    )
    # Drawn, not clickable: the dot inside takes the clicks.
    ring.options["interactive"] = False
    dot = folium.CircleMarker(
        location=location,
        radius=round(9 * grow),
        color="#ffffff",
        weight=2,
        fill=True,
        fill_color=colour,
        fill_opacity=1,
        class_name=f"{FEATURED_CLASS}-point",
    )
    dot.add_child(_Tooltip(html_text(title), popup=popup))
    for circle in (ring, dot):
        circle.options["pane"] = FEATURED_PANE  # folium's path options take neither
        circle.add_to(group)
    return group


def room_style(scale: float = ROOM_SCALE) -> str:
    """The stylesheet of the presentation's map frame: the legend, the tooltips and the zoom
    buttons at the room's size. The legend's text follows the map's width (``vw`` of its
    frame): projected, a 1,400 px wide map and a 900 px one fill the same wall, and the
    legend takes the same share of either (21 px on the first, 14 px on the second); its
    panel and symbols, sized inline by the shared map code, are taken over in ``em``."""
    text = round(12 * scale)
    legend = f"clamp(14px, 1.55vw, {text}px)"
    return f"""<style>
.geo-legende-panneau {{ font-size: {legend} !important; line-height: 1.35 !important;
  max-width: 20em !important; }}
.geo-legende-panneau span[style*="font-size"] {{ font-size: 1em !important;
  min-width: 1.4em !important; height: 1.4em !important; line-height: 1.4em !important;
  border-radius: 0.7em !important; }}
.geo-legende-panneau span[style*="width:11px"], .geo-legende-panneau span[style*="width:12px"] {{
  width: 0.8em !important; height: 0.8em !important; }}
.leaflet-tooltip {{ font-size: {text}px; }}
.leaflet-control-zoom a {{ width: {round(30 * scale)}px !important;
  height: {round(30 * scale)}px !important; line-height: {round(30 * scale)}px !important;
  font-size: {round(22 * scale)}px !important; }}
</style>"""


def for_the_room(m: folium.Map, *, scale: float = ROOM_SCALE) -> folium.Map:
    """The map's text and controls at the room's size (:func:`room_style`)."""
    m.get_root().header.add_child(folium.Element(room_style(scale)), name="room_style")
    return m


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
    """A tooltip (and a popup) as JSON strings (folium's Tooltip pastes text into a template
    literal, its Popup needs jQuery)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.bindTooltip({{ this.text|tojson }});
        {% if this.popup %}
        {{ this._parent.get_name() }}.bindPopup({{ this.popup|tojson }}, {maxWidth: 420});
        {% endif %}
        {% endmacro %}"""
    )

    def __init__(self, text: str, *, popup: str | None = None) -> None:
        super().__init__()
        self._name = "Tooltip"
        self.text = text
        self.popup = popup
