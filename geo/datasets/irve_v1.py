"""IRVE files of the first schema (schema-irve 1.0.x, 2018–2019), read as schema 2.

Operators published under schema 1 until 2020 and many of those files are still online. Its
17 columns (``statique`` did not exist yet; github.com/etalab/schema-irve, tags v1.0.0 to
v1.0.3, ``schema.json``) map to schema 2 as follows:

=================  ==========================================================================
schema 1           schema 2
=================  ==========================================================================
n_amenageur        nom_amenageur
n_operateur        nom_operateur
n_enseigne         nom_enseigne
id_station         id_station_itinerance
n_station          nom_station
ad_station         adresse_station
code_insee         code_insee_commune
Xlongitude         coordonneesXY (with Ylatitude, longitude first)
Ylatitude
nbre_pdc           nbre_pdc
id_pdc             id_pdc_itinerance
puiss_max          puissance_nominale (kW)
type_prise         prise_type_ef, prise_type_2, prise_type_combo_ccs, prise_type_chademo,
                   prise_type_autre (``"E/F, T2"``, ``"T2 - E/F"``, ``"Combo CCS"`` …)
acces_recharge     gratuit (``Gratuit`` true, ``Payant`` false) and tarification (as written)
accessibilité      horaires
observations       observations
date_maj           date_maj (``2018/08/08``)
=================  ==========================================================================

Schema-2 columns with no schema-1 source stay empty. The file is not validated against the
schema-2 Table Schema (it could only list every schema-2 column as missing): the report says
it was read as schema 1, and counts every row as ``schema_irve_v1`` repair.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from geo.datasets.csvfile import LINE, CsvTable, read_csv_table
from geo.datasets.parsing import text
from geo.datasets.report import LoadReport

#: Columns that only schema 1 has: a header holding them (and no ``id_pdc_itinerance``) is v1.
SIGNATURE = ("id_pdc", "Xlongitude", "Ylatitude", "puiss_max")
RENAMED = {
    "n_amenageur": "nom_amenageur",
    "n_operateur": "nom_operateur",
    "n_enseigne": "nom_enseigne",
    "id_station": "id_station_itinerance",
    "n_station": "nom_station",
    "ad_station": "adresse_station",
    "code_insee": "code_insee_commune",
    "nbre_pdc": "nbre_pdc",
    "id_pdc": "id_pdc_itinerance",
    "puiss_max": "puissance_nominale",
    "accessibilité": "horaires",
    "observations": "observations",
    "date_maj": "date_maj",
}
V1_COLUMNS = (*RENAMED, "Xlongitude", "Ylatitude", "type_prise", "acces_recharge")
REQUIRED = ("id_pdc", "Xlongitude", "Ylatitude", "puiss_max")
READ_AS_V1 = (
    "fichier au schéma IRVE 1 (2018–2019) : colonnes converties vers le schéma 2 (id_pdc → "
    "id_pdc_itinerance, puiss_max → puissance_nominale, Xlongitude/Ylatitude → coordonneesXY, "
    "type_prise → prise_type_*, …) ; non validé contre le schéma 2"
)
_CONNECTORS = {
    "prise_type_ef": re.compile(r"\be\s*/\s*f\b|\bef\b|type\s*e\b|domestique", re.IGNORECASE),
    "prise_type_2": re.compile(r"\bt\s*2\b|type\s*2\b", re.IGNORECASE),
    "prise_type_combo_ccs": re.compile(r"combo|ccs", re.IGNORECASE),
    "prise_type_chademo": re.compile(r"chademo", re.IGNORECASE),
    "prise_type_autre": re.compile(r"\bt\s*3|type\s*3|\bt\s*1\b|type\s*1\b", re.IGNORECASE),
}


def is_v1(header: list[str] | tuple[str, ...]) -> bool:
    """Whether a header (as read) is the one of schema 1."""
    lower = {str(name).replace("\ufeff", "").strip().lower() for name in header}
    return "id_pdc_itinerance" not in lower and all(name.lower() in lower for name in SIGNATURE)


def read_v1(path: Path, *, title: str, report: LoadReport) -> CsvTable:
    """The file's records with schema-2 column names (see the module docstring)."""
    table = read_csv_table(
        path, required=REQUIRED, optional=V1_COLUMNS, title=f"{title}, schéma 1", report=report
    )
    frame = table.frame
    out = pd.DataFrame(
        {new: frame[old] for old, new in RENAMED.items() if old in frame.columns},
        index=frame.index,
    )
    lon, lat = text(frame["Xlongitude"]), text(frame["Ylatitude"])
    both = (lon.notna() & lat.notna()).to_numpy()
    pair = np.where(both, lon.fillna("") + " ; " + lat.fillna(""), None)
    out["coordonneesXY"] = pd.Series(pair, index=frame.index, dtype="str")
    plugs = text(frame["type_prise"]) if "type_prise" in frame.columns else None
    if plugs is not None:
        known = plugs.notna().to_numpy()
        found = np.zeros(len(frame), dtype=bool)
        for name, pattern in _CONNECTORS.items():
            hit = plugs.str.contains(pattern).fillna(False).to_numpy(dtype=bool)
            found |= hit
            if name == "prise_type_autre":
                hit = hit | (known & ~found)
            out[name] = _booleans(hit, known, frame.index)
    if "acces_recharge" in frame.columns:
        access = text(frame["acces_recharge"])
        lower = access.str.lower()
        free = lower.str.startswith("gratuit").fillna(False).to_numpy(dtype=bool)
        paid = (
            lower.str.contains("payant|abonnement", regex=True).fillna(False).to_numpy(dtype=bool)
        )
        out["gratuit"] = pd.Series(
            np.where(free, "true", np.where(paid, "false", None)), index=frame.index, dtype="str"
        )
        out["tarification"] = access
    out[LINE] = frame[LINE]
    report.warn(READ_AS_V1)
    report.repair("schema_irve_v1", len(out))
    return CsvTable(out, table.encoding, table.separator, tuple(out.columns))


def _booleans(hit: np.ndarray, known: np.ndarray, index: pd.Index) -> pd.Series:
    values = np.where(known, np.where(hit, "true", "false"), None)
    return pd.Series(values, index=index, dtype="str")


__all__ = ["READ_AS_V1", "is_v1", "read_v1"]
