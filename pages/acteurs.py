"""Acteurs: the organisations of the projects, and an actor's page (``?acteur=ID``): its
projects on a map and in a list, the territories it works in, the communs it uses, produced or
maintains. Reached from every project sheet (its carriers and partners).

UI only: :mod:`geo.communs.pages` gathers what the page shows. An actor known only from a
proposal is not shown until a moderator publishes that project.
"""

from __future__ import annotations

import streamlit as st

from geo.communs.pages import INDEX_LIMIT, actor_page, find_actors
from geo.errors import EntityNotFoundError, GeoError
from geo.projects.model import CARRIER_TYPES
from geo.territory import LEVEL_LABELS
from geo.territory.ref import split_ref
from geo.text import french_number, plain_markdown
from ui import keys, links, page, people, resources

PARAM = "acteur"


def _index(store) -> None:  # noqa: ANN001
    st.markdown(
        "Les organisations qui portent les projets de la carte ou en sont partenaires : "
        "collectivités, associations, coopératives, entreprises, collectifs citoyens."
    )
    actors = store.actors.list()
    search_col, types_col = st.columns([2, 3], vertical_alignment="bottom")
    text = search_col.text_input("Rechercher un acteur", key=keys.ACTOR_SEARCH, max_chars=100,
                                 placeholder="ex. énergie partagée")  # fmt: skip
    types = types_col.pills("Type", list(CARRIER_TYPES), format_func=CARRIER_TYPES.get,
                            selection_mode="multi", key=keys.ACTOR_TYPES, wrap=True)  # fmt: skip
    found = find_actors(actors, text or "", types or [])
    if not found:
        st.info("Aucun acteur ne correspond à cette recherche.")
        return
    for actor in found[:INDEX_LIMIT]:
        count = len(actor.projects)
        kind = CARRIER_TYPES.get(actor.type, actor.type)
        links.actor_link(actor.id, f"{actor.name} — {kind[:1].lower()}{kind[1:]}, {count} projet"
                                   f"{'s' if count > 1 else ''}")  # fmt: skip
    if len(found) > INDEX_LIMIT:
        st.caption(f"Et {french_number(len(found) - INDEX_LIMIT)} autres : précisez la recherche.")


def _actor(store, actor_id: int, settings) -> None:  # noqa: ANN001
    territories = resources.territories(settings)
    territories = None if isinstance(territories, GeoError) else territories
    shown = actor_page(store, actor_id, territories)
    actor = shown.actor
    st.header(plain_markdown(actor.name), anchor=False)
    facts = [CARRIER_TYPES.get(actor.type, actor.type)]
    if actor.siren:
        facts.append(f"SIREN {actor.siren[:3]} {actor.siren[3:6]} {actor.siren[6:]}")
    st.caption(plain_markdown(" · ".join(facts)))
    if actor.seat and territories is not None:
        level, code = split_ref(actor.seat)
        nom = territories.nom(level, code) if territories is not None else code
        st.markdown(f"**Siège** : {plain_markdown(nom)} ({LEVEL_LABELS[level]})")
    if actor.website:
        st.link_button("Site web", actor.website)

    count = len(shown.projects)
    st.subheader(f"Ses projets : {count}", anchor=False)
    if shown.projects.empty:
        st.info("Aucun projet publié pour l'instant.")
    else:
        map_col, list_col = st.columns([3, 2], gap="medium")
        with map_col:
            people.project_map(shown.projects, shown.communes, settings, key="acteur-carte")
        with list_col:
            people.project_list(shown.projects, shown.communes, key="acteur-projets")
        st.subheader("Où il agit", anchor=False)
        people.place_list(shown.places, level="departement", total=count)
        people.place_list(shown.places, level="commune", total=count)

    st.subheader("Communs", anchor=False)
    sections = (("Qu'il réutilise", shown.uses), ("Qu'il a produits", shown.produced),
                ("Qu'il maintient", shown.maintains))  # fmt: skip
    if not any(items for _, items in sections):
        st.info("Aucun commun relié à ses projets pour l'instant.")
    for title, items in sections:
        if items:
            st.markdown(f"**{title}**")
            for commun in items:
                links.commun_link(commun.id, commun.title)


def render() -> None:
    settings = page.start("Acteurs")
    store = resources.open_store(settings)
    if store is None:
        return
    raw = st.query_params.get(PARAM)
    if not raw:
        _index(store)
        return
    try:
        _actor(store, int(str(raw)), settings)
    except (ValueError, EntityNotFoundError):
        st.warning("Cet acteur n'existe pas (ou n'est pas public) : voici la liste des acteurs.")
        _index(store)


page.run(render)
