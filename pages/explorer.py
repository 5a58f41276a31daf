"""Explorer: the projects on the map of France, with filters, near-me search and shareable views.

UI only, in named steps: :mod:`geo.explorer` holds the URL state and the selection,
:mod:`geo.mapping` the folium layers, :mod:`geo.store` the projects; the sidebar, the cached
resources and the panels are in :mod:`ui`. Every filter, the territory, the selected project
and (on request) the map view live in the URL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.datasets import CATALOGUE
from geo.errors import GeoError, MapTooHeavyError
from geo.explorer import choropleth as choropleths
from geo.explorer import selection as select
from geo.explorer import state as url_state
from geo.explorer.state import ExplorerState
from geo.geocode import GeocodeResult
from geo.mapping import base as maps
from geo.mapping import overlays
from geo.mapping import projects as project_maps
from geo.projects.model import THEMES
from geo.settings import Settings
from geo.store import ProjectFilter, ProjectStore
from geo.territory import Territories
from geo.text import french_number, plain_markdown
from geo.workshop import stops as workshop_stops
from ui import embed, keys, page, resources, tours, warm_up
from ui import explorer_panels as panels
from ui import explorer_sidebar as sidebar

#: The map frame's first height; ui/style.css then fits it to the window.
MAP_HEIGHT = 560
LIST_LIMIT = 200


@dataclass(frozen=True)
class Selected:
    """The projects the filters select, and what the page derives from them once."""

    criteria: ProjectFilter
    frame: pd.DataFrame
    distances: pd.Series | None
    communes: list[str | None]

    @property
    def ids(self) -> set[int]:
        return {int(i) for i in self.frame["id"]}


def _reference(settings: Settings) -> Territories | None:
    loaded = resources.territories(settings)
    if isinstance(loaded, GeoError):
        st.warning(
            "Les territoires ne peuvent pas être chargés : recherche de territoire et contours "
            "indisponibles (`python -m geo data fetch territoires`)."
        )
        return None
    return loaded


def _select(
    state: ExplorerState,
    place: GeocodeResult | None,
    store: ProjectStore,
    territories: Territories | None,
) -> Selected:
    point = (place.lat, place.lon) if place is not None else None
    criteria = select.project_filter(state, near_point=point)
    frame = select.with_carriers(store.all_frame(criteria), state.carrier_types)
    communes: list[str | None] = [None] * len(frame)
    if territories is not None and not frame.empty:
        communes = list(territories.names("commune", frame["code_commune"].tolist()))
    return Selected(criteria, frame, select.distances_km(frame, point), communes)


def _note_absent_project(state: ExplorerState, chosen: Selected) -> None:
    if state.project is not None and state.project not in chosen.ids:
        if keys.PROJECT_ABSENT not in st.session_state:
            st.info("Le projet choisi n'est pas dans la sélection actuelle.")
        st.session_state[keys.PROJECT_ABSENT] = True


def _selection_outline(state: ExplorerState, territories: Territories | None) -> Any:
    if territories is None or state.territory is None:
        return None
    ref = state.territory
    geometry = territories.outline(ref.level, ref.code)
    if geometry is None:
        st.info("Ce territoire n'a pas de contour dans les données chargées.")
        return None
    return maps.Selection(ref.level, ref.code, territories.nom(ref.level, ref.code), geometry)


def _layers(
    state: ExplorerState, chosen: Selected, settings: Settings, m: Any, returned: list[str]
) -> list[Any]:
    """Choropleth, then overlays, then the projects on top; ``returned`` gains what the
    overlays need back from the map."""
    groups: list[Any] = []
    if state.indicator:
        choropleth = resources.choropleth(state.indicator, chosen.frame, settings, state.territory)
        if isinstance(choropleth, MapTooHeavyError):
            st.info(str(choropleth))
        elif isinstance(choropleth, GeoError):
            st.warning(f"Indicateur indisponible : {plain_markdown(choropleth)}")
        else:
            for notice in choropleth.notices:
                st.info(notice)
            groups.append(choropleth.layer)
    if state.overlays:
        view = overlays.OverlayView.from_map_state(st.session_state.get(keys.MAP))
        overlays.track_view(m)
        returned += [name for name in overlays.RETURNED_OBJECTS if name not in returned]
        for dataset in (CATALOGUE[dataset_id] for dataset_id in state.overlays):
            drawn = resources.dataset_layer(dataset, settings, view)
            if isinstance(drawn, GeoError):
                st.warning(
                    f"Couche « {plain_markdown(dataset.title)} » indisponible : "
                    f"{plain_markdown(drawn)}"
                )
                continue
            groups.append(drawn)
    return groups


def _initial_view(state: ExplorerState) -> tuple[float, float, int] | None:
    """The view the link opened with, while the territory and the place it was shared with
    are still chosen; once the user picks another, the map fits that one instead."""
    view = st.session_state.get(keys.INITIAL_VIEW)
    if view is not None and st.session_state.get(keys.INITIAL_FRAME) != (
        state.territory,
        state.near,
    ):
        st.session_state[keys.INITIAL_VIEW] = view = None
    return view


def _build_map(
    state: ExplorerState,
    chosen: Selected,
    settings: Settings,
    selection: Any,
    near: maps.Near | None,
    link: Callable[[int], str],
) -> tuple[Any, list[Any], list[str]]:
    """The map (at the view the link said, else on the place or the territory chosen), its
    layers (projects as a separate layer so that a filter change keeps the user's zoom) and
    what st_folium must send back."""
    # Later views only go to the URL (no remount per pan).
    departements = resources.context_outlines(settings)
    # Offline, the communes around the view and their names are the basemap.
    reference = resources.territories(settings) if settings.offline else None
    communes = reference.display_outlines("commune") if isinstance(reference, Territories) else None
    m = project_maps.explorer_map(
        basemap=state.basemap,
        offline=settings.offline,
        selection=selection,
        context=None if isinstance(departements, GeoError) else departements,
        base_url_path=page.base_url_path(),
        view=_initial_view(state),
        near=near,
        surroundings=communes,
    )
    returned = ["last_object_clicked", "last_object_clicked_tooltip"]
    if st.session_state.get(keys.FOLLOW_VIEW, False):
        returned += ["center", "zoom"]
    groups = _layers(state, chosen, settings, m, returned)
    groups.append(
        project_maps.project_layer(
            chosen.frame,
            link=link,
            communes=chosen.communes,
            selected=state.project,
            base_url_path=page.base_url_path(),
        )
    )
    project_maps.with_returned(m, returned)
    return m, groups, returned


def _count_and_share(chosen: Selected) -> Any:
    """The count and the share toggle; returns the place of "Ajouter au parcours"."""
    count_col, share_col, stop_col = st.columns([2, 1, 1], vertical_alignment="center")
    count_col.subheader(select.count_text(len(chosen.frame)))
    share_col.toggle(
        "Partager cette vue",
        key=keys.FOLLOW_VIEW,
        help="La position et le zoom de la carte sont ajoutés au lien de la page.",
    )
    return stop_col


def _add_stop(
    state: ExplorerState, territories: Territories | None, store: Any, where: Any
) -> None:
    """This view as a stop of a tour (ui/tours.py): its link's parameters, a title to start."""
    name = None
    if state.territory is not None and territories is not None:
        name = territories.nom(state.territory.level, state.territory.code)
    tours.add_stop_button(
        store, kind="explorer", params=workshop_stops.explorer_params(state), where=where,
        suggestion=workshop_stops.suggested_title(state, name, THEMES),
        territory=str(state.territory) if state.territory else None,
    )  # fmt: skip


def _show_map(m: Any, groups: list[Any], returned: list[str]) -> dict[str, Any]:
    with st.container(key="carte-explorer"):
        result = st_folium(
            m,
            height=MAP_HEIGHT,
            use_container_width=True,
            returned_objects=returned,
            feature_group_to_add=groups,
            key=keys.MAP,
        )
    return result or {}


def _sources(state: ExplorerState, settings: Settings) -> None:
    shown = list(state.overlays)
    if state.indicator:
        source = choropleths.parse_indicator(state.indicator)[0]
        if source in CATALOGUE:
            shown.append(source)
    basemap = None if settings.offline else maps.BASEMAP_CREDITS.get(state.basemap)
    panels.sources(resources.sources(shown, settings), basemap)


def _follow_map(result: dict[str, Any], chosen: Selected, selection: Any) -> None:
    """A marker click selects its project; the returned view goes to the URL when shared."""
    points = [
        (int(r.id), float(r.lat), float(r.lon), str(r.title))
        for r in chosen.frame[["id", "lat", "lon", "title"]].itertuples(index=False)
    ]
    outcome = select.handle_click(
        result.get("last_object_clicked"),
        result.get("last_object_clicked_tooltip"),
        points=points,
        last_handled=st.session_state.get(keys.HANDLED_CLICK),
        current=st.session_state.get(keys.PROJECT),
    )
    st.session_state[keys.HANDLED_CLICK] = outcome.handled
    if outcome.project != st.session_state.get(keys.PROJECT):
        st.session_state[keys.PROJECT] = outcome.project
        st.rerun()
    if st.session_state.get(keys.FOLLOW_VIEW, False):
        view = url_state.view_of(result.get("center"), result.get("zoom"))
        if view is not None:
            st.session_state[keys.VIEW] = view
    elif st.session_state.get(keys.VIEW) is not None and selection is not None:
        st.session_state[keys.VIEW] = None


def _detail_and_list(
    chosen: Selected,
    territories: Territories | None,
    store: ProjectStore,
    link: Callable[[int], str],
) -> str:
    """The chosen project's sheet above the sortable list; returns the order picked."""
    orders = [o for o in url_state.ORDERS if o != "distance" or chosen.distances is not None]
    near = st.session_state.get(keys.NEAR) if chosen.distances is not None else None
    if near and st.session_state.get(keys.ORDERED_NEAR) != near:
        # A new "près de": nearest first (the user can still pick another order).
        st.session_state[keys.ORDER] = "distance"
    st.session_state[keys.ORDERED_NEAR] = near
    if st.session_state.get(keys.ORDER) not in orders:
        st.session_state[keys.ORDER] = "recent"
    project = st.session_state.get(keys.PROJECT)
    if project is not None and project in chosen.ids:
        row = chosen.frame[chosen.frame["id"] == project].iloc[0]
        panels.project_detail(row, territories, link(project), store)
    order = st.selectbox(
        "Trier par", orders, format_func=url_state.ORDERS.__getitem__, key=keys.ORDER,
        filter_mode=None,
    )  # fmt: skip
    ordered = select.sort_frame(chosen.frame, order, chosen.distances)
    if ordered.empty:
        st.info("Aucun projet ne correspond à ces filtres.")
    # A box beside the map that scrolls when the list is longer than the map (ui/style.css).
    with st.container(border=False, key="liste-projets"):
        for row in ordered.head(LIST_LIMIT).itertuples():
            pid = int(row.id)
            label = plain_markdown(row.title)
            if chosen.distances is not None:
                label += f" — {french_number(float(chosen.distances.loc[row.Index]))} km"
            st.button(
                label,
                key=f"choisir-{pid}",
                on_click=panels.select,
                args=(pid,),
                type="primary" if pid == project else "secondary",
                use_container_width=True,
            )
        if len(ordered) > LIST_LIMIT:
            st.caption(f"… et {len(ordered) - LIST_LIMIT} autres : affinez les filtres.")
    return order


def _exports(
    chosen: Selected,
    settings: Settings,
    selection: Any,
    store: ProjectStore,
    territories: Territories | None,
    link: Callable[[int], str],
) -> None:
    def html_map() -> bytes:
        departements = resources.context_outlines(settings)
        standalone = project_maps.explorer_map(
            basemap="osm",
            selection=selection,
            context=None if isinstance(departements, GeoError) else departements,
            base_url_path=page.base_url_path(),
        )
        project_maps.project_layer(
            chosen.frame, link=link, communes=chosen.communes, base_url_path=page.base_url_path()
        ).add_to(standalone)
        html = project_maps.standalone_html(standalone, base_url_path=page.base_url_path())
        return html.encode("utf-8")

    panels.exports(sorted(chosen.ids), store, chosen.criteria, html_map, territories)


def render() -> None:
    settings = page.start("Explorer les projets")
    territories = _reference(settings)
    # Coming from another page (a "voir sur l'Explorer" link carries its territory), the link
    # says what to show; the widgets of a page not shown are gone anyway.
    store = resources.store(settings)
    communs = {} if isinstance(store, GeoError) else resources.commun_titles(store)
    if warm_up.is_this_run():
        resources.context_outlines(settings)  # what the national map draws, loaded once
        return
    if keys.RESTORED not in st.session_state or page.arrived():
        sidebar.restore(territories, communs)
    for notice in st.session_state.pop(keys.NOTICES, []):
        st.warning(notice)
    tours.show_notice()

    state, place = sidebar.sidebar(territories, settings, communs)
    if isinstance(store, GeoError):
        resources.say_store_error(store)
        return
    chosen = _select(state, place, store, territories)
    _note_absent_project(state, chosen)

    def link(pid: int) -> str:
        return url_state.permalink(
            replace(state, project=pid, view=None), base_path=page.base_path()
        )

    selection = _selection_outline(state, territories)
    near = None
    if place is not None:
        near = maps.Near(place.lat, place.lon, state.radius_km, place.label)
    m, groups, returned = _build_map(state, chosen, settings, selection, near, link)
    stop_col = _count_and_share(chosen)
    map_col, list_col = st.columns([2, 1], gap="medium")
    with map_col:
        result = _show_map(m, groups, returned)
        _sources(state, settings)
    _follow_map(result, chosen, selection)
    with list_col:
        order = _detail_and_list(chosen, territories, store, link)

    project = st.session_state.get(keys.PROJECT)
    shown = replace(state, order=order, project=project, view=st.session_state.get(keys.VIEW))
    sidebar.write_url(shown)
    _add_stop(shown, territories, store, stop_col)
    embed.explorer_button(shown, territories, where=map_col)
    _exports(chosen, settings, selection, store, territories, link)


page.run(render)
