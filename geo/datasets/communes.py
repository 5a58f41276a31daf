"""Steps shared by commune-level datasets (production, consommation): codes → territories.

These datasets have no coordinates: each row names its commune by INSEE code. The code is
cleaned with the COG (:class:`geo.datasets.parsing.CommuneCodes`: spaces, lost leading zero,
old codes of merged communes, arrondissements, postal codes), the four territory columns come
from the COG hierarchy, and the geometry is a representative point of the commune's outline
when that outline is loaded (None otherwise: the row is kept, its territory columns are
enough for every per-territory figure).

A row whose code the COG does not know is rejected with its line. A postal code shared by
several communes cannot name one commune: the row keeps the EPCI, département and région
those communes have in common. A row without any commune code may still name its
département (the register's "Agrégation des installations de moins de 36KW" rows).
"""

from __future__ import annotations

import weakref

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.datasets.csvfile import LINE
from geo.datasets.parsing import text
from geo.datasets.points import commune_codes
from geo.datasets.report import LoadReport
from geo.territory import TERRITORY_COLUMNS, Territories

UNKNOWN_CODE = "code commune inconnu du COG"
NO_CODE = "ni code commune ni département"
UNKNOWN_DEPARTEMENT = "code commune absent et département inconnu du COG"
AMBIGUOUS_POSTAL = (
    "code postal commun à plusieurs communes : commune inconnue, EPCI, département et région "
    "gardés quand ces communes les partagent"
)


def place_communes(
    frame: pd.DataFrame,
    codes: pd.Series,
    territories: Territories,
    report: LoadReport,
    *,
    departement: pd.Series | None = None,
) -> gpd.GeoDataFrame:
    """The rows of ``frame`` that can be placed, with the four territory columns and a Point
    (or None) geometry in EPSG:4326; the others are rejected in ``report``.

    ``codes`` holds the commune codes as published, ``departement`` (optional) the
    département code used when a row has no commune code. Repairs of the codes are counted
    (``code_insee_ancien``, ``code_insee_code_postal``, ``code_insee_zero_initial``,
    ``code_insee_espaces``).
    """
    frame = frame.reset_index(drop=True)
    codes = pd.Series(codes, copy=False).reset_index(drop=True)
    lines = frame[LINE].to_numpy()
    cleaned = commune_codes(territories).clean(codes)
    for kind, mask in cleaned.repairs.items():
        report.repair(kind, mask)
    published = text(codes)
    present = published.notna().to_numpy()
    current = cleaned.values
    found = current.notna().to_numpy()

    unknown = cleaned.invalid
    if unknown.any():
        report.reject(
            lines[unknown],
            [f"{UNKNOWN_CODE} : « {value} »" for value in published[unknown]],
        )
    table = _hierarchy(territories, current)

    ambiguous = present & ~unknown & ~found
    if ambiguous.any():
        shared = _shared_parents(territories, published[ambiguous])
        for name in ("code_epci", "code_departement", "code_region"):
            table.loc[ambiguous, name] = shared[name].to_numpy(dtype=object)
        report.warn_rows(lines[ambiguous], AMBIGUOUS_POSTAL)

    absent = ~present
    kept_absent = np.zeros(len(frame), dtype=bool)
    if absent.any():
        deps = text(departement) if departement is not None else None
        if deps is None:
            report.reject(lines[absent], NO_CODE)
        else:
            dep = deps.reset_index(drop=True).str.upper().str.zfill(2)
            regions = territories.cog.departements.set_index("code")["region"]
            region = dep.map(regions)
            known = absent & region.notna().to_numpy()
            unknown_dep = absent & dep.notna().to_numpy() & ~known
            report.reject(lines[absent & dep.isna().to_numpy()], NO_CODE)
            if unknown_dep.any():
                report.reject(
                    lines[unknown_dep],
                    [f"{UNKNOWN_DEPARTEMENT} : « {value} »" for value in dep[unknown_dep]],
                )
            table.loc[known, "code_departement"] = dep[known].to_numpy(dtype=object)
            table.loc[known, "code_region"] = region[known].to_numpy(dtype=object)
            kept_absent = known

    keep = (present & ~unknown) | kept_absent
    out = pd.concat([frame, table[list(TERRITORY_COLUMNS)]], axis=1)[keep].reset_index(drop=True)
    for name in TERRITORY_COLUMNS:
        values = out[name].astype(object)
        out[name] = values.where(values.notna(), None)
    points = representative_points(territories)
    geometry = out["code_commune"].map(points).to_numpy(dtype=object)
    geometry = np.where(pd.isna(geometry), None, geometry)
    return gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(geometry, crs=4326), crs=4326)


def _hierarchy(territories: Territories, codes: pd.Series) -> pd.DataFrame:
    """:meth:`Territories.hierarchy_of_communes`, once per distinct code (a national file
    repeats each commune for every year, operator and energy)."""
    positions, uniques = pd.factorize(codes, use_na_sentinel=True)
    distinct = territories.hierarchy_of_communes([*uniques, None])
    return distinct.iloc[np.where(positions < 0, len(uniques), positions)].reset_index(drop=True)


def _shared_parents(territories: Territories, postal: pd.Series) -> pd.DataFrame:
    """EPCI, département and région common to every commune of each postal code (None when
    the communes differ)."""
    communes = territories.cog.communes[["codes_postaux", "epci", "departement", "region"]]
    exploded = communes.explode("codes_postaux").dropna(subset=["codes_postaux"])
    wanted = exploded[exploded["codes_postaux"].isin(set(postal.str.replace(" ", "")))]
    common = {}
    for column, name in (
        ("epci", "code_epci"),
        ("departement", "code_departement"),
        ("region", "code_region"),
    ):
        per_postal = wanted.groupby("codes_postaux")[column].agg(
            lambda values: values.iloc[0] if values.nunique(dropna=False) == 1 else None
        )
        common[name] = postal.str.replace(" ", "").map(per_postal).to_numpy(dtype=object)
    return pd.DataFrame(common)


_POINTS: weakref.WeakKeyDictionary[Territories, pd.Series] = weakref.WeakKeyDictionary()


def representative_points(territories: Territories) -> pd.Series:
    """A point inside each loaded commune outline, by current commune code (computed once
    per territory reference)."""
    points = _POINTS.get(territories)
    if points is None:
        table = territories.representative_points()
        points = pd.Series(
            shapely.points(table["lon"].to_numpy(), table["lat"].to_numpy()),
            index=table.index.to_numpy(),
            dtype=object,
        )
        _POINTS[territories] = points
    return points


__all__ = ["place_communes", "representative_points"]
