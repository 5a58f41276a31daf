"""Carte intégrée: the map another site shows in a frame (the code is given by « Intégrer » on
the Explorer and on the Parcours page, :mod:`ui.embed`). The map and its legend only: no menu
(``navigation.py`` sends none to this page), no moderation, no contribution; a published tour
adds its stop's title and previous/next.

UI only: the addresses are :mod:`geo.workshop.embed`, the map is drawn as a presented stop is
(:mod:`ui.presentation_map`). It is the one page other sites may frame (``ui/framing.py``).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit_folium import st_folium

from geo.errors import GeoError
from geo.explorer import choropleth as choropleths
from geo.explorer.state import ExplorerState
from geo.mapping.overlays import overlay_datasets
from geo.settings import Settings
from geo.store import ProjectStore
from geo.store.tours import Tour
from geo.territory import Territories
from geo.text import plain_markdown
from geo.workshop import embed, stops
from ui import keys, page, resources
from ui.presentation_map import stop_map

STYLE = Path(__file__).parents[1] / "ui" / "embed.css"
#: The map frame's first height; ui/embed.css then gives it the whole frame.
MAP_HEIGHT = 480


def _decode(kind: str, params: dict[str, str], territories: Territories | None) -> ExplorerState:
    decoded = embed.stop_state(
        kind,
        params,
        resolve=territories.parse if territories is not None else None,
        overlays=[d.id for d in overlay_datasets()],
        indicators=choropleths.indicator_ids(choropleths.figures()),
    )
    for notice in decoded.notices:
        st.caption(plain_markdown(notice))
    return decoded.state


def _step(count: int, step: int) -> None:
    index = int(st.session_state.get(keys.EMBED_STOP, 0)) + step
    st.session_state[keys.EMBED_STOP] = max(0, min(count - 1, index))


def _tour_stop(tour: Tour) -> tuple[str, dict[str, str]] | None:
    """The stop shown (its bar drawn: title, previous, next), as its kind and parameters."""
    if not tour.published:
        st.warning("Ce parcours n'est pas publié : il ne peut pas être affiché ici.")
        return None
    if not tour.stops:
        st.info("Ce parcours n'a pas encore d'arrêt.")
        return None
    count = len(tour.stops)
    if st.session_state.get(keys.EMBED_TOUR) != tour.id:
        st.session_state[keys.EMBED_TOUR] = tour.id
        st.session_state[keys.EMBED_STOP] = stops.stop_index(st.query_params.get(stops.STOP), count)
    index = max(0, min(count - 1, int(st.session_state.get(keys.EMBED_STOP, 0))))
    stop = tour.stops[index]
    # One line whatever the frame's width (columns would stack on a phone): the title gives
    # way (cut with "…"), the buttons' words too on a narrow frame (ui/embed.css).
    with st.container(
        key="integrer-barre", horizontal=True, wrap=False, vertical_alignment="center"
    ):
        st.button(
            "Précédent",
            key="integrer-precedent",
            icon=":material/arrow_back:",
            on_click=_step,
            args=(count, -1),
            disabled=index == 0,
        )
        with st.container(key="integrer-titre", width="stretch"):
            st.markdown(f"**{plain_markdown(tour.title)}** — {plain_markdown(stop.title)}")
        with st.container(key="integrer-progression", width="content"):
            st.markdown(stops.progress_text(index, count))
        st.button(
            "Suivant",
            key="integrer-suivant",
            icon=":material/arrow_forward:",
            on_click=_step,
            args=(count, 1),
            disabled=index == count - 1,
        )
    return stop.kind, stop.params


def _map(
    state: ExplorerState, settings: Settings, store: ProjectStore, territories: Territories | None
) -> None:
    drawn = stop_map(state, settings=settings, territories=territories, store=store)
    with st.container(key="integrer-carte"):
        st_folium(
            drawn.map,
            height=MAP_HEIGHT,
            use_container_width=True,
            returned_objects=[],
            feature_group_to_add=drawn.layers,
            key=keys.EMBED_MAP,
        )


def render() -> None:
    settings = page.start("Carte intégrée", shown=False)
    st.html(STYLE)
    store = resources.open_store(settings)
    if store is None:
        return
    loaded = resources.territories(settings)
    territories = None if isinstance(loaded, GeoError) else loaded
    params = st.query_params.to_dict()
    tour_id = embed.tour_id(params)
    if tour_id is None and stops.TOUR in params:
        st.warning("Ce lien désigne un parcours qui n'existe pas.")
        return
    if tour_id is None:
        _map(_decode("explorer", params, territories), settings, store, territories)
        return
    with st.container(key="integrer-parcours"):
        shown = _tour_stop(store.tours.get(tour_id))
        if shown is not None:
            _map(_decode(*shown, territories), settings, store, territories)


page.run(render)
