"""What every page shares, loaded once per server process (``st.cache_resource``): the
territory reference, the project store, the datasets and the layers derived from them.

One failure convention: a resource that cannot be had is returned as its
:class:`~geo.errors.GeoError` (cached too, so that a missing download is not retried at every
rerun; :func:`clear` retries), and the page says so in French. No domain logic here: each
function calls ``geo`` and caches the answer.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import indicators
from geo.datasets import CATALOGUE, Dataset, count_outside, load
from geo.errors import GeoError, MapTooHeavyError
from geo.explorer import choropleth as choropleths
from geo.geocode import GeocodeResult, geocode
from geo.mapping import base as maps
from geo.mapping import overlays
from geo.mapping import symbols as symbol_maps
from geo.mapping.symbols import SymbolData, prepare_symbols
from geo.portrait import PortraitContext
from geo.portrait.loading import open_context
from geo.projects.demo import ensure_demo_projects
from geo.settings import Settings
from geo.sources import read_manifest
from geo.store import ProjectStore
from geo.territory import Territories, TerritoryRef, load_territories
from geo.text import plain_markdown

T = TypeVar("T")
log = logging.getLogger(__name__)


def _guarded(build: Callable[[], T]) -> T | GeoError:
    try:
        return build()
    except GeoError as error:
        return error


@st.cache_resource(show_spinner="Chargement des territoires…")
def territories(settings: Settings) -> Territories | GeoError:
    return _guarded(lambda: load_territories(settings))


@dataclass(frozen=True)
class _Failure:
    count: int
    retry_at: float
    error: GeoError


#: The store's last failures to open, per settings: tried again after a delay that doubles
#: from 1 s to 30 s, never cached for good (a server started while its database is down
#: serves as soon as the database is back).
_store_failures: dict[Settings, _Failure] = {}
STORE_RETRY_MAX_SECONDS = 30.0


def store(settings: Settings) -> ProjectStore | GeoError:
    """The project store, opened once per process; while it cannot be opened, its error
    (tried again with backoff, see :data:`_store_failures`)."""
    failure = _store_failures.get(settings)
    if failure is not None and time.monotonic() < failure.retry_at:
        return failure.error
    try:
        opened = _opened_store(settings)
    except GeoError as error:
        count = failure.count + 1 if failure is not None else 1
        delay = min(2.0 ** (count - 1), STORE_RETRY_MAX_SECONDS)
        _store_failures[settings] = _Failure(count, time.monotonic() + delay, error)
        log.warning("Registre des projets indisponible (essai %d, prochain dans %g s) : %s",
                    count, delay, error)  # fmt: skip
        return error
    _store_failures.pop(settings, None)
    return opened


def require_store(settings: Settings) -> None:
    """Raise the store's error, if it cannot be opened: the server's own runs of the app
    (warm-up, ``/_stcore/script-health-check``) then fail, so the health check says so."""
    opened = store(settings)
    if isinstance(opened, GeoError):
        raise opened


# An error raised is not cached by Streamlit: only a store that opened is kept.
@st.cache_resource(show_spinner="Ouverture du registre des projets…")
def _opened_store(settings: Settings) -> ProjectStore:
    opened = ProjectStore(settings=settings)
    reference = territories(settings)
    try:
        ensure_demo_projects(
            opened, reference if isinstance(reference, Territories) else None, settings
        )
    except GeoError as error:
        # An empty map still works (the page says "Aucun projet"); the operator sees why.
        log.warning("Projets d'exemple non chargés : %s", error)
    if isinstance(reference, Territories):
        reference.release_index_pages()  # the demo projects were located
    return opened


def say_store_error(error: GeoError) -> None:
    """What every page says when the project store cannot be opened."""
    st.error(f"Le registre des projets ne peut pas être ouvert. {plain_markdown(error)}")


def open_store(settings: Settings) -> ProjectStore | None:
    """The project store, or ``None`` once its error is shown (the page then stops)."""
    opened = store(settings)
    if isinstance(opened, GeoError):
        say_store_error(opened)
        return None
    return opened


def commun_titles(store: ProjectStore) -> dict[int, str]:
    """``{id: title}`` of every commun, read again only when the store's data version moves."""
    return _commun_titles(store, store.url, store.data_version())


@st.cache_resource(show_spinner=False, max_entries=4)
def _commun_titles(_store: ProjectStore, url: str, version: int) -> dict[int, str]:
    return {c.id: c.title for c in _store.communs.list()}


@st.cache_resource(show_spinner="Chargement du jeu de données…", max_entries=8)
def dataset_frame(dataset: Dataset, settings: Settings) -> gpd.GeoDataFrame | GeoError:
    reference = territories(settings)
    if isinstance(reference, GeoError):
        return reference
    loaded = _guarded(lambda: load(dataset, settings, territories=reference).frame)
    # Its rows were located: the index's pages they read would stay resident (210 MB).
    reference.release_index_pages()
    return loaded


@st.cache_resource(show_spinner=False, max_entries=8)
def rows_outside(dataset: Dataset, settings: Settings) -> int | None:
    """How many of the dataset's rows lie outside the loaded territories (None when it is
    not loaded)."""
    frame = dataset_frame(dataset, settings)
    reference = territories(settings)
    if isinstance(frame, GeoError) or isinstance(reference, GeoError):
        return None
    return count_outside(frame, reference)


@st.cache_resource(show_spinner=False, max_entries=8)
def overlay(dataset: Dataset, settings: Settings) -> overlays.OverlayData | GeoError:
    frame = dataset_frame(dataset, settings)
    if isinstance(frame, GeoError):
        return frame
    return overlays.prepare_overlay(frame, dataset)


@st.cache_resource(show_spinner=False, max_entries=4)
def symbols(dataset: Dataset, settings: Settings) -> SymbolData | GeoError:
    """A commune table's proportional symbols, prepared once per dataset."""
    frame = dataset_frame(dataset, settings)
    reference = territories(settings)
    if isinstance(frame, GeoError):
        return frame
    if isinstance(reference, GeoError):
        return reference
    codes = frame["code_commune"].dropna().astype(str).unique().tolist()
    names = dict(zip(codes, reference.names("commune", codes), strict=True))
    return prepare_symbols(frame, dataset, reference.representative_points(), names)


def dataset_layer(dataset: Dataset, settings: Settings, view: overlays.OverlayView) -> Any:
    """A dataset's map layer from its cached data: its points, or its proportional symbols for
    a commune table (the Explorer's and the presentation's maps); its GeoError otherwise."""
    if dataset.symbols is not None:
        table = symbols(dataset, settings)
        if isinstance(table, GeoError):
            return table
        return symbol_maps.symbol_layer(table, view, credit=overlays.dataset_credit(dataset))
    data = overlay(dataset, settings)
    if isinstance(data, GeoError):
        return data
    return overlays.overlay_layer(data, view)


@st.cache_resource(show_spinner=False)
def population(level: str, settings: Settings) -> pd.Series | GeoError:
    reference = territories(settings)
    if isinstance(reference, GeoError):
        return reference
    return indicators.populations(reference, level)


@st.cache_resource(show_spinner="Calcul de l'indicateur…", max_entries=16)
def indicator_table(dataset: Dataset, level: str, settings: Settings) -> pd.DataFrame | GeoError:
    reference = territories(settings)
    if isinstance(reference, GeoError):
        return reference
    rows = dataset_frame(dataset, settings)
    if isinstance(rows, GeoError):
        return rows
    return indicators.indicator_table(rows, dataset, level, territories=reference)


@st.cache_resource(show_spinner=False)
def outlines_geojson(level: str, settings: Settings) -> dict[str, Any] | GeoError:
    """Every loaded outline of a level as the GeoJSON the map sends."""
    reference = territories(settings)
    if isinstance(reference, GeoError):
        return reference
    return maps.outlines_geojson(reference.display_outlines(level))


@st.cache_resource(show_spinner=False)
def context_outlines(settings: Settings) -> dict[str, Any] | GeoError:
    """The départements drawn behind a national map, light (:func:`maps.overview_geojson`)."""
    reference = territories(settings)
    if isinstance(reference, GeoError):
        return reference
    return maps.overview_geojson(reference.display_outlines("departement"))


@st.cache_resource(show_spinner=False)
def outlines_size(level: str, settings: Settings) -> int | GeoError:
    """Bytes of every outline of a level in the page, for the choropleth budget: exact when
    they may fit, a lower bound (counted, not built) when they cannot."""
    reference = territories(settings)
    if isinstance(reference, GeoError):
        return reference
    at_least = maps.geojson_size_at_least(reference.outline_coordinates(level))
    if at_least > maps.OUTLINES_BUDGET_BYTES:
        return at_least
    data = outlines_geojson(level, settings)
    return data if isinstance(data, GeoError) else maps.geojson_size(data)


def background_communes(settings: Settings) -> dict[str, Any] | GeoError:
    """The commune outlines drawn under a map, or :class:`MapTooHeavyError` beside the
    départements when they exceed the outlines budget."""
    communes_size = outlines_size("commune", settings)
    departements_size = outlines_size("departement", settings)
    if isinstance(communes_size, GeoError) or isinstance(departements_size, GeoError):
        return communes_size if isinstance(communes_size, GeoError) else departements_size
    if communes_size > maps.OUTLINES_BUDGET_BYTES - departements_size:
        return MapTooHeavyError("Communes trop nombreuses pour la vue nationale.")
    return outlines_geojson("commune", settings)


# Eight: an entry is up to 6 MB of Python objects (a département of 500 communes, 0.5 MB as
# JSON): 32 held up to 190 MB after an hour of visitors from everywhere (bench soak).
@st.cache_resource(show_spinner=False, max_entries=8)
def communes_inside(territory: TerritoryRef, settings: Settings) -> dict[str, Any] | GeoError:
    """The commune outlines of a territory as the map sends them, or :class:`MapTooHeavyError`
    when they exceed the outlines budget."""
    reference = territories(settings)
    if isinstance(reference, GeoError):
        return reference
    codes = reference.communes_in(territory.level, territory.code)
    data = maps.outlines_geojson(reference.display_outlines("commune", codes))
    if maps.geojson_size(data) > maps.OUTLINES_BUDGET_BYTES:
        return MapTooHeavyError("Communes trop nombreuses pour être dessinées ici.")
    return data


def choropleth(
    indicator: str,
    projects: pd.DataFrame,
    settings: Settings,
    territory: TerritoryRef | None,
) -> choropleths.Choropleth | GeoError:
    """The choropleth layer of an indicator (not cached: it follows the selected projects)."""
    reference = territories(settings)
    if isinstance(reference, GeoError):
        return reference
    source, _, level = choropleths.parse_indicator(indicator)
    size = outlines_size(level, settings)
    people = population(level, settings)
    table = None
    if source != choropleths.PROJECTS_INDICATOR:
        table = indicator_table(CATALOGUE[source], level, settings)
    if isinstance(size, GeoError):
        return size
    if isinstance(people, GeoError):
        return people
    if isinstance(table, GeoError):
        return table
    return _guarded(
        lambda: choropleths.build_choropleth(
            indicator,
            projects,
            reference,
            territory=territory,
            national_size=size,
            table=table,
            population=people,
            pixels=lambda: pixel_grid(level, settings),
        )
    )


@st.cache_resource(show_spinner="Préparation de la carte nationale…", max_entries=4)
def pixel_grid(level: str, settings: Settings) -> choropleths.PixelGrid:
    """The territory under each pixel of the national picture of a level (once per level)."""
    reference = territories(settings)
    assert isinstance(reference, Territories)  # a choropleth is built only with the reference
    return choropleths.pixel_grid(reference, level)


@st.cache_resource(show_spinner="Préparation des portraits de territoire…")
def portrait_context(settings: Settings) -> PortraitContext | GeoError:
    """The datasets as the portraits read them; their tables per level are computed once, on
    first use, and kept with it."""
    reference = territories(settings)
    if isinstance(reference, GeoError):
        return reference
    frames = {dataset.id: dataset_frame(dataset, settings) for dataset in CATALOGUE.values()}
    return _guarded(lambda: open_context(reference, settings, frames=frames))


@st.cache_data(show_spinner=False, max_entries=256)
def place(query: str, _settings: Settings, offline: bool) -> GeocodeResult | None:
    """The best place for an address (None when nothing is found); ``offline`` is in the
    cache key so that switching GEO_OFFLINE asks again."""
    reference = territories(_settings)
    found = geocode(
        query,
        settings=_settings,
        territories=reference if isinstance(reference, Territories) else None,
        limit=1,
    )
    return found[0] if found else None


def sources(dataset_ids: list[str], settings: Settings) -> list[indicators.SourceInfo]:
    """The sources of what a map shows: the territories, then each dataset drawn, dated by
    its rows or its file (not cached: ``manifest.json`` changes with each fetch)."""
    manifest = read_manifest(settings.data_dir)
    infos = [indicators.reference_source(manifest)]
    for dataset_id in dict.fromkeys(dataset_ids):
        dataset = CATALOGUE[dataset_id]
        frame = dataset_frame(dataset, settings)
        rows = None if isinstance(frame, GeoError) else frame
        info = indicators.dataset_source(dataset, rows, manifest)
        if rows is not None:
            info = replace(info, rows=len(rows), rows_outside=rows_outside(dataset, settings))
        infos.append(info)
    return infos


def clear() -> None:
    """Forget every cached resource (the "Réessayer" button after a fetch)."""
    st.cache_resource.clear()
    st.cache_data.clear()
    _store_failures.clear()
