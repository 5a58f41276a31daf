"""Tours on every page: the tours this browser may edit, and "Ajouter au parcours", which saves
the view of the Explorer or of a portrait as a stop.

The private keys of the tours a facilitator made (or opened by their private link) are kept in
the session and in a cookie of this browser (``carte_parcours``, one year, this site only), so
that going from one Explorer link to another, in another tab or after a reload, still adds to
the same tour. The cookie holds only ids and keys checked against a strict pattern; it is
written by a fixed script (no user text in it) and read by Streamlit when a session starts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from geo.errors import EditDeniedError, GeoError, TourNotFoundError
from geo.store import ProjectStore
from geo.store.tours import NOTE_MAX, TITLE_MAX, Tour, clean_note, clean_params, clean_title
from geo.text import french_count, plain_markdown
from ui import keys, page

TOURS_PAGE = "pages/parcours.py"
TOURS_PATH = "parcours"
#: ``12.KEY~15.KEY``: ids and private keys (``secrets.token_urlsafe``) only.
_ENTRY = re.compile(r"^(\d{1,12})\.([A-Za-z0-9_-]{20,100})$")
MAX_REMEMBERED = 30
NEW = "nouveau"
_COOKIE_PENDING = keys.TOURS_COOKIE + "_a_ecrire"
_NEXT_CHOICE = keys.TOUR_CHOICE + "_suivant"


def _from_cookie() -> dict[int, str]:
    try:
        raw = str(st.context.cookies.get(keys.TOURS_COOKIE) or "")
    except (AttributeError, RuntimeError):
        return {}
    found: dict[int, str] = {}
    for part in raw.split("~"):
        match = _ENTRY.match(part.strip())
        if match:
            found[int(match.group(1))] = match.group(2)
    return found


def known() -> dict[int, str]:
    """``{tour id: key}`` this browser holds (the session's, then the cookie's)."""
    if keys.TOURS_KNOWN not in st.session_state:
        st.session_state[keys.TOURS_KNOWN] = _from_cookie()
    return dict(st.session_state[keys.TOURS_KNOWN])


def remember(tour_id: int, token: str) -> None:
    """Keep a tour's key in the session and in this browser's cookie."""
    held = known()
    held.pop(tour_id, None)
    held[int(tour_id)] = token
    held = dict(list(held.items())[-MAX_REMEMBERED:])
    st.session_state[keys.TOURS_KNOWN] = held
    st.session_state[_COOKIE_PENDING] = True


def forget(tour_id: int) -> None:
    held = known()
    if held.pop(int(tour_id), None) is not None:
        st.session_state[keys.TOURS_KNOWN] = held
        st.session_state[_COOKIE_PENDING] = True


def write_cookie() -> None:
    """Write this browser's cookie when the tours it holds changed. Called by the page's
    own run (:func:`show_notice`), never inside a dialog or a callback: what a dialog draws
    just before it reruns the page may never reach the browser."""
    if st.session_state.pop(_COOKIE_PENDING, False):
        _write_cookie(known())


def _write_cookie(held: Mapping[int, str]) -> None:
    value = "~".join(f"{i}.{t}" for i, t in held.items() if _ENTRY.match(f"{i}.{t}"))
    path = page.base_path()
    if not re.fullmatch(r"[A-Za-z0-9/_.-]*", path):
        path = "/"
    # A fixed script: the value is ids and url-safe keys only (checked above).
    st.html(
        f'<script>document.cookie = "{keys.TOURS_COOKIE}={value}; path={path}; '
        f'max-age=31536000; SameSite=Strict";</script>',
        unsafe_allow_javascript=True,
    )


def editable(store: ProjectStore) -> list[Tour]:
    """The tours this browser holds a valid key of (forgotten: deleted or replaced ones)."""
    tours = []
    for tour_id, token in known().items():
        try:
            if store.tours.verify(tour_id, token):
                tours.append(store.tours.get(tour_id))
                continue
        except TourNotFoundError:
            pass
        forget(tour_id)
    return tours


def tours_url(tour_id: int) -> str:
    return f"{page.base_path()}{TOURS_PATH}?parcours={int(tour_id)}"


def private_link(tour_id: int, token: str) -> str:
    """The tour's private link (path and query): whoever holds it edits the tour."""
    return f"{page.base_path()}{TOURS_PATH}?parcours={int(tour_id)}&jeton={token}"


def tours_page_link(tour_id: int | None, label: str, *, where: Any = None) -> None:
    target = where or st
    params = {"parcours": str(tour_id)} if tour_id is not None else None
    try:
        target.page_link(TOURS_PAGE, label=label, icon=":material/slideshow:", query_params=params)
    except StreamlitPageNotFoundError:
        url = tours_url(tour_id) if tour_id is not None else f"{page.base_path()}{TOURS_PATH}"
        target.markdown(f":material/slideshow: [{plain_markdown(label)}]({url})")


def show_notice() -> None:
    """The notice left by the last action ("Arrêt ajouté…"), once, and a new tour's link;
    the browser's cookie first, when the tours it holds changed."""
    write_cookie()
    notice = st.session_state.pop(keys.TOUR_NOTICE, None)
    if notice:
        st.success(plain_markdown(notice[0]))
        if notice[1] is not None:
            tours_page_link(notice[1], "Ouvrir le parcours")
    link = st.session_state.pop(keys.TOUR_NEW_LINK, None)
    if link:
        st.info(
            "Lien privé du parcours (il permet de le modifier : gardez-le pour vous ; ce "
            "navigateur s'en souvient) :"
        )
        from ui.clipboard import copy_button

        st.code(link, language=None, wrap_lines=True)
        copy_button(link, key="copier-lien-parcours")


def add_stop_button(
    store: ProjectStore | GeoError,
    *,
    kind: str,
    params: dict[str, str],
    suggestion: str,
    territory: str | None,
    where: Any = None,
) -> None:
    """The "Ajouter au parcours" button, opening the dialog that saves this view as a stop."""
    target = where or st
    if isinstance(store, GeoError):
        return
    if target.button(
        "Ajouter au parcours",
        key=f"ajouter-arret-{kind}",
        icon=":material/playlist_add:",
        help="Enregistrer cette vue comme un arrêt d'un parcours à présenter en atelier.",
    ):
        st.session_state[keys.STOP_TITLE] = suggestion[:TITLE_MAX]
        st.session_state[keys.STOP_NOTE] = ""
        _dialog(store, kind, params, territory)


@st.dialog("Ajouter cette vue à un parcours", width="large")
def _dialog(store: ProjectStore, kind: str, params: dict[str, str], territory: str | None) -> None:
    mine = editable(store)
    if _NEXT_CHOICE in st.session_state:
        st.session_state[keys.TOUR_CHOICE] = st.session_state.pop(_NEXT_CHOICE)
    choices = {str(t.id): f"{t.title} ({french_count(len(t.stops), 'arrêt')})" for t in mine}
    choices[NEW] = "Nouveau parcours"
    if st.session_state.get(keys.TOUR_CHOICE) not in choices:
        st.session_state[keys.TOUR_CHOICE] = next(iter(choices))
    choice = st.radio(
        "Parcours",
        list(choices),
        format_func=lambda k: plain_markdown(choices[k]),
        key=keys.TOUR_CHOICE,
    )
    if choice == NEW:
        st.text_input(
            "Titre du nouveau parcours *",
            key=keys.TOUR_NEW_TITLE,
            max_chars=TITLE_MAX,
            placeholder="ex. Atelier PCAET — les projets de la Métropole",
        )
    st.text_input("Titre de l'arrêt *", key=keys.STOP_TITLE, max_chars=TITLE_MAX)
    st.text_area(
        "Note (facultative, Markdown : **gras**, *italique*, listes, liens)",
        key=keys.STOP_NOTE,
        max_chars=NOTE_MAX,
        height=120,
        help="Affichée sous le titre pendant la présentation.",
    )
    if kind == "explorer" and "vue" not in params:
        st.caption(
            "La carte s'ouvrira cadrée sur le territoire ou les projets ; pour garder le "
            "cadrage exact, activez d'abord « Partager cette vue »."
        )
    if st.button("Ajouter l'arrêt", type="primary", key="ajouter-arret-valider"):
        try:
            _save(store, choice, kind, params, territory)
        except (GeoError, EditDeniedError) as error:
            st.error(plain_markdown(error))
            return
        st.rerun()


def _save(
    store: ProjectStore, choice: str, kind: str, params: dict[str, str], territory: str | None
) -> None:
    title = str(st.session_state.get(keys.STOP_TITLE) or "")
    note = str(st.session_state.get(keys.STOP_NOTE) or "")
    # Checked before a new tour is created, so that a refused stop leaves no empty tour.
    clean_title(title, what="Le titre de l'arrêt")
    clean_note(note)
    clean_params(params)
    if choice == NEW:
        name = str(st.session_state.get(keys.TOUR_NEW_TITLE) or "")
        tour_id, token = store.tours.create(name, territory=territory)
        remember(tour_id, token)
        st.session_state[keys.TOUR_NEW_LINK] = page.absolute(private_link(tour_id, token))
    else:
        tour_id = int(choice)
        token = known()[tour_id]
    stop = store.tours.add_stop(
        tour_id, kind=kind, title=title, note=note, params=params, token=token
    )
    tour = store.tours.get(tour_id)
    if tour.territory is None and territory:
        store.tours.set_territory(tour_id, territory, token=token)
    # The radio is drawn already: the next dialog starts on this tour.
    st.session_state[_NEXT_CHOICE] = str(tour_id)
    st.session_state[keys.TOUR_NOTICE] = (
        f"Arrêt {stop.position} « {stop.title} » ajouté au parcours « {tour.title} ».",
        tour_id,
    )
