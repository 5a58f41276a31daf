"""The Explorer's filters (sidebar) and their URL state: widgets start from the link, and the
link follows the widgets.
"""

from __future__ import annotations

import streamlit as st

from geo.explorer import choropleth as choropleths
from geo.explorer import state as url_state
from geo.explorer.state import ExplorerState
from geo.geocode import GeocodeResult
from geo.mapping.base import BASEMAPS
from geo.mapping.overlays import overlay_datasets
from geo.projects.model import CARRIER_TYPES, STAGES, THEMES, categories
from geo.settings import Settings
from geo.territory import Territories, TerritoryRef
from geo.text import plain_markdown
from ui import keys, links, resources

# --- URL state ----------------------------------------------------------------------------------


def restore(territories: Territories | None, communs: dict[int, str] | None = None) -> None:
    """First run of a session: the widgets start from the URL."""
    decoded = url_state.decode(
        st.query_params.to_dict(),
        resolve=territories.parse if territories is not None else None,
        overlays=[dataset.id for dataset in overlay_datasets()],
        indicators=choropleths.indicator_ids(choropleths.figures()),
        communs=communs,
    )
    state = decoded.state
    st.session_state.update(
        {
            keys.TEXT: state.text,
            keys.THEMES: list(state.themes),
            keys.CATEGORIES: list(state.categories),
            keys.STAGES: list(state.stages),
            keys.CARRIERS: list(state.carrier_types),
            keys.COMMUN: state.commun or 0,
            keys.NEAR: state.near,
            keys.RADIUS: state.radius_km,
            keys.BASEMAP: state.basemap,
            keys.OVERLAYS: list(state.overlays),
            **_indicator_widgets(state.indicator),
            keys.ORDER: state.order,
            keys.PROJECT: state.project,
            keys.VIEW: state.view,
            keys.INITIAL_VIEW: state.view,
            keys.INITIAL_FRAME: (state.territory, state.near),
            # A link with a view keeps following the map: its view stays in the URL.
            keys.FOLLOW_VIEW: state.view is not None,
            # The link's order holds for its "près de" place.
            keys.ORDERED_NEAR: state.near or None,
            keys.NOTICES: decoded.notices,
            keys.RESTORED: True,
        }
    )
    if state.territory is not None and territories is not None:
        name = territories.nom(state.territory.level, state.territory.code)
        st.session_state[keys.TERRITORY] = name
        st.session_state[keys.RESTORED_TERRITORY] = (name.casefold(), state.territory)
    else:
        st.session_state[keys.TERRITORY] = ""


def _indicator_widgets(indicator: str | None) -> dict[str, str | None]:
    source, level = (
        choropleths.split_indicator(indicator)
        if indicator
        else (None, choropleths.INDICATOR_LEVELS[0])
    )
    return {keys.INDICATOR: source, keys.INDICATOR_LEVEL: level}


def write_url(state: ExplorerState) -> None:
    params = url_state.encode(state)
    current = st.query_params.to_dict()
    if {k: v for k, v in current.items() if k in url_state.PARAMETERS} != params:
        for key in url_state.PARAMETERS:
            if key in current and key not in params:
                del st.query_params[key]
        st.query_params.update(params)


# --- sidebar ------------------------------------------------------------------------------------


def _territory_widget(territories: Territories | None) -> TerritoryRef | None:
    query = st.sidebar.text_input(
        "Territoire",
        key=keys.TERRITORY,
        placeholder="Commune, EPCI, département, région, code postal…",
        disabled=territories is None,
    ).strip()
    if territories is None or not query:
        return None
    # Option keys are the "level:code" form; each maps to its ref and its label.
    choices: dict[str, tuple[TerritoryRef, str]] = {}
    for result in territories.search(query, limit=10):
        ref = TerritoryRef(result.level, result.code)
        choices[str(ref)] = (ref, result.label)
    restored = st.session_state.get(keys.RESTORED_TERRITORY)
    if restored and restored[0] == query.casefold():
        ref = restored[1]
        label = choices.get(str(ref), (ref, territories.nom(ref.level, ref.code)))[1]
        choices = {str(ref): (ref, label), **choices}
    if not choices:
        st.sidebar.caption("Aucun territoire trouvé.")
        return None
    picked = st.sidebar.selectbox(
        "Territoire choisi",
        list(choices),
        format_func=lambda key: choices[key][1],
        key=f"{keys.TERRITORY_CHOICE}:{query.casefold()}",
        # The search is the text box above; a second filter here would speak English.
        filter_mode=None,
    )
    links.portrait_link(choices[picked][0], where=st.sidebar)
    return choices[picked][0]


def _near_widgets(settings: Settings) -> tuple[str, int, GeocodeResult | None]:
    side = st.sidebar
    near = side.text_input(
        "Près de (adresse ou lieu)", key=keys.NEAR, placeholder="ex. 10 rue de la Paix, Grenoble"
    ).strip()
    radius = side.select_slider(
        "Rayon (km)", url_state.RADII_KM, key=keys.RADIUS, disabled=not near
    )
    place = None
    if near:
        place = resources.place(near, settings, settings.offline)
        if place is None:
            side.warning("Adresse ou lieu introuvable : le filtre « près de » est ignoré.")
        else:
            approximate = " (approximatif)" if place.approximate else ""
            side.caption(f"📍 {plain_markdown(place.label + approximate)}")
    return near, int(radius), place


def sidebar(
    territories: Territories | None, settings: Settings, communs: dict[int, str] | None = None
) -> tuple[ExplorerState, GeocodeResult | None]:
    """The state the widgets describe, and the place "près de" found (None without one)."""
    side = st.sidebar
    side.header("Filtres")
    text = side.text_input(
        "Rechercher (titre, résumé, porteurs, retours d'expérience)", key=keys.TEXT
    ).strip()
    # Where first: a local authority looks for its territory, a collective for its street.
    territory = _territory_widget(territories)
    near, radius, place = _near_widgets(settings)
    # Pills rather than multiselects: every choice in sight, one tap on a phone, and no
    # English from the widget itself ("Select all", "No results").
    themes = side.pills(
        "Thèmes", list(THEMES), format_func=THEMES.__getitem__, key=keys.THEMES,
        selection_mode="multi",
    ) or []  # fmt: skip
    table = categories()
    shown = [c for c, v in table.items() if not themes or set(v["themes"]) & set(themes)]
    # A category of a theme no longer chosen is dropped rather than kept invisibly.
    st.session_state[keys.CATEGORIES] = [
        c for c in st.session_state.get(keys.CATEGORIES, []) if c in shown
    ]
    chosen_categories = side.pills(
        "Catégories", shown, format_func=lambda c: table[c]["label"], key=keys.CATEGORIES,
        selection_mode="multi",
    ) or []  # fmt: skip
    stages = side.pills(
        "Étape", list(STAGES), format_func=STAGES.__getitem__, key=keys.STAGES,
        selection_mode="multi",
    ) or []  # fmt: skip
    carriers = side.pills(
        "Type de porteur", list(CARRIER_TYPES), format_func=CARRIER_TYPES.__getitem__,
        key=keys.CARRIERS, selection_mode="multi",
    ) or []  # fmt: skip
    communs = communs or {}
    # 0 stands for "every project": a None option would show Streamlit's English placeholder.
    if st.session_state.get(keys.COMMUN) not in (0, *communs):
        st.session_state[keys.COMMUN] = 0  # none chosen, or a commun removed since
    commun = side.selectbox(
        "Utilise le commun", [0, *communs], key=keys.COMMUN,
        format_func=lambda ident: communs.get(ident, "Tous les projets"),
        help="Les projets qui réutilisent ce commun (outil, données, méthode…).",
        filter_mode=None, disabled=not communs, placeholder="Tous les projets",
    ) or None  # fmt: skip
    side.caption("Rien de choisi : tous les projets.")
    side.header("Carte")
    basemap = side.radio(
        "Fond de carte", list(BASEMAPS), format_func=BASEMAPS.__getitem__,
        key=keys.BASEMAP, horizontal=True, disabled=settings.offline,
    )  # fmt: skip
    if settings.offline:
        side.caption(
            "Hors ligne : pas de fond de carte (ses images viennent d'internet) ; les contours "
            "des territoires et les projets restent affichés."
        )
    titles = {dataset.id: dataset.title for dataset in overlay_datasets()}
    layers = side.pills(
        "Couches de données publiques", list(titles), format_func=titles.__getitem__,
        key=keys.OVERLAYS, selection_mode="multi",
    ) or []  # fmt: skip
    # What, then by which level: a short list each (typing to filter would answer
    # "No results" in English).
    source = side.selectbox(
        "Indicateur par territoire (carte choroplèthe)",
        choropleths.indicator_sources(choropleths.figures()),
        format_func=choropleths.source_label,
        key=keys.INDICATOR,
        index=None,
        placeholder="Aucun",
        filter_mode=None,
    )
    level = side.segmented_control(
        "Par", list(choropleths.LEVEL_CHOICES), format_func=choropleths.LEVEL_CHOICES.__getitem__,
        key=keys.INDICATOR_LEVEL, disabled=source is None, required=True,
    )  # fmt: skip
    indicator = f"{source}:{level or choropleths.INDICATOR_LEVELS[0]}" if source else None
    state = ExplorerState(
        indicator=indicator,
        overlays=tuple(layers),
        text=text,
        themes=tuple(themes),
        categories=tuple(chosen_categories),
        stages=tuple(stages),
        carrier_types=tuple(carriers),
        commun=commun,
        territory=territory,
        near=near,
        radius_km=radius,
        basemap=basemap,
        project=st.session_state.get(keys.PROJECT),
        view=st.session_state.get(keys.VIEW),
    )
    return state, place
