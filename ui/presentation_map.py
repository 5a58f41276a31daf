"""The map of a presented stop: what the Explorer drew for that view (territory outline,
published projects through the same filters, overlays, indicator), the stop's project put
forward, and the room's ideas when a workshop is running; its text, groups and pins at a
room's size (:data:`geo.mapping.ideas.ROOM_SCALE`).

The ideas come as a layer of their own (``feature_group_to_add``): when a participant sends
one, the page reruns and the component swaps that layer without rebuilding the map, so the
room's screen neither flickers nor loses its view.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
import streamlit as st

from geo.datasets import CATALOGUE
from geo.errors import GeoError, MapTooHeavyError
from geo.explorer import selection as select
from geo.explorer import state as url_state
from geo.explorer.state import ExplorerState
from geo.mapping import base as maps
from geo.mapping import ideas as idea_maps
from geo.mapping import overlays
from geo.mapping import projects as project_maps
from geo.settings import Settings
from geo.store import ProjectStore
from geo.territory import Territories
from geo.text import plain_markdown
from geo.workshop.room import Idea
from ui import page, resources


@dataclass(frozen=True)
class StopMap:
    """The map, its layers (the ideas' last), and the projects it shows."""

    map: Any
    layers: list[Any]
    projects: pd.DataFrame
    communes: list[str | None]


def _selection(state: ExplorerState, territories: Territories | None) -> maps.Selection | None:
    if territories is None or state.territory is None:
        return None
    ref = state.territory
    geometry = territories.outline(ref.level, ref.code)
    if geometry is None:
        return None
    return maps.Selection(ref.level, ref.code, territories.nom(ref.level, ref.code), geometry)


def _near(state: ExplorerState, settings: Settings) -> maps.Near | None:
    if not state.near:
        return None
    place = resources.place(state.near, settings, settings.offline)
    if place is None:
        return None
    return maps.Near(place.lat, place.lon, state.radius_km, place.label)


def stop_map(
    state: ExplorerState,
    *,
    settings: Settings,
    territories: Territories | None,
    store: ProjectStore,
    ideas: Sequence[Idea] = (),
) -> StopMap:
    """The map of an Explorer stop (a portrait stop passes the state of its territory)."""
    near = _near(state, settings)
    criteria = select.project_filter(state, near_point=(near.lat, near.lon) if near else None)
    frame = select.with_carriers(store.all_frame(criteria), state.carrier_types)
    communes: list[str | None] = [None] * len(frame)
    if territories is not None and not frame.empty:
        communes = list(territories.names("commune", frame["code_commune"].tolist()))
    departements = resources.context_outlines(settings)
    # Offline, the communes around the stop and their names are the projected basemap.
    around = territories.display_outlines("commune") if settings.offline and territories else None
    m = project_maps.explorer_map(
        basemap=state.basemap,
        offline=settings.offline,
        selection=_selection(state, territories),
        context=None if isinstance(departements, GeoError) else departements,
        base_url_path=page.base_url_path(),
        view=state.view,
        near=near,
        surroundings=around,
    )
    layers: list[Any] = []
    if state.indicator:
        choropleth = resources.choropleth(state.indicator, frame, settings, state.territory)
        if isinstance(choropleth, MapTooHeavyError):
            st.caption(plain_markdown(choropleth))
        elif isinstance(choropleth, GeoError):
            st.caption(f"Indicateur indisponible : {plain_markdown(choropleth)}")
        else:
            layers.append(choropleth.layer)
    view = overlays.OverlayView.from_map_state(None)
    for dataset_id in state.overlays:
        drawn = resources.dataset_layer(CATALOGUE[dataset_id], settings, view)
        if isinstance(drawn, GeoError):
            st.caption(f"Couche indisponible : {plain_markdown(drawn)}")
            continue
        layers.append(drawn)

    def link(pid: int) -> str:
        return url_state.permalink(
            replace(state, project=pid, view=None), base_path=page.base_path()
        )

    # The project put forward is drawn once, above everything (the ideas included), out of
    # the projects' groups: in one, it would be a count under its own dot.
    kept = [pid != state.project for pid in frame["id"].tolist()]
    layers.append(
        project_maps.project_layer(
            frame.loc[kept],
            link=link,
            communes=[c for c, k in zip(communes, kept, strict=True) if k],
            base_url_path=page.base_url_path(),
            scale=idea_maps.ROOM_SCALE,
        )
    )
    if not all(kept):
        position = kept.index(False)
        row = frame.iloc[position]
        popup = project_maps.popup_html(
            title=row.title, carriers=row.carriers, stage=row.stage,
            commune=communes[position], link=link(int(row.id)),
        )  # fmt: skip
        layers.append(
            idea_maps.featured_layer(
                float(row.lat),
                float(row.lon),
                int(row.id),
                str(row.title),
                colour=project_maps.THEME_COLOURS[project_maps.theme_key(row.themes)],
                popup=popup,
                scale=idea_maps.ROOM_SCALE,
            )
        )
    # Always a last layer (empty without a workshop): the ideas' place in the component.
    layers.append(
        idea_maps.ideas_layer(ideas, base_url_path=page.base_url_path(), scale=idea_maps.ROOM_SCALE)
    )
    idea_maps.featured_pane().add_to(m)
    idea_maps.keep_fitted(m)
    idea_maps.for_the_room(m)
    # No zoom animation on the room's screen: the map opens on France and zooms to the stop
    # at once; animated, a frame laid out during the animation kept the first state's
    # drawing (the outlines cut at the height the frame had).
    m.options["zoom_animation"] = False
    project_maps.with_returned(m, [])
    return StopMap(m, layers, frame, communes)
