"""« Intégrer à un site »: the ``<iframe>`` code that shows a map of this app in another site,
on the Explorer (the view shown) and on the Parcours page (a published tour).

The code frames the embed view (``pages/integrer.py``: the map and its legend, no menu, no
moderation, no contribution), the one page other sites may frame (``ui/framing.py``). Its
address and code are :mod:`geo.workshop.embed`; the size is chosen in a dialog, which reruns
alone while it is changed (not the Explorer's map).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from geo.explorer.state import ExplorerState
from geo.projects.model import THEMES
from geo.store.tours import Tour
from geo.territory import Territories
from geo.workshop import embed, stops
from ui import keys, page
from ui.clipboard import copy_button

LABEL = "Intégrer à un site"
ICON = ":material/code:"
EXPLORER_HINT = (
    "La carte montre les projets de ces filtres, avec les mêmes couches et la même légende ; "
    "les projets ajoutés plus tard y paraissent aussi."
)
VIEW_KEPT = "Elle s'ouvre sur la position et le zoom de la carte actuelle."
VIEW_NOT_KEPT = (
    "Elle s'ouvre sur le territoire choisi ; pour garder la position et le zoom actuels, "
    "activez « Partager cette vue » avant d'ouvrir ce code."
)
TOUR_HINT = (
    "Les visiteurs passent d'un arrêt à l'autre. Les changements du parcours s'y voient "
    "aussitôt ; repassé en brouillon, il n'y est plus montré."
)


def explorer_button(state: ExplorerState, territories: Territories | None, *, where: Any) -> None:
    """The button under the Explorer's map: the code of the view ``state`` (the one the page's
    address holds, so the code shows what the visitor sees)."""
    name = None
    if state.territory is not None and territories is not None:
        name = territories.nom(state.territory.level, state.territory.code)
    hint = f"{EXPLORER_HINT} {VIEW_KEPT if state.view is not None else VIEW_NOT_KEPT}"
    if where.button(
        LABEL,
        key=keys.EMBED_EXPLORER,
        icon=ICON,
        help="Le code HTML qui montre cette carte sur un autre site",
    ):
        path = embed.explorer_path(state, base_path=page.base_path())
        _dialog(path, embed.frame_title(stops.suggested_title(state, name, THEMES)), hint)


def tour_button(tour: Tour) -> None:
    """The button of a tour on the Parcours page: only a published tour can be shown on
    another site (the embed view never carries the tour's key)."""
    if not tour.published:
        st.button(
            LABEL,
            key=f"{keys.EMBED_TOUR_BUTTON}-{tour.id}",
            icon=ICON,
            disabled=True,
            help="Publiez d'abord ce parcours : seul un parcours publié peut être intégré.",
        )
        return
    if st.button(
        LABEL,
        key=f"{keys.EMBED_TOUR_BUTTON}-{tour.id}",
        icon=ICON,
        help="Le code HTML de ce parcours, à coller dans une page d'un autre site",
    ):
        path = embed.tour_path(tour.id, base_path=page.base_path())
        _dialog(path, embed.frame_title(tour.title), TOUR_HINT)


@st.dialog("Intégrer cette carte à un autre site", width="large")
def _dialog(path: str, title: str, hint: str) -> None:
    st.markdown(
        "Collez ce code dans une page de votre site (bloc « HTML » ou « code intégré ») : "
        "la carte et sa légende s'y affichent, sans menu ni formulaire."
    )
    full = st.toggle("Toute la largeur de la page", value=True, key=keys.EMBED_FULL_WIDTH)
    width_col, height_col = st.columns(2)
    width = width_col.number_input(
        "Largeur (pixels)",
        min_value=embed.WIDTHS.start,
        max_value=embed.WIDTHS.stop - 1,
        value=embed.DEFAULT_WIDTH,
        step=20,
        disabled=full,
        key=keys.EMBED_WIDTH,
    )
    height = height_col.number_input(
        "Hauteur (pixels)",
        min_value=embed.HEIGHTS.start,
        max_value=embed.HEIGHTS.stop - 1,
        value=embed.DEFAULT_HEIGHT,
        step=20,
        key=keys.EMBED_HEIGHT,
    )
    origin = page.origin()
    if not origin:
        st.warning(
            "L'adresse de ce site n'est pas connue ici : remplacez le début du lien par "
            "l'adresse publique du site avant de coller le code."
        )
    src = origin + path
    code = embed.iframe_snippet(
        src, width=None if full else int(width), height=int(height), title=title
    )
    st.code(code, language="html", wrap_lines=True)
    copy_button(code, key="integrer-code", label="Copier le code")
    st.caption(hint)
    st.link_button("Voir la carte intégrée", src, icon=":material/open_in_new:")
