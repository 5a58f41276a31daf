"""The Explorer's URL state, without Streamlit: what a link says about the view.

The whole view lives in the URL so that a link reopens it: :func:`encode` turns an
:class:`ExplorerState` into query parameters, :func:`decode` reads them back, dropping what is
invalid or stale with a short French notice each (the value is never echoed: it is user text).

Parameters: ``q`` (text), ``themes``, ``categories``, ``etapes``, ``porteurs`` (comma-separated
ids), ``commun`` (the id of a commun the projects reuse), ``territoire`` (``level:code``),
``pres`` (address) and ``rayon`` (km), ``couches`` (overlay ids), ``fond`` (basemap),
``indicateur``, ``projet`` (id), ``tri``, ``vue`` (``lat,lon,zoom``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from geo.errors import UnknownTerritoryError
from geo.mapping.base import BASEMAPS
from geo.projects.model import CARRIER_TYPES, STAGES, THEMES, categories
from geo.territory import TerritoryRef
from geo.territory.ref import split_ref

ORDERS = {"recent": "les plus récents", "title": "titre", "distance": "distance"}
RADII_KM = (1, 2, 5, 10, 20, 50, 100)
DEFAULT_RADIUS_KM = 10
MAX_TEXT = 200
#: Parameters of the Explorer's URL, in the order they are written.
PARAMETERS = ("q", "themes", "categories", "etapes", "porteurs", "commun", "territoire", "pres",
              "rayon",
              "couches", "fond", "indicateur", "projet", "tri", "vue")  # fmt: skip
UNKNOWN_TERRITORY = "Le territoire indiqué dans le lien est inconnu : il a été ignoré."


@dataclass(frozen=True)
class ExplorerState:
    text: str = ""
    themes: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    carrier_types: tuple[str, ...] = ()
    commun: int | None = None
    territory: TerritoryRef | None = None
    near: str = ""
    radius_km: int = DEFAULT_RADIUS_KM
    overlays: tuple[str, ...] = ()
    basemap: str = "osm"
    indicator: str | None = None
    project: int | None = None
    order: str = "recent"
    view: tuple[float, float, int] | None = None


@dataclass(frozen=True)
class Decoded:
    state: ExplorerState
    notices: list[str] = field(default_factory=list)


_NAMES = {
    "themes": "thèmes",
    "categories": "catégories",
    "etapes": "étapes",
    "porteurs": "types de porteur",
    "couches": "couches",
}


def encode(state: ExplorerState) -> dict[str, str]:
    """Query parameters of a state; defaults are left out so links stay short."""
    params: dict[str, str] = {}
    if state.text:
        params["q"] = state.text
    for name, values in (
        ("themes", state.themes),
        ("categories", state.categories),
        ("etapes", state.stages),
        ("porteurs", state.carrier_types),
        ("couches", state.overlays),
    ):
        if values:
            params[name] = ",".join(values)
    if state.commun is not None:
        params["commun"] = str(state.commun)
    if state.territory is not None:
        params["territoire"] = str(state.territory)
    if state.near:
        params["pres"] = state.near
        params["rayon"] = str(state.radius_km)
    if state.basemap != "osm":
        params["fond"] = state.basemap
    if state.indicator:
        params["indicateur"] = state.indicator
    if state.project is not None:
        params["projet"] = str(state.project)
    if state.order != default_order(state.near):
        params["tri"] = state.order
    if state.view is not None:
        lat, lon, zoom = state.view
        params["vue"] = f"{lat:.5f},{lon:.5f},{zoom}"
    return params


def default_order(near: str) -> str:
    """The list's order when none is chosen: nearest first around a "près de" place."""
    return "distance" if near else "recent"


def permalink(state: ExplorerState, *, base_path: str = "/") -> str:
    """A relative link (path and query) reopening ``state``."""
    query = urlencode(encode(state))
    return f"{base_path}?{query}" if query else base_path


def _first(value: object) -> str:
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else ""
    return str(value)


def decode(
    params: Mapping[str, Any],
    *,
    resolve: Callable[[str], TerritoryRef] | None = None,
    overlays: Collection[str] = (),
    indicators: Collection[str] = (),
    communs: Collection[int] | None = None,
) -> Decoded:
    """The state described by query parameters, and a notice per parameter ignored.

    ``resolve`` turns ``territoire`` into the current territory (:meth:`Territories.parse`);
    without it (no reference loaded) the form alone is checked. ``communs`` holds the ids of
    the known communs (None: not checked).
    """
    notices: list[str] = []
    values: dict[str, Any] = {}

    def notice(name: str, what: str = "invalide") -> None:
        notices.append(f"Paramètre « {name} » du lien {what} : ignoré.")

    def vocabulary(name: str, allowed: Collection[str]) -> tuple[str, ...]:
        raw = _first(params.get(name, ""))
        items = [v.strip() for v in raw.split(",") if v.strip()]
        kept = tuple(dict.fromkeys(v for v in items if v in allowed))
        if len(kept) < len(items):
            notice(_NAMES.get(name, name), "contient des valeurs inconnues")
        return kept

    text = " ".join(_first(params.get("q", "")).split())
    if len(text) > MAX_TEXT:
        notice("q", "trop long")
        text = ""
    values["text"] = text
    values["themes"] = vocabulary("themes", THEMES)
    values["categories"] = vocabulary("categories", categories())
    values["stages"] = vocabulary("etapes", STAGES)
    values["carrier_types"] = vocabulary("porteurs", CARRIER_TYPES)
    values["overlays"] = vocabulary("couches", overlays)

    raw = _first(params.get("territoire", ""))
    if raw:
        try:
            values["territory"] = resolve(raw) if resolve else TerritoryRef(*split_ref(raw))
        except UnknownTerritoryError:
            notices.append(UNKNOWN_TERRITORY)

    near = " ".join(_first(params.get("pres", "")).split())
    if len(near) > MAX_TEXT:
        notice("pres", "trop long")
        near = ""
    values["near"] = near
    raw = _first(params.get("rayon", ""))
    if raw:
        try:
            radius = int(raw)
        except ValueError:
            radius = -1
        if radius in RADII_KM:
            values["radius_km"] = radius
        else:
            notice("rayon")

    for name, key, allowed in (("fond", "basemap", BASEMAPS), ("tri", "order", ORDERS)):
        raw = _first(params.get(name, ""))
        if raw:
            if raw in allowed:
                values[key] = raw
            else:
                notice(name)
    raw = _first(params.get("indicateur", ""))
    if raw:
        if raw in indicators:
            values["indicator"] = raw
        else:
            notice("indicateur")

    raw = _first(params.get("commun", ""))
    if raw:
        if (
            raw.isascii()
            and raw.isdigit()
            and 0 < int(raw) < 2**63
            and (communs is None or int(raw) in communs)
        ):
            values["commun"] = int(raw)
        else:
            notice("commun", "désigne un commun inconnu")

    raw = _first(params.get("projet", ""))
    if raw:
        if raw.isascii() and raw.isdigit() and 0 < int(raw) < 2**63:
            values["project"] = int(raw)
        else:
            notice("projet")

    raw = _first(params.get("vue", ""))
    if raw:
        view = parse_view(raw)
        if view is None:
            notice("vue")
        else:
            values["view"] = view
    values.setdefault("order", default_order(str(values.get("near", ""))))
    state = ExplorerState(**values)
    if state.order == "distance" and not state.near:
        state = replace(state, order="recent")
    return Decoded(state, notices)


def parse_view(raw: str) -> tuple[float, float, int] | None:
    parts = raw.split(",")
    if len(parts) != 3:
        return None
    try:
        lat, lon = float(parts[0]), float(parts[1])
        zoom = int(parts[2])
    except ValueError:
        return None
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180 and 0 <= zoom <= 19):
        return None
    return (round(lat, 5), round(lon, 5), zoom)


def view_of(center: Mapping[str, Any] | None, zoom: object) -> tuple[float, float, int] | None:
    """The map view st_folium returned (``center`` ``{"lat", "lng"}``, ``zoom``), validated."""
    if not isinstance(center, Mapping) or zoom is None:
        return None
    try:
        return parse_view(f"{float(center['lat'])},{float(center['lng'])},{int(zoom)}")  # type: ignore[call-overload]
    except (KeyError, TypeError, ValueError):
        return None
