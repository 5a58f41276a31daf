"""The Explorer page's logic, without Streamlit: URL state, filters, clicks, sorting, text.

The whole view lives in the URL so that a link reopens it: :func:`encode` turns an
:class:`ExplorerState` into query parameters, :func:`decode` reads them back, dropping what is
invalid or stale with a short French notice each (the value is never echoed: it is user text).

Parameters: ``q`` (text), ``themes``, ``categories``, ``etapes``, ``porteurs`` (comma-separated
ids), ``territoire`` (``level:code``), ``pres`` (address) and ``rayon`` (km), ``couches``
(overlay ids), ``fond`` (basemap), ``indicateur``, ``projet`` (id), ``tri``, ``vue``
(``lat,lon,zoom``).
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

import pandas as pd

from geo import maps
from geo.explorer_choropleth import (  # noqa: F401  (the page's names, kept here)
    INDICATOR_LEVELS,
    PROJECTS_INDICATOR,
    indicator_ids,
    indicator_values,
    parse_indicator,
)
from geo.projects import CARRIER_TYPES, STAGES, THEMES, ascii_fold, categories
from geo.store_query import ProjectFilter
from geo.territories import LEVELS

BASEMAPS = maps.BASEMAPS
ORDERS = {"recent": "les plus récents", "title": "titre", "distance": "distance"}
RADII_KM = (1, 2, 5, 10, 20, 50, 100)
DEFAULT_RADIUS_KM = 10
#: Only published projects are public.
PUBLIC_STATUSES = ("publie",)
MAX_TEXT = 200
#: Degrees: how far a returned click may be from a marker (Leaflet returns its exact lat/lng).
CLICK_TOLERANCE = 1e-5


@dataclass(frozen=True)
class ExplorerState:
    text: str = ""
    themes: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    carrier_types: tuple[str, ...] = ()
    territory: tuple[str, str] | None = None
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
    if state.territory is not None:
        params["territoire"] = f"{state.territory[0]}:{state.territory[1]}"
    if state.near:
        params["pres"] = state.near
        params["rayon"] = str(state.radius_km)
    if state.basemap != "osm":
        params["fond"] = state.basemap
    if state.indicator:
        params["indicateur"] = state.indicator
    if state.project is not None:
        params["projet"] = str(state.project)
    if state.order != "recent":
        params["tri"] = state.order
    if state.view is not None:
        lat, lon, zoom = state.view
        params["vue"] = f"{lat:.5f},{lon:.5f},{zoom}"
    return params


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
    territory_exists: Callable[[str, str], bool] | None = None,
    overlays: Collection[str] = (),
    indicators: Collection[str] = (),
) -> Decoded:
    """The state described by query parameters, and a notice per parameter ignored."""
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
        level, _, code = raw.partition(":")
        if level in LEVELS and code and (territory_exists is None or territory_exists(level, code)):
            values["territory"] = (level, code)
        else:
            notices.append("Le territoire indiqué dans le lien est inconnu : il a été ignoré.")

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


def project_filter(
    state: ExplorerState, *, near_point: tuple[float, float] | None = None
) -> ProjectFilter:
    """The store filter of a state (carrier types are filtered after, see :func:`with_carriers`)."""
    return ProjectFilter(
        territory=state.territory,
        themes=state.themes,
        categories=state.categories,
        stages=state.stages,
        statuses=PUBLIC_STATUSES,
        text=state.text or None,
        near=(near_point[0], near_point[1], float(state.radius_km)) if near_point else None,
    )


def carrier_types_of(carriers: object) -> set[str]:
    if not isinstance(carriers, (list, tuple)):
        return set()
    found = set()
    for carrier in carriers:
        kind = (
            carrier.get("type") if isinstance(carrier, Mapping) else getattr(carrier, "type", None)
        )
        if kind:
            found.add(str(kind))
    return found


def with_carriers(frame: pd.DataFrame, carrier_types: Sequence[str]) -> pd.DataFrame:
    """Rows with at least one carrier of the given types (all rows when none is given)."""
    if not carrier_types or frame.empty:
        return frame
    wanted = set(carrier_types)
    keep = frame["carriers"].map(lambda c: bool(carrier_types_of(c) & wanted))
    return frame[keep.astype(bool)]


def distances_km(frame: pd.DataFrame, point: tuple[float, float] | None) -> pd.Series | None:
    if point is None:
        return None
    from geo.store_query import haversine_km

    values = haversine_km(
        point[0], point[1], frame["lat"].to_numpy(float), frame["lon"].to_numpy(float)
    )
    return pd.Series(values, index=frame.index)


def sort_frame(frame: pd.DataFrame, order: str, distances: pd.Series | None = None) -> pd.DataFrame:
    """Projects in the chosen order: ``title`` (ignoring case and accents), ``recent`` (newest
    first), ``distance`` (nearest first, when a point is given)."""
    if frame.empty:
        return frame
    if order == "title":
        keys = frame["title"].map(lambda t: ascii_fold(str(t)).casefold())
        return (
            frame.assign(_key=keys).sort_values(["_key", "id"], kind="stable").drop(columns="_key")
        )
    if order == "distance" and distances is not None:
        return (
            frame.assign(_key=distances)
            .sort_values(["_key", "id"], kind="stable")
            .drop(columns="_key")
        )
    return frame.sort_values("id", ascending=False, kind="stable")


def count_text(count: int) -> str:
    if count == 0:
        return "Aucun projet"
    shown = f"{count:,}".replace(",", "\u202f")
    return f"{shown} projet" if count == 1 else f"{shown} projets"


@dataclass(frozen=True)
class ClickOutcome:
    """What a map click selects; ``handled`` is the click to remember so that the same click,
    returned again by every later rerun, does not select again."""

    project: int | None
    handled: tuple[float, float, str] | None


def handle_click(
    clicked: Mapping[str, Any] | None,
    tooltip: object,
    *,
    points: Sequence[tuple[int, float, float, str]],
    last_handled: tuple[float, float, str] | None,
    current: int | None,
) -> ClickOutcome:
    """The project selected after a map click.

    ``clicked`` is st_folium's ``last_object_clicked`` (``{"lat", "lng"}``), ``tooltip`` its
    ``last_object_clicked_tooltip``, ``points`` the shown markers ``(id, lat, lon, title)``.
    A click already handled, or one that is on no marker (a cluster, a territory), keeps the
    current selection. Projects at the same place are told apart by their tooltip (title).
    """
    if not isinstance(clicked, Mapping):
        return ClickOutcome(current, last_handled)
    try:
        lat, lon = float(clicked["lat"]), float(clicked["lng"])
    except (KeyError, TypeError, ValueError):
        return ClickOutcome(current, last_handled)
    key = (lat, lon, str(tooltip or ""))
    if key == last_handled:
        return ClickOutcome(current, last_handled)
    near = [
        (pid, title)
        for pid, plat, plon, title in points
        if abs(plat - lat) <= CLICK_TOLERANCE and abs(plon - lon) <= CLICK_TOLERANCE
    ]
    if not near:
        return ClickOutcome(current, key)
    label = " ".join(str(tooltip or "").split())
    named = [pid for pid, title in near if " ".join(str(title).split()) == label]
    return ClickOutcome((named or [pid for pid, _ in near])[0], key)


# --- text shown to people ------------------------------------------------------------------------

_LINK = re.compile(r"(!?)\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*(\S+).*$", re.MULTILINE)
_SAFE_URL = re.compile(r"^(https?://|mailto:)", re.IGNORECASE)


def safe_markdown(text: str) -> str:
    """Markdown that keeps its formatting but can run nothing: HTML is shown as text and links
    or images other than http(s)/mailto keep only their text."""
    text = html.escape(str(text), quote=False)

    def link(match: re.Match[str]) -> str:
        bang, label, url = match.groups()
        if not bang and _SAFE_URL.match(url):
            return match.group(0)
        return label

    text = _LINK.sub(link, text)
    return _REFERENCE.sub(lambda m: m.group(0) if _SAFE_URL.match(m.group(1)) else "", text)


_MARKDOWN_SPECIALS = "\\`*_[]<>$~|#"


def plain_markdown(text: str) -> str:
    """Data text shown through Markdown as itself (no link, image, HTML or emphasis)."""
    return "".join(f"\\{char}" if char in _MARKDOWN_SPECIALS else char for char in str(text))


def carriers_text(carriers: object) -> str:
    names = []
    for carrier in carriers if isinstance(carriers, (list, tuple)) else []:
        name = (
            carrier.get("name") if isinstance(carrier, Mapping) else getattr(carrier, "name", None)
        )
        kind = (
            carrier.get("type") if isinstance(carrier, Mapping) else getattr(carrier, "type", None)
        )
        if name:
            names.append(
                f"{name} ({CARRIER_TYPES.get(str(kind), str(kind))})" if kind else str(name)
            )
    return ", ".join(names)


def html_text(value: object) -> str:
    """Text for HTML that folium embeds in a JavaScript template literal: the HTML specials
    and the literal's own (backtick, ``${``, backslash) are entities."""
    escaped = html.escape(str(value), quote=True)
    return escaped.replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


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
