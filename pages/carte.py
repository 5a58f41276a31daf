"""Carte: find a territory (commune, EPCI, département, région) and see it on the map of France.

UI only: the territory engine (:mod:`geo.territories`) searches and draws outlines, :mod:`geo.maps`
builds the folium map. The chosen territory lives in the URL (``?territoire=commune:38185``).
"""

from __future__ import annotations

from typing import Any

import streamlit as st
from streamlit_folium import st_folium

from geo import maps
from geo.errors import GeoError
from geo.settings import Settings, get_settings
from geo.territories import LEVEL_LABELS, LEVELS, SearchResult, Territories, load_territories
from ui.router import ensure_routed

PARAM = "territoire"
SEARCH_KEY = "recherche"
SEARCH_LABEL = "Rechercher un territoire (commune, EPCI, département, région, code postal…)"
RESULTS_LABEL = "Résultats"
MAP_HEIGHT = 480
_MARKDOWN_SPECIALS = "\\`*_[]<>$~|#"


def _plain(text: str) -> str:
    """Data text shown through Markdown as itself (no link, image or emphasis)."""
    return "".join(f"\\{char}" if char in _MARKDOWN_SPECIALS else char for char in text)


def _thousands(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


@st.cache_resource(show_spinner="Chargement des territoires…")
def _load(settings: Settings) -> Territories | GeoError:
    # The failure is cached too: retrying a missing download at every rerun would stall the page.
    try:
        return load_territories(settings)
    except GeoError as error:
        return error


@st.cache_resource(show_spinner=False)
def _background_outlines(settings: Settings) -> tuple[str, dict[str, Any] | None, dict[str, Any]]:
    """(layer name, GeoJSON) of the loaded communes (None when too heavy to send), and the
    GeoJSON of the départements drawn under them for context."""
    territories = _load(settings)
    assert isinstance(territories, Territories)
    departements = maps.outlines_geojson(territories.display_outlines("departement"))
    communes = maps.outlines_geojson(territories.display_outlines("commune"))
    budget = maps.OUTLINES_BUDGET_BYTES - maps.geojson_size(departements)
    if maps.geojson_size(communes) <= budget:
        return "Communes", communes, departements
    return "Communes", None, departements


def _retry() -> None:
    _load.clear()
    _background_outlines.clear()


def _show_missing_data(error: GeoError) -> None:
    st.error(f"Les territoires ne peuvent pas être chargés. {_plain(str(error))}")
    st.info(
        "Pour récupérer d'un coup toutes les données des territoires : "
        "`python -m geo data fetch territoires`, ou un miroir local avec "
        "`GEO_DATA_MIRROR=DOSSIER`. Puis « Réessayer »."
    )
    st.button("Réessayer", on_click=_retry)


def _from_url(territories: Territories) -> tuple[str, str] | None:
    raw = st.query_params.get(PARAM)
    if not raw:
        return None
    level, _, code = raw.partition(":")
    if level in LEVELS and code and territories.exists(level, code):
        return level, code
    # The raw value is not echoed: it is user text.
    st.warning("Le territoire indiqué dans le lien est inconnu : il a été ignoré.")
    del st.query_params[PARAM]
    return None


def _reset() -> None:
    st.query_params.pop(PARAM, None)
    st.session_state[SEARCH_KEY] = ""


def _search(territories: Territories | None) -> SearchResult | None:
    """The search box and its ranked results; the best result is picked until the user chooses."""
    search_col, results_col = st.columns([3, 2], vertical_alignment="bottom")
    query = search_col.text_input(
        SEARCH_LABEL,
        key=SEARCH_KEY,
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
        )
        return None
    by_key = {f"{r.level}:{r.code}": r for r in results}
    picked = results_col.selectbox(
        RESULTS_LABEL,
        list(by_key),
        format_func=lambda key: by_key[key].label,
        # One widget per query: a new search starts again on its best result.
        key=f"resultats:{query.casefold()}",
    )
    return by_key[picked]


def _describe(territories: Territories, level: str, code: str) -> str:
    chain = " → ".join(
        f"{_plain(nom)} ({LEVEL_LABELS[link_level]})"
        for link_level, _, nom in territories.chain(level, code)
    )
    population = territories.population(level, code)
    if population is not None:
        chain += f" · {_thousands(population)} habitants"
    return chain


def _loaded_summary(territories: Territories, *, shown: bool) -> str:
    communes = territories.display_outlines("commune")
    count = _thousands(len(communes))
    text = f"Contours chargés : {count} communes"
    if not shown:
        text += " (trop nombreuses pour la vue nationale : départements affichés)"
    return text + " · recherche sur toutes les communes de France (COG)."


def render() -> None:
    st.title("Carte des communs")
    try:
        settings = get_settings()
    except ValueError as error:  # an invalid setting value: say which, keep defaults
        st.error(_plain(str(error)))
        settings = get_settings(environ={}, secrets={})

    loaded = _load(settings)
    territories = loaded if isinstance(loaded, Territories) else None
    if isinstance(loaded, GeoError):
        _show_missing_data(loaded)

    chosen = _search(territories)
    selected: tuple[str, str] | None = None
    if chosen is not None:
        selected = (chosen.level, chosen.code)
        st.query_params[PARAM] = f"{chosen.level}:{chosen.code}"
    elif territories is not None:
        selected = _from_url(territories)

    selection = None
    if territories is not None and selected is not None:
        level, code = selected
        # The key gives the row a stable CSS class (st-key-territoire-choisi) for tests.
        row = st.container(key="territoire-choisi")
        info_col, reset_col = row.columns([4, 1], vertical_alignment="center")
        info_col.caption(_describe(territories, level, code))
        reset_col.button("Voir toute la France", on_click=_reset, type="tertiary", icon="↩️")
        geometry = territories.outline(level, code)
        if geometry is None:
            st.info("Ce territoire n'a pas de contour dans les données chargées.")
        else:
            label = chosen.label if chosen is not None else territories.nom(level, code)
            selection = maps.Selection(level, code, label, geometry)

    outlines_name, outlines, context = (
        _background_outlines(settings) if territories is not None else ("", None, None)
    )
    m = maps.territory_map(
        outlines=outlines,
        outlines_name=outlines_name,
        context=context,
        selection=selection,
        offline=settings.offline,
        base_url_path=str(st.get_option("server.baseUrlPath") or ""),
    )
    # No returned objects: panning and zooming never rerun the script.
    st_folium(m, height=MAP_HEIGHT, use_container_width=True, returned_objects=[], key="carte")
    if territories is not None:
        st.caption(_loaded_summary(territories, shown=outlines is not None))


ensure_routed()
render()
