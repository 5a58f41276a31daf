"""Atelier: the participants' form, reached by the room's QR code (``/atelier?code=ABC346``),
made for a 390 px phone held in one hand: a title, what it is, a theme, where (a tap on the
map of the workshop's territory, or an address), an optional first name; one big button.

UI only: :mod:`geo.store.workshops` checks the code, the limits and the territory and stores
the idea as a proposed project; :mod:`geo.contribute.placement` finds addresses and places
taps as the contribution page does. Everything typed stays in the session: a refused idea
keeps its text (also when the room closes meanwhile), and a sent one leaves the place for the
next idea. The phone is known by a signed cookie (:mod:`geo.workshop.room`), so that the
limit per participant holds across reloads and a phone the facilitator blocked stays blocked.
"""

from __future__ import annotations

from typing import Any

import folium
import streamlit as st
from streamlit_folium import st_folium

from geo.contribute import placement
from geo.errors import GeoError, ProjectValidationError, WorkshopError
from geo.mapping import base as maps
from geo.mapping import projects as project_maps
from geo.projects.model import THEMES
from geo.settings import Settings
from geo.store import ProjectStore
from geo.store.workshops import BLOCKED, CODE_LENGTH, WorkshopSession, normalise_code
from geo.territory import LEVEL_LABELS, Territories
from geo.text import plain_markdown
from geo.workshop import room
from ui import contribute_place, keys, page, resources

MAP_HEIGHT = 330
BLOCKED_NOW = (
    "L'animateur a bloqué les idées de ce téléphone pour cet atelier. Si c'est une erreur, "
    "parlez-en à l'animateur."
)
#: The form's address search (the map keeps the workshop's territory in view).
IDEA_ADDRESS = contribute_place.AddressSearch(
    keys.IDEA_ADDRESS, keys.IDEA_CANDIDATES, keys.IDEA_CANDIDATE, keys.IDEA_NOTICE,
    keys.IDEA_PLACE, hint="Tapez une adresse, un lieu ou une commune.",
)  # fmt: skip
PIN = {
    "radius": 11,
    "color": "#ffffff",
    "weight": 3,
    "fill": True,
    "fill_color": "#c2255c",
    "fill_opacity": 0.95,
}
#: A pin where the idea cannot go (outside the territory): grey, ringed in red.
PIN_REFUSED = PIN | {"color": "#c92a2a", "fill_color": "#868e96"}
STYLE = """<style>
/* A page of its own for the room: no navigation to wander off to. */
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], header[data-testid="stHeader"] { display: none !important; }
/* Streamlit's "Press Enter to apply" is English (and a phone has no Enter to press): only
   the character counter stays. */
[data-testid="InputInstructions"] > span:first-child:not(:last-child) { display: none; }
/* One thumb on a phone: large targets, the button the width of the screen. */
.st-key-atelier-formulaire input, .st-key-atelier-formulaire textarea { font-size: 1.05rem; }
.st-key-atelier-envoyer button { min-height: 3.25rem; font-size: 1.15rem; }
.st-key-atelier-carte iframe { height: min(330px, 48vh) !important; }
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding-left: 0.75rem; padding-right: 0.75rem; }
}
</style>"""


def _participant(store: ProjectStore) -> str:
    """This phone's key: the one of its signed cookie, else a new one whose cookie this run
    writes (the store keeps only the key's hash). Kept in the session for its next runs."""
    if keys.PARTICIPANT not in st.session_state:
        secret = store.workshops.device_secret()
        try:
            cookie = st.context.cookies.get(room.DEVICE_COOKIE)
        except (AttributeError, RuntimeError):  # no browser behind this run (bare mode)
            cookie = None
        device = room.device_of(cookie, secret) or room.new_device()
        st.session_state[keys.PARTICIPANT] = device
        st.session_state[keys.PARTICIPANT_COOKIE] = room.device_cookie(device, secret)
    return st.session_state[keys.PARTICIPANT]


def _keep_cookie() -> None:
    """Write the device cookie (a fixed script; the value is checked by its pattern) at
    every run of the page: what one run draws may be replaced before the browser ran it."""
    value = st.session_state.get(keys.PARTICIPANT_COOKIE)
    if value:
        st.html(room.device_script(value, path=page.base_path()), unsafe_allow_javascript=True)


def _session(store: ProjectStore) -> WorkshopSession | None:
    code = normalise_code(st.query_params.get(room.CODE_PARAM) or "")
    if not code:
        st.markdown("Tapez le code affiché à l'écran de la salle.")
        typed = st.text_input(
            "Code de l'atelier",
            key=keys.IDEA_CODE,
            max_chars=CODE_LENGTH + 2,
            placeholder="ex. ACD346",
        )
        if (
            st.button(
                "Rejoindre l'atelier", key="atelier-rejoindre", type="primary", width="stretch"
            )
            and typed.strip()
        ):
            st.query_params[room.CODE_PARAM] = normalise_code(typed)
            st.rerun()
        return None
    try:
        session = store.workshops.by_code(code)
    except WorkshopError as error:
        st.error(plain_markdown(error))
        st.query_params.pop(room.CODE_PARAM, None)
        return None
    if not session.open and not _typed():
        st.warning(
            plain_markdown(
                "Cet atelier est clos : il ne reçoit plus d'idées. Merci de votre participation !"
            )
        )
        return None
    # Closed while an idea was being typed: the form stays, with its text (see _form).
    return session


def _typed() -> bool:
    """An idea is being typed in this browser (a title or its few words; the theme and the
    first name stay from one idea to the next, they are not an idea)."""
    return any(
        str(st.session_state.get(key) or "").strip() for key in (keys.IDEA_TITLE, keys.IDEA_WHAT)
    )


def _where_name(session: WorkshopSession, territories: Territories | None) -> str:
    if territories is None:
        return session.territory.code
    return territories.nom(session.territory.level, session.territory.code)


def _errors(name: str) -> None:
    for message in (st.session_state.get(keys.IDEA_ERRORS) or {}).get(name, []):
        st.error(plain_markdown(message))


def _where(session: WorkshopSession, settings: Settings, territories: Territories | None) -> None:
    st.markdown("**Où ? \\***  Touchez la carte à l'endroit de votre idée.")
    place = st.session_state.get(keys.IDEA_PLACE)
    located, problem, outside = None, None, None
    if place is not None:
        located = placement.locate_point(place["lat"], place["lon"], territories)
        outside = room.outside_territory(
            located.chain, session.territory, _where_name(session, territories)
        )
        problem = located.problem or outside
    outline = None
    if territories is not None:
        outline = territories.outline(session.territory.level, session.territory.code)
    bounds = maps.geometry_bounds(outline) if outline is not None else None
    # Offline, the communes around and their names are the basemap: a place can be found.
    communes = None
    if settings.offline and territories is not None:
        communes = territories.display_outlines("commune")
    m = maps.base_map(
        offline=settings.offline, base_url_path=page.base_url_path(), bounds=bounds,
        surroundings=communes,
    )  # fmt: skip
    # The map fills its frame; on a phone the scale bar leaves the attribution room.
    m.get_root().header.add_child(folium.Element(project_maps.MAP_FRAME_STYLE))
    if outline is not None:
        name = _where_name(session, territories)
        selection = maps.Selection(session.territory.level, session.territory.code, name, outline)
        maps.selected_layer(selection).add_to(m)
    pin = folium.FeatureGroup(name="Votre idée")
    if place is not None:
        style, css = (
            (PIN_REFUSED, "epingle-idee epingle-refusee") if problem else (PIN, "epingle-idee")
        )
        folium.CircleMarker([place["lat"], place["lon"]], class_name=css, **style).add_to(pin)
    with st.container(key="atelier-carte"):
        result = (
            st_folium(
                m,
                key=keys.IDEA_MAP,
                height=MAP_HEIGHT,
                use_container_width=True,
                returned_objects=["last_clicked"],
                feature_group_to_add=pin,
            )
            or {}
        )
    click = result.get("last_clicked")
    if click and click != st.session_state.get(keys.IDEA_CLICK):
        st.session_state[keys.IDEA_CLICK] = click
        moved = placement.clicked(click, place)
        if moved is not None:
            st.session_state[keys.IDEA_PLACE] = moved
            st.rerun()
    if problem:
        # Said as soon as the pin is placed, not at send: under the map, and once in a toast
        # (under the map may be below a phone's screen).
        st.error(plain_markdown(problem))
        said = (place["lat"], place["lon"])  # type: ignore[index]
        if st.session_state.get(keys.IDEA_PLACE_SAID) != said:
            st.session_state[keys.IDEA_PLACE_SAID] = said
            short = room.OUTSIDE_TOAST if outside else room.REFUSED_TOAST
            st.toast(short, icon=":material/wrong_location:", duration="long")
    elif located is not None and located.chain:
        st.caption(":material/location_on: " + plain_markdown(located.chain[0][2]))
    if not problem:  # else what the send found about this point is said above already
        _errors("location")
    with st.expander("Ou chercher une adresse", expanded=False):
        st.text_input(
            "Adresse ou lieu",
            key=keys.IDEA_ADDRESS,
            max_chars=300,
            placeholder="ex. place Grenette, Grenoble",
        )
        st.button(
            "Chercher",
            key="atelier-chercher",
            on_click=contribute_place.search,
            args=(IDEA_ADDRESS, settings, territories),
            width="stretch",
        )
        notice = st.session_state.get(keys.IDEA_NOTICE)
        if notice:
            st.caption(plain_markdown(notice))
        contribute_place.candidate_list(IDEA_ADDRESS, st.container(), territories)


def _send(store: ProjectStore, session: WorkshopSession) -> None:
    values: dict[str, Any] = {
        "title": st.session_state.get(keys.IDEA_TITLE),
        "summary": st.session_state.get(keys.IDEA_WHAT),
        "themes": st.session_state.get(keys.IDEA_THEMES) or [],
    }
    place = st.session_state.get(keys.IDEA_PLACE)
    try:
        sent = store.workshops.contribute(
            session.code,
            room.idea_fields(values, place),
            participant=_participant(store),
            name=st.session_state.get(keys.IDEA_NAME),
        )
    except ProjectValidationError as error:
        # Every problem at once, each under its field.
        errors = room.form_errors(error.errors, values, placed=place is not None)
        st.session_state[keys.IDEA_ERRORS] = errors
        return
    except WorkshopError as error:
        st.session_state[keys.IDEA_ERRORS] = {"send": [str(error)]}
        return
    st.session_state[keys.IDEA_ERRORS] = {}
    st.session_state[keys.IDEA_SENT] = sent.number
    # The next idea starts blank where it differs (theme and name stay: same person).
    for key in (keys.IDEA_TITLE, keys.IDEA_WHAT, keys.IDEA_ADDRESS):
        st.session_state[key] = ""
    for key in (keys.IDEA_PLACE, keys.IDEA_CANDIDATES, keys.IDEA_NOTICE):
        st.session_state.pop(key, None)


def _form(
    store: ProjectStore,
    session: WorkshopSession,
    settings: Settings,
    territories: Territories | None,
) -> None:
    blocked = store.workshops.is_blocked(session.code, _participant(store))
    if blocked:
        st.session_state.pop(keys.IDEA_ERRORS, None)  # said here, once
        if not _typed():
            st.error(BLOCKED_NOW)
            return
        st.error(BLOCKED)  # what was typed stays, to be copied
    if not session.open:
        st.session_state.pop(keys.IDEA_ERRORS, None)  # the closed room is said here, once
        st.warning(
            "Cet atelier vient d'être clos : votre idée n'a pas été envoyée. Votre texte reste "
            "ci-dessous : copiez-le pour le garder. Si l'animateur rouvre l'atelier, vous "
            "pourrez l'envoyer."
        )
        st.button("Vérifier si l'atelier a rouvert", key="atelier-verifier", width="stretch")
    sent = st.session_state.pop(keys.IDEA_SENT, None)
    if sent is not None:
        st.success(
            f"Merci ! Votre idée porte le n° {sent} : elle s'affiche sur l'écran de la salle."
        )
        st.caption("Vous pouvez en proposer une autre ci-dessous.")
    with st.container(key="atelier-formulaire"):
        st.text_input(
            "Votre idée *",
            key=keys.IDEA_TITLE,
            max_chars=room.TITLE_MAX,
            placeholder="ex. Des bornes de recharge au marché",
        )
        _errors("title")
        st.text_area(
            "En quelques mots",
            key=keys.IDEA_WHAT,
            max_chars=room.WHAT_MAX,
            height=90,
            placeholder="Pour qui, pourquoi…",
        )
        _errors("summary")
        st.pills(
            "Thème *",
            list(THEMES),
            format_func=THEMES.__getitem__,
            key=keys.IDEA_THEMES,
            selection_mode="multi",
        )
        _errors("themes")
        _where(session, settings, territories)
        st.text_input(
            "Votre prénom (facultatif)",
            key=keys.IDEA_NAME,
            max_chars=room.NAME_MAX,
            help="Affiché avec votre idée sur l'écran de la salle.",
        )
        _errors("name")
        st.button(
            "Envoyer mon idée",
            key="atelier-envoyer",
            type="primary",
            width="stretch",
            on_click=_send,
            args=(store, session),
            disabled=blocked or not session.open,
        )
        _errors("send")
    st.caption(
        "Votre idée est une proposition : elle n'est publiée sur la carte qu'après "
        "l'accord d'un modérateur."
    )


def render() -> None:
    settings = page.start("Atelier : votre idée sur la carte")
    st.html(STYLE)
    store = resources.open_store(settings)
    if store is None:
        return
    session = _session(store)
    if session is None:
        return
    loaded = resources.territories(settings)
    territories = None if isinstance(loaded, GeoError) else loaded
    where = _where_name(session, territories)
    st.markdown(
        f"**{plain_markdown(session.title)}** · "
        f"{plain_markdown(f'{where} ({LEVEL_LABELS[session.territory.level]})')}"
    )
    _participant(store)
    _form(store, session, settings, territories)
    _keep_cookie()


page.run(render)
