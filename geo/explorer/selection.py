"""The Explorer's selection, without Streamlit: the store filter of a state, carrier types,
distances, order, the count shown, and which project a map click selects."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from geo.explorer.state import ExplorerState
from geo.store.query import ProjectFilter, haversine_km
from geo.text import ascii_fold, french_count

#: Only published projects are public.
PUBLIC_STATUSES = ("publie",)
#: Degrees: how far a returned click may be from a marker (Leaflet returns its exact lat/lng).
CLICK_TOLERANCE = 1e-5


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
        commun=state.commun,
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
    return "Aucun projet" if count == 0 else french_count(count, "projet")


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
