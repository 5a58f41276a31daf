"""Explorer: the projects on the map of France, with filters, near-me search and shareable views.

UI only: :mod:`geo.explorer` holds the URL state, filters, click handling and escaping,
:mod:`geo.explorer_map` the folium layers, :mod:`geo.store` the projects; the sidebar, the
cached resources and the panels are in :mod:`ui`. Every filter, the territory, the selected
project and (on request) the map view live in the URL.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import explorer, explorer_map, maps, overlays
from geo.datasets import CATALOGUE
from geo.errors import GeoError
from geo.explorer import plain_markdown
from geo.settings import get_settings
from geo.territories import Territories
from ui import explorer_data as resources
from ui import explorer_panels as panels
from ui import explorer_sidebar as sidebar
from ui.router import ensure_routed

MAP_HEIGHT = 500
MAP_KEY = "explorer-carte"
LIST_LIMIT = 200


def _communes(frame: pd.DataFrame, territories: Territories | None) -> list[str | None]:
    if territories is None or frame.empty:
        return [None] * len(frame)
    return list(territories.names("commune", frame["code_commune"].tolist()))


def render() -> None:
    st.title("Explorer les projets")
    try:
        settings = get_settings()
    except ValueError as error:
        st.error(plain_markdown(str(error)))
        settings = get_settings(environ={}, secrets={})
    loaded = resources.territories_of(settings)
    territories = loaded if isinstance(loaded, Territories) else None
    if isinstance(loaded, GeoError):
        st.warning(
            "Les territoires ne peuvent pas être chargés : recherche de territoire et contours "
            "indisponibles (`python -m geo data fetch territoires`)."
        )
    if "restored" not in st.session_state:
        sidebar.restore(territories)
    for notice in st.session_state.pop("notices", []):
        st.warning(notice)

    state, near_point = sidebar.sidebar(territories, settings)
    store = resources.store_of(settings)
    if isinstance(store, GeoError):
        st.error(f"Le registre des projets ne peut pas être ouvert. {plain_markdown(str(store))}")
        return

    point = (near_point[0], near_point[1]) if near_point else None
    criteria = explorer.project_filter(state, near_point=point)
    frame = explorer.with_carriers(store.all_frame(criteria), state.carrier_types)
    distances = explorer.distances_km(frame, point)
    order_options = [o for o in explorer.ORDERS if o != "distance" or point is not None]
    if st.session_state.get("f_tri") not in order_options:
        st.session_state["f_tri"] = "recent"

    ids = set(int(i) for i in frame["id"])
    if state.project is not None and state.project not in ids:
        if "projet_absent" not in st.session_state:
            st.info("Le projet choisi n'est pas dans la sélection actuelle.")
        st.session_state["projet_absent"] = True

    # --- map ---
    selection = None
    if territories is not None and state.territory is not None:
        geometry = territories.outline(*state.territory)
        if geometry is not None:
            label = territories.nom(*state.territory)
            selection = maps.Selection(*state.territory, label, geometry)
        else:
            st.info("Ce territoire n'a pas de contour dans les données chargées.")
    base = str(st.get_option("server.baseUrlPath") or "")
    base_path = f"/{base.strip('/')}/" if base.strip("/") else "/"

    def link(pid: int) -> str:
        return explorer.permalink(replace(state, project=pid, view=None), base_path=base_path)

    communes = _communes(frame, territories)
    # The map starts where the link said; later views only go to the URL (no remount per pan).
    view = st.session_state.get("vue_initiale") if selection is None else None
    m = explorer_map.explorer_map(
        basemap=state.basemap,
        offline=settings.offline,
        selection=selection,
        context=resources.departements(settings),
        base_url_path=base,
        view=view,
    )
    layer = explorer_map.project_layer(
        frame, link=link, communes=communes, selected=state.project, base_url_path=base
    )
    follow = st.session_state.get("suivre_vue", False)
    returned = ["last_object_clicked", "last_object_clicked_tooltip"]
    if follow:
        returned += ["center", "zoom"]
    groups: list[Any] = []
    if state.indicator:
        choropleth = resources.choropleth(state.indicator, frame, settings, state.territory)
        if isinstance(choropleth, str):
            st.warning(f"Indicateur indisponible : {plain_markdown(choropleth)}")
        elif choropleth is not None:
            groups.append(choropleth)
    if state.overlays:
        view = overlays.OverlayView.from_map_state(st.session_state.get(MAP_KEY))
        returned += [r for r in resources.overlay_returned(m, view) if r not in returned]
        for dataset_id in state.overlays:
            data = resources.overlay_of(dataset_id, settings)
            if isinstance(data, GeoError):
                st.warning(
                    f"Couche « {plain_markdown(CATALOGUE[dataset_id].title)} » indisponible : "
                    f"{plain_markdown(str(data))}"
                )
                continue
            groups.append(overlays.overlay_layer(data, view))
    groups.append(layer)  # the projects above the overlays

    count_col, share_col = st.columns([5, 3], vertical_alignment="center")
    count_col.subheader(explorer.count_text(len(frame)))
    share_col.toggle(
        "Partager cette vue",
        key="suivre_vue",
        help="La position et le zoom de la carte sont ajoutés au lien de la page.",
    )
    explorer_map.with_returned(m, returned)
    map_col, list_col = st.columns([5, 3], gap="medium")
    with map_col:
        result = st_folium(
            m,
            height=MAP_HEIGHT,
            use_container_width=True,
            returned_objects=returned,
            feature_group_to_add=groups,
            key=MAP_KEY,
        )
    result = result or {}
    points = [
        (int(r.id), float(r.lat), float(r.lon), str(r.title))
        for r in frame[["id", "lat", "lon", "title"]].itertuples(index=False)
    ]
    outcome = explorer.handle_click(
        result.get("last_object_clicked"),
        result.get("last_object_clicked_tooltip"),
        points=points,
        last_handled=st.session_state.get("clic_traite"),
        current=st.session_state.get("projet"),
    )
    st.session_state["clic_traite"] = outcome.handled
    if outcome.project != st.session_state.get("projet"):
        st.session_state["projet"] = outcome.project
        st.rerun()
    if follow:
        view = explorer.view_of(result.get("center"), result.get("zoom"))
        if view is not None:
            st.session_state["vue"] = view
    elif st.session_state.get("vue") is not None and selection is not None:
        st.session_state["vue"] = None

    # --- detail and list ---
    chosen = st.session_state.get("projet")
    with list_col:
        if chosen is not None and chosen in ids:
            row = frame[frame["id"] == chosen].iloc[0]
            panels.project_detail(row, territories, link(chosen), store)
        order = st.selectbox(
            "Trier par", order_options, format_func=explorer.ORDERS.__getitem__, key="f_tri"
        )
        ordered = explorer.sort_frame(frame, order, distances)
        if ordered.empty:
            st.info("Aucun projet ne correspond à ces filtres.")
        # A scrolling box beside the map when the list is long; as tall as it is otherwise.
        height: int | str = MAP_HEIGHT - 90 if len(ordered) > 6 else "content"
        with st.container(height=height, border=False, key="liste-projets"):
            for row in ordered.head(LIST_LIMIT).itertuples():
                pid = int(row.id)
                label = str(row.title)
                if distances is not None:
                    label += f" — {distances.loc[row.Index]:.1f} km"
                st.button(
                    label,
                    key=f"choisir-{pid}",
                    on_click=panels.select,
                    args=(pid,),
                    type="primary" if pid == chosen else "secondary",
                    use_container_width=True,
                )
            if len(ordered) > LIST_LIMIT:
                st.caption(f"… et {len(ordered) - LIST_LIMIT} autres : affinez les filtres.")

    state = replace(state, order=order, project=chosen, view=st.session_state.get("vue"))
    sidebar.write_url(state)

    def html_map() -> bytes:
        standalone = explorer_map.explorer_map(
            basemap="osm", selection=selection, context=resources.departements(settings),
            base_url_path=base,
        )  # fmt: skip
        explorer_map.project_layer(frame, link=link, communes=communes, base_url_path=base).add_to(
            standalone
        )
        return explorer_map.standalone_html(standalone, base_url_path=base).encode("utf-8")

    panels.exports(sorted(ids), store, criteria, html_map, territories)


ensure_routed()
render()
