"""Cycle lanes: a producer file in the schema aménagements cyclables (v0.3.x), a GeoJSON
FeatureCollection of LineStrings (or its GeoParquet conversion by ``data fetch``).

Normalised frame, one row per feature, EPSG:4326 lines:

===========================  ==============================================================
column                       content
===========================  ==============================================================
id_local, id_osm, num_iti    ids as published
reseau_loc                   REV, Structurant, Autre
nom_loc                      local route names (the schema's array, joined with `` ; ``)
ref_geo                      geographic reference used
code_com_d, code_com_g       commune codes of the right / left side, as published
ame_d, ame_g                 facility on the right / left (PISTE CYCLABLE, …, AUCUN)
regime_d, regime_g           traffic regime (ZONE 30, …)
sens_d, sens_g               UNIDIRECTIONNEL / BIDIRECTIONNEL
largeur_d, largeur_g         width in metres (Float64)
local_d, local_g             TROTTOIR, INTERMEDIAIRE, CHAUSSEE
statut_d, statut_g           EN SERVICE, EN TRAVAUX, PROVISOIRE
revet_d, revet_g             LISSE, RUGUEUX, MEUBLE
access_ame                   ROLLER, VELO DE ROUTE, VTC, VTT
date_maj                     last update (date)
trafic_vit                   speed limit of the adjacent traffic, km/h (Int64)
lumiere                      lit (boolean)
d_service                    year of commissioning (Int64)
comm, source, project_c      as published
longueur_m                   length in metres, on the WGS84 ellipsoid (geodesic)
ligne                        index of the feature in ``features`` (0 for the first)
code_commune …               the four territory columns, from the line's midpoint
===========================  ==============================================================

List values are written in the schema's spelling (``Piste cyclable`` → ``PISTE CYCLABLE``).
Features without a geometry, with an empty, unreadable or invalid one (fewer than two
distinct points), or a geometry that is not a line are rejected with their index. A
FeatureCollection in another CRS (a ``crs`` member, or Lambert-93 numbers without one) is
reprojected; lines written lat/lon are swapped back.

Length: the sum of geodesic segment lengths (:class:`pyproj.Geod`, WGS84), exact anywhere in
France, metropolitan or overseas, with no projection to choose; it agrees with a Lambert-93
length to within its scale error (< 0.3 % in metropolitan France).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import orjson
import pandas as pd
import shapely
from pyproj import Geod, Transformer

from geo.datasets import Loaded
from geo.datasets.codecheck import MISMATCH_COMMUNE
from geo.datasets.columns import Columns
from geo.datasets.csvfile import LINE, DatasetFormatError
from geo.datasets.duplicates import identical_rows
from geo.datasets.filekind import refuse_unless_text
from geo.datasets.jsonfile import json_strings, looks_like_json, missing_columns
from geo.datasets.labels import enum_values
from geo.datasets.parsing import orient_lon_lat
from geo.datasets.points import SOURCE_LINE, commune_codes
from geo.datasets.renaming import rename
from geo.datasets.report import LoadReport
from geo.datasets.schema import TableSchema, validate
from geo.territory import TERRITORY_COLUMNS, Territories

DATASET = "amenagements_cyclables"
TITLE = "aménagements cyclables (schéma aménagements cyclables, GeoJSON)"
REQUIRED = ("ame_d", "ame_g")
_AMENAGEMENTS = (
    "PISTE CYCLABLE",
    "BANDE CYCLABLE",
    "DOUBLE SENS CYCLABLE PISTE",
    "DOUBLE SENS CYCLABLE BANDE",
    "DOUBLE SENS CYCLABLE NON MATERIALISE",
    "VOIE VERTE",
    "VELO RUE",
    "COULOIR BUS+VELO",
    "RAMPE",
    "GOULOTTE",
    "AMENAGEMENT MIXTE PIETON VELO HORS VOIE VERTE",
    "CHAUSSEE A VOIE CENTRALE BANALISEE",
    "ACCOTEMENT REVETU HORS CVCB",
    "AUCUN",
    "AUTRE",
)
_SIDED_ENUMS = {
    "ame": _AMENAGEMENTS,
    "regime": (
        "ZONE 30",
        "AIRE PIETONNE",
        "ZONE DE RENCONTRE",
        "EN AGGLOMERATION",
        "HORS AGGLOMERATION",
        "AUTRE",
    ),
    "sens": ("UNIDIRECTIONNEL", "BIDIRECTIONNEL"),
    "local": ("TROTTOIR", "INTERMEDIAIRE", "CHAUSSEE"),
    "statut": ("EN TRAVAUX", "EN SERVICE", "PROVISOIRE"),
    "revet": ("LISSE", "RUGUEUX", "MEUBLE"),
}
#: Columns whose values come from a list of the schema, with that list.
ENUMS = {
    "reseau_loc": ("REV", "Structurant", "Autre"),
    **{f"{name}_{side}": values for name, values in _SIDED_ENUMS.items() for side in "dg"},
    "access_ame": ("ROLLER", "VELO DE ROUTE", "VTC", "VTT"),
}
TEXT_COLUMNS = (
    "id_local",
    "id_osm",
    "num_iti",
    "ref_geo",
    "code_com_d",
    "code_com_g",
    "comm",
    "source",
    "project_c",
)
SIDED = ("code_com", "ame", "regime", "sens", "largeur", "local", "statut", "revet")
OUTPUT_COLUMNS = (
    "id_local",
    "id_osm",
    "num_iti",
    "reseau_loc",
    "nom_loc",
    "ref_geo",
    *(f"{name}_{side}" for name in SIDED for side in "dg"),
    "access_ame",
    "date_maj",
    "trafic_vit",
    "lumiere",
    "d_service",
    "comm",
    "source",
    "project_c",
    "longueur_m",
    SOURCE_LINE,
    *TERRITORY_COLUMNS,
)
GEOD = Geod(ellps="WGS84")
#: Lambert-93 (EPSG:2154) extent of metropolitan France, to recognise undeclared files.
LAMBERT_93 = (-400_000.0, 1_400_000.0, 5_900_000.0, 7_300_000.0)
_EPSG = re.compile(r"EPSG:+(\d+)", re.IGNORECASE)


def load(path: Path, *, territories: Territories, schema: TableSchema | None = None) -> Loaded:
    report = LoadReport(DATASET)
    path = Path(path)
    if path.suffix.lower() in (".parquet", ".geoparquet"):
        properties, geometry, problems, epsg = _read_parquet(path)
    else:
        properties, geometry, problems, epsg = _read_geojson(path)
    missing = [name for name in REQUIRED if name not in properties.columns]
    if missing:
        raise missing_columns(TITLE, missing, list(properties.columns), noun="propriété")
    report.rows_read = len(properties)
    properties[LINE] = np.arange(len(properties), dtype=np.int64)
    if schema is not None:
        validate(properties, schema, report)

    geometry = _reproject(geometry, epsg, report)
    keep = _check_geometry(geometry, problems, properties[LINE].to_numpy(), report)
    checked = np.flatnonzero(keep)
    keep[checked[~_unique(properties.iloc[checked], geometry[checked], report)]] = False
    properties = properties[keep].reset_index(drop=True)
    geometry = geometry[keep]

    normal = _normalise(properties, report)
    midpoints = shapely.line_interpolate_point(geometry, 0.5, normalized=True)
    lon, lat = shapely.get_x(midpoints), shapely.get_y(midpoints)
    located = territories.locate(lat, lon) if len(normal) else _no_territories()
    _confirm_codes(normal, located, territories, report)
    normal["longueur_m"] = geodesic_length(geometry).round(2)
    out = pd.concat([normal, located.set_axis(normal.index)], axis=1)
    out = out.rename(columns={LINE: SOURCE_LINE})[list(OUTPUT_COLUMNS)]
    frame = gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(geometry, crs=4326), crs=4326)
    report.finish(rows_kept=len(frame))
    return Loaded(frame, report)


# --- reading ------------------------------------------------------------------------------------


def _read_geojson(path: Path) -> tuple[pd.DataFrame, np.ndarray, dict[int, str], int | None]:
    """Feature properties as strings, geometries (None where unusable), the reason per
    unusable feature, and the declared EPSG code."""
    if not looks_like_json(path):
        refuse_unless_text(path, TITLE, expected="GeoJSON")
        msg = (
            f"{path.name} n'est pas un fichier GeoJSON : c'est un texte (CSV ?). Le jeu "
            f"« {TITLE} » se charge depuis son fichier GeoJSON (ou GeoParquet)."
        )
        raise DatasetFormatError(msg)
    try:
        document = orjson.loads(path.read_bytes().removeprefix(b"\xef\xbb\xbf"))
    except (OSError, orjson.JSONDecodeError) as error:
        msg = f"Fichier « {TITLE} » illisible : {path} ({error})."
        raise DatasetFormatError(msg) from error
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list):
        msg = (
            f"Ce fichier n'est pas au format « {TITLE} » : une FeatureCollection GeoJSON "
            "était attendue."
        )
        raise DatasetFormatError(msg)
    rows: list[dict[str, Any]] = []
    geometries: list[Any] = []
    for feature in features:
        feature = feature if isinstance(feature, dict) else {}
        props = feature.get("properties")
        rows.append(props if isinstance(props, dict) else {})
        geometries.append(feature.get("geometry"))
    table = pd.DataFrame.from_records(rows) if rows else pd.DataFrame()
    table.columns = rename([str(name) for name in table.columns])
    if "nom_loc" in table.columns:
        table["nom_loc"] = table["nom_loc"].map(_join_names)
    properties = pd.DataFrame(
        {str(name): json_strings(table[name]) for name in table.columns}, index=table.index
    )
    geometry, problems = _lines(geometries)
    return properties, geometry, problems, _declared_epsg(document.get("crs"))


def _read_parquet(path: Path) -> tuple[pd.DataFrame, np.ndarray, dict[int, str], int | None]:
    try:
        frame = gpd.read_parquet(path)
    except Exception as error:  # pyarrow raises many types for unreadable files
        msg = f"Fichier « {TITLE} » illisible : {path} ({error})."
        raise DatasetFormatError(msg) from error
    table = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    if "nom_loc" in table.columns:
        table["nom_loc"] = table["nom_loc"].map(_join_names)
    properties = pd.DataFrame(
        {str(name): json_strings(table[name]) for name in table.columns}
    ).reset_index(drop=True)
    geometry = frame.geometry.to_numpy().astype(object)
    problems: dict[int, str] = {}
    for index, geom in enumerate(geometry):
        if geom is None or shapely.is_empty(geom):
            problems[index] = "géométrie absente" if geom is None else "géométrie vide"
        elif geom.geom_type not in ("LineString", "MultiLineString"):
            problems[index] = f"géométrie de type {geom.geom_type} au lieu d'une ligne"
    for index in problems:
        geometry[index] = None
    epsg = frame.crs.to_epsg() if frame.crs is not None else None
    return properties, geometry, problems, epsg


def _join_names(value: Any) -> Any:
    """``nom_loc`` is an array in the schema; some producers write a plain string."""
    if isinstance(value, list | tuple | np.ndarray):
        names = [str(item).strip() for item in value if item is not None and str(item).strip()]
        return " ; ".join(names) if names else None
    return value


def _declared_epsg(crs: Any) -> int | None:
    """EPSG code of a GeoJSON 2008 ``crs`` member (``urn:ogc:def:crs:EPSG::2154``)."""
    if not isinstance(crs, dict):
        return None
    name = str((crs.get("properties") or {}).get("name", ""))
    if "CRS84" in name.upper():
        return 4326
    match = _EPSG.search(name)
    return int(match.group(1)) if match else None


def _coordinates(value: Any) -> np.ndarray | None:
    """A (n, 2) float array from GeoJSON positions, or None when they are not positions."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if array.ndim != 2 or array.shape[1] < 2:
        return None
    return array[:, :2]


def _lines(geometries: list[Any]) -> tuple[np.ndarray, dict[int, str]]:
    """Shapely lines from GeoJSON geometry objects; the reason for each one that is not."""
    problems: dict[int, str] = {}
    single: list[tuple[int, np.ndarray]] = []
    multi: list[tuple[int, list[np.ndarray]]] = []
    for index, geometry in enumerate(geometries):
        if not isinstance(geometry, dict) or geometry.get("type") is None:
            problems[index] = "géométrie absente"
            continue
        kind = geometry.get("type")
        coordinates = geometry.get("coordinates")
        if kind not in ("LineString", "MultiLineString"):
            problems[index] = f"géométrie de type {kind} au lieu d'une ligne"
        elif coordinates is None or (isinstance(coordinates, list) and not coordinates):
            problems[index] = "géométrie vide"
        elif kind == "LineString":
            array = _coordinates(coordinates)
            if array is None or not np.isfinite(array).all():
                problems[index] = "géométrie illisible (coordonnées non numériques)"
            elif len(array) < 2:
                problems[index] = "géométrie invalide (moins de deux points)"
            else:
                single.append((index, array))
        else:
            parts = (
                [_coordinates(part) for part in coordinates]
                if isinstance(coordinates, list)
                else [None]
            )
            if any(part is None or not np.isfinite(part).all() for part in parts):
                problems[index] = "géométrie illisible (coordonnées non numériques)"
            elif any(len(part) < 2 for part in parts):
                problems[index] = "géométrie invalide (moins de deux points)"
            else:
                multi.append((index, parts))
    result = np.full(len(geometries), None, dtype=object)
    if single:
        indices = np.array([index for index, _ in single])
        counts = [len(array) for _, array in single]
        coords = np.concatenate([array for _, array in single])
        built = shapely.linestrings(coords, indices=np.repeat(np.arange(len(single)), counts))
        result[indices] = built
    for index, parts in multi:
        result[index] = shapely.MultiLineString(parts)
    return result, problems


# --- geometry checks ----------------------------------------------------------------------------


def _reproject(geometry: np.ndarray, epsg: int | None, report: LoadReport) -> np.ndarray:
    """Lines in EPSG:4326: declared CRS transformed; undeclared Lambert-93 numbers too."""
    present = pd.notna(geometry)
    if not present.any():
        return geometry
    if epsg is None:
        xmin, ymin, xmax, ymax = shapely.total_bounds(geometry[present])
        if max(abs(xmin), abs(xmax)) <= 180 and max(abs(ymin), abs(ymax)) <= 90:
            return geometry
        x0, x1, y0, y1 = LAMBERT_93
        if not (xmin >= x0 and xmax <= x1 and ymin >= y0 and ymax <= y1):
            return geometry  # not degrees, not Lambert-93: rejected as outside France
        epsg = 2154
        report.warn("coordonnées en Lambert-93 (EPSG:2154) sans déclaration de CRS : reprojetées")
    if epsg == 4326:
        return geometry
    transformer = Transformer.from_crs(epsg, 4326, always_xy=True)
    out = geometry.copy()
    out[present] = shapely.transform(
        geometry[present], lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
    )
    report.repair(f"reprojection_epsg_{epsg}", present)
    return out


def _check_geometry(
    geometry: np.ndarray, problems: dict[int, str], lines: np.ndarray, report: LoadReport
) -> np.ndarray:
    """Mask of usable lines; the rest rejected with their index. Lines written lat/lon are
    swapped in place."""
    keep = np.ones(len(geometry), dtype=bool)
    keep[list(problems)] = False
    report.reject(lines[list(problems)], list(problems.values()))
    present = np.flatnonzero(keep)
    invalid = ~shapely.is_valid(geometry[present])
    report.reject(lines[present[invalid]], "géométrie invalide (tous les points sont confondus)")
    keep[present[invalid]] = False
    present = np.flatnonzero(keep)
    middle = shapely.line_interpolate_point(geometry[present], 0.5, normalized=True)
    found = orient_lon_lat(shapely.get_x(middle), shapely.get_y(middle))
    swapped = present[found.swapped]
    geometry[swapped] = shapely.transform(geometry[swapped], lambda xy: xy[:, ::-1])
    report.repair("coordonnees_inversees", found.swapped)
    report.reject(lines[present[found.zero]], "coordonnées [0, 0] (valeur par défaut, pas un lieu)")
    report.reject(
        lines[present[found.outside]], "ligne hors de France dans les deux ordres de coordonnées"
    )
    keep[present[found.zero | found.outside]] = False
    return keep


def _unique(properties: pd.DataFrame, geometry: np.ndarray, report: LoadReport) -> np.ndarray:
    """Features published twice (same properties, same line) are kept once."""
    content = properties.assign(_wkb=shapely.to_wkb(geometry, hex=True))
    return identical_rows(
        content, report, "objets publiés deux fois à l'identique (un seul gardé ; numéros d'objet)"
    )


def geodesic_length(lines: np.ndarray) -> np.ndarray:
    """Length in metres of each (multi)line on the WGS84 ellipsoid, all segments at once."""
    parts, owner = shapely.get_parts(lines, return_index=True)
    coords, part = shapely.get_coordinates(parts, return_index=True)
    same = part[1:] == part[:-1]
    _, _, distance = GEOD.inv(
        coords[:-1, 0][same], coords[:-1, 1][same], coords[1:, 0][same], coords[1:, 1][same]
    )
    per_part = np.bincount(part[1:][same], weights=distance, minlength=len(parts))
    return np.bincount(owner, weights=per_part, minlength=len(lines))


# --- values -------------------------------------------------------------------------------------


def _normalise(properties: pd.DataFrame, report: LoadReport) -> pd.DataFrame:
    columns = Columns(properties, report)
    out = pd.DataFrame(columns.texts(TEXT_COLUMNS))
    out["nom_loc"] = columns.texts(["nom_loc"])["nom_loc"]
    respelt = np.zeros(len(properties), dtype=bool)
    for name, allowed in ENUMS.items():
        out[name], changed = enum_values(columns.texts([name])[name], allowed)
        respelt |= changed
    report.repair("valeur_liste_orthographe", respelt)
    widths = columns.floats(["largeur_d", "largeur_g"])
    for name, values in {
        **{name: values.astype("Float64") for name, values in widths.items()},
        **columns.integers(["trafic_vit", "d_service"], minimum=0),
        **columns.booleans(["lumiere"]),
        **columns.dates(["date_maj"]),
    }.items():
        out[name] = values
    out[LINE] = columns.lines
    return out


def _no_territories() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series([], dtype=object) for name in TERRITORY_COLUMNS})


def _confirm_codes(
    frame: pd.DataFrame, located: pd.DataFrame, territories: Territories, report: LoadReport
) -> None:
    """The side codes confirm the located midpoint: warned when neither side names it."""
    if frame.empty:
        return
    codes = commune_codes(territories)
    commune = located["code_commune"].reset_index(drop=True)
    confirmed = np.zeros(len(frame), dtype=bool)
    named = np.zeros(len(frame), dtype=bool)
    repaired: dict[str, np.ndarray] = {}
    for side in ("code_com_d", "code_com_g"):
        published = frame[side].reset_index(drop=True)
        cleaned = codes.clean(published)
        for kind, mask in cleaned.repairs.items():
            repaired[kind] = repaired.get(kind, np.zeros(len(frame), dtype=bool)) | mask
        present = published.notna().to_numpy()
        named |= present
        confirmed |= present & ~codes.disagree(published, commune)
    for kind, mask in repaired.items():
        report.repair(kind, mask)
    unconfirmed = named & commune.notna().to_numpy() & ~confirmed
    report.warn_rows(frame[LINE].to_numpy()[unconfirmed], MISMATCH_COMMUNE)


__all__ = ["OUTPUT_COLUMNS", "geodesic_length", "load"]
