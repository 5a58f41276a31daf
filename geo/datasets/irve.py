"""EV charge points (IRVE statique 2.x, national consolidated file or one operator's file).

Normalised frame, one row per charge point, EPSG:4326 points:

========================  ===============================================================
column                    content
========================  ===============================================================
id_pdc_itinerance         charge point id as published (``Non concerné`` kept as is)
id_pdc_local              operator's local id
id_station_itinerance     station id as published
id_station_local          operator's local station id
nom_station               station name
nom_enseigne              brand
nom_operateur             operator
nom_amenageur             owner (aménageur)
siren_amenageur           owner's SIREN
implantation_station      Voirie, Parking public, …
adresse_station           address as published
code_insee_commune        commune code as published (may be a postal code: the point decides)
nbre_pdc                  charge points of the station (Int64)
puissance_kw              nominal power in kW (float; W and free text converted)
prise_type_ef … _autre    connector types (boolean; OR of the rows of one charge point)
gratuit, paiement_*       booleans
reservation               boolean
station_deux_roues        boolean
cable_t2_attache          boolean
condition_acces           Accès libre / Accès réservé
tarification, horaires    text
accessibilite_pmr         text
raccordement              Direct / Indirect
date_mise_en_service      date
date_maj                  date
doublon_operateurs        True when the same charge point or site is also published by
                          another operator (same id, or same station id / address within
                          :data:`SAME_SITE_METRES`)
ligne                     file line of the row kept
code_commune … region     the four territory columns
========================  ===============================================================

Coordinates: ``consolidated_longitude/latitude`` when present and readable (the national
file's checked pair), else ``coordonneesXY``; either order is accepted (see
:mod:`geo.datasets.points`). A file of the first schema (2018–2019: ``id_pdc``,
``Xlongitude``, ``puiss_max`` …) is recognised by its header and read through
:mod:`geo.datasets.irve_v1`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from geo.datasets import Loaded
from geo.datasets.columns import Columns
from geo.datasets.csvfile import LINE, peek_header, read_csv_table
from geo.datasets.irve_v1 import is_v1, read_v1
from geo.datasets.parsing import parse_coordinate_pair, parse_float
from geo.datasets.points import SOURCE_LINE, locate_points, reject_bad_points
from geo.datasets.renaming import rename
from geo.datasets.report import LoadReport
from geo.datasets.schema import TableSchema, validate
from geo.territory import TERRITORY_COLUMNS, Territories

DATASET = "irve"
TITLE = "IRVE (bornes de recharge, schéma statique)"
REQUIRED = ("id_pdc_itinerance", "id_station_itinerance", "puissance_nominale", "coordonneesXY")
TEXT_COLUMNS = (
    "id_pdc_itinerance",
    "id_pdc_local",
    "id_station_itinerance",
    "id_station_local",
    "nom_station",
    "nom_enseigne",
    "nom_operateur",
    "nom_amenageur",
    "siren_amenageur",
    "implantation_station",
    "adresse_station",
    "code_insee_commune",
    "condition_acces",
    "tarification",
    "horaires",
    "accessibilite_pmr",
    "raccordement",
)
CONNECTORS = (
    "prise_type_ef",
    "prise_type_2",
    "prise_type_combo_ccs",
    "prise_type_chademo",
    "prise_type_autre",
)
BOOLEAN_COLUMNS = (
    *CONNECTORS,
    "gratuit",
    "paiement_acte",
    "paiement_cb",
    "paiement_autre",
    "reservation",
    "station_deux_roues",
    "cable_t2_attache",
)
DATE_COLUMNS = ("date_mise_en_service", "date_maj")
CONSOLIDATED = ("consolidated_longitude", "consolidated_latitude")
OUTPUT_COLUMNS = (
    *TEXT_COLUMNS[:12],
    "nbre_pdc",
    "puissance_kw",
    *BOOLEAN_COLUMNS,
    *TEXT_COLUMNS[12:],
    *DATE_COLUMNS,
    "doublon_operateurs",
    SOURCE_LINE,
    *TERRITORY_COLUMNS,
)
#: Two publications of one site: real ones differ by ~110 m (one operator geocodes the address).
SAME_SITE_METRES = 150.0
_OPTIONAL = (
    *TEXT_COLUMNS, *BOOLEAN_COLUMNS, *DATE_COLUMNS, "nbre_pdc", *CONSOLIDATED,
    "consolidated_commune",
)  # fmt: skip


def load(path: Path, *, territories: Territories, schema: TableSchema | None = None) -> Loaded:
    report = LoadReport(DATASET)
    if is_v1(rename(peek_header(path))):
        table = read_v1(path, title=TITLE, report=report)  # not validated: schema 2's
    else:
        table = read_csv_table(
            path,
            required=REQUIRED,
            optional=(*_OPTIONAL, *(schema.field_names if schema else ())),
            title=TITLE,
            report=report,
        )
        if schema is not None:
            validate(table.frame, schema, report)
    frame = table.frame
    lon, lat, unreadable = _coordinates(frame)
    frame, lon, lat = reject_bad_points(frame, lon, lat, report, unreadable=unreadable)
    normal = _normalise(frame, report)
    normal["doublon_operateurs"] = _same_site_other_operator(normal, lon, lat)
    keep = _deduplicate(normal, report)
    normal, lon, lat = normal[keep].reset_index(drop=True), lon[keep], lat[keep]
    report.warn_rows(
        normal.loc[normal["doublon_operateurs"], LINE].to_numpy(),
        "points de charge d'un site publié aussi par un autre opérateur "
        "(colonne doublon_operateurs)",
    )
    names = frame["consolidated_commune"][keep] if "consolidated_commune" in frame else None
    points = locate_points(
        normal, lon, lat, territories, report, commune_code=normal["code_insee_commune"],
        commune_name=names,
    )  # fmt: skip
    points = points.rename(columns={LINE: SOURCE_LINE})
    points = points[[*OUTPUT_COLUMNS, "geometry"]]
    report.finish(rows_kept=len(points))
    return Loaded(points, report)


def _coordinates(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lon, lat, unreadable = parse_coordinate_pair(frame["coordonneesXY"])
    if all(name in frame.columns for name in CONSOLIDATED):
        c_lon = parse_float(frame[CONSOLIDATED[0]]).values.to_numpy()
        c_lat = parse_float(frame[CONSOLIDATED[1]]).values.to_numpy()
        usable = np.isfinite(c_lon) & np.isfinite(c_lat) & ~((c_lon == 0) & (c_lat == 0))
        lon, lat = np.where(usable, c_lon, lon), np.where(usable, c_lat, lat)
        unreadable = unreadable & ~usable
    return lon, lat, unreadable


def _normalise(frame: pd.DataFrame, report: LoadReport) -> pd.DataFrame:
    columns = Columns(frame, report)
    out = pd.DataFrame(columns.texts(TEXT_COLUMNS))
    out["puissance_kw"] = columns.power_kw("puissance_nominale")
    out["nbre_pdc"] = columns.integers(["nbre_pdc"], minimum=0)["nbre_pdc"]
    for name, values in {
        **columns.booleans(BOOLEAN_COLUMNS),
        **columns.dates(DATE_COLUMNS),
    }.items():
        out[name] = values
    out[LINE] = columns.lines
    return out


# --- duplicates ---------------------------------------------------------------------------------


def _id_key(values: pd.Series) -> pd.Series:
    """Ids compared without case, blanks or eMI3 ``*``; ``Non concerné`` is no id."""
    key = values.str.upper().str.replace(r"[\s*]+", "", regex=True)
    return key.mask(key.str.startswith("NONCONCERN").fillna(False))


def _address_key(values: pd.Series) -> pd.Series:
    if not values.notna().any():  # no address at all: nothing to compare (and no .str)
        return pd.Series(pd.NA, index=values.index, dtype="str")
    ascii_text = values.str.normalize("NFKD").str.encode("ascii", "ignore").str.decode("ascii")
    key = ascii_text.str.lower().str.replace(r"[^a-z0-9]+", " ", regex=True).str.strip()
    return key.mask(key == "")


def _operator_key(frame: pd.DataFrame) -> pd.Series:
    operator = frame["nom_operateur"].fillna(frame["nom_amenageur"])
    return operator.str.lower().str.strip().fillna("")


def _same_site_other_operator(frame: pd.DataFrame, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Rows whose site (same station id, or same address) is also published by another
    operator within :data:`SAME_SITE_METRES`.

    Rows are binned in cells of that size; each (key, cell, operator) is reduced to its mean
    position and compared with the other operators' positions of the same key in the 3 × 3
    neighbouring cells. Never a pairwise join of rows: a generic address shared by thousands
    of stations costs no more than the stations themselves.
    """
    flagged = np.zeros(len(frame), dtype=bool)
    metres_per_degree = 6_371_000.0 * np.pi / 180
    x = lon * np.cos(np.radians(lat)) * metres_per_degree
    y = lat * metres_per_degree
    base = pd.DataFrame(
        {
            "operator": _operator_key(frame).to_numpy(),
            "cx": np.floor(x / SAME_SITE_METRES).astype(np.int64),
            "cy": np.floor(y / SAME_SITE_METRES).astype(np.int64),
            "lon": lon,
            "lat": lat,
        }
    )
    for key in (_id_key(frame["id_station_itinerance"]), _address_key(frame["adresse_station"])):
        rows = base.assign(key=key.to_numpy()).dropna(subset=["key"])
        several = rows.groupby("key")["operator"].transform("nunique").to_numpy() > 1
        rows = rows[several]
        if rows.empty:
            continue
        sites = rows.groupby(["key", "cx", "cy", "operator"], as_index=False)[["lon", "lat"]].mean()
        near: list[pd.DataFrame] = []
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                shifted = sites.assign(cx=sites["cx"] + dx, cy=sites["cy"] + dy)
                pairs = sites.merge(shifted, on=["key", "cx", "cy"], suffixes=("", "_other"))
                pairs = pairs[pairs["operator"] != pairs["operator_other"]]
                close = _metres(pairs["lon"], pairs["lat"], pairs["lon_other"], pairs["lat_other"])
                near.append(pairs.loc[close <= SAME_SITE_METRES, ["key", "cx", "cy", "operator"]])
        marked = pd.concat(near).drop_duplicates()
        hit = rows.reset_index().merge(marked, on=["key", "cx", "cy", "operator"])["index"]
        flagged[hit.to_numpy()] = True
    return flagged


def _metres(lon1: pd.Series, lat1: pd.Series, lon2: pd.Series, lat2: pd.Series) -> np.ndarray:
    """Equirectangular distance: exact enough below a kilometre."""
    mean_lat = np.radians((lat1.to_numpy() + lat2.to_numpy()) / 2)
    dx = np.radians(lon2.to_numpy() - lon1.to_numpy()) * np.cos(mean_lat)
    dy = np.radians(lat2.to_numpy() - lat1.to_numpy())
    return 6_371_000.0 * np.hypot(dx, dy)


def _deduplicate(frame: pd.DataFrame, report: LoadReport) -> np.ndarray:
    """Mask of the rows to keep: one per ``id_pdc_itinerance``.

    The row kept is the latest ``date_maj``, then the highest power, then the operator name,
    then the row content, so the choice never depends on the order of the file. Connector
    flags are OR-ed over the rows of the same operator (one row per connector); the kept row
    is flagged ``doublon_operateurs`` when several operators publish the id.
    """
    key = _id_key(frame["id_pdc_itinerance"])
    repeated = key.notna().to_numpy() & key.duplicated(keep=False).to_numpy()
    if not repeated.any():
        return np.ones(len(frame), dtype=bool)
    lines = frame[LINE].to_numpy()
    group = frame[repeated].copy()
    group["_key"] = key[repeated].to_numpy()
    group["_operator"] = _operator_key(group).to_numpy()
    updated = pd.to_datetime(group["date_maj"].astype(object), errors="coerce")
    group["_updated"] = updated.to_numpy()
    content = group.drop(columns=[LINE]).astype(str)
    group["_content"] = pd.util.hash_pandas_object(content, index=False).to_numpy()
    group = group.sort_values(
        ["_key", "_updated", "puissance_kw", "_operator", "_content"],
        ascending=[True, False, False, True, True],
        na_position="last",
    )
    for name in CONNECTORS:
        any_row = group.groupby(["_key", "_operator"])[name].transform("any")
        frame.loc[group.index, name] = any_row.astype("boolean").to_numpy()
    operators = group.groupby("_key")["_operator"].transform("nunique")
    powers = group.groupby("_key")["puissance_kw"].transform("nunique")
    dropped = group.duplicated("_key", keep="first")
    multi = (operators > 1).to_numpy()
    frame.loc[group.index[multi], "doublon_operateurs"] = True
    # The flag of a dropped publication carries over to the kept one.
    flag = frame.loc[group.index, "doublon_operateurs"].groupby(group["_key"]).transform("any")
    frame.loc[group.index, "doublon_operateurs"] = flag.to_numpy()

    report.duplicates_removed += int(dropped.sum())
    report.warn_rows(
        lines[group.index[dropped.to_numpy()]],
        "lignes en double d'un même id_pdc_itinerance (une par connecteur ou par opérateur), "
        "regroupées en un point de charge",
    )
    conflicting = ((operators > 1) & (powers > 1)).to_numpy() & ~dropped.to_numpy()
    report.warn_rows(
        lines[group.index[conflicting]],
        "puissances différentes selon l'opérateur pour un même point de charge "
        "(gardée : la publication la plus récente)",
    )
    keep = np.ones(len(frame), dtype=bool)
    keep[group.index[dropped.to_numpy()]] = False
    return keep
