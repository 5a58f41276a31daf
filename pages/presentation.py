"""Présentation: a tour shown full screen, one stop at a time, with its map and its card; the
room's ideas drawn live when a workshop runs.

UI only: :mod:`geo.workshop.stops` reads the stops and builds the links, :mod:`geo.store` holds
tours and sessions, :mod:`ui.presentation_map` draws a stop's map as the Explorer would,
:mod:`ui.presentation` the keyboard, the card, the QR code and the timers. The address is
``/presentation?parcours=ID&arret=N[&auto=SECONDS][&jeton=KEY&atelier=CODE]&embed=true&
embed_options=light_theme&embed_options=hide_loading_screen``: Streamlit's embed mode (no
toolbar, no padding, no sidebar) can only be asked by the address, so every link to this page
carries it (:func:`geo.workshop.stops.presentation_url`). A published tour needs no login; a
draft, or the room's ideas, need the tour's key (or a moderator's session). The key is read
once: this browser remembers it (:mod:`ui.tours`) and it leaves the address, which a room
reads on the projected screen.
"""

from __future__ import annotations

import time
from typing import Any

import streamlit as st
from streamlit_folium import st_folium

from geo.errors import GeoError
from geo.explorer import choropleth as choropleths
from geo.explorer.state import ExplorerState
from geo.mapping.overlays import overlay_datasets
from geo.portrait import build_portrait
from geo.settings import Settings
from geo.store import ProjectStore
from geo.store.tours import Tour
from geo.store.workshops import WorkshopSession
from geo.territory import Territories
from geo.text import plain_markdown, safe_markdown
from geo.workshop import room, stops
from ui import keys, page, resources, tours
from ui import presentation as show
from ui.presentation_map import stop_map

MAP_HEIGHT = 640


def _tour(store: ProjectStore, notice: Any) -> tuple[Tour | None, bool]:
    """The tour of the address and whether this visitor may run it as its facilitator."""
    raw = str(st.query_params.get(stops.TOUR) or "")
    if not (raw.isascii() and raw.isdigit() and 0 < int(raw) < 2**31):
        st.warning("Aucun parcours indiqué : ouvrez la présentation depuis la page « Parcours ».")
        tours.tours_page_link(None, "Aller aux parcours")
        return None, False
    tour = store.tours.get(int(raw))
    _take_key(store, tour.id, notice)
    token = tours.known().get(tour.id)
    moderator = st.session_state.get(keys.MODERATOR)
    facilitator = store.tours.may_edit(tour.id, token=token or None) or (
        moderator is not None and store.tours.may_edit(tour.id, moderator=moderator)
    )
    if not tour.published and not facilitator:
        st.warning(
            "Ce parcours n'est pas publié : seul son auteur (avec son lien privé) ou un "
            "modérateur peut le présenter."
        )
        return None, False
    return tour, facilitator


def _take_key(store: ProjectStore, tour_id: int, notice: Any) -> None:
    """``&jeton=KEY``: remembered by this browser (session and cookie), then the key leaves
    the address, as on the Parcours page. On a projector the address is read by the whole
    room, and with the key anyone could edit the tour and export the participants' names."""
    token = st.query_params.get(stops.KEY)
    if not token:
        return
    if store.tours.verify(tour_id, str(token)):
        tours.remember(tour_id, str(token))
    else:
        notice.error(
            "Ce lien privé de parcours n'est pas valable (parcours supprimé, ou lien erroné)."
        )
    del st.query_params[stops.KEY]


def _workshop(store: ProjectStore, tour: Tour, facilitator: bool) -> WorkshopSession | None:
    code = str(st.query_params.get(stops.WORKSHOP) or "")
    if not code:
        return None
    if not facilitator:
        st.caption("Les idées de l'atelier ne s'affichent qu'avec le lien de l'animateur.")
        return None
    try:
        session = store.workshops.by_code(code)
    except GeoError as error:
        st.warning(plain_markdown(error))
        return None
    if session.tour_id != tour.id:
        st.warning("Ce code d'atelier est celui d'un autre parcours : il est ignoré.")
        return None
    return session


def _index(tour: Tour) -> int:
    """The stop shown: the session's (after a key or a button), else the address's."""
    if st.session_state.get(keys.PRESENT_TOUR) != tour.id:
        st.session_state[keys.PRESENT_TOUR] = tour.id
        st.session_state[keys.PRESENT_INDEX] = stops.stop_index(
            st.query_params.get(stops.STOP), len(tour.stops)
        )
        st.session_state[keys.PRESENT_MOVED_AT] = time.monotonic()
    index = int(st.session_state.get(keys.PRESENT_INDEX, 0))
    return max(0, min(len(tour.stops) - 1, index))


def _go(count: int, step: int, *, wrap: bool = False) -> None:
    index = int(st.session_state.get(keys.PRESENT_INDEX, 0)) + step
    if wrap:
        index %= count
    st.session_state[keys.PRESENT_INDEX] = max(0, min(count - 1, index))
    st.session_state[keys.PRESENT_MOVED_AT] = time.monotonic()


def _bar(tour: Tour, index: int) -> int | None:
    """Tour title, progress, previous/next, autoplay; the autoplay delay chosen."""
    count = len(tour.stops)
    with st.container(key="presentation-barre"):
        title_col, back_col, progress_col, next_col, auto_col = st.columns(
            [4.2, 2, 1.2, 2, 4.6], vertical_alignment="center"
        )
        with title_col.container(key="presentation-parcours"):
            st.markdown(plain_markdown(tour.title))
        back_col.button(
            "Précédent",
            key=show.PREVIOUS_KEY,
            icon=":material/arrow_back:",
            on_click=_go,
            args=(count, -1),
            disabled=index == 0,
            width="stretch",
            help="Flèche gauche",
        )
        with progress_col.container(key="presentation-progression"):
            st.markdown(stops.progress_text(index, count))
        next_col.button(
            "Suivant",
            key=show.NEXT_KEY,
            icon=":material/arrow_forward:",
            on_click=_go,
            args=(count, 1),
            disabled=index == count - 1,
            width="stretch",
            help="Flèche droite ou barre d'espace",
        )
        if keys.PRESENT_AUTOPLAY not in st.session_state:
            current = stops.autoplay_delay(st.query_params.get(stops.AUTOPLAY))
            st.session_state[keys.PRESENT_AUTOPLAY] = current or 0
        delay = auto_col.segmented_control(
            "Défilement automatique",
            [0, *stops.AUTOPLAY_DELAYS],
            format_func=lambda d: "Auto : non" if not d else f"{d} s",
            key=keys.PRESENT_AUTOPLAY,
            label_visibility="collapsed",
            help="Passer à l'arrêt suivant tout seul, après ce délai",
        )
        if delay:
            st.query_params[stops.AUTOPLAY] = str(delay)
        elif stops.AUTOPLAY in st.query_params:
            del st.query_params[stops.AUTOPLAY]
    return int(delay) if delay else None


def _explorer_stop(
    params: dict[str, str], territories: Territories | None
) -> tuple[ExplorerState, list[str]]:
    decoded = stops.explorer_state(
        params,
        resolve=territories.parse if territories is not None else None,
        overlays=[d.id for d in overlay_datasets()],
        indicators=choropleths.indicator_ids(choropleths.figures()),
    )
    return decoded.state, decoded.notices


def _stop(
    tour: Tour,
    index: int,
    *,
    settings: Settings,
    store: ProjectStore,
    territories: Territories | None,
    session: WorkshopSession | None,
) -> None:
    stop = tour.stops[index]
    # One block the height of the window (ui/presentation.css): the stop's title, note and
    # map on the left, the map taking what the text leaves; on the right the room's QR code
    # first, so that no note, card or idea list can push it off the screen.
    with st.container(key="presentation-arret"):
        map_col, side_col = st.columns([3, 1], gap="medium")
    with map_col:
        with st.container(key="presentation-titre"):
            st.header(plain_markdown(stop.title), anchor=False)
        if stop.note:
            with st.container(key="presentation-note"):
                st.markdown(safe_markdown(stop.note))
        portrait = None
        if stop.kind == "portrait":
            ref = stops.stop_territory(stop.params, territories.parse if territories else None)
            state = ExplorerState(territory=ref)
            if ref is not None:
                context = resources.portrait_context(settings)
                if not isinstance(context, GeoError):
                    portrait = build_portrait(ref, context=context, store=store)
        else:
            state, notices = _explorer_stop(stop.params, territories)
            for notice in notices:
                st.caption(plain_markdown(notice))
        ideas = room.room_ideas(st.session_state.get(keys.ROOM_ITEMS, {})) if session else []
        drawn = stop_map(
            state, settings=settings, territories=territories, store=store, ideas=ideas
        )
        with st.container(key="presentation-carte"):
            st_folium(
                drawn.map,
                height=MAP_HEIGHT,
                use_container_width=True,
                returned_objects=[],
                feature_group_to_add=drawn.layers,
                key=keys.PRESENT_MAP,
            )
    with side_col:
        if session is not None:
            show.workshop_panel(session, origin=page.origin(), base_path=page.base_path())
        with st.container(key="presentation-fiche"):
            _card(stop.kind, stop.params, state, drawn, portrait, territories)
        if session is not None:
            show.latest_ideas(ideas)


def _card(
    kind: str,
    params: dict[str, str],
    state: ExplorerState,
    drawn: Any,
    portrait: Any,
    territories: Territories | None,
) -> None:
    if portrait is not None:
        show.portrait_card(portrait, params.get("indicateur"), params.get("reference"))
        return
    frame = drawn.projects
    if state.project is not None and state.project in set(frame["id"].tolist()):
        position = frame.index.get_loc(frame.index[frame["id"] == state.project][0])
        show.project_card(frame.iloc[position], drawn.communes[position])
        return
    name = None
    if state.territory is not None and territories is not None:
        name = territories.nom(state.territory.level, state.territory.code)
    show.count_card(len(frame), name)


def render() -> None:
    settings = page.start("Présentation d'un parcours", shown=False)
    st.html(show.STYLE)
    store = resources.open_store(settings)
    if store is None:
        return
    loaded = resources.territories(settings)
    territories = None if isinstance(loaded, GeoError) else loaded
    # A slot always there, first: what only the first run says (a wrong key) does not move
    # the page's elements in the next one, where Streamlit would keep the old bar beside the
    # new one while the page's timers run.
    notice = st.empty()
    tour, facilitator = _tour(store, notice)
    if tour is None:
        return
    if not tour.stops:
        st.header(plain_markdown(tour.title), anchor=False)
        st.info("Ce parcours n'a pas encore d'arrêt : ajoutez-en depuis l'Explorer ou un portrait.")
        tours.tours_page_link(tour.id, "Ouvrir le parcours")
        tours.write_cookie()
        return
    session = _workshop(store, tour, facilitator)
    if session is not None:
        show.known_ideas(session.code)
        show.refresh_ideas(store, session.code)
    index = _index(tour)
    delay = _bar(tour, index)
    st.query_params[stops.STOP] = str(index + 1)
    _stop(tour, index, settings=settings, store=store, territories=territories, session=session)
    show.keyboard()
    if session is not None:
        show.poll_ideas(store, session.code)
    if delay:
        show.autoplay(delay, lambda: _go(len(tour.stops), 1, wrap=True))
    # The key just read from the address, kept for a reload (the address no longer has it):
    # last on the page, for the same reason as the slot above.
    tours.write_cookie()


page.run(render)
