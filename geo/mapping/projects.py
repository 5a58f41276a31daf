"""The Explorer's folium layers: project markers by theme, legend, basemaps, offline HTML file.

Never imports Streamlit. Markers are ``CircleMarker`` in the vendored MarkerCluster (see
:mod:`geo.mapping.base`); every text in a popup or tooltip is escaped here
(:func:`geo.text.html_text`).
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Sequence
from importlib import import_module
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
from folium.elements import MacroElement
from folium.template import Template

from geo.mapping import base as maps
from geo.mapping.assets import LEAFLET, MARKERCLUSTER, STATIC_URL, VendorPackage
from geo.mapping.elements import Legend
from geo.mapping.offline import context_labels
from geo.projects.model import STAGES, carriers_text
from geo.text import html_text

PROJECTS_LAYER = "Projets"
#: Marker colours: one per theme, one for projects in both.
THEME_COLOURS = {"energie": "#e8590c", "mobilite": "#1971c2", "both": "#7b2cbf"}
THEME_LEGEND = {"energie": "Énergie", "mobilite": "Mobilité", "both": "Énergie et mobilité"}
#: SVG class of every project marker (Leaflet ``className``), for styling and browser tests.
MARKER_CLASS = "marqueur-projet"
#: A group of projects of several themes (one theme: that theme's colour).
CLUSTER_MIXED = "#495057"


#: Groups drawn in the projects' colours, not MarkerCluster's green and yellow (which look
#: like the carpool places' circles and mean nothing here): the colour of their theme when
#: all the projects grouped share one, dark grey otherwise.
def cluster_icon(scale: float = 1.0) -> str:
    """The groups' icon function; ``scale`` enlarges circles and counts (the presentation's
    map, read from the back of a room)."""
    return (
        "function (cluster) {"
        "  var colours = {};"
        "  cluster.getAllChildMarkers().forEach(function (m) {"
        "    colours[m.options.fillColor] = 1;"
        "  });"
        "  var keys = Object.keys(colours);"
        f"  var colour = keys.length === 1 ? keys[0] : '{CLUSTER_MIXED}', k = {float(scale)!r};"
        "  var n = cluster.getChildCount();"
        "  var size = Math.round((n < 10 ? 30 : n < 100 ? 36 : 42) * k);"
        "  return L.divIcon({"
        # The count in the middle of the circle: the line height inside the font shorthand (a
        # line-height before it was reset by it), no margin (MarkerCluster's own CSS gives its
        # 30 px circles 5 px, which moved ours off their point).
        "    html: '<div style=\"background:' + colour + ';width:' + size + 'px;height:' + size"
        "      + 'px;margin:0;box-sizing:border-box;border-radius:50%;color:#fff;"
        "font:600 ' + Math.round(12 * k) + 'px/' + (size - 4) + 'px sans-serif;"
        "text-align:center;border:2px solid #fff;box-shadow:0 0 0 1px rgba(0,0,0,.35)\">'"
        "      + n + '</div>',"
        "    className: 'marker-cluster groupe-projets', iconSize: L.point(size, size)"
        "  });"
        "}"
    )


CLUSTER_ICON = cluster_icon()

#: On a phone the scale bar runs into the attribution: it goes, and the legend gets smaller.
MAP_FRAME_STYLE = """<style>
/* In the app the map fills its frame, whose height follows the window (ui/style.css). */
#map_div { height: 100vh !important; }
.leaflet-control-attribution { font-size: 11px; line-height: 1.35; max-width: 70%; }
@media (max-width: 420px) {
  .leaflet-control-scale { display: none; }
  .leaflet-control-attribution { font-size: 10px; max-width: 85%; }
  .geo-legende-panneau { font-size: 11px !important; }
}
</style>"""


def theme_key(themes: object) -> str:
    values = set(themes) if isinstance(themes, (list, tuple, set)) else set()
    if {"energie", "mobilite"} <= values:
        return "both"
    return "mobilite" if "mobilite" in values else "energie"


def popup_html(*, title: str, carriers: object, stage: str, commune: str | None, link: str) -> str:
    """The marker popup: every value escaped; ``link`` must be a path and query of ours."""
    if not link.startswith("/") or link.startswith("//"):
        link = "#"
    rows = [f"<strong>{html_text(title)}</strong>"]
    who = carriers_text(carriers)
    if who:
        rows.append(f"Porté par : {html_text(who)}")
    rows.append(f"Étape : {html_text(STAGES.get(stage, str(stage)))}")
    if commune:
        rows.append(f"Commune : {html_text(commune)}")
    rows.append(f'<a href="{html_text(link)}" target="_top">Voir la fiche du projet</a>')
    return '<div class="popup-projet">' + "<br>".join(rows) + "</div>"


def project_layer(
    frame: pd.DataFrame,
    *,
    link: Callable[[int], str],
    communes: Sequence[str | None] | None = None,
    selected: int | None = None,
    base_url_path: str = "",
    scale: float = 1.0,
) -> folium.FeatureGroup:
    """Projects as clustered circle markers coloured by theme, each with tooltip and popup
    (``scale``: the groups' size and count, see :func:`cluster_icon`)."""
    group = folium.FeatureGroup(name=PROJECTS_LAYER)
    cluster = maps.marker_cluster(
        name=PROJECTS_LAYER, base_url_path=base_url_path, icon_create_function=cluster_icon(scale)
    )
    cluster.options["showCoverageOnHover"] = False
    cluster.options["maxClusterRadius"] = round(40 * scale)
    cluster.add_to(group)
    names = list(communes) if communes is not None else [None] * len(frame)
    for row, commune in zip(frame.itertuples(index=False), names, strict=True):
        pid = int(row.id)
        colour = THEME_COLOURS[theme_key(row.themes)]
        chosen = pid == selected
        popup = popup_html(
            title=row.title, carriers=row.carriers, stage=row.stage, commune=commune,
            link=link(pid),
        )  # fmt: skip
        folium.CircleMarker(
            location=[float(row.lat), float(row.lon)],
            radius=10 if chosen else 7,
            color="#212529" if chosen else "#ffffff",
            weight=3 if chosen else 1.5,
            fill=True,
            fill_color=colour,
            fill_opacity=0.95,
            class_name=f"{MARKER_CLASS} projet-{pid}" + (" projet-choisi" if chosen else ""),
        ).add_child(_Bindings(popup, html_text(row.title))).add_to(cluster)
    return group


class _Bindings(MacroElement):
    """Popup and tooltip of a marker as JSON strings: folium's Popup needs jQuery (not loaded
    here) and its Tooltip pastes text into a JavaScript template literal."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.bindPopup({{ this.popup|tojson }}, {maxWidth: 300});
        {{ this._parent.get_name() }}.bindTooltip({{ this.tooltip|tojson }});
        {% endmacro %}"""
    )

    def __init__(self, popup: str, tooltip: str) -> None:
        super().__init__()
        self._name = "Bindings"
        self.popup = popup
        self.tooltip = tooltip


class _Returned(MacroElement):
    """A comment naming what ``st_folium`` returns. streamlit-folium reads
    ``returned_objects`` once, when the map mounts, and mounts again only when the map's
    script changes: this makes the script change with them."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        /* returned: {{ this.names }} */
        {% endmacro %}"""
    )

    def __init__(self, names: Sequence[str]) -> None:
        super().__init__()
        self._name = "Returned"
        self.names = ",".join(sorted(re.sub(r"[^a-z_]", "", n) for n in names))


def with_returned(m: folium.Map, names: Sequence[str]) -> folium.Map:
    _Returned(names).add_to(m)
    return m


def project_legend() -> Legend:
    """The projects' section of the legend panel, first: their colours and their groups."""
    dot = (
        '<span style="display:inline-block;width:11px;height:11px;border-radius:50%;'
        'background:{};margin-right:6px;vertical-align:middle;border:1px solid #fff"></span>'
    )
    rows = [
        dot.format(html.escape(THEME_COLOURS[key])) + html.escape(THEME_LEGEND[key])
        for key in ("energie", "mobilite", "both")
    ]
    bubble = (
        f'<span style="display:inline-block;min-width:16px;height:16px;border-radius:8px;'
        f"background:{CLUSTER_MIXED};color:#fff;font-size:10px;line-height:16px;"
        f'text-align:center;margin-right:6px;vertical-align:middle">3</span>'
    )
    # The bubble's "3" reads as the start of the line: "3 projets groupés…".
    rows.append(bubble + "projets groupés, ici 3 (sa couleur : leur thème) — zoomer pour les voir")
    content = "<b>Projets</b><br>" + "<br>".join(rows)
    return Legend(content, rank=0, css_class="legende-projets")


def near_legend(near: maps.Near) -> Legend:
    """The legend's line for the "près de" pin and circle, the place's name escaped."""
    pin = (
        '<span style="display:inline-block;width:10px;height:10px;border-radius:50%;'
        "background:#212529;border:2px solid #fff;box-shadow:0 0 0 1px #212529;"
        'margin-right:6px;vertical-align:middle"></span>'
    )
    text = html_text(f"Près de : {near.label}, rayon de {near.radius_km:g} km (cercle)")
    return Legend(pin + text, rank=5, css_class="legende-pres-de")


#: Offline, the départements' names show up to this zoom; beyond, the communes' names do.
CONTEXT_LABELS_MAX_ZOOM = 9


def _view_bounds(view: tuple[float, float, int]) -> list[list[float]]:
    """About the bounds of a 1,000 × 700 px view at ``view`` (lat, lon, zoom): where the
    offline basemap is drawn when a link gives the view (Web Mercator: 256 px per tile)."""
    lat, lon, zoom = view
    degrees = 360 / 2**zoom / 256  # per pixel along a parallel at the equator
    half_lon = 500 * degrees
    half_lat = 350 * degrees * max(math.cos(math.radians(lat)), 0.01)
    return [[lat - half_lat, lon - half_lon], [lat + half_lat, lon + half_lon]]


def explorer_map(
    *,
    basemap: str,
    offline: bool = False,
    selection: maps.Selection | None,
    context: dict[str, Any] | None,
    base_url_path: str = "",
    view: tuple[float, float, int] | None = None,
    near: maps.Near | None = None,
    surroundings: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """The map without its projects (they come as a separate layer, so that a filter change
    updates them without rebuilding the map and losing the user's view). It opens at
    ``view`` when given (a shared link), else on the "près de" circle, else on the
    territory, else on France.

    Offline, the names of the ``context`` outlines (départements) show up to
    :data:`CONTEXT_LABELS_MAX_ZOOM`, and ``surroundings`` (the loaded communes) is drawn
    around the view with its names (:func:`geo.mapping.base.base_map`)."""
    shown = selection if selection is not None and not selection.geometry.is_empty else None
    bounds = maps.geometry_bounds(shown.geometry) if shown is not None else None
    if near is not None:
        bounds = near.bounds()
    if view is not None and surroundings is not None:
        bounds = _view_bounds(view)
    m = maps.base_map(
        offline=offline,
        base_url_path=base_url_path,
        bounds=bounds,
        basemap=basemap,
        surroundings=surroundings,
    )
    if offline and context is not None:
        maps.add_offline_layer(m, context_labels(context, max_zoom=CONTEXT_LABELS_MAX_ZOOM))
    if view is not None:
        # Replace the fit by the shared view.
        maps.remove_fit(m)
        m.location = [view[0], view[1]]
        m.options["zoom"] = view[2]
    if context is not None:
        maps.outlines_layer(context, name=maps.CONTEXT_LAYER, style=maps.CONTEXT_STYLE).add_to(m)
    if shown is not None:
        maps.selected_layer(shown).add_to(m)
    if near is not None:
        for layer in maps.near_layers(near):
            layer.add_to(m)
        near_legend(near).add_to(m)
    project_legend().add_to(m)
    m.get_root().header.add_child(folium.Element(MAP_FRAME_STYLE), name="map_frame_style")
    return m


# --- a standalone HTML file ----------------------------------------------------------------------

_SCRIPT = re.compile(r'<script src="([^"]+)"></script>')
_STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"\s*/?>')


def _vendor_file(url: str, base_url_path: str) -> Path | None:
    prefix = f"/{base_url_path.strip('/')}" if base_url_path.strip("/") else ""
    for package in (LEAFLET, MARKERCLUSTER):
        folder = f"{prefix}{STATIC_URL}/vendor/{package.folder}/"
        if url.startswith(folder):
            return _package_dir(package) / url[len(folder) :]
    return None


def _package_dir(package: VendorPackage) -> Path:
    return Path(import_module(package.module).BASE_DIR)


def standalone_html(m: folium.Map, *, base_url_path: str = "") -> str:
    """The map as one HTML file that opens without the app and without internet: the vendored
    Leaflet and MarkerCluster files are inlined instead of linked."""
    page = m.get_root().render()

    def script(match: re.Match[str]) -> str:
        path = _vendor_file(match.group(1), base_url_path)
        if path is None or not path.is_file():
            return match.group(0)
        code = path.read_text(encoding="utf-8").replace("</script", "<\\/script")
        return f"<script>{code}</script>"

    def stylesheet(match: re.Match[str]) -> str:
        path = _vendor_file(match.group(1), base_url_path)
        if path is None or not path.is_file():
            return match.group(0)
        return f"<style>{path.read_text(encoding='utf-8')}</style>"

    page = _SCRIPT.sub(script, page)
    return _STYLESHEET.sub(stylesheet, page)
