"""Explorer: the projects on the map of France, with filters, near-me search and shareable views.

UI only: :mod:`geo.explorer` holds the URL state, filters, click handling and escaping,
:mod:`geo.explorer_map` the folium layers, :mod:`geo.store` the projects. Every filter, the
territory, the selected project and (on request) the map view live in the URL.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import explorer, explorer_map, indicators, maps, overlays
from geo import explorer_choropleth as choropleths
from geo.datasets import CATALOGUE, load_dataset
from geo.errors import GeoError
from geo.explorer import ExplorerState, plain_markdown
from geo.fetch import ensure_local
from geo.geocode import geocode
from geo.projects import CARRIER_TYPES, SCOPES, STAGES, THEMES, categories
from geo.settings import Settings, get_settings
from geo.store import ProjectStore
from geo.territories import LEVEL_LABELS, Territories, load_territories

MAP_HEIGHT = 500
MAP_KEY = "explorer-carte"
LIST_LIMIT = 200
_STATE_KEYS = ("q", "themes", "categories", "etapes", "porteurs", "territoire", "pres", "rayon",
               "couches", "fond", "indicateur", "projet", "tri", "vue")  # fmt: skip


# --- cached resources ---------------------------------------------------------------------------


@st.cache_resource(show_spinner="Chargement des territoires…")
def _territories(settings: Settings) -> Territories | GeoError:
    try:
        return load_territories(settings)
    except GeoError as error:
        return error


@st.cache_resource(show_spinner="Ouverture du registre des projets…")
def _store(settings: Settings) -> ProjectStore | GeoError:
    try:
        store = ProjectStore(settings=settings)
    except GeoError as error:
        return error
    territories = _territories(settings)
    try:  # the example projects, once the import module is there
        from geo.projects_demo import ensure_demo_projects
    except ImportError:
        return store
    try:
        ensure_demo_projects(
            store, territories if isinstance(territories, Territories) else None, settings
        )
    except GeoError:
        pass  # an empty map still works; the store says "Aucun projet"
    return store


def _overlay_ids() -> list[str]:
    """Datasets that can be drawn as points (lines and commune tables are not overlays)."""
    return [d.id for d in CATALOGUE.values() if d.geometry == "point" and d.loader_available]


@st.cache_resource(show_spinner="Chargement du jeu de données…", max_entries=8)
def _dataset_frame(dataset_id: str, settings: Settings) -> Any:
    territories = _territories(settings)
    if not isinstance(territories, Territories):
        return territories
    try:
        dataset = CATALOGUE[dataset_id]
        return load_dataset(
            dataset_id,
            ensure_local(dataset.source, settings),
            territories=territories,
            settings=settings,
        ).frame
    except GeoError as error:
        return error


@st.cache_resource(show_spinner=False, max_entries=8)
def _overlay(dataset_id: str, settings: Settings) -> overlays.OverlayData | GeoError:
    frame = _dataset_frame(dataset_id, settings)
    if isinstance(frame, GeoError):
        return frame
    return overlays.prepare_overlay(frame, dataset_id)


@st.cache_resource(show_spinner=False)
def _population(level: str, settings: Settings) -> pd.Series | None:
    territories = _territories(settings)
    if not isinstance(territories, Territories):
        return None
    return indicators.populations(territories, level)


@st.cache_resource(show_spinner="Calcul de l'indicateur…", max_entries=16)
def _indicator_table(dataset_id: str, level: str, settings: Settings) -> pd.DataFrame | str:
    territories = _territories(settings)
    rows = _dataset_frame(dataset_id, settings)
    if not isinstance(territories, Territories):
        return "territoires non chargés"
    if isinstance(rows, GeoError):
        return str(rows)
    return indicators.indicator_table(rows, dataset_id, level, territories=territories)


@st.cache_resource(show_spinner=False)
def _outlines_size(level: str, settings: Settings) -> int:
    """Bytes of every outline of a level in the page, for the choropleth budget."""
    territories = _territories(settings)
    if not isinstance(territories, Territories):
        return 0
    return maps.geojson_size(maps.outlines_geojson(territories.display_outlines(level)))


def _choropleth(
    indicator: str, frame: pd.DataFrame, settings: Settings, territory: tuple[str, str] | None
) -> Any:
    """The choropleth layer of an indicator, None when it is too heavy to draw (with a notice),
    or a French reason why it cannot be drawn."""
    territories = _territories(settings)
    if not isinstance(territories, Territories):
        return "territoires non chargés"
    source, aggregate, level = choropleths.parse_indicator(indicator)
    inside = None
    if territory is not None:
        communes = territories.communes_in(*territory)
        inside = choropleths.codes_inside(territories.cog.communes, communes, level)
    outlines = choropleths.drawable_outlines(
        territories.display_outlines(level),
        level,
        national_size=_outlines_size(level, settings),
        inside=inside,
    )
    if isinstance(outlines, str):
        st.info(outlines)
        return None
    if source == choropleths.PROJECTS_INDICATOR:
        values = choropleths.indicator_values(frame[f"code_{level}"])
        population = _population(level, settings)
        if population is not None:  # a territory without project has 0, not "no data"
            values = values.reindex(population.index.astype(str), fill_value=0.0)
        unit, credit = "projets", None
    else:
        table = _indicator_table(source, level, settings)
        if isinstance(table, str):
            return table
        # Uncovered territories stay "non disponible" (geo.indicators), never 0.
        values = table[f"{aggregate}{indicators.PER_SUFFIX}"].astype("float64")
        figure = CATALOGUE[source].aggregate(str(aggregate))
        unit = f"{figure.unit or ''} pour 10 000 hab.".strip()
        credit = CATALOGUE[source].licence.attribution
        if not values.notna().any():
            st.info(
                "Les données chargées ne couvrent entièrement aucun territoire de ce niveau : "
                "valeurs non disponibles (essayez les départements, ou les données complètes)."
            )
    return overlays.choropleth_layer(
        outlines,
        values,
        label=choropleths.indicator_label(indicator),
        unit=unit,
        source=credit,
    )


def _overlay_returned(m: Any, view: overlays.OverlayView) -> list[str]:
    """What the overlays need back from the map: the view key computed in the browser (with
    :func:`overlays.track_view`) or, with the first version of geo.overlays, zoom and bounds."""
    if hasattr(overlays, "track_view"):
        overlays.track_view(m)
        return list(overlays.RETURNED_OBJECTS)
    return list(overlays.returned_objects(view.zoom))


@st.cache_resource(show_spinner=False)
def _departements(settings: Settings) -> dict[str, Any] | None:
    territories = _territories(settings)
    if not isinstance(territories, Territories):
        return None
    return maps.outlines_geojson(territories.display_outlines("departement"))


@st.cache_data(show_spinner=False, max_entries=256)
def _near_point(query: str, _settings: Settings, offline: bool) -> tuple[float, float, str] | None:
    territories = _territories(_settings)
    found = geocode(
        query,
        settings=_settings,
        territories=territories if isinstance(territories, Territories) else None,
        limit=1,
    )
    if not found:
        return None
    best = found[0]
    return best.lat, best.lon, best.label + (" (approximatif)" if best.approximate else "")


# --- URL state ----------------------------------------------------------------------------------


def _restore(territories: Territories | None) -> None:
    """First run of a session: the widgets start from the URL."""
    decoded = explorer.decode(
        st.query_params.to_dict(),
        territory_exists=territories.exists if territories is not None else None,
        overlays=_overlay_ids(),
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


def _write_url(state: ExplorerState) -> None:
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


def _sidebar(territories: Territories | None, settings: Settings) -> tuple[ExplorerState, Any]:
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
        near_point = _near_point(near, settings, settings.offline)
        if near_point is None:
            side.warning("Adresse ou lieu introuvable : le filtre « près de » est ignoré.")
        else:
            side.caption(f"📍 {plain_markdown(near_point[2])}")
    side.header("Carte")
    basemap = side.radio(
        "Fond de carte", list(explorer.BASEMAPS), format_func=explorer.BASEMAPS.__getitem__,
        key="f_fond", horizontal=True,
    )  # fmt: skip
    ids = _overlay_ids()
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


# --- main area ----------------------------------------------------------------------------------


def _select(project_id: int | None) -> None:
    st.session_state["projet"] = project_id


def _absolute(link: str) -> str:
    """``link`` (path and query) on the address the visitor used, when Streamlit knows it."""
    try:
        page = urlsplit(str(st.context.url or ""))
    except (AttributeError, ValueError):
        return link
    if page.scheme in ("http", "https") and page.netloc:
        return f"{page.scheme}://{page.netloc}{link}"
    return link


def _project_detail(
    row: pd.Series, territories: Territories | None, link: str, store: ProjectStore
) -> None:
    with st.container(border=True, key="fiche-projet"):
        st.subheader(plain_markdown(row["title"]), anchor=False)
        st.button(
            "Fermer la fiche", key="fermer-fiche", on_click=_select, args=(None,),
            type="tertiary", icon="✖️",
        )  # fmt: skip
        facts = [
            " · ".join(THEMES.get(t, t) for t in row["themes"]),
            STAGES.get(row["stage"], row["stage"]),
        ]
        if row.get("start_year") and pd.notna(row["start_year"]):
            facts.append(f"depuis {int(row['start_year'])}")
        st.caption(plain_markdown(" · ".join(facts)))
        if row["summary"]:
            st.markdown(f"**{plain_markdown(row['summary'])}**")
        if row["description"]:
            st.markdown(explorer.safe_markdown(row["description"]))
        carriers = explorer.carriers_text(row["carriers"])
        if carriers:
            st.markdown(f"**Porteurs** : {plain_markdown(carriers)}")
        table = categories()
        if row["categories"]:
            labels = ", ".join(table[c]["label"] if c in table else c for c in row["categories"])
            st.markdown(f"**Catégories** : {plain_markdown(labels)}")
        if row.get("scope"):
            st.markdown(f"**Échelle** : {plain_markdown(SCOPES.get(row['scope'], row['scope']))}")
        if territories is not None and row.get("code_commune"):
            try:
                chain = territories.chain("commune", row["code_commune"])
            except GeoError:
                chain = []
            if chain:
                text = " → ".join(
                    f"{plain_markdown(nom)} ({LEVEL_LABELS[level]})" for level, _, nom in chain
                )
                st.markdown(f"**Territoire** : {text}")
        if row.get("website"):
            st.link_button("Site du projet", str(row["website"]))
        st.caption("Lien vers cette fiche :")
        st.code(_absolute(link), language=None, wrap_lines=True)


def _exports(
    ids: list[int],
    store: ProjectStore,
    criteria: Any,
    html_map: Any,
    territories: Territories | None = None,
) -> None:
    """Download buttons; each file is built only when its button is clicked."""
    st.caption("Exporter la sélection")
    cols = st.columns(4)
    for col, (label, name, mime) in zip(
        cols[:3],
        [
            ("CSV", "csv", "text/csv"),
            ("GeoJSON", "geojson", "application/geo+json"),
            ("GeoPackage", "gpkg", "application/geopackage+sqlite3"),
        ],
        strict=True,
    ):
        col.download_button(
            label, lambda name=name: _export_file(name, tuple(ids), store, criteria, territories),
            file_name=f"projets.{name}", mime=mime, key=f"export-{name}", on_click="ignore",
            disabled=not ids, use_container_width=True,
        )  # fmt: skip
    cols[3].download_button(
        "Carte HTML", html_map, file_name="carte-projets.html", mime="text/html",
        key="export-html", on_click="ignore", use_container_width=True,
    )  # fmt: skip


def _export_file(
    name: str,
    ids: tuple[int, ...],
    store: ProjectStore,
    criteria: Any,
    territories: Territories | None = None,
) -> bytes:
    """The selection in one format, through the project exporter when it is installed."""
    wanted = set(ids)
    items = [p for p in store.query(criteria, limit=2**31 - 1).items if p.id in wanted]
    items.sort(key=lambda p: p.id or 0)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"projets.{name}"
        try:
            from geo import projects_export
        except ImportError:
            _fallback_export(path, name, store, ids, criteria)
        else:
            writer = {"csv": projects_export.write_csv, "geojson": projects_export.write_geojson,
                      "gpkg": projects_export.write_gpkg}[name]  # fmt: skip
            writer(path, items, projects_export.commune_names(items, territories))
        return path.read_bytes()


def _fallback_export(path: Path, name: str, store: ProjectStore, ids: Any, criteria: Any) -> None:
    frame = store.all_frame(criteria)
    frame = frame[frame["id"].isin(list(ids))]
    flat = frame.copy()
    for column in ("themes", "categories", "commons"):
        flat[column] = flat[column].map(lambda v: ";".join(v or []))
    flat["carriers"] = flat["carriers"].map(explorer.carriers_text)
    flat = flat.drop(columns=["area"], errors="ignore")
    if name == "csv":
        flat.drop(columns="geometry").to_csv(path, sep=";", index=False, encoding="utf-8-sig")
    elif name == "geojson":
        path.write_text(flat.to_json(), encoding="utf-8")
    else:
        for column in ("created_at", "updated_at", "last_confirmed_at"):
            flat[column] = flat[column].astype(str)
        flat.to_file(path, layer="projets", driver="GPKG")


def _communes(frame: pd.DataFrame, territories: Territories | None) -> list[str | None]:
    if territories is None or frame.empty:
        return [None] * len(frame)
    return list(territories.names("commune", frame["code_commune"].tolist()))


def render() -> None:
    st.title("Explorer les projets")
    try:
        settings = get_settings()
    except ValueError as error:
        st.error(plain_markdown(str(error)))
        settings = get_settings(environ={}, secrets={})
    loaded = _territories(settings)
    territories = loaded if isinstance(loaded, Territories) else None
    if isinstance(loaded, GeoError):
        st.warning(
            "Les territoires ne peuvent pas être chargés : recherche de territoire et contours "
            "indisponibles (`python -m geo data fetch territoires`)."
        )
    if "restored" not in st.session_state:
        _restore(territories)
    for notice in st.session_state.pop("notices", []):
        st.warning(notice)

    state, near_point = _sidebar(territories, settings)
    store = _store(settings)
    if isinstance(store, GeoError):
        st.error(f"Le registre des projets ne peut pas être ouvert. {plain_markdown(str(store))}")
        return

    point = (near_point[0], near_point[1]) if near_point else None
    criteria = explorer.project_filter(state, near_point=point)
    frame = explorer.with_carriers(store.all_frame(criteria), state.carrier_types)
    distances = explorer.distances_km(frame, point)
    order_options = [o for o in explorer.ORDERS if o != "distance" or point is not None]
    if st.session_state.get("f_tri") not in order_options:
        st.session_state["f_tri"] = "recent"

    ids = set(int(i) for i in frame["id"])
    if state.project is not None and state.project not in ids:
        if "projet_absent" not in st.session_state:
            st.info("Le projet choisi n'est pas dans la sélection actuelle.")
        st.session_state["projet_absent"] = True

    # --- map ---
    selection = None
    if territories is not None and state.territory is not None:
        geometry = territories.outline(*state.territory)
        if geometry is not None:
            label = territories.nom(*state.territory)
            selection = maps.Selection(*state.territory, label, geometry)
        else:
            st.info("Ce territoire n'a pas de contour dans les données chargées.")
    base = str(st.get_option("server.baseUrlPath") or "")
    base_path = f"/{base.strip('/')}/" if base.strip("/") else "/"

    def link(pid: int) -> str:
        return explorer.permalink(replace(state, project=pid, view=None), base_path=base_path)

    communes = _communes(frame, territories)
    # The map starts where the link said; later views only go to the URL (no remount per pan).
    view = st.session_state.get("vue_initiale") if selection is None else None
    m = explorer_map.explorer_map(
        basemap=state.basemap,
        offline=settings.offline,
        selection=selection,
        context=_departements(settings),
        base_url_path=base,
        view=view,
    )
    layer = explorer_map.project_layer(
        frame, link=link, communes=communes, selected=state.project, base_url_path=base
    )
    follow = st.session_state.get("suivre_vue", False)
    returned = ["last_object_clicked", "last_object_clicked_tooltip"]
    if follow:
        returned += ["center", "zoom"]
    groups: list[Any] = []
    if state.indicator:
        choropleth = _choropleth(state.indicator, frame, settings, state.territory)
        if isinstance(choropleth, str):
            st.warning(f"Indicateur indisponible : {plain_markdown(choropleth)}")
        elif choropleth is not None:
            groups.append(choropleth)
    if state.overlays:
        view = overlays.OverlayView.from_map_state(st.session_state.get(MAP_KEY))
        returned += [r for r in _overlay_returned(m, view) if r not in returned]
        for dataset_id in state.overlays:
            data = _overlay(dataset_id, settings)
            if isinstance(data, GeoError):
                st.warning(
                    f"Couche « {plain_markdown(CATALOGUE[dataset_id].title)} » indisponible : "
                    f"{plain_markdown(str(data))}"
                )
                continue
            groups.append(overlays.overlay_layer(data, view))
    groups.append(layer)  # the projects above the overlays

    count_col, share_col = st.columns([5, 3], vertical_alignment="center")
    count_col.subheader(explorer.count_text(len(frame)))
    share_col.toggle(
        "Partager cette vue",
        key="suivre_vue",
        help="La position et le zoom de la carte sont ajoutés au lien de la page.",
    )
    explorer_map.with_returned(m, returned)
    map_col, list_col = st.columns([5, 3], gap="medium")
    with map_col:
        result = st_folium(
            m,
            height=MAP_HEIGHT,
            use_container_width=True,
            returned_objects=returned,
            feature_group_to_add=groups,
            key=MAP_KEY,
        )
    result = result or {}
    points = [
        (int(r.id), float(r.lat), float(r.lon), str(r.title))
        for r in frame[["id", "lat", "lon", "title"]].itertuples(index=False)
    ]
    outcome = explorer.handle_click(
        result.get("last_object_clicked"),
        result.get("last_object_clicked_tooltip"),
        points=points,
        last_handled=st.session_state.get("clic_traite"),
        current=st.session_state.get("projet"),
    )
    st.session_state["clic_traite"] = outcome.handled
    if outcome.project != st.session_state.get("projet"):
        st.session_state["projet"] = outcome.project
        st.rerun()
    if follow:
        view = explorer.view_of(result.get("center"), result.get("zoom"))
        if view is not None:
            st.session_state["vue"] = view
    elif st.session_state.get("vue") is not None and selection is not None:
        st.session_state["vue"] = None

    # --- detail and list ---
    chosen = st.session_state.get("projet")
    with list_col:
        if chosen is not None and chosen in ids:
            row = frame[frame["id"] == chosen].iloc[0]
            _project_detail(row, territories, link(chosen), store)
        order = st.selectbox(
            "Trier par", order_options, format_func=explorer.ORDERS.__getitem__, key="f_tri"
        )
        ordered = explorer.sort_frame(frame, order, distances)
        if ordered.empty:
            st.info("Aucun projet ne correspond à ces filtres.")
        # A scrolling box beside the map when the list is long; as tall as it is otherwise.
        height: int | str = MAP_HEIGHT - 90 if len(ordered) > 6 else "content"
        with st.container(height=height, border=False, key="liste-projets"):
            for row in ordered.head(LIST_LIMIT).itertuples():
                pid = int(row.id)
                label = str(row.title)
                if distances is not None:
                    label += f" — {distances.loc[row.Index]:.1f} km"
                st.button(
                    label,
                    key=f"choisir-{pid}",
                    on_click=_select,
                    args=(pid,),
                    type="primary" if pid == chosen else "secondary",
                    use_container_width=True,
                )
            if len(ordered) > LIST_LIMIT:
                st.caption(f"… et {len(ordered) - LIST_LIMIT} autres : affinez les filtres.")

    state = replace(state, order=order, project=chosen, view=st.session_state.get("vue"))
    _write_url(state)

    def html_map() -> bytes:
        standalone = explorer_map.explorer_map(
            basemap="osm", selection=selection, context=_departements(settings),
            base_url_path=base,
        )  # fmt: skip
        explorer_map.project_layer(frame, link=link, communes=communes, base_url_path=base).add_to(
            standalone
        )
        return explorer_map.standalone_html(standalone, base_url_path=base).encode("utf-8")

    _exports(sorted(ids), store, criteria, html_map, territories)


render()
