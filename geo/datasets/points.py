"""Steps shared by point datasets: coordinates → checked points → territories.

:func:`place_points` takes the longitudes and latitudes a loader read, repairs swapped
pairs, rejects what cannot be a place in France (with line and French reason), locates the
rest by point in polygon on the communes, and checks the commune code the file published
against the located commune (the code confirms; it never places a point).
"""

from __future__ import annotations

import weakref

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.datasets.csvfile import LINE
from geo.datasets.parsing import CommuneCodes, orient_lon_lat
from geo.datasets.report import LoadReport
from geo.territory import TERRITORY_COLUMNS, Territories

#: Column of the file line of each kept row, in every normalised frame.
SOURCE_LINE = "ligne"

MISMATCH_COMMUNE = "code INSEE du fichier ≠ commune localisée"
MISMATCH_DEPARTEMENT = "code INSEE du fichier dans un autre département que le point"
UNREADABLE_CODE = "code INSEE du fichier illisible ou inconnu (ignoré : le point fait foi)"


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
) -> gpd.GeoDataFrame:
    """``frame`` (already checked points) with the four territory columns and Point
    geometries in EPSG:4326. ``commune_code`` (the file's INSEE column, as published) is
    cleaned and compared with where the point falls; disagreements are warnings."""
    located = territories.locate(lat, lon) if len(frame) else _empty_territories()
    located.index = frame.index
    if commune_code is not None and len(frame):
        lines = frame[LINE].to_numpy()
        published = commune_code.reset_index(drop=True)
        _confirm_codes(published, lines, located, lon, lat, territories, report)
    out = pd.concat([frame, located], axis=1)
    return gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(lon, lat), crs=4326)


def place_points(
    frame: pd.DataFrame,
    lon: np.ndarray,
    lat: np.ndarray,
    territories: Territories,
    report: LoadReport,
    *,
    unreadable: np.ndarray | None = None,
    commune_code: str | None = None,
) -> gpd.GeoDataFrame:
    """:func:`reject_bad_points` then :func:`locate_points`; ``commune_code`` names the
    file's INSEE column."""
    kept, lon, lat = reject_bad_points(frame, lon, lat, report, unreadable=unreadable)
    codes = kept[commune_code] if commune_code else None
    return locate_points(kept, lon, lat, territories, report, commune_code=codes)


def _empty_territories() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series([], dtype=object) for name in TERRITORY_COLUMNS})


def _confirm_codes(
    published: pd.Series,
    lines: np.ndarray,
    located: pd.DataFrame,
    lon: np.ndarray,
    lat: np.ndarray,
    territories: Territories,
    report: LoadReport,
) -> None:
    codes = commune_codes(territories)
    cleaned = codes.clean(published)
    for kind, mask in cleaned.repairs.items():
        report.repair(kind, mask)
    report.warn_rows(lines[cleaned.invalid], UNREADABLE_CODE)
    commune = located["code_commune"].reset_index(drop=True)
    report.warn_rows(lines[codes.disagree(published, commune)], MISMATCH_COMMUNE)

    # Outside the loaded communes, the département outlines still catch a wrong code.
    unlocated = commune.isna().to_numpy() & cleaned.values.notna().to_numpy()
    if not unlocated.any():
        return
    departements = territories.display_outlines("departement")
    if departements.empty:
        return
    expected = territories.hierarchy_of_communes(cleaned.values[unlocated].to_numpy())
    wanted = expected["code_departement"].to_numpy(dtype=object)
    tree = shapely.STRtree(departements.geometry.to_numpy())
    point_index, polygon_index = tree.query(
        shapely.points(lon[unlocated], lat[unlocated]), predicate="intersects"
    )
    actual = np.full(len(wanted), None, dtype=object)
    actual[point_index] = departements["code"].to_numpy(dtype=object)[polygon_index]
    differs = pd.notna(actual) & pd.notna(wanted) & (actual != wanted)
    report.warn_rows(lines[unlocated][differs], MISMATCH_DEPARTEMENT)


_CODES: weakref.WeakKeyDictionary[Territories, CommuneCodes] = weakref.WeakKeyDictionary()


def commune_codes(territories: Territories) -> CommuneCodes:
    """The :class:`CommuneCodes` of a territory reference, built once per reference."""
    codes = _CODES.get(territories)
    if codes is None:
        codes = _CODES[territories] = CommuneCodes(territories.cog)
    return codes
