"""Portrait de territoire: what exists here, how we compare, what the neighbours do; the sheet.

UI only, in named steps: :mod:`geo.portrait` computes the portrait (figures, comparisons,
projects) and writes the sheet; the cached context (datasets and their tables per level) is
in :mod:`ui.resources`. The territory lives in the URL (``?territoire=epci:200040715``, the
same form and resolution as the Explorer's).
"""

from __future__ import annotations

from typing import Any

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.errors import GeoError
from geo.explorer.state import UNKNOWN_TERRITORY, ExplorerState, permalink
from geo.mapping import base as maps
from geo.mapping import choropleth as choropleths
from geo.mapping import projects as project_maps
from geo.mapping.elements import credit
from geo.portrait import Portrait, build_portrait
from geo.portrait.chart import chart_description, ranked_bars
from geo.portrait.figures import RANK_HEADING, Indicator
from geo.portrait.pdf import sheet_pdf
from geo.portrait.projects import ProjectLine, neighbour_lessons
from geo.portrait.sheet import sheet_html
from geo.portrait.view import (
    chart_rows,
    excerpt_note,
    neighbour_values,
    reference_label,
    references,
    stacked_tables_css,
    standing,
)
from geo.projects.model import LESSON_LABELS, STAGES, THEMES, categories
from geo.settings import Settings
from geo.store import ProjectStore
from geo.territory import LEVEL_LABELS, Territories, TerritoryRef
from geo.text import french_count, french_date, french_number, plain_markdown, safe_markdown
from geo.workshop import stops as workshop_stops
from ui import keys, links, page, resources, tours

PARAM = "territoire"
MAP_HEIGHT = 420
PDF = "portrait_pdf"
#: The columns of the indicator tables and of the sources table (their order on the page).
INDICATOR_COLUMNS = ["Indicateur", "Valeur", "Pour 10 000 hab.", RANK_HEADING, "Remarque"]
SOURCE_COLUMNS = ["Source", "Producteur", "Licence", "Date"]
#: On a phone both read as one card per row (no column cut off at the right).
STYLE = (
    "<style>"
    + stacked_tables_css("portrait-indicateurs", INDICATOR_COLUMNS)
    + stacked_tables_css("portrait-sources", SOURCE_COLUMNS)
    + "</style>"
)


def _explorer_link(project_id: int) -> str:
    return permalink(ExplorerState(project=project_id), base_path=page.base_path())


def _choose(territories: Territories) -> TerritoryRef | None:
    """The territory searched for, else the one of the URL (a bad one is said, not echoed)."""
    search_col, results_col = st.columns([3, 2], vertical_alignment="bottom")
    query = search_col.text_input(
        "Rechercher un territoire (commune, EPCI, département, région, code postal…)",
        key=keys.PORTRAIT_SEARCH,
        type="search",
        placeholder="ex. Grenoble, 38000, Isère, Métropole…",
    ).strip()
    results = territories.search(query, limit=10) if query else []
    if query and not results:
        results_col.caption("Aucun territoire trouvé.")
    if results:
        by_key = {str(TerritoryRef(r.level, r.code)): r for r in results}
        picked = results_col.selectbox(
            "Résultats",
            list(by_key),
            format_func=lambda key: by_key[key].label,
            key=f"portrait-resultats:{query.casefold()}",
            filter_mode=None,  # the search is the text box; the widget's own filter speaks English
        )
        chosen = TerritoryRef(by_key[picked].level, by_key[picked].code)
        st.query_params[PARAM] = str(chosen)
        return chosen
    raw = st.query_params.get(PARAM)
    if not raw:
        return None
    try:
        return territories.parse(raw)
    except GeoError:
        st.warning(UNKNOWN_TERRITORY)
        del st.query_params[PARAM]
        return None


def _header(portrait: Portrait) -> None:
    place = portrait.place
    st.header(plain_markdown(place.nom), anchor=False)
    st.caption(f"{portrait.level_label} · code {place.code}")
    if portrait.parents:
        columns = st.columns(len(portrait.parents) + 1)
        columns[0].caption("Fait partie de :")
        for column, parent in zip(columns[1:], portrait.parents, strict=True):
            links.portrait_link(
                TerritoryRef(parent.level, parent.code),
                f"{parent.nom} ({LEVEL_LABELS[parent.level]})",
                where=column,
            )
    facts = st.columns(4)
    people = portrait.population
    facts[0].metric("Population", "n. d." if people is None else french_number(people))
    facts[1].metric(
        "Superficie",
        "n. d." if portrait.area_km2 is None else f"{french_number(portrait.area_km2)} km²",
    )
    facts[2].metric("Communes", french_number(portrait.communes))
    facts[3].metric("Projets publiés", portrait.projects.total)
    st.caption(plain_markdown(f"Population : {portrait.population_text()}."))
    with st.expander("Sources et dates des données"), st.container(key="portrait-sources"):
        rows = [
            (s.title, s.producer, s.licence, s.date_text if s.loaded else s.reason or "non chargé")
            for s in portrait.sources
        ]
        st.table(pd.DataFrame(rows, columns=SOURCE_COLUMNS), hide_index=True)
        for source in portrait.sources:
            if source.licence.startswith("ODbL"):
                st.caption(plain_markdown(source.attribution))


def _add_stop(portrait: Portrait, store: Any) -> None:
    """This portrait as a stop of a tour, with the comparison last chosen."""
    params = workshop_stops.portrait_params(
        portrait.ref,
        indicator=st.session_state.get(keys.PORTRAIT_INDICATOR),
        reference=st.session_state.get(keys.PORTRAIT_REFERENCE),
    )
    tours.add_stop_button(store, kind="portrait", params=params, territory=str(portrait.ref),
                          suggestion=f"Portrait : {portrait.place.nom}")  # fmt: skip


def _project_frame(portrait: Portrait) -> pd.DataFrame:
    """The projects as the map layer draws them."""
    lines = portrait.projects.lines
    return pd.DataFrame(
        {
            "id": [line.id for line in lines],
            "lat": [line.lat for line in lines],
            "lon": [line.lon for line in lines],
            "title": [line.title for line in lines],
            "themes": [list(line.themes) for line in lines],
            "stage": [line.stage for line in lines],
            "carriers": [[{"name": line.carriers}] if line.carriers else [] for line in lines],
        }
    )


def _projects(portrait: Portrait, settings: Settings) -> None:
    st.subheader("Projets ici", anchor=False)
    projects = portrait.projects
    table = {key: value["label"] for key, value in categories().items()}
    for title, counts, labels in (
        ("Par thème", projects.by_theme, THEMES),
        ("Par étape", projects.by_stage, STAGES),
        ("Par catégorie", projects.by_category, table),
    ):
        shown = " · ".join(f"{labels.get(k, k)} : {n}" for k, n in counts.items() if n)
        st.markdown(f"**{title}** : {plain_markdown(shown or 'aucun projet publié')}")
    map_col, list_col = st.columns([3, 2], gap="medium")
    with map_col:
        selection = None
        if portrait.outline is not None:
            selection = maps.Selection(
                portrait.place.level, portrait.place.code, portrait.place.nom, portrait.outline
            )
        m = maps.territory_map(
            outlines=None,
            selection=selection,
            offline=settings.offline,
            base_url_path=page.base_url_path(),
        )
        layer = project_maps.project_layer(
            _project_frame(portrait),
            link=_explorer_link,
            communes=[line.commune for line in projects.lines],
            base_url_path=page.base_url_path(),
        )
        # As the Explorer does: the projects as a layer the component adds to the map.
        st_folium(m, height=MAP_HEIGHT, use_container_width=True, returned_objects=[],
                  feature_group_to_add=[layer], key="portrait-carte")  # fmt: skip
    with list_col, st.container(height=MAP_HEIGHT, border=False, key="portrait-projets"):
        if not projects.lines:
            st.info("Aucun projet publié dans ce territoire pour l'instant.")
        for line in projects.lines:
            st.markdown(_project_item(line))


def _project_item(line: ProjectLine) -> str:
    """A project as one Markdown line: its title (plain text) linked to the Explorer, then
    its stage, carriers, commune and, for a neighbour's, where and how far."""
    where = line.commune or ""
    if line.territory:
        where += f" ({line.territory})"
    if line.distance_km is not None:
        where += f", à {french_number(line.distance_km)} km"
    facts = " · ".join(part for part in (line.stage_label, line.carriers, where) if part)
    return (
        f"**{plain_markdown(line.title)}** — {plain_markdown(facts)} "
        f"[Voir sur l'Explorer]({_explorer_link(line.id)})"
    )


def _indicators(portrait: Portrait) -> None:
    st.subheader("Indicateurs", anchor=False)
    st.caption(
        "Chaque chiffre avec son unité, pour 10 000 habitants (population municipale COG), "
        "sa source et sa date. « non disponible » n'est jamais un zéro : la raison est dite."
    )
    datasets: dict[str, list[Indicator]] = {}
    for indicator in portrait.indicators:
        datasets.setdefault(indicator.dataset, []).append(indicator)
    tables = st.container(key="portrait-indicateurs")
    for dataset_id, rows in datasets.items():
        source = rows[0].source
        with tables, st.container(border=True, key=f"indicateurs-{dataset_id}"):
            st.markdown(f"**{plain_markdown(source.title)}**")
            st.caption(plain_markdown(f"{source.producer} · {source.licence} · {source.date_text}"))
            if source.licence.startswith("ODbL"):
                st.caption(plain_markdown(source.attribution))
            # "—" rather than a blank cell: on a phone each value stands under its heading.
            cells = [
                (
                    row.title,
                    row.text(),
                    "—" if row.per_10k is None else french_number(row.per_10k, decimals=2),
                    row.neighbours.by_per_10k.cell(),
                    row.reason or "—",
                )
                for row in rows
            ]
            st.table(pd.DataFrame(cells, columns=INDICATOR_COLUMNS), hide_index=True)


@page.fragment
def _comparison(portrait: Portrait, settings: Settings) -> None:
    """The user picks the reference and the indicator; only this part reruns."""
    st.subheader("Comparaison", anchor=False)
    available = [i for i in portrait.indicators if i.available]
    if not available:
        st.info("Aucun indicateur disponible pour ce territoire : rien à comparer.")
        return
    offered = references(portrait)
    reference = st.radio(
        "Comparer avec",
        offered,
        format_func=lambda r: reference_label(portrait, r),
        key=keys.PORTRAIT_REFERENCE,
        horizontal=True,
    )
    by_id = {i.id: i for i in available}
    first = next((i.id for i in available if i.headline and i.informative), available[0].id)
    if st.session_state.get(keys.PORTRAIT_INDICATOR) not in by_id:
        st.session_state[keys.PORTRAIT_INDICATOR] = first
    chosen = by_id[
        st.selectbox(
            "Indicateur",
            list(by_id),
            format_func=lambda i: by_id[i].title,
            key=keys.PORTRAIT_INDICATOR,
            filter_mode=None,
        )
    ]
    per_10k = st.toggle(
        "Rapporter à la population (pour 10 000 habitants)", value=True, key=keys.PORTRAIT_PER_10K
    )
    st.markdown(f"**{plain_markdown(standing(portrait, chosen, reference, per_10k=per_10k))}**")
    rows = chart_rows(portrait, chosen, reference, per_10k=per_10k)
    unit = (chosen.unit or "") + (" pour 10 000 hab." if per_10k else "")
    note = excerpt_note(portrait, chosen, reference, per_10k=per_10k)
    if note:
        st.caption(plain_markdown(note))
    with st.container(key="graphique-comparaison"):
        st.vega_lite_chart(
            spec=ranked_bars(rows, unit=unit, title=chosen.title),
            width="stretch",
            alt=chart_description(rows, unit=unit),
        )
    if portrait.neighbours:
        outlines, values = neighbour_values(portrait, chosen)
        st.caption(f"Carte : {chosen.title} pour 10 000 habitants, le territoire et ses voisins.")
        m = maps.base_map(
            offline=settings.offline,
            base_url_path=page.base_url_path(),
            bounds=maps.geometry_bounds(outlines.geometry.union_all()),
        )
        # On a phone the legend (with the source's attribution) scrolls rather than covers.
        m.get_root().header.add_child(folium.Element(project_maps.MAP_FRAME_STYLE))
        choropleths.choropleth_layer(
            outlines,
            values,
            label=f"{chosen.title} (pour 10 000 hab.)",
            attribution=credit(
                chosen.source.title, chosen.source.licence, chosen.source.licence_url
            ),
        ).add_to(m)
        if portrait.outline is not None:
            maps.selected_layer(
                maps.Selection(
                    portrait.place.level, portrait.place.code, portrait.place.nom, portrait.outline
                )
            ).add_to(m)
        with st.container(key="carte-comparaison"):
            st_folium(m, height=360, use_container_width=True, returned_objects=[],
                      key="portrait-choroplethe")  # fmt: skip


def _neighbours(portrait: Portrait) -> None:
    st.subheader("Ce que font les voisins", anchor=False)
    if not portrait.neighbours:
        st.info("Aucun territoire voisin dans les données chargées.")
        return
    count = len(portrait.neighbours)
    title = f"Les {count} territoires voisins" if count > 1 else "Le territoire voisin"
    with st.expander(title, expanded=False):
        for neighbour in portrait.neighbours:
            links.portrait_link(TerritoryRef(neighbour.level, neighbour.code), neighbour.nom)
    lines = portrait.neighbour_projects
    if not lines:
        st.info("Aucun projet publié chez les voisins pour l'instant.")
        return
    st.caption("Projets publiés des voisins, du plus proche au plus éloigné (distance au contour).")
    with st.container(key="portrait-projets-voisins"):
        for line in lines:
            st.markdown(_project_item(line))
    rest = portrait.neighbour_projects_total - len(lines)
    if rest > 0:
        more = french_count(rest, "autre projet plus éloigné", "autres projets plus éloignés")
        st.caption(f"… et {more}.")


def _lessons(portrait: Portrait, store: ProjectStore) -> None:
    """What the neighbours' projects learned, nearest first (their Markdown sanitised)."""
    st.subheader("Ce que les voisins ont appris", anchor=False)
    lessons = neighbour_lessons(store, portrait.neighbour_projects)
    if not lessons:
        st.info("Aucun retour d'expérience publié chez les voisins pour l'instant.")
        return
    with st.container(key="portrait-lecons-voisins"):
        for lesson in lessons:
            with st.container(border=True):
                where = lesson.project.commune or lesson.project.territory or ""
                st.markdown(
                    f"**[{plain_markdown(lesson.project.title)}]"
                    f"({_explorer_link(lesson.project.id)})** — {plain_markdown(where)}"
                )
                st.caption(f"Retour du {french_date(lesson.date)}")
                for part in ("worked", "hard", "differently"):
                    text = getattr(lesson, part)
                    if text.strip():
                        st.markdown(f"**{LESSON_LABELS[part]}** : {safe_markdown(text)}")


def _sheet(portrait: Portrait) -> None:
    st.subheader("Fiche à emporter", anchor=False)
    st.caption("Fiche A4 : un fichier HTML autonome (s'ouvre sans connexion) ou un PDF.")
    origin = page.origin()
    app_url = origin + page.base_path() if origin else None

    def html() -> str:
        return sheet_html(portrait, app_url=app_url)

    name = f"fiche-{portrait.place.level}-{portrait.place.code}"
    html_col, pdf_col = st.columns(2)
    html_col.download_button(
        "Télécharger la fiche HTML", lambda: html().encode("utf-8"), file_name=f"{name}.html",
        mime="text/html", on_click="ignore", key="fiche-html", width="stretch",
    )  # fmt: skip
    ready = st.session_state.get(PDF)
    if ready is not None and ready[0] == str(portrait.ref):
        pdf_col.download_button(
            "Télécharger la fiche PDF", ready[1], file_name=f"{name}.pdf",
            mime="application/pdf", on_click="ignore", key="fiche-pdf",
            width="stretch", type="primary",
        )  # fmt: skip
    elif pdf_col.button("Préparer la fiche PDF", key="preparer-pdf", width="stretch"):
        try:
            with st.spinner("Impression de la fiche en PDF…"):
                st.session_state[PDF] = (str(portrait.ref), sheet_pdf(html()))
        except GeoError as error:
            st.error(plain_markdown(error))
            return
        st.rerun()


def render() -> None:
    settings = page.start("Portrait de territoire")
    st.html(STYLE)
    loaded = resources.territories(settings)
    if isinstance(loaded, GeoError):
        st.error(f"Les territoires ne peuvent pas être chargés. {plain_markdown(loaded)}")
        st.button("Réessayer", on_click=resources.clear)
        return
    ref = _choose(loaded)
    if ref is None:
        st.info(
            "Choisissez une commune, une intercommunalité, un département ou une région : "
            "ses projets, ses chiffres comparés à ses voisins, et une fiche à emporter."
        )
        return
    context = resources.portrait_context(settings)
    if isinstance(context, GeoError):
        st.error(
            f"Les données des portraits ne peuvent pas être chargées. {plain_markdown(context)}"
        )
        return
    store = resources.open_store(settings)
    if store is None:
        return
    for dataset_id, problem in context.problems.items():
        st.caption(plain_markdown(f"Jeu de données « {dataset_id} » non chargé : {problem}"))
    portrait = build_portrait(ref, context=context, store=store)
    tours.show_notice()
    _header(portrait)
    _add_stop(portrait, store)
    _projects(portrait, settings)
    _indicators(portrait)
    _comparison(portrait, settings)
    _neighbours(portrait)
    _lessons(portrait, store)
    _sheet(portrait)


page.run(render)
