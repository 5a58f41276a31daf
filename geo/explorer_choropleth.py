"""The Explorer's choropleth indicators, without Streamlit: ids, labels, values and the outlines
that fit the browser budget.

An indicator id is ``projets:<level>`` (the selected projects per territory) or
``<dataset>:<aggregate>:<level>`` (a plain dataset figure per 10,000 inhabitants), at every
territory level. A level whose national outlines would exceed
:data:`geo.maps.OUTLINES_BUDGET_BYTES` (the communes of the full COG) is drawn only inside the
chosen territory; without one, the page asks for a territory first.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import geopandas as gpd
import pandas as pd

from geo import maps
from geo.datasets.catalogue import CATALOGUE

#: Levels a choropleth is drawn at, with their plural and singular French names.
INDICATOR_LEVELS = {
    "commune": "communes",
    "epci": "EPCI",
    "departement": "départements",
    "region": "régions",
}
LEVEL_NAMES = {
    "commune": "commune",
    "epci": "EPCI",
    "departement": "département",
    "region": "région",
}
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
    """``dataset:aggregate`` of every plain per-territory figure of the loadable datasets."""
    return [
        f"{d.id}:{a.name}"
        for d in CATALOGUE.values()
        if d.loader_available
        for a in d.aggregates
        if a.by is None and a.where_column is None
    ]


def indicator_ids(figures: Sequence[str]) -> list[str]:
    """Ids of the choropleths: ``projets:<level>`` and ``<dataset>:<aggregate>:<level>`` for
    each ``figures`` entry ``<dataset>:<aggregate>``, per département, région, EPCI and commune
    (the lighter levels first)."""
    levels = ("departement", "region", "epci", "commune")
    return [f"{source}:{level}" for source in (PROJECTS_INDICATOR, *figures) for level in levels]


def parse_indicator(indicator: str) -> tuple[str, str | None, str]:
    """``(source, aggregate, level)`` of an id from :func:`indicator_ids`."""
    parts = indicator.split(":")
    if len(parts) == 2:
        return parts[0], None, parts[1]
    return parts[0], parts[1], parts[-1]


def indicator_label(indicator: str) -> str:
    source, aggregate, level = parse_indicator(indicator)
    where = LEVEL_NAMES[level]
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
    outlines: gpd.GeoDataFrame,
    level: str,
    *,
    national_size: int,
    inside: Collection[str] | None = None,
    budget: int | None = None,
) -> gpd.GeoDataFrame | str:
    """The outlines a choropleth of ``level`` draws, or a French notice when they do not fit.

    ``national_size`` is :func:`geo.maps.geojson_size` of every outline of the level (cache
    it); ``inside`` the codes of the level in the chosen territory (None without one).
    Within ``budget`` (default :data:`geo.maps.OUTLINES_BUDGET_BYTES`), every outline; over
    it, only those ``inside``, if they fit.
    """
    budget = maps.OUTLINES_BUDGET_BYTES if budget is None else budget
    if national_size <= budget:
        return outlines
    levels = INDICATOR_LEVELS[level]
    if inside is None:
        return CHOOSE_TERRITORY.format(levels=levels)
    subset = outlines[outlines["code"].astype(str).isin(set(inside))]
    if maps.geojson_size(maps.outlines_geojson(subset)) > budget:
        return TOO_LARGE.format(levels=levels)
    return subset
