"""Communs: what a commun is, every commun, and a commun's page (``?commun=ID``): where it is
reused — a map of the projects reusing it and their territories —, who maintains it, which
projects produced it, and the Explorer filtered on it.

UI only: :mod:`geo.communs.pages` gathers what the page shows, the store reads it.
"""

from __future__ import annotations

import streamlit as st

from geo.communs.pages import COMMUN_MEANING, commun_page
from geo.errors import EntityNotFoundError, GeoError
from geo.projects.entities import (
    COMMUN_KIND_HELP,
    COMMUN_KINDS,
    licence_label,
    licence_meaning,
)
from geo.projects.model import THEMES
from geo.text import plain_markdown, safe_markdown
from ui import links, page, people, resources

PARAM = "commun"


def _index(store) -> None:  # noqa: ANN001
    st.markdown(plain_markdown(COMMUN_MEANING))
    communs = store.communs.list()
    if not communs:
        st.info("Aucun commun enregistré pour l'instant.")
        return
    for commun in communs:
        with st.container(border=True):
            links.commun_link(commun.id, commun.title)
            kind = COMMUN_KINDS.get(commun.kind, commun.kind)
            count = len(commun.reused_by)
            st.caption(plain_markdown(
                f"{kind} · réutilisé par {count} projet{'s' if count > 1 else ''}"
                + (f" · {licence_label(commun.licence)}" if commun.licence else "")
            ))  # fmt: skip
            if commun.summary:
                st.markdown(plain_markdown(commun.summary))


def _commun(store, commun_id: int, settings) -> None:  # noqa: ANN001
    territories = resources.territories(settings)
    territories = None if isinstance(territories, GeoError) else territories
    shown = commun_page(store, commun_id, territories)
    commun = shown.commun
    st.header(plain_markdown(commun.title), anchor=False)
    kind = COMMUN_KINDS.get(commun.kind, commun.kind)
    facts = [kind, *(THEMES.get(t, t) for t in commun.themes)]
    st.caption(plain_markdown(" · ".join(facts)))
    if commun.source == "exemple":
        st.info("Commun d'exemple, fictif : il illustre l'application.")
    st.markdown(
        f"**Qu'est-ce que c'est ?** Un commun de type « {plain_markdown(kind.lower())} » : "
        f"{plain_markdown(COMMUN_KIND_HELP.get(commun.kind, ''))}."
    )
    if commun.summary:
        st.markdown(f"**{plain_markdown(commun.summary)}**")
    if commun.description:
        st.markdown(safe_markdown(commun.description, headings=False))
    if commun.licence:
        meaning = licence_meaning(commun.licence)
        st.markdown(f"**Licence** : {plain_markdown(licence_label(commun.licence))}"
                    + (f" — {plain_markdown(meaning)}" if meaning else ""))  # fmt: skip
    else:
        st.markdown("**Licence** : non indiquée.")
    buttons = st.columns(2)
    if commun.url:
        buttons[0].link_button("Accéder au commun", commun.url)
    if commun.page:
        buttons[1].link_button("Sa page sur le wiki", commun.page)
    if commun.maintainers:
        st.markdown("**Qui le maintient**")
        for actor_id, name in commun.maintainers:
            links.actor_link(actor_id, name)

    count = len(shown.reusing)
    st.subheader(f"Où il est réutilisé : {count} projet{'s' if count > 1 else ''}", anchor=False)
    if shown.reusing.empty:
        st.info("Aucun projet publié ne dit encore réutiliser ce commun.")
    else:
        links.explorer_commun_link(commun.id, "Voir ces projets sur l'Explorer")
        map_col, list_col = st.columns([3, 2], gap="medium")
        with map_col:
            people.project_map(shown.reusing, shown.communes, settings, key="commun-carte")
        with list_col:
            people.place_list(shown.places, level="region", total=count)
            people.place_list(shown.places, level="departement", total=count)
        st.markdown("**Les projets**")
        people.project_list(shown.reusing, shown.communes, key="commun-projets")
    if not shown.producers.empty:
        st.subheader("Produit par", anchor=False)
        producers = shown.producers
        names = [None] * len(producers)
        people.project_list(producers, names, key="commun-producteurs")


def render() -> None:
    settings = page.start("Communs")
    store = resources.open_store(settings)
    if store is None:
        return
    raw = st.query_params.get(PARAM)
    if not raw:
        _index(store)
        return
    try:
        commun_id = int(str(raw))
        _commun(store, commun_id, settings)
    except (ValueError, EntityNotFoundError):
        st.warning("Ce commun n'existe pas (ou plus) : voici la liste des communs.")
        _index(store)


page.run(render)
