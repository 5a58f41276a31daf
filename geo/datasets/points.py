"""Steps shared by point datasets: coordinates → checked points → territories.

:func:`place_points` takes the longitudes and latitudes a loader read, repairs swapped
pairs, rejects what cannot be a place in France (with line and French reason), locates the
rest by point in polygon on the communes, and checks the commune code the file published
against the located commune (:mod:`geo.datasets.codecheck`): the code confirms the point,
and overrules it only when the point is far from the commune that the code *and* the
published commune name designate.
"""

from __future__ import annotations

import weakref

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.datasets.codecheck import confirm_codes
from geo.datasets.csvfile import LINE
from geo.datasets.parsing import CommuneCodes, orient_lon_lat
from geo.datasets.report import LoadReport
from geo.territory import TERRITORY_COLUMNS, Territories

#: Column of the file line of each kept row, in every normalised frame.
SOURCE_LINE = "ligne"


def _format(values: np.ndarray) -> list[str]:
    return [f"{value:.6g}" for value in values]


def reject_bad_points(
    frame: pd.DataFrame,
    lon: np.ndarray,
    lat: np.ndarray,
    report: LoadReport,
    *,
    unreadable: np.ndarray | None = None,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Rows that are places in France, with their (possibly un-swapped) coordinates.

    Rejected, one reason per line: no coordinates, unreadable coordinates, the ``[0, 0]``
    placeholder, a point in France in neither order. Swapped pairs are repaired and counted
    as ``coordonnees_inversees``.
    """
    found = orient_lon_lat(lon, lat)
    lines = frame[LINE].to_numpy()
    unreadable = np.zeros(len(frame), dtype=bool) if unreadable is None else unreadable
    report.repair("coordonnees_inversees", found.swapped)
    unreadable = unreadable & found.missing
    absent = found.missing & ~unreadable
    report.reject(lines[absent], "coordonnées absentes")
    report.reject(lines[unreadable], "coordonnées illisibles")
    report.reject(lines[found.zero], "coordonnées [0, 0] (valeur par défaut, pas un lieu)")
    if found.outside.any():
        lon_text, lat_text = _format(lon[found.outside]), _format(lat[found.outside])
        reasons = [
            f"coordonnées hors de France dans les deux ordres (lon {x}, lat {y})"
            for x, y in zip(lon_text, lat_text, strict=True)
        ]
        report.reject(lines[found.outside], reasons)
    keep = ~(found.missing | found.zero | found.outside)
    kept = frame[keep].reset_index(drop=True)
    return kept, found.lon[keep], found.lat[keep]


def locate_points(
    frame: pd.DataFrame,
    lon: np.ndarray,
    lat: np.ndarray,
    territories: Territories,
    report: LoadReport,
    *,
    commune_code: pd.Series | None = None,
    commune_name: pd.Series | None = None,
) -> gpd.GeoDataFrame:
    """``frame`` (already checked points) with the four territory columns and Point
    geometries in EPSG:4326 (None for a row moved to a commune whose outline is not loaded).
    ``commune_code`` (the file's INSEE column, as published) is cleaned and compared with
    where the point falls, ``commune_name`` (its commune name column) decides for far points
    (:mod:`geo.datasets.codecheck`)."""
    located = territories.locate(lat, lon) if len(frame) else _empty_territories()
    located.index = frame.index
    lon, lat = np.array(lon, dtype=np.float64), np.array(lat, dtype=np.float64)
    if commune_code is not None and len(frame):
        lines = frame[LINE].to_numpy()
        confirm_codes(
            commune_code, commune_name, lines, located, lon, lat, territories,
            commune_codes(territories), report,
        )  # fmt: skip
    out = pd.concat([frame, located], axis=1)
    points = gpd.points_from_xy(lon, lat)
    geometry = np.where(np.isnan(lon) | np.isnan(lat), None, np.asarray(points, dtype=object))
    return gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(geometry, crs=4326), crs=4326)


def place_points(
    frame: pd.DataFrame,
    lon: np.ndarray,
    lat: np.ndarray,
    territories: Territories,
    report: LoadReport,
    *,
    unreadable: np.ndarray | None = None,
    commune_code: str | None = None,
    commune_name: str | None = None,
) -> gpd.GeoDataFrame:
    """:func:`reject_bad_points` then :func:`locate_points`; ``commune_code`` and
    ``commune_name`` name the file's INSEE and commune name columns."""
    kept, lon, lat = reject_bad_points(frame, lon, lat, report, unreadable=unreadable)
    codes = kept[commune_code] if commune_code else None
    names = kept[commune_name] if commune_name and commune_name in kept else None
    return locate_points(
        kept, lon, lat, territories, report, commune_code=codes, commune_name=names
    )


def _empty_territories() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series([], dtype=object) for name in TERRITORY_COLUMNS})


_CODES: weakref.WeakKeyDictionary[Territories, CommuneCodes] = weakref.WeakKeyDictionary()


def commune_codes(territories: Territories) -> CommuneCodes:
    """The :class:`CommuneCodes` of a territory reference, built once per reference."""
    codes = _CODES.get(territories)
    if codes is None:
        codes = _CODES[territories] = CommuneCodes(territories.commune_code_reader)
    return codes
