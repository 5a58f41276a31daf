"""The map view as the overlays need it, and the key telling when a view needs new data.

Why the key is computed in the browser: streamlit-folium's frontend reruns the script when the
JSON of the returned objects changes, and it reads ``returned_objects`` once, when the map is
mounted (later values are ignored). Returning ``bounds`` would rerun at every pan. So
:class:`ViewTracker` computes the same key as :func:`view_key` at every move and puts it in a
returned field (:data:`VIEW_FIELD`): a pan that keeps the key sends nothing, and up to
:data:`NATIONAL_MAX_ZOOM` the key is empty, so panning there never reruns the script.

No Streamlit here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import folium
import numpy as np
from folium.elements import MacroElement
from folium.template import Template

Mode = Literal["agrege", "points"]

#: From this zoom on, points are drawn one by one (a city district fills the screen).
POINTS_MIN_ZOOM = 12
#: Up to this zoom the aggregated overlay covers the whole dataset: it is small enough, and
#: the view's position is not needed (panning at these zooms never reruns the script).
NATIONAL_MAX_ZOOM = 8
DEFAULT_ZOOM = 6

#: The ``st_folium`` field that carries the view key (set by :class:`ViewTracker`): a field
#: only the TagFilterButton plugin writes, which these maps do not use.
VIEW_FIELD = "selected_tags"
RETURNED_OBJECTS = ["zoom", VIEW_FIELD]

Tiles = tuple[int, int, int, int, int]


@dataclass(frozen=True)
class OverlayView:
    """The map view: zoom, and where it is either as bounds ``(south, west, north, east)``
    or as the tiles of :func:`view_key` computed by the browser (None: not known)."""

    zoom: int = DEFAULT_ZOOM
    bounds: tuple[float, float, float, float] | None = None
    tiles: Tiles | None = None

    @classmethod
    def from_map_state(cls, state: Mapping[str, Any] | None) -> OverlayView:
        """The view from what ``st_folium`` returns: ``zoom``, the :data:`VIEW_FIELD` of
        :class:`ViewTracker` or ``bounds`` (``_southWest``, ``_northEast``). Missing or
        malformed parts are ignored (the national view)."""
        state = state or {}
        try:
            zoom = max(0, min(int(state.get("zoom") or DEFAULT_ZOOM), 22))
        except (TypeError, ValueError):
            zoom = DEFAULT_ZOOM
        tiles = None
        tracked = state.get(VIEW_FIELD)
        if isinstance(tracked, Mapping) and isinstance(tracked.get("key"), list | tuple):
            values = tracked["key"]
            if len(values) == 5 and all(isinstance(v, int) for v in values):
                tiles = tuple(values)
        bounds = None
        raw = state.get("bounds")
        try:
            south_west, north_east = raw["_southWest"], raw["_northEast"]  # type: ignore[index]
            values = (south_west["lat"], south_west["lng"], north_east["lat"], north_east["lng"])
            bounds = tuple(float(value) for value in values)
        except (KeyError, TypeError, ValueError):
            bounds = None
        if bounds is not None and not all(math.isfinite(v) for v in bounds):
            bounds = None
        return cls(zoom=zoom, bounds=bounds, tiles=tiles)  # type: ignore[arg-type]


def overlay_mode(zoom: int) -> Mode:
    """``points`` from :data:`POINTS_MIN_ZOOM` on, else ``agrege``."""
    return "points" if zoom >= POINTS_MIN_ZOOM else "agrege"


def mercator(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator in [0, 1) (the unit of tile numbers: tile = floor(x * 2**zoom))."""
    phi = np.radians(np.clip(lat, -85.0511, 85.0511))
    x = (np.asarray(lon, dtype=float) + 180.0) / 360.0
    y = 0.5 - np.arcsinh(np.tan(phi)) / (2 * math.pi)
    return x, y


def _key_zoom(zoom: int) -> int:
    return max(zoom - 1, 0)


def view_key(view: OverlayView, mode: Mode | None = None) -> tuple[Any, ...]:
    """A hashable key that changes only when ``view`` needs other overlay data.

    Up to :data:`NATIONAL_MAX_ZOOM`: the zoom only. Beyond: the zoom, the tile holding the
    view's centre (tiles of one zoom coarser than the view) and the half-size of the view in
    those tiles; the data cover that tile and as many around it, so a pan that keeps the
    centre in its tile needs nothing new. :class:`ViewTracker` computes the same in the browser.
    """
    mode = mode or overlay_mode(view.zoom)
    if view.zoom <= NATIONAL_MAX_ZOOM:
        return (mode, view.zoom, None)
    if view.tiles is not None:
        return (mode, view.zoom, tuple(view.tiles))
    if view.bounds is None:
        return (mode, view.zoom, None)
    south, west, north, east = view.bounds
    (x0, x1), (y1, y0) = mercator(np.array([west, east]), np.array([south, north]))
    tiles = 2 ** _key_zoom(view.zoom)
    centre = (math.floor((x0 + x1) / 2 * tiles), math.floor((y0 + y1) / 2 * tiles))
    half = (math.ceil((x1 - x0) * tiles / 2), math.ceil((y1 - y0) * tiles / 2))
    return (mode, view.zoom, (_key_zoom(view.zoom), *centre, *half))


class ViewTracker(MacroElement):
    """Puts :func:`view_key`'s tiles, computed in the browser at every move, in the
    ``st_folium`` field :data:`VIEW_FIELD` (``{"zoom": z, "key": [kz, cx, cy, hx, hy] | null}``).
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (map, national, field) {
            var mx = function (lon) { return (lon + 180) / 360; };
            var my = function (lat) {
                var phi = Math.max(-85.0511, Math.min(85.0511, lat)) * Math.PI / 180;
                return 0.5 - Math.asinh(Math.tan(phi)) / (2 * Math.PI);
            };
            var report = function () {
                var data = window.__GLOBAL_DATA__, zoom = map.getZoom(), key = null;
                if (!data) { return; }
                if (zoom > national) {
                    var b = map.getBounds(), kz = Math.max(zoom - 1, 0), n = Math.pow(2, kz);
                    var x0 = mx(b.getWest()), x1 = mx(b.getEast());
                    var y0 = my(b.getNorth()), y1 = my(b.getSouth());
                    key = [kz, Math.floor((x0 + x1) / 2 * n), Math.floor((y0 + y1) / 2 * n),
                           Math.ceil((x1 - x0) * n / 2), Math.ceil((y1 - y0) * n / 2)];
                }
                data[field] = {zoom: zoom, key: key};
            };
            map.on("moveend", report);
            map.whenReady(report);
        })({{ this._parent.get_name() }}, {{ this.national }}, {{ this.field|tojson }});
        {% endmacro %}"""
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "ViewTracker"
        self.national = NATIONAL_MAX_ZOOM
        self.field = VIEW_FIELD


def track_view(m: folium.Map) -> folium.Map:
    """Add a :class:`ViewTracker` to ``m`` (once, with the map: not in a swapped layer)."""
    ViewTracker().add_to(m)
    return m


def key_box(key: tuple[Any, ...]) -> tuple[float, float, float, float] | None:
    """Mercator box ``(x0, y0, x1, y1)`` of the data of a :func:`view_key`."""
    if key[2] is None:
        return None
    zoom, cx, cy, hx, hy = key[2]
    tiles = 2**zoom
    return ((cx - hx) / tiles, (cy - hy) / tiles, (cx + hx + 1) / tiles, (cy + hy + 1) / tiles)
