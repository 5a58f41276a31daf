"""Does the commune code a file publishes agree with where its point falls? And when a point is
far from that commune, which one to believe.

The point places a row (:mod:`geo.datasets.points`); the published INSEE code confirms it.
A code agrees when any of its readings (:mod:`geo.territory.codes`: current, old or postal
code) is the commune the point falls in. When it does not, what matters is how far the point
is from the commune the code designates (its nearest outline among the code's readings, or,
when that commune's outline is not loaded, the outline of its département as a lower bound):

- **near** (≤ :data:`FAR_KM`): a point on the wrong side of a commune border, a place named
  after the town next door. The point is right; one grouped warning counts these rows.
- **far** (> :data:`FAR_KM`): the point or the code is wrong — real BNLC editions hold runs of
  rows whose coordinates are shifted by one line (a place of the Pyrénées-Orientales in
  Charente), and homonyms geocoded in another département (Bias, Landes, placed in Bias,
  Lot-et-Garonne). Each such row gets its own warning with its file line, and the published
  commune name (``com_lieu`` for the BNLC, ``consolidated_commune`` for the IRVE file)
  decides by this rule:

  1. the name designates the code's commune at least as well as the commune the point falls
     in (:func:`geo.territory.codes.name_match`: same name, the name within the text, or a
     typo) — this includes homonyms, where it designates both: **the code is kept**. The row
     takes the code's commune and its territories, and its point is moved to the
     representative point of that commune (no point when the commune's outline is not
     loaded); the published coordinates are quoted in the warning. Repair
     ``point_eloigne_code_retenu``.
  2. otherwise — the name designates the commune of the point only, or there is no name to
     decide: **the point is kept** (a code alone never moves a point), and so are its
     territories; nothing is changed, the line's warning says so.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

import numpy as np
import pandas as pd
import shapely

from geo.datasets.parsing import CommuneCodes
from geo.datasets.report import LoadReport
from geo.territory import TERRITORY_COLUMNS, Territories
from geo.territory.codes import CodeReading, name_match
from geo.text import french_number

#: Beyond this distance from the commune its code designates, a point is "far".
FAR_KM = 5.0
_KM_PER_DEGREE = 6371.0088 * np.pi / 180

MISMATCH_COMMUNE = "code INSEE du fichier ≠ commune localisée"
MISMATCH_NEAR = (
    f"{MISMATCH_COMMUNE}, point à moins de {FAR_KM:g} km de la commune du code (limite de "
    "communes ou lieu nommé d'après la commune voisine : le point fait foi)"
)
MISMATCH_UNKNOWN_DISTANCE = (
    f"{MISMATCH_COMMUNE}, contour de la commune du code non chargé (le point fait foi)"
)
MISMATCH_DEPARTEMENT = "code INSEE du fichier dans un autre département que le point"
UNREADABLE_CODE = "code INSEE du fichier illisible ou inconnu (ignoré : le point fait foi)"
CODE_KEPT = "point_eloigne_code_retenu"


def confirm_codes(
    published: pd.Series,
    names: pd.Series | None,
    lines: np.ndarray,
    located: pd.DataFrame,
    lon: np.ndarray,
    lat: np.ndarray,
    territories: Territories,
    codes: CommuneCodes,
    report: LoadReport,
) -> np.ndarray:
    """Compare each row's published code with its located commune (see the module
    docstring); rows whose code is kept get the code's commune in ``located`` (changed in
    place) and their new coordinates in ``lon``/``lat`` (NaN: no point). Returns the mask of
    those rows."""
    published = published.reset_index(drop=True)
    cleaned = codes.clean(published)
    for kind, mask in cleaned.repairs.items():
        report.repair(kind, mask)
    report.warn_rows(lines[cleaned.invalid], UNREADABLE_CODE)
    readings = codes.readings(published)
    commune = located["code_commune"].to_numpy(dtype=object)
    disagree = np.array(
        [
            reading is not None and reading.known and not reading.designates(place)
            for reading, place in zip(readings, commune, strict=True)
        ],
        dtype=bool,
    )
    moved = np.zeros(len(published), dtype=bool)
    if not disagree.any():
        return moved
    rows = np.flatnonzero(disagree)
    candidates = [readings[row].communes for row in rows.tolist()]  # type: ignore[union-attr]
    km, nearest, at_least = distances_to_communes(lon[rows], lat[rows], candidates, territories)
    far = km > FAR_KM
    near = ~far
    is_located = pd.notna(commune[rows])
    unknown = np.isnan(km)
    report.warn_rows(lines[rows[near & is_located & ~unknown]], MISMATCH_NEAR)
    report.warn_rows(lines[rows[near & is_located & unknown]], MISMATCH_UNKNOWN_DISTANCE)
    report.warn_rows(lines[rows[near & ~is_located & ~unknown & (km > 0)]], MISMATCH_DEPARTEMENT)
    if not far.any():
        return moved
    written = None if names is None else names.reset_index(drop=True).to_numpy(dtype=object)
    nom = territories.commune_code_reader.name
    kept_rows: list[int] = []
    kept_codes: list[str] = []
    for position in np.flatnonzero(far):
        row = int(rows[position])
        name = None if written is None else written[row]
        reading = readings[row]
        assert reading is not None
        kept = _decide(reading, name, commune[row], nearest[position], nom)
        message = _far_message(
            reading, name, commune[row], kept or nearest[position], kept is not None,
            km[position], bool(at_least[position]), lon[row], lat[row], nom,
        )  # fmt: skip
        report.warn_line(int(lines[row]), message)
        if kept is not None:
            kept_rows.append(row)
            kept_codes.append(kept)
    if kept_rows:
        report.repair(CODE_KEPT, len(kept_rows))
        moved[kept_rows] = True
        hierarchy = territories.hierarchy_of_communes(kept_codes)
        for column in TERRITORY_COLUMNS:
            located.iloc[kept_rows, located.columns.get_loc(column)] = hierarchy[column].to_numpy()
        points = territories.representative_points().reindex(kept_codes)
        lon[kept_rows] = points["lon"].to_numpy(dtype=np.float64)
        lat[kept_rows] = points["lat"].to_numpy(dtype=np.float64)
    return moved


def _decide(
    reading: CodeReading,
    name: object,
    located: object,
    nearest: str | None,
    nom: Callable[[str], str],
) -> str | None:
    """The commune of the code to keep, or None to keep the point (module docstring)."""
    if not isinstance(name, str) or not name.strip():
        return None  # no name to decide: the point is kept
    scores = {code: name_match(name, nom(code)) for code in reading.communes}
    best = max(scores.values(), default=0)
    if best == 0:
        return None
    located_score = name_match(name, nom(str(located))) if pd.notna(located) else 0
    if best < located_score:
        return None
    matching = [code for code, score in scores.items() if score == best]
    for preferred in (reading.chosen, nearest):
        if preferred in matching:
            return preferred
    return sorted(matching)[0]


def _far_message(
    reading: CodeReading,
    name: object,
    located: object,
    target: str | None,
    code_kept: bool,
    km: float,
    at_least: bool,
    lon: float,
    lat: float,
    nom: Callable[[str], str],
) -> str:
    def label(code: object) -> str:
        return f"{nom(str(code))} ({code})"

    where = label(located) if pd.notna(located) else "hors des communes chargées"
    written = f" et son nom « {str(name).strip()} »" if isinstance(name, str) else ""
    distance = ("plus de " if at_least else "") + french_number(km, decimals=0 if km >= 10 else 1)
    published = f"lon {lon:.6g}, lat {lat:.6g}"
    target = target or reading.chosen or sorted(reading.communes)[0]
    if code_kept:
        homonym = ""
        if pd.notna(located) and name_match(name, nom(str(located))):
            homonym = f" (homonyme de {label(located)}, où tombe le point)"
        return (
            f"point à {distance} km de {label(target)}, la commune que désignent son code "
            f"INSEE « {reading.code} »{written}{homonym} : code retenu, lieu rangé dans "
            f"{label(target)} et placé en un point de cette commune (coordonnées publiées : "
            f"{published}, {where})"
        )
    if pd.notna(located) and isinstance(name, str) and name_match(name, nom(str(located))):
        return (
            f"code INSEE « {reading.code} » ({label(target)}) à {distance} km du point, qui "
            f"tombe dans {where} comme le dit son nom « {name.strip()} » : le point fait foi"
        )
    because = (
        f"son nom « {name.strip()} » ne désigne pas cette commune"
        if isinstance(name, str) and name.strip()
        else "aucun nom de commune ne le confirme"
    )
    return (
        f"point à {distance} km de {label(target)}, la commune de son code INSEE "
        f"« {reading.code} », et {because} : le point fait foi ({published}, {where})"
    )


def distances_to_communes(
    lon: np.ndarray,
    lat: np.ndarray,
    candidates: Sequence[Collection[str]],
    territories: Territories,
) -> tuple[np.ndarray, list[str | None], np.ndarray]:
    """For each point, the distance in km to the nearest of its candidate communes (current
    codes), that commune, and whether the distance is only a lower bound: where a commune's
    outline is not loaded, it is the distance to the outline of its département. NaN when
    it cannot be known for one of the candidates (the point inside that département, or a
    département whose outline is not loaded either)."""
    pairs = [(row, code) for row, codes in enumerate(candidates) for code in sorted(codes)]
    best = np.full(len(candidates), np.nan)
    nearest: list[str | None] = [None] * len(candidates)
    at_least = np.zeros(len(candidates), dtype=bool)
    if not pairs:
        return best, nearest, at_least
    rows = np.array([r for r, _ in pairs], dtype=np.int64)
    communes = np.array([c for _, c in pairs], dtype=object)
    lon, lat = np.asarray(lon, dtype=np.float64)[rows], np.asarray(lat, dtype=np.float64)[rows]
    outlines = territories.exact_outlines("commune", set(communes.tolist()))
    km = _km(outlines["code"].to_numpy(dtype=object), outlines.geometry.to_numpy(), communes,
             lon, lat)  # fmt: skip
    fallback = np.isnan(km) & ~np.isin(communes, outlines["code"].to_numpy(dtype=object))
    if fallback.any():
        departements = territories.display_outlines("departement")
        dep_of = territories.hierarchy_of_communes(communes[fallback])["code_departement"]
        dep_km = _km(
            departements["code"].to_numpy(dtype=object), departements.geometry.to_numpy(),
            dep_of.to_numpy(dtype=object), lon[fallback], lat[fallback],
        )  # fmt: skip
        km[fallback] = np.where(dep_km > 0, dep_km, np.nan)
    unknown = np.zeros(len(candidates), dtype=bool)
    for row, code, value, bound in zip(rows.tolist(), communes.tolist(), km, fallback, strict=True):
        if np.isnan(value):
            unknown[row] = True  # this commune may be near: nothing can be said
        elif np.isnan(best[row]) or value < best[row]:
            best[row], nearest[row], at_least[row] = value, code, bound
    best[unknown] = np.nan
    return best, nearest, at_least


def _km(
    codes: np.ndarray, shapes: np.ndarray, wanted: np.ndarray, lon: np.ndarray, lat: np.ndarray
) -> np.ndarray:
    """Distance in km from each point to the shape of its ``wanted`` code (NaN where there
    is none), each shape in its own equirectangular frame (longitudes shrunk by the cosine
    of its latitude): every shape is transformed once however many points ask for it."""
    out = np.full(len(wanted), np.nan)
    if not len(codes):
        return out
    position = pd.Index(codes).get_indexer(wanted)
    present = position >= 0
    if not present.any():
        return out
    used = np.unique(position[present])
    chosen = np.asarray(shapes, dtype=object)[used]  # a copy: the outlines stay untouched
    scale = np.cos(np.radians(shapely.get_y(shapely.centroid(chosen))))
    coords, index = shapely.get_coordinates(chosen, return_index=True)
    coords[:, 0] *= scale[index]
    scaled = shapely.set_coordinates(chosen, coords)
    slot = np.searchsorted(used, position[present])
    points = shapely.points(lon[present] * scale[slot], lat[present])
    out[present] = shapely.distance(scaled[slot], points) * _KM_PER_DEGREE
    return out


__all__ = [
    "CODE_KEPT",
    "FAR_KM",
    "MISMATCH_COMMUNE",
    "MISMATCH_DEPARTEMENT",
    "MISMATCH_NEAR",
    "UNREADABLE_CODE",
    "confirm_codes",
    "distances_to_communes",
]
