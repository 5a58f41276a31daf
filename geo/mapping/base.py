"""Folium map building. Never imports Streamlit.

Every map and plugin built here loads Leaflet from the app's own static folder (see
:mod:`geo.mapping.assets`), never from a CDN: folium's default jQuery, Bootstrap and awesome-markers
links are dropped, so markers are ``CircleMarker`` / ``GeoJson`` only (no ``folium.Icon``).
Text coming from data (territory names) reaches Leaflet tooltips, which use ``innerHTML``, so it
is HTML-escaped here before it is embedded.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import shapely
from folium.elements import MacroElement
from folium.template import Template
from shapely.geometry.base import BaseGeometry

from geo.mapping.assets import LEAFLET, MARKERCLUSTER, vendor_url

#: Metropolitan France, [[south, west], [north, east]]: the default view.
FRANCE_BOUNDS = [[41.3, -5.2], [51.1, 9.6]]
OUTLINES_LAYER = "Communes"
CONTEXT_LAYER = "Départements"
SELECTED_LAYER = "Territoire sélectionné"
#: SVG class of the selected outline (Leaflet ``className``), for styling and browser tests.
SELECTED_CLASS = "territoire-selectionne"
#: Background shown instead of tiles when offline.
OFFLINE_BACKGROUND = "#eef1f4"
#: ~10 m: finer than the display simplification (~100 m), and it keeps the GeoJSON small.
COORDINATE_DECIMALS = 4
#: Most outline GeoJSON a map should embed (the page weight budget is 1.5 MB in all).
OUTLINES_BUDGET_BYTES = 1_000_000

OUTLINE_STYLE = {"color": "#5b6b7a", "weight": 0.6, "opacity": 0.7, "fillOpacity": 0.03}
#: Départements under the communes: France's shape where tiles are blank or absent.
CONTEXT_STYLE = {"color": "#34495e", "weight": 1.2, "opacity": 0.8, "fillOpacity": 0.0}
OUTLINE_HIGHLIGHT = {"color": "#1f4e79", "weight": 2, "fillOpacity": 0.12}
SELECTED_STYLE = {
    "color": "#d9480f",
    "weight": 3,
    "opacity": 1,
    "fillColor": "#f08c00",
    "fillOpacity": 0.15,
}

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">contributeurs OpenStreetMap</a>'
)
IGN_TILES = (
    "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&TILEMATRIXSET=PM&FORMAT=image/png"
    "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
)
IGN_ATTRIBUTION = (
    '&copy; <a href="https://www.ign.fr/">IGN-F</a> / '
    '<a href="https://geoservices.ign.fr/">Géoplateforme</a>'
)
#: Plain-text credit of each basemap, for the page's sources.
BASEMAP_CREDITS = {
    "osm": "OpenStreetMap, © les contributeurs OpenStreetMap, données sous licence ODbL",
    "ign": "Plan IGN, © IGN-F / Géoplateforme, Licence Ouverte 2.0",
}
#: Basemap choices, with their French labels (``aucun``: no tiles, outlines only).
BASEMAPS = {"osm": "OpenStreetMap", "ign": "Plan IGN", "aucun": "Aucun fond de carte"}
#: Failed tiles (more than loaded ones) after which the tile layer gives way to the plain
#: background: a few misses on a slow network are tolerated, a dead network is not.
TILE_ERRORS_BEFORE_FALLBACK = 4
#: Zoom range of every map (the tiles' range: OpenStreetMap and Plan IGN go to 19).
MIN_ZOOM, MAX_ZOOM = 2, 19


def leaflet_links(
    *, base_url_path: str = ""
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(default_js, default_css) of a ``folium.Map`` pointing at the app's own Leaflet."""
    js = [("leaflet", vendor_url(LEAFLET, "leaflet.js", base_url_path=base_url_path))]
    css = [("leaflet_css", vendor_url(LEAFLET, "leaflet.css", base_url_path=base_url_path))]
    return js, css


class _MetricScale(MacroElement):
    """Leaflet's scale bar in metres only (folium's ``control_scale`` adds miles too)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
        {% endmacro %}"""
    )


#: Leaflet's own words, in French: button titles and screen-reader labels (its 1.9 defaults
#: are English and hard-coded in places: the layers button, the popup's close button).
FRENCH_CONTROLS = {
    "zoom_in": "Zoom avant",
    "zoom_out": "Zoom arrière",
    "layers": "Couches",
    "close": "Fermer",
    "leaflet": "Une bibliothèque JavaScript pour les cartes interactives",
}


class _FrenchControls(MacroElement):
    """Leaflet's controls in French: the map's zoom buttons (made by ``L.map``), and the
    layers button and popup close button of controls and popups made later (their
    constructors patched once per page, before any is made), and the title of the
    "Leaflet" credit."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (map, words) {
            function label(element, text) {
                if (!element) { return; }
                element.title = text;
                element.setAttribute("aria-label", text);
            }
            L.Control.Zoom.prototype.options.zoomInTitle = words.zoom_in;
            L.Control.Zoom.prototype.options.zoomOutTitle = words.zoom_out;
            if (map.zoomControl) {
                label(map.zoomControl._zoomInButton, words.zoom_in);
                label(map.zoomControl._zoomOutButton, words.zoom_out);
            }
            if (!L.Control.Layers.prototype._geoFrench) {
                var layersLayout = L.Control.Layers.prototype._initLayout;
                L.Control.Layers.prototype._initLayout = function () {
                    layersLayout.apply(this, arguments);
                    label(this._layersLink, words.layers);
                };
                var popupLayout = L.Popup.prototype._initLayout;
                L.Popup.prototype._initLayout = function () {
                    popupLayout.apply(this, arguments);
                    label(this._closeButton, words.close);
                };
                L.Control.Layers.prototype._geoFrench = true;
            }
            var credit = map.attributionControl;
            if (credit && typeof credit.options.prefix === "string") {
                credit.setPrefix(credit.options.prefix.replace(
                    /title="[^"]*"/, 'title="' + words.leaflet + '"'));
            }
        })({{ this._parent.get_name() }}, {{ this.words|tojson }});
        {% endmacro %}"""
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "FrenchControls"
        self.words = FRENCH_CONTROLS


class _FullScreen(MacroElement):
    """A "Plein écran" button under the zoom buttons: the map alone on the whole screen (a
    workshop's projector, a phone), and back. Absent where the browser forbids it."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (map) {
            if (!document.fullscreenEnabled) { return; }
            var control = L.control({position: "topleft"});
            control.onAdd = function () {
                var bar = L.DomUtil.create("div", "leaflet-bar plein-ecran");
                var button = L.DomUtil.create("a", "", bar);
                button.href = "#";
                button.setAttribute("role", "button");
                button.innerHTML = '<svg viewBox="0 0 16 16" width="16" height="16" '
                    + 'style="vertical-align:middle" aria-hidden="true"><path d="M2 6V2h4M10 2h4v4'
                    + 'M14 10v4h-4M6 14H2v-4" fill="none" stroke="#333" stroke-width="2"/></svg>';
                function label() {
                    var text = document.fullscreenElement ? "Quitter le plein écran"
                        : "Plein écran";
                    button.title = text;
                    button.setAttribute("aria-label", text);
                }
                label();
                L.DomEvent.on(button, "click", function (event) {
                    L.DomEvent.preventDefault(event);
                    if (document.fullscreenElement) { document.exitFullscreen(); }
                    else { map.getContainer().requestFullscreen(); }
                });
                document.addEventListener("fullscreenchange", function () {
                    label();
                    map.invalidateSize();
                });
                L.DomEvent.disableClickPropagation(bar);
                return bar;
            };
            control.addTo(map);
        })({{ this._parent.get_name() }});
        {% endmacro %}"""
    )


#: SVG/HTML class of the notice shown when the basemap's tiles cannot load.
TILES_FAILED_CLASS = "fond-indisponible"


def tiles_failed_notice(basemap_name: str) -> str:
    """The map's notice when the network blocks the tiles (``GEO_OFFLINE`` says it in the
    sidebar instead): why the map is plain, and that what matters is still drawn."""
    return (
        f"Fond de carte indisponible (réseau) : les images « {basemap_name} » ne se chargent "
        "pas. Les contours et les données restent affichés."
    )


class _TileFallback(MacroElement):
    """Remove the parent tile layer once tiles fail more than they load (no network, blocked
    host): the plain background and the outlines stay readable instead of grey squares.

    The map then says why (a French notice, :func:`tiles_failed_notice`, read out by screen
    readers) with a "Réessayer" button, and keeps the basemap's credit, which Leaflet would
    drop with the layer."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (layer, text, css) {
            var failed = 0, loaded = 0, notice = null, credit = layer.getAttribution();
            layer.on("tileload", function () { loaded += 1; });
            layer.on("tileerror", function () {
                failed += 1;
                var map = layer._map;
                if (failed < {{ this.threshold }} || failed <= loaded || !map) { return; }
                map.removeLayer(layer);
                if (credit && map.attributionControl) {
                    map.attributionControl.addAttribution(credit);
                }
                notice = L.control({position: "bottomleft"});
                notice.onAdd = function () {
                    var box = L.DomUtil.create("div", "leaflet-bar " + css);
                    box.setAttribute("role", "status");
                    box.style.cssText = "background: rgba(255,255,255,0.95); padding: 4px 8px;"
                        + " font: 12px/1.35 sans-serif; color: #212529; max-width: "
                        + Math.min(360, Math.round(map.getSize().x * 0.7)) + "px;";
                    var words = L.DomUtil.create("span", "", box);
                    words.textContent = text + " ";
                    var retry = L.DomUtil.create("button", "", box);
                    retry.type = "button";
                    retry.textContent = "Réessayer";
                    retry.style.cssText = "font: inherit; padding: 0 6px; cursor: pointer;"
                        + " border: 1px solid #adb5bd; border-radius: 3px; background: #f8f9fa;";
                    L.DomEvent.disableClickPropagation(box);
                    L.DomEvent.on(retry, "click", function () {
                        map.removeControl(notice);
                        if (credit && map.attributionControl) {
                            map.attributionControl.removeAttribution(credit);
                        }
                        failed = 0;
                        loaded = 0;
                        layer.addTo(map);
                    });
                    return box;
                };
                notice.addTo(map);
            });
        })({{ this._parent.get_name() }}, {{ this.notice|tojson }}, {{ this.css|tojson }});
        {% endmacro %}"""
    )

    def __init__(self, notice: str, threshold: int = TILE_ERRORS_BEFORE_FALLBACK) -> None:
        super().__init__()
        self._name = "TileFallback"
        self.threshold = int(threshold)
        self.notice = notice
        self.css = TILES_FAILED_CLASS


class _FitWhenSized(MacroElement):
    """Fit the bounds again once the map has a size, when it had none at its first fit.

    A map whose frame is laid out after its script runs (the portrait's second map, below a
    chart) was fitted on an empty box: Leaflet chose its smallest zoom, and the territory was
    a dot on a map of the world."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (map, bounds) {
            var box = map.getContainer();
            if (box.clientWidth && box.clientHeight) { return; }
            var observer = new ResizeObserver(function () {
                if (!box.clientWidth || !box.clientHeight) { return; }
                observer.disconnect();
                map.invalidateSize();
                map.fitBounds(bounds);
            });
            observer.observe(box);
        })({{ this._parent.get_name() }}, {{ this.bounds|tojson }});
        {% endmacro %}"""
    )

    def __init__(self, bounds: Sequence[Sequence[float]]) -> None:
        super().__init__()
        self._name = "FitWhenSized"
        self.bounds = [[float(v) for v in corner] for corner in bounds]


def remove_fit(m: folium.Map) -> None:
    """Drop the map's fit to its bounds (a view given by a link replaces it)."""
    for name, child in list(m._children.items()):
        if isinstance(child, (_FitWhenSized, folium.FitBounds)):
            del m._children[name]


def basemap_layers(choice: str, *, offline: bool) -> list[folium.TileLayer]:
    """The tile layers of a basemap choice (:data:`BASEMAPS`): none offline or for ``aucun``.

    Each layer removes itself when its tiles cannot load (see :class:`_TileFallback`).
    """
    if choice not in BASEMAPS:
        msg = f"Fond de carte inconnu : {choice!r} (attendu : {', '.join(BASEMAPS)})."
        raise ValueError(msg)
    if offline or choice == "aucun":
        return []
    url, attribution = (
        (OSM_TILES, OSM_ATTRIBUTION) if choice == "osm" else (IGN_TILES, IGN_ATTRIBUTION)
    )
    layer = folium.TileLayer(
        url, attr=attribution, name=BASEMAPS[choice], max_zoom=MAX_ZOOM, control=False
    )
    _TileFallback(tiles_failed_notice(BASEMAPS[choice])).add_to(layer)
    return [layer]


def base_map(
    *,
    offline: bool,
    base_url_path: str = "",
    bounds: Sequence[Sequence[float]] | None = None,
    basemap: str = "osm",
    surroundings: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """An empty map of France on ``basemap`` (:data:`BASEMAPS`), on a plain background that
    shows when offline, with ``aucun``, or when the tiles cannot load.

    Offline, ``surroundings`` (the loaded communes' outlines: ``code``, ``nom``, geometry) is
    the basemap: the outlines around ``bounds`` and their names (:mod:`geo.mapping.offline`).
    """
    m = folium.Map(tiles=None, location=[46.6, 2.4], zoom_start=6)
    # The map's own zoom limits: MarkerCluster reads maxZoom from the map, which a tile layer
    # would give, and without one (no basemap, offline, tiles failing) it draws no marker.
    m.options["max_zoom"] = MAX_ZOOM
    m.options["min_zoom"] = MIN_ZOOM
    # Instance lists: folium's add_js_link would mutate the class-level defaults.
    m.default_js, m.default_css = leaflet_links(base_url_path=base_url_path)
    # Fit before the tiles are added, so that only the tiles of the final view are requested.
    m.fit_bounds(bounds or FRANCE_BOUNDS)
    _FitWhenSized(bounds or FRANCE_BOUNDS).add_to(m)
    _FrenchControls().add_to(m)
    _MetricScale().add_to(m)
    _FullScreen().add_to(m)
    # Doubled class: leaflet.css (#ddd) may come after this style in the page, and wins a tie.
    style = (
        f"<style>.leaflet-container.leaflet-container {{ background: {OFFLINE_BACKGROUND}; }}"
        "</style>"
    )
    m.get_root().header.add_child(folium.Element(style), name="offline_background")
    for layer in basemap_layers(basemap, offline=offline):
        layer.add_to(m)
    if offline and surroundings is not None:
        add_offline_basemap(m, surroundings, bounds or FRANCE_BOUNDS)
    return m


def add_offline_basemap(
    m: folium.Map, surroundings: gpd.GeoDataFrame, bounds: Sequence[Sequence[float]]
) -> bool:
    """Draw the outlines of ``surroundings`` around ``bounds`` and their names on ``m``, as a
    basemap without tiles; False when none is near or they are too many for the page."""
    from geo.mapping import offline  # it draws with this module's limits: imported late

    drawn = offline.offline_basemap(surroundings, bounds)
    if drawn is None:
        return False
    add_offline_layer(m, drawn)
    return True


def add_offline_layer(m: folium.Map, drawn: Any) -> None:
    """An :class:`~geo.mapping.offline.OfflineBasemap` on ``m``, with its style (once)."""
    from geo.mapping import offline

    offline.OfflineLayer(drawn).add_to(m)
    m.get_root().header.add_child(folium.Element(offline.STYLE), name="offline_basemap_style")


#: The context outlines of a national view (départements behind the projects) are drawn at
#: zoom 5-7, where a pixel is 1-5 km: simplified to ~2 km and rounded to ~100 m they weigh
#: half the display outlines, for the same picture.
OVERVIEW_TOLERANCE_DEG = 0.02
OVERVIEW_DECIMALS = 3


def _rounded(geometries: np.ndarray, decimals: int = COORDINATE_DECIMALS) -> np.ndarray:
    return shapely.transform(geometries, lambda xy: np.round(xy, decimals))


def outlines_geojson(
    frame: gpd.GeoDataFrame, *, label_column: str = "nom", decimals: int = COORDINATE_DECIMALS
) -> dict[str, Any]:
    """A FeatureCollection of ``code``, escaped ``nom`` and rounded geometry (EPSG:4326).

    Worth caching by the caller: it is the bulk of what a map sends to the browser.
    """
    if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")
    frame = frame[~(frame.geometry.isna() | frame.geometry.is_empty)]
    geometries = _rounded(frame.geometry.to_numpy(), decimals)
    features = [
        {
            "type": "Feature",
            "properties": {"code": str(code), "nom": html.escape(str(label))},
            "geometry": shapely.geometry.mapping(geometry),
        }
        for code, label, geometry in zip(
            frame["code"], frame[label_column], geometries, strict=True
        )
    ]
    return {"type": "FeatureCollection", "features": features}


def overview_geojson(frame: gpd.GeoDataFrame) -> dict[str, Any]:
    """:func:`outlines_geojson` of a coverage simplified for the national view."""
    simplified = shapely.coverage_simplify(frame.geometry.to_numpy(), OVERVIEW_TOLERANCE_DEG)
    light = gpd.GeoDataFrame(frame.drop(columns="geometry"), geometry=simplified, crs=frame.crs)
    return outlines_geojson(light, decimals=OVERVIEW_DECIMALS)


def geojson_size(data: dict[str, Any]) -> int:
    """Bytes of ``data`` once embedded in the page, to check it against a budget."""
    return len(json.dumps(data).encode("ascii"))  # folium escapes non-ASCII as \uXXXX


#: The fewest bytes one vertex takes in :func:`outlines_geojson` (``[x, y], ``: two numbers of
#: one digit at least and their JSON punctuation): a lower bound of a layer's size that costs
#: nothing to compute, enough to refuse 35,000 commune outlines at once.
MIN_BYTES_PER_VERTEX = 8


def geojson_size_at_least(vertices: int) -> int:
    return vertices * MIN_BYTES_PER_VERTEX


def outlines_layer(
    data: dict[str, Any],
    *,
    name: str = OUTLINES_LAYER,
    style: dict[str, Any] | None = None,
) -> folium.GeoJson:
    """Light outlines of many territories, with the name as a hover tooltip.

    ``data`` comes from :func:`outlines_geojson` (names already escaped).
    """
    layer_style = dict(style or OUTLINE_STYLE)
    tooltip = (
        folium.GeoJsonTooltip(fields=["nom"], labels=False, sticky=True)
        if data["features"]
        else None
    )
    return folium.GeoJson(
        data,
        name=name,
        style_function=lambda _feature: layer_style,
        highlight_function=lambda _feature: OUTLINE_HIGHLIGHT,
        tooltip=tooltip,
        smooth_factor=1.0,
    )


@dataclass(frozen=True)
class Selection:
    """The territory to highlight: its outline and the text of its tooltip."""

    level: str
    code: str
    label: str
    geometry: BaseGeometry

    @property
    def css_class(self) -> str:
        """SVG class naming this territory, e.g. ``territoire-commune-38185``."""
        return re.sub(r"[^A-Za-z0-9_-]", "-", f"territoire-{self.level}-{self.code}")


def selected_layer(selection: Selection, *, name: str = SELECTED_LAYER) -> folium.GeoJson:
    """The chosen territory's outline, highlighted (SVG classes :data:`SELECTED_CLASS` and
    :attr:`Selection.css_class`)."""
    feature = {
        "type": "Feature",
        "properties": {"code": selection.code, "nom": html.escape(selection.label)},
        "geometry": shapely.geometry.mapping(_rounded(np.array([selection.geometry]))[0]),
    }
    style = {**SELECTED_STYLE, "className": f"{SELECTED_CLASS} {selection.css_class}"}
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": [feature]},
        name=name,
        style_function=lambda _feature: style,
        tooltip=folium.GeoJsonTooltip(fields=["nom"], labels=False, sticky=True),
    )


@dataclass(frozen=True)
class Near:
    """The place of a "près de" search and its radius: a pin and a circle on the map."""

    lat: float
    lon: float
    radius_km: float
    label: str

    def bounds(self) -> list[list[float]]:
        """Leaflet bounds of the circle (a degree of latitude is ~111.32 km)."""
        dlat = self.radius_km / 111.32
        dlon = self.radius_km / (111.32 * max(math.cos(math.radians(self.lat)), 0.01))
        return [[self.lat - dlat, self.lon - dlon], [self.lat + dlat, self.lon + dlon]]


#: SVG classes of the "près de" circle and pin, for styling and browser tests.
NEAR_CIRCLE_CLASS, NEAR_PIN_CLASS = "rayon-pres-de", "lieu-pres-de"


def near_layers(near: Near) -> list[folium.Circle | folium.CircleMarker]:
    """The radius (dashed circle) and the place (a dark pin). Neither takes clicks: a click
    there is for the projects under them; the legend names the place."""
    circle = folium.Circle(
        [near.lat, near.lon], radius=near.radius_km * 1000, color="#343a40", weight=2,
        dash_array="6 6", fill=True, fill_opacity=0.04, class_name=NEAR_CIRCLE_CLASS,
    )  # fmt: skip
    pin = folium.CircleMarker(
        [near.lat, near.lon], radius=7, color="#ffffff", weight=2, fill=True,
        fill_color="#212529", fill_opacity=1, class_name=NEAR_PIN_CLASS,
    )  # fmt: skip
    for layer in (circle, pin):
        layer.options["interactive"] = False  # folium drops the keyword
    return [circle, pin]


def geometry_bounds(geometry: BaseGeometry) -> list[list[float]]:
    """Leaflet bounds ``[[south, west], [north, east]]`` of a lon/lat geometry."""
    west, south, east, north = geometry.bounds
    return [[south, west], [north, east]]


def territory_map(
    *,
    outlines: dict[str, Any] | None,
    outlines_name: str = OUTLINES_LAYER,
    context: dict[str, Any] | None = None,
    context_name: str = CONTEXT_LAYER,
    selection: Selection | None = None,
    offline: bool = False,
    base_url_path: str = "",
    basemap: str = "osm",
) -> folium.Map:
    """Map of France with territory outlines; the selected one highlighted and fitted to.

    ``context`` (the départements) is drawn faintly under ``outlines`` so that France stays
    readable where no tiles load and beyond the loaded communes.
    """
    shown = selection if selection is not None and not selection.geometry.is_empty else None
    bounds = geometry_bounds(shown.geometry) if shown is not None else None
    m = base_map(offline=offline, base_url_path=base_url_path, bounds=bounds, basemap=basemap)
    if context is not None:
        outlines_layer(context, name=context_name, style=CONTEXT_STYLE).add_to(m)
    if outlines is not None:
        outlines_layer(outlines, name=outlines_name).add_to(m)
    if shown is not None:
        selected_layer(shown).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return m


def marker_cluster(
    *, name: str, base_url_path: str = "", icon_create_function: str | None = None
) -> folium.plugins.MarkerCluster:
    """A marker cluster layer loading Leaflet.markercluster from the app's static folder."""
    cluster = folium.plugins.MarkerCluster(name=name, icon_create_function=icon_create_function)
    cluster.default_js = [
        (
            "markerclusterjs",
            vendor_url(MARKERCLUSTER, "leaflet.markercluster.js", base_url_path=base_url_path),
        )
    ]
    cluster.default_css = [
        (
            "markerclustercss",
            vendor_url(MARKERCLUSTER, "MarkerCluster.css", base_url_path=base_url_path),
        ),
        (
            "markerclusterdefaultcss",
            vendor_url(MARKERCLUSTER, "MarkerCluster.Default.css", base_url_path=base_url_path),
        ),
    ]
    return cluster
