"""The Explorer's filters (sidebar) and their URL state: widgets start from the link, and the
link follows the widgets.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from geo import explorer
from geo import explorer_choropleth as choropleths
from geo.datasets import CATALOGUE
from geo.explorer import ExplorerState, plain_markdown
from geo.projects import CARRIER_TYPES, STAGES, THEMES, categories
from geo.settings import Settings
from geo.territories import Territories
from ui import explorer_data as resources

_STATE_KEYS = ("q", "themes", "categories", "etapes", "porteurs", "territoire", "pres", "rayon",
               "couches", "fond", "indicateur", "projet", "tri", "vue")  # fmt: skip

# --- URL state ----------------------------------------------------------------------------------


def restore(territories: Territories | None) -> None:
    """First run of a session: the widgets start from the URL."""
    decoded = explorer.decode(
        st.query_params.to_dict(),
        territory_exists=territories.exists if territories is not None else None,
        overlays=resources.overlay_ids(),
        indicators=choropleths.indicator_ids(choropleths.figures()),
    )
    state = decoded.state
    ss = st.session_state
    ss.update(
        f_texte=state.text,
        f_themes=list(state.themes),
        f_categories=list(state.categories),
        f_etapes=list(state.stages),
        f_porteurs=list(state.carrier_types),
        f_pres=state.near,
        f_rayon=state.radius_km,
        f_fond=state.basemap,
        f_couches=list(state.overlays),
        f_indicateur=state.indicator,
        f_tri=state.order,
        projet=state.project,
        vue=state.view,
        vue_initiale=state.view,
        notices=decoded.notices,
        restored=True,
    )
    if state.territory is not None and territories is not None:
        name = territories.nom(*state.territory)
        ss["f_territoire"] = name
        ss["territoire_restaure"] = (name.casefold(), state.territory)
    else:
        ss["f_territoire"] = ""


def write_url(state: ExplorerState) -> None:
    params = explorer.encode(state)
    current = st.query_params.to_dict()
    if {k: v for k, v in current.items() if k in _STATE_KEYS} != params:
        for key in _STATE_KEYS:
            if key in current and key not in params:
                del st.query_params[key]
        st.query_params.update(params)


# --- sidebar ------------------------------------------------------------------------------------


def _territory_widget(territories: Territories | None) -> tuple[str, str] | None:
    query = st.sidebar.text_input(
        "Territoire",
        key="f_territoire",
        placeholder="Commune, EPCI, département, région, code postal…",
        disabled=territories is None,
    ).strip()
    if territories is None or not query:
        return None
    results = territories.search(query, limit=10)
    keys = [f"{r.level}:{r.code}" for r in results]
    labels = {f"{r.level}:{r.code}": r.label for r in results}
    restored = st.session_state.get("territoire_restaure")
    if restored and restored[0] == query.casefold():
        key = f"{restored[1][0]}:{restored[1][1]}"
        if key not in labels:
            labels[key] = territories.nom(*restored[1])
        keys = [key] + [k for k in keys if k != key]
    if not keys:
        st.sidebar.caption("Aucun territoire trouvé.")
        return None
    picked = st.sidebar.selectbox(
        "Territoire choisi",
        keys,
        format_func=lambda k: labels[k],
        key=f"f_territoire_choix:{query.casefold()}",
    )
    level, _, code = picked.partition(":")
    return level, code


def sidebar(territories: Territories | None, settings: Settings) -> tuple[ExplorerState, Any]:
    side = st.sidebar
    side.header("Filtres")
    text = side.text_input("Rechercher (titre, résumé, porteurs)", key="f_texte").strip()
    themes = side.multiselect(
        "Thèmes", list(THEMES), format_func=THEMES.__getitem__, key="f_themes",
        placeholder="Tous",
    )  # fmt: skip
    table = categories()
    shown = [c for c, v in table.items() if not themes or set(v["themes"]) & set(themes)]
    # A category of a theme no longer chosen is dropped rather than kept invisibly.
    st.session_state["f_categories"] = [
        c for c in st.session_state.get("f_categories", []) if c in shown
    ]
    chosen_categories = side.multiselect(
        "Catégories", shown, format_func=lambda c: table[c]["label"], key="f_categories",
        placeholder="Toutes",
    )  # fmt: skip
    stages = side.multiselect(
        "Étape", list(STAGES), format_func=STAGES.__getitem__, key="f_etapes",
        placeholder="Toutes",
    )  # fmt: skip
    carriers = side.multiselect(
        "Type de porteur", list(CARRIER_TYPES), format_func=CARRIER_TYPES.__getitem__,
        key="f_porteurs", placeholder="Tous",
    )  # fmt: skip
    territory = _territory_widget(territories)
    near = side.text_input(
        "Près de (adresse ou lieu)", key="f_pres", placeholder="ex. 10 rue de la Paix, Grenoble"
    ).strip()
    radius = side.select_slider("Rayon (km)", explorer.RADII_KM, key="f_rayon", disabled=not near)
    near_point = None
    if near:
        near_point = resources.near_point(near, settings, settings.offline)
        if near_point is None:
            side.warning("Adresse ou lieu introuvable : le filtre « près de » est ignoré.")
        else:
            side.caption(f"📍 {plain_markdown(near_point[2])}")
    side.header("Carte")
    basemap = side.radio(
        "Fond de carte", list(explorer.BASEMAPS), format_func=explorer.BASEMAPS.__getitem__,
        key="f_fond", horizontal=True,
    )  # fmt: skip
    ids = resources.overlay_ids()
    layers = side.multiselect(
        "Couches de données publiques", ids, format_func=lambda i: CATALOGUE[i].title,
        key="f_couches", placeholder="Aucune",
    )  # fmt: skip
    indicator = side.selectbox(
        "Indicateur par territoire (carte choroplèthe)",
        choropleths.indicator_ids(choropleths.figures()),
        format_func=choropleths.indicator_label,
        key="f_indicateur",
        index=None,
        placeholder="Aucun",
    )
    state = ExplorerState(
        indicator=indicator,
        overlays=tuple(layers),
        text=text,
        themes=tuple(themes),
        categories=tuple(chosen_categories),
        stages=tuple(stages),
        carrier_types=tuple(carriers),
        territory=territory,
        near=near,
        radius_km=int(radius),
        basemap=basemap,
        project=st.session_state.get("projet"),
        view=st.session_state.get("vue"),
    )
    return state, near_point
