"""Territoires (served at ``/carte``): find a territory (commune, EPCI, département, région),
see it on the map of France, and go on to its projects on the Explorer or to its portrait, the
territory kept.

UI only: the territory engine (:mod:`geo.territory`) searches and draws outlines,
:mod:`geo.mapping.base` builds the folium map, the store counts the published projects. The
chosen territory lives in the URL (``?territoire=commune:38185``).
"""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from geo.errors import GeoError
from geo.explorer.selection import PUBLIC_STATUSES
from geo.mapping import base as maps
from geo.settings import Settings
from geo.store import ProjectFilter
from geo.territory import LEVEL_LABELS, SearchResult, Territories, TerritoryRef
from geo.text import french_count, french_number, plain_markdown
from ui import keys, links, page, resources

PARAM = "territoire"
SEARCH_LABEL = "Rechercher un territoire (commune, EPCI, département, région, code postal…)"
RESULTS_LABEL = "Résultats"
MAP_HEIGHT = 480


def _show_missing_data(error: GeoError) -> None:
    st.error(f"Les territoires ne peuvent pas être chargés. {plain_markdown(error)}")
    st.info(
        "Pour récupérer d'un coup toutes les données des territoires : "
        "`python -m geo data fetch territoires`, ou un miroir local avec "
        "`GEO_DATA_MIRROR=DOSSIER`. Puis « Réessayer »."
    )
    st.button("Réessayer", on_click=resources.clear)


def _from_url(territories: Territories) -> TerritoryRef | None:
    raw = st.query_params.get(PARAM)
    if not raw:
        return None
    try:
        return territories.parse(raw)
    except GeoError:
        # The raw value is not echoed: it is user text.
        st.warning("Le territoire indiqué dans le lien est inconnu : il a été ignoré.")
        del st.query_params[PARAM]
        return None


def _reset() -> None:
    st.query_params.pop(PARAM, None)
    st.session_state[keys.SEARCH] = ""


def _search(territories: Territories | None) -> SearchResult | None:
    """The search box and its ranked results; the best result is picked until the user chooses."""
    search_col, results_col = st.columns([3, 2], vertical_alignment="bottom")
    query = search_col.text_input(
        SEARCH_LABEL,
        key=keys.SEARCH,
        type="search",
        placeholder="ex. Grenoble, 38000, Isère, Métropole…",
        disabled=territories is None,
    ).strip()
    results = territories.search(query, limit=10) if territories is not None and query else []
    if not results:
        results_col.selectbox(
            RESULTS_LABEL,
            [],
            placeholder="Aucun territoire trouvé" if query else "Tapez une recherche, puis Entrée",
            disabled=True,
            key="resultats-vides",
            filter_mode=None,
        )
        return None
    by_key = {str(TerritoryRef(r.level, r.code)): r for r in results}
    picked = results_col.selectbox(
        RESULTS_LABEL,
        list(by_key),
        format_func=lambda key: by_key[key].label,
        # One widget per query: a new search starts again on its best result.
        key=f"resultats:{query.casefold()}",
        # The search is the text box; the widget's own filter would answer in English.
        filter_mode=None,
    )
    return by_key[picked]


def _describe(territories: Territories, ref: TerritoryRef) -> str:
    chain = " → ".join(
        f"{plain_markdown(nom)} ({LEVEL_LABELS[link_level]})"
        for link_level, _, nom in territories.chain(ref.level, ref.code)
    )
    population = territories.population(ref.level, ref.code)
    if population is not None:
        chain += f" · {french_number(population)} habitants"
    return chain


def _loaded_summary(territories: Territories, *, shown: bool) -> str:
    count = french_number(len(territories.loaded_communes))
    text = f"Contours chargés : {count} communes"
    if not shown:
        text += " (trop nombreuses pour la vue nationale : départements affichés)"
    return text + " · recherche sur toutes les communes de France (COG)."


def _onward(ref: TerritoryRef, settings: Settings, where: object) -> None:
    """Where to go from the territory: its projects on the Explorer (how many), its portrait."""
    store = resources.store(settings)
    if isinstance(store, GeoError):
        label = "Voir ses projets sur l'Explorer"
    else:
        count = store.count(ProjectFilter(territory=ref, statuses=PUBLIC_STATUSES))
        label = (
            f"Voir {'le' if count == 1 else 'les'} {french_count(count, 'projet')} sur l'Explorer"
            if count
            else "Aucun projet publié ici : voir l'Explorer"
        )
    links.explorer_link(ref, label, where=where)
    links.portrait_link(ref, where=where)


def render() -> None:
    settings = page.start("Trouver un territoire")
    loaded = resources.territories(settings)
    territories = loaded if isinstance(loaded, Territories) else None
    if isinstance(loaded, GeoError):
        _show_missing_data(loaded)

    chosen = _search(territories)
    selected: TerritoryRef | None = None
    if chosen is not None:
        selected = TerritoryRef(chosen.level, chosen.code)
        st.query_params[PARAM] = str(selected)
    elif territories is not None:
        selected = _from_url(territories)

    selection = None
    if territories is not None and selected is not None:
        # The key gives the row a stable CSS class (st-key-territoire-choisi) for tests.
        row = st.container(key="territoire-choisi")
        info_col, reset_col = row.columns([4, 1], vertical_alignment="center")
        info_col.caption(_describe(territories, selected))
        _onward(selected, settings, info_col)
        reset_col.button("Voir toute la France", on_click=_reset, type="tertiary", icon="↩️")
        geometry = territories.outline(selected.level, selected.code)
        if geometry is None:
            st.info("Ce territoire n'a pas de contour dans les données chargées.")
        else:
            label = (
                chosen.label
                if chosen is not None
                else territories.nom(selected.level, selected.code)
            )
            selection = maps.Selection(selected.level, selected.code, label, geometry)

    communes = None
    if territories is not None:
        # Inside a chosen territory, its communes; at the national view, all of them only
        # when they fit the browser budget (the small reference, not all of France).
        communes = (
            resources.communes_inside(selected, settings)
            if selected is not None and selected.level != "commune"
            else resources.background_communes(settings)
        )
    departements = resources.context_outlines(settings) if territories else None
    m = maps.territory_map(
        outlines=communes if isinstance(communes, dict) else None,
        outlines_name="Communes",
        context=departements if isinstance(departements, dict) else None,
        selection=selection,
        offline=settings.offline,
        base_url_path=page.base_url_path(),
    )
    # No returned objects: panning and zooming never rerun the script.
    st_folium(m, height=MAP_HEIGHT, use_container_width=True, returned_objects=[], key="carte")
    if territories is not None:
        st.caption(_loaded_summary(territories, shown=isinstance(communes, dict)))


page.run(render)
