"""The Explorer's choropleth indicators, without Streamlit: ids, labels, the values per
territory, the outlines that fit the browser budget, and the layer (:func:`build_choropleth`).

An indicator id is ``projets:<level>`` (the selected projects per territory) or
``<dataset>:<aggregate>:<level>`` (a plain dataset figure per 10,000 inhabitants), at every
territory level. A level whose national outlines would exceed
:data:`geo.mapping.base.OUTLINES_BUDGET_BYTES` (the communes of the full COG) is drawn only
inside the chosen territory; without one, the page asks for a territory first.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

import folium
import geopandas as gpd
import pandas as pd

from geo import indicators
from geo.datasets.catalogue import CATALOGUE
from geo.errors import MapTooHeavyError
from geo.mapping import base as maps
from geo.mapping.choropleth import choropleth_layer
from geo.mapping.overlays import dataset_credit
from geo.mapping.raster import PixelGrid, raster_layer
from geo.territory import LEVEL_LABELS, Territories, TerritoryRef
from geo.territory.raster import NATIONAL_BOUNDS
from geo.territory.ref import LEVEL_PLURALS

#: Levels a choropleth is drawn at, lighter first.
INDICATOR_LEVELS = ("departement", "region", "epci", "commune")
PROJECTS_INDICATOR = "projets"
CHOOSE_TERRITORY = (
    "La carte par {levels} de toute la France serait trop lourde pour le navigateur : "
    "choisissez d'abord un territoire (département, EPCI…) pour la dessiner."
)
TOO_LARGE = (
    "La carte par {levels} de ce territoire serait trop lourde pour le navigateur : "
    "choisissez un territoire plus petit."
)


def figures() -> list[str]:
    """``dataset:aggregate`` of every per-territory figure of the loadable datasets that is
    one number (not split by category)."""
    return [f"{d.id}:{a.name}" for d in CATALOGUE.values() for a in d.aggregates if a.by is None]


def indicator_ids(figures: Sequence[str]) -> list[str]:
    """Ids of the choropleths: ``projets:<level>`` and ``<dataset>:<aggregate>:<level>`` for
    each ``figures`` entry ``<dataset>:<aggregate>``, per département, région, EPCI and commune
    (the lighter levels first)."""
    return [
        f"{source}:{level}"
        for source in (PROJECTS_INDICATOR, *figures)
        for level in INDICATOR_LEVELS
    ]


def parse_indicator(indicator: str) -> tuple[str, str | None, str]:
    """``(source, aggregate, level)`` of an id from :func:`indicator_ids`."""
    parts = indicator.split(":")
    if len(parts) == 2:
        return parts[0], None, parts[1]
    return parts[0], parts[1], parts[-1]


#: The levels as the level picker names them.
LEVEL_CHOICES = {
    "departement": "Départements", "region": "Régions", "epci": "EPCI", "commune": "Communes",
}  # fmt: skip


def indicator_sources(figures: Sequence[str]) -> list[str]:
    """What a choropleth can show, before its level: ``projets`` and each ``figures`` entry."""
    return [PROJECTS_INDICATOR, *figures]


def split_indicator(indicator: str) -> tuple[str, str]:
    """``("covoiturage:places", "epci")`` from ``covoiturage:places:epci``."""
    source, aggregate, level = parse_indicator(indicator)
    return (source if aggregate is None else f"{source}:{aggregate}"), level


def source_label(source: str) -> str:
    """``"Places de covoiturage pour 10 000 habitants"``: what the choropleth shows."""
    if source == PROJECTS_INDICATOR:
        return "Projets sélectionnés"
    dataset, aggregate = source.split(":", 1)
    return f"{CATALOGUE[dataset].aggregate(aggregate).label} pour 10 000 habitants"


def indicator_label(indicator: str) -> str:
    source, aggregate, level = parse_indicator(indicator)
    where = LEVEL_LABELS[level]
    if source == PROJECTS_INDICATOR:
        return f"Projets sélectionnés, par {where}"
    figure = CATALOGUE[source].aggregate(str(aggregate))
    return f"{figure.label} pour 10 000 habitants, par {where}"


def indicator_values(codes: pd.Series, population: pd.Series | None = None) -> pd.Series:
    """Rows per territory code; per 10,000 inhabitants when ``population`` (by code) is given.
    Territories with no row get 0 (they are in ``population``), unknown codes are dropped."""
    counts = codes.dropna().astype(str).value_counts()
    if population is None:
        return counts.astype(float)
    population = population[population > 0]
    counts = counts.reindex(population.index, fill_value=0)
    return (counts / population * 10_000).astype(float)


def codes_inside(communes: pd.DataFrame, inside: Collection[str], level: str) -> set[str]:
    """Codes of the territories of ``level`` holding the communes ``inside`` (COG ``communes``
    table: ``code``, ``epci``, ``departement``, ``region``)."""
    rows = communes[communes["code"].astype(str).isin(set(inside))]
    column = "code" if level == "commune" else level
    return set(rows[column].dropna().astype(str))


def drawable_outlines(
    outlines: Callable[[Collection[str] | None], gpd.GeoDataFrame],
    level: str,
    *,
    national_size: int,
    inside: Collection[str] | None = None,
    budget: int | None = None,
) -> gpd.GeoDataFrame:
    """The outlines a choropleth of ``level`` draws, or :class:`MapTooHeavyError` (a French
    notice) when they do not fit.

    ``outlines(codes)`` reads the display outlines of the level (all of them for None);
    ``national_size`` is the size of all of them in the page, or any lower bound of it above
    the budget (:func:`geo.mapping.base.geojson_size_at_least`); ``inside`` the codes of the
    level in the chosen territory (None without one). Within ``budget`` (default
    :data:`geo.mapping.base.OUTLINES_BUDGET_BYTES`), every outline; over it, only those
    ``inside``, if they fit.
    """
    budget = maps.OUTLINES_BUDGET_BYTES if budget is None else budget
    if national_size <= budget:
        return outlines(None)
    levels = LEVEL_PLURALS[level]
    if inside is None:
        raise MapTooHeavyError(CHOOSE_TERRITORY.format(levels=levels))
    subset = outlines(inside)
    if maps.geojson_size(maps.outlines_geojson(subset)) > budget:
        raise MapTooHeavyError(TOO_LARGE.format(levels=levels))
    return subset


NOT_COVERED = (
    "Les données chargées ne couvrent entièrement aucun territoire de ce niveau : "
    "valeurs non disponibles (essayez les départements, ou les données complètes)."
)


@dataclass(frozen=True)
class Choropleth:
    layer: folium.FeatureGroup
    #: What the page should say beside the map (French, plain text).
    notices: list[str] = field(default_factory=list)


def build_choropleth(
    indicator: str,
    projects: pd.DataFrame,
    territories: Territories,
    *,
    territory: TerritoryRef | None,
    national_size: int,
    table: pd.DataFrame | None = None,
    population: pd.Series | None = None,
    pixels: Callable[[], PixelGrid] | None = None,
) -> Choropleth:
    """The choropleth of ``indicator``: the selected ``projects`` per territory, or the
    dataset figure of ``table`` (:func:`geo.indicators.indicator_table` of its level) per
    10,000 inhabitants.

    Drawn as outlines when they fit the browser budget; at the national view of a level too
    heavy for it (the communes), as a picture when ``pixels`` gives the territory under each
    pixel (:mod:`geo.mapping.raster`); else :class:`MapTooHeavyError` says what to choose.
    A territory without project has 0 (it is in ``population``); a territory a dataset does
    not cover stays "non disponible", never 0 (:mod:`geo.indicators`).
    """
    source, aggregate, level = parse_indicator(indicator)
    inside = None
    if territory is not None:
        communes = territories.communes_in(territory.level, territory.code)
        inside = codes_inside(territories.cog.communes, communes, level)
    outlines = None
    try:
        outlines = drawable_outlines(
            lambda codes: territories.display_outlines(level, codes),
            level,
            national_size=national_size,
            inside=inside,
        )
    except MapTooHeavyError:
        if pixels is None or inside is not None:
            raise
    notices: list[str] = []
    if source == PROJECTS_INDICATOR:
        values = indicator_values(projects[f"code_{level}"])
        if population is not None:
            values = values.reindex(population.index.astype(str), fill_value=0.0)
        unit, attribution = "projets", None
    else:
        if table is None:
            msg = "table des valeurs manquante"
            raise ValueError(msg)
        dataset = CATALOGUE[source]
        values = table[f"{aggregate}{indicators.PER_SUFFIX}"].astype("float64")
        figure = dataset.aggregate(str(aggregate))
        unit = f"{figure.unit or ''} pour 10 000 hab.".strip()
        attribution = dataset_credit(dataset)
        if not values.notna().any():
            notices.append(NOT_COVERED)
    if outlines is None:
        assert pixels is not None
        layer = raster_layer(
            pixels(), values, label=indicator_label(indicator), unit=unit,
            attribution=attribution,
        )  # fmt: skip
        return Choropleth(layer, notices)
    layer = choropleth_layer(
        outlines, values, label=indicator_label(indicator), unit=unit, attribution=attribution
    )
    return Choropleth(layer, notices)


def pixel_grid(territories: Territories, level: str) -> PixelGrid:
    """The territory of ``level`` under each pixel of the national picture."""
    # Index -1 (outside) reads the last code, None, as in the territory engine.
    return PixelGrid(
        NATIONAL_BOUNDS, territories.national_pixels(), territories.outline_level_codes(level)
    )
