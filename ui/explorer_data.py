"""The Explorer's cached resources: territories, the project store, datasets, overlays and
choropleth layers, each loaded once per process (``st.cache_resource``).

A resource that cannot be loaded is returned as its :class:`GeoError` (or a French reason),
for the page to say so instead of failing.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from geo import explorer_choropleth as choropleths
from geo import indicators, maps, overlays
from geo.datasets import CATALOGUE, load_dataset
from geo.errors import GeoError
from geo.fetch import ensure_local
from geo.geocode import geocode
from geo.settings import Settings
from geo.store import ProjectStore
from geo.territories import Territories, load_territories


@st.cache_resource(show_spinner="Chargement des territoires…")
def territories_of(settings: Settings) -> Territories | GeoError:
    try:
        return load_territories(settings)
    except GeoError as error:
        return error


@st.cache_resource(show_spinner="Ouverture du registre des projets…")
def store_of(settings: Settings) -> ProjectStore | GeoError:
    try:
        store = ProjectStore(settings=settings)
    except GeoError as error:
        return error
    territories = territories_of(settings)
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


def overlay_ids() -> list[str]:
    """Datasets that can be drawn as points (lines and commune tables are not overlays)."""
    return [d.id for d in CATALOGUE.values() if d.geometry == "point" and d.loader_available]


@st.cache_resource(show_spinner="Chargement du jeu de données…", max_entries=8)
def dataset_frame(dataset_id: str, settings: Settings) -> Any:
    territories = territories_of(settings)
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
def overlay_of(dataset_id: str, settings: Settings) -> overlays.OverlayData | GeoError:
    frame = dataset_frame(dataset_id, settings)
    if isinstance(frame, GeoError):
        return frame
    return overlays.prepare_overlay(frame, dataset_id)


@st.cache_resource(show_spinner=False)
def population_of(level: str, settings: Settings) -> pd.Series | None:
    territories = territories_of(settings)
    if not isinstance(territories, Territories):
        return None
    return indicators.populations(territories, level)


@st.cache_resource(show_spinner="Calcul de l'indicateur…", max_entries=16)
def indicator_table_of(dataset_id: str, level: str, settings: Settings) -> pd.DataFrame | str:
    territories = territories_of(settings)
    rows = dataset_frame(dataset_id, settings)
    if not isinstance(territories, Territories):
        return "territoires non chargés"
    if isinstance(rows, GeoError):
        return str(rows)
    return indicators.indicator_table(rows, dataset_id, level, territories=territories)


@st.cache_resource(show_spinner=False)
def outlines_size(level: str, settings: Settings) -> int:
    """Bytes of every outline of a level in the page, for the choropleth budget."""
    territories = territories_of(settings)
    if not isinstance(territories, Territories):
        return 0
    return maps.geojson_size(maps.outlines_geojson(territories.display_outlines(level)))


def choropleth(
    indicator: str, frame: pd.DataFrame, settings: Settings, territory: tuple[str, str] | None
) -> Any:
    """The choropleth layer of an indicator, None when it is too heavy to draw (with a notice),
    or a French reason why it cannot be drawn."""
    territories = territories_of(settings)
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
        national_size=outlines_size(level, settings),
        inside=inside,
    )
    if isinstance(outlines, str):
        st.info(outlines)
        return None
    if source == choropleths.PROJECTS_INDICATOR:
        values = choropleths.indicator_values(frame[f"code_{level}"])
        population = population_of(level, settings)
        if population is not None:  # a territory without project has 0, not "no data"
            values = values.reindex(population.index.astype(str), fill_value=0.0)
        unit, credit = "projets", None
    else:
        table = indicator_table_of(source, level, settings)
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


def overlay_returned(m: Any, view: overlays.OverlayView) -> list[str]:
    """What the overlays need back from the map: the view key computed in the browser (with
    :func:`overlays.track_view`) or, with the first version of geo.overlays, zoom and bounds."""
    if hasattr(overlays, "track_view"):
        overlays.track_view(m)
        return list(overlays.RETURNED_OBJECTS)
    return list(overlays.returned_objects(view.zoom))


@st.cache_resource(show_spinner=False)
def departements(settings: Settings) -> dict[str, Any] | None:
    territories = territories_of(settings)
    if not isinstance(territories, Territories):
        return None
    return maps.outlines_geojson(territories.display_outlines("departement"))


@st.cache_data(show_spinner=False, max_entries=256)
def near_point(query: str, _settings: Settings, offline: bool) -> tuple[float, float, str] | None:
    territories = territories_of(_settings)
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
