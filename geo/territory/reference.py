"""Readers of the territory reference files: INSEE COG tables and administrative outlines.

The COG comes as the JSON files of ``@etalab/decoupage-administratif``. Outlines are accepted
in the formats people actually have: the Etalab "contours administratifs" GeoJSON (``code``,
``nom``), geo.api.gouv.fr GeoJSON (``code``, ``nom``), IGN ADMIN EXPRESS GeoPackage or
shapefile (``INSEE_COM``, ``SIREN_EPCI``, ``INSEE_DEP``, ``INSEE_REG``, any CRS), and the
GeoParquet files that ``python -m geo data fetch`` writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import orjson
import pandas as pd

from geo.errors import DataUnavailableError

#: Code column candidates per level, first found wins (Etalab/geo.api, ADMIN EXPRESS, others).
CODE_COLUMNS = {
    "commune": ("code", "INSEE_COM", "insee_com", "code_insee", "codgeo", "CODGEO"),
    "epci": ("code", "SIREN_EPCI", "siren_epci", "CODE_SIREN", "CODE_EPCI", "siren"),
    "departement": ("code", "INSEE_DEP", "insee_dep", "code_dept"),
    "region": ("code", "INSEE_REG", "insee_reg", "code_reg"),
}
NAME_COLUMNS = ("nom", "NOM", "NOM_M", "nom_officiel", "libelle", "LIBELLE")


@dataclass(frozen=True)
class Cog:
    """The COG tables, one row per territory, codes as strings."""

    communes: pd.DataFrame  # code, nom, departement, region, epci, population, codes_postaux
    epci: pd.DataFrame  # code, nom, type, population
    departements: pd.DataFrame  # code, nom, region
    regions: pd.DataFrame  # code, nom
    #: Any commune code ever valid (délégué, associé, arrondissement municipal, old) → current.
    current_code: dict[str, str]


def _read_json_list(path: Path) -> list[dict]:
    try:
        # orjson: the COG's 9 MB of communes parse in a third of the stdlib's time (app start).
        rows = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as error:
        msg = f"Fichier de référence illisible : {path.name} ({error})."
        raise DataUnavailableError(msg) from error
    if not isinstance(rows, list):
        msg = f"Fichier de référence inattendu (une liste JSON était attendue) : {path.name}."
        raise DataUnavailableError(msg)
    return rows


def read_cog(communes: Path, epci: Path, departements: Path, regions: Path) -> Cog:
    commune_rows = _read_json_list(communes)
    current = [r for r in commune_rows if r.get("type", "commune-actuelle") == "commune-actuelle"]
    current_code: dict[str, str] = {}
    for row in commune_rows:
        kind = row.get("type")
        if kind in ("commune-deleguee", "commune-associee") and row.get("chefLieu"):
            current_code.setdefault(row["code"], row["chefLieu"])
        elif kind == "arrondissement-municipal" and row.get("commune"):
            current_code[row["code"]] = row["commune"]
    for row in current:
        for old in row.get("anciensCodes", []) or []:
            current_code.setdefault(old, row["code"])
    for row in current:  # a current code always maps to itself, whatever came before
        current_code[row["code"]] = row["code"]

    epci_rows = _read_json_list(epci)
    epci_of = {m["code"]: e["code"] for e in epci_rows for m in e.get("membres", [])}
    communes_df = pd.DataFrame(
        {
            "code": [r["code"] for r in current],
            "nom": [r["nom"] for r in current],
            "departement": [r.get("departement") for r in current],
            "region": [r.get("region") for r in current],
            "epci": [epci_of.get(r["code"]) for r in current],
            "population": pd.array([r.get("population") for r in current], dtype="Int64"),
            "codes_postaux": [tuple(r.get("codesPostaux", []) or []) for r in current],
        }
    )
    epci_df = pd.DataFrame(
        {
            "code": [e["code"] for e in epci_rows],
            "nom": [e["nom"] for e in epci_rows],
            "type": [e.get("type") for e in epci_rows],
        }
    )
    dep_rows = _read_json_list(departements)
    departements_df = pd.DataFrame(
        {
            "code": [d["code"] for d in dep_rows],
            "nom": [d["nom"] for d in dep_rows],
            "region": [d.get("region") for d in dep_rows],
        }
    )
    reg_rows = _read_json_list(regions)
    regions_df = pd.DataFrame(
        {"code": [r["code"] for r in reg_rows], "nom": [r["nom"] for r in reg_rows]}
    )
    return Cog(communes_df, epci_df, departements_df, regions_df, current_code)


def read_outlines(path: Path, level: str) -> gpd.GeoDataFrame:
    """Outlines of one level as ``code, nom, geometry`` in EPSG:4326, any supported format."""
    try:
        if path.suffix == ".parquet":
            frame = gpd.read_parquet(path)
        else:
            frame = gpd.read_file(path, engine="pyogrio")
    except Exception as error:  # pyogrio/arrow raise many types for unreadable files
        msg = f"Contours illisibles : {path.name} ({error})."
        raise DataUnavailableError(msg) from error
    code_column = next((c for c in CODE_COLUMNS[level] if c in frame.columns), None)
    if code_column is None:
        expected = ", ".join(CODE_COLUMNS[level])
        msg = f"Contours {level} sans colonne de code ({expected}) : {path.name}."
        raise DataUnavailableError(msg)
    name_column = next((c for c in NAME_COLUMNS if c in frame.columns), None)
    if frame.crs is None:
        frame = frame.set_crs(4326)
    elif frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    codes = frame[code_column].astype(str).str.strip()
    if level == "commune":
        codes = codes.str.zfill(5)
    return gpd.GeoDataFrame(
        {
            "code": codes.to_numpy(),
            "nom": frame[name_column].astype(str).to_numpy() if name_column else None,
        },
        geometry=frame.geometry.make_valid().to_numpy(),
        crs=4326,
    )
