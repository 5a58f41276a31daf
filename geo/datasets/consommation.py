"""Annual electricity and gas consumption per commune and sector (Agence ORE,
``conso-elec-gaz-annuelle-par-secteur-dactivite-agregee-commune``, CSV export with French
labels).

Column names are matched by key (:func:`geo.datasets.labels.header_key`: accents, case and
blanks ignored), so ``Consommation Tertiaire  (MWh)`` (double space), the ``Indique qualité``
typo and re-typed headers all read. One row per commune × year × operator × energy:

===============================  ==========================================================
column                           content
===============================  ==========================================================
annee                            year (Int64)
filiere                          ``électricité`` or ``gaz`` (from ``id_filiere`` 100/200,
                                 else from the ``Filière`` label)
operateur                        grid operator (Enedis, GRDF, …)
code_insee_commune               commune code as published (may be an old code)
nom_commune                      commune name as published
codes_postaux                    postal codes as published, each once (``62129/62120``)
conso_<secteur>_mwh              consumption in MWh per sector: agriculture, industrie,
                                 tertiaire, residentiel, secteur_inconnu (Float64, 3
                                 decimals; missing when secret)
conso_totale_mwh                 total consumption in MWh
pdl_<secteur>, pdl_total         delivery points (Int64; missing when secret)
mailles_secretisees              secret meshes over all sectors (Int64): the published
                                 figures are then lower bounds
indice_qualite_<secteur>         quality index (share of measured data, 0–1)
thermosensibilite_mwh_par_dj     heating sensitivity, MWh per degree-day
part_thermosensible              heating-sensitive share
ligne                            file line
code_commune …                   the four territory columns (old codes mapped to current)
===============================  ==========================================================

Secrets: a sector whose meshes are secret and that publishes 0 MWh on 0 delivery points
hides its figure; it becomes missing, never 0 (and so does a total of 0 with such a sector).
Cells spelt ``secret``, ``s``, ``NC``, ``*`` are missing too. All counted as
``secret_statistique``. Geometry: a point inside the commune outline when it is loaded.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo.datasets import Loaded
from geo.datasets.columns import Columns
from geo.datasets.communes import place_communes
from geo.datasets.csvfile import LINE, read_csv_table
from geo.datasets.duplicates import identical_rows
from geo.datasets.jsonfile import missing_columns
from geo.datasets.labels import header_key, label_key
from geo.datasets.parsing import text
from geo.datasets.points import SOURCE_LINE
from geo.datasets.report import LoadReport
from geo.datasets.schema import TableSchema, validate
from geo.territory import TERRITORY_COLUMNS, Territories

DATASET = "consommation"
TITLE = "consommation annuelle d'électricité et de gaz par commune et secteur (Agence ORE)"
SECTORS = ("agriculture", "industrie", "tertiaire", "residentiel", "secteur_inconnu")
_SECTOR_WORDS = {
    "agriculture": "agriculture",
    "industrie": "industrie",
    "tertiaire": "tertiaire",
    "residentiel": "residentiel",
    "secteur inconnu": "secteur_inconnu",
    "non affecte": "secteur_inconnu",
}
_SECTOR = "(" + "|".join(_SECTOR_WORDS) + ")"
#: Column key patterns → normalised column (``{}`` is the sector).
HEADER_PATTERNS = (
    (re.compile(rf"^conso(?:mmation)? {_SECTOR}(?: mwh)?$"), "conso_{}_mwh"),
    (re.compile(rf"^(?:nombre de points|nb points|pdl) {_SECTOR}$"), "pdl_{}"),
    (re.compile(rf"^nombre de mailles secreti[sz]ees {_SECTOR}$"), "secret_{}"),
    (re.compile(rf"^indi(?:ce|que) (?:de )?qualite {_SECTOR}$"), "indice_qualite_{}"),
)
HEADER_NAMES = {
    "operateur": "operateur",
    "annee": "annee",
    "filiere": "filiere_libelle",
    "id filiere": "id_filiere",
    "consommation totale mwh": "conso_totale_mwh",
    "conso totale mwh": "conso_totale_mwh",
    "thermosensibilite mwh degre jour": "thermosensibilite_mwh_par_dj",
    "part thermosensible": "part_thermosensible",
    "code commune": "code_commune_publie",
    "code insee commune": "code_commune_publie",
    "libelle commune": "nom_commune",
    "code departement": "code_departement_publie",
    "code postal": "code_postal",
}
#: What a missing required column is called in the error (the publisher's labels).
REQUIRED = {
    "annee": "Année",
    "code_commune_publie": "Code Commune",
    "conso_totale_mwh": "Consommation totale (MWh)",
}
FILIERE_IDS = {"100": "électricité", "200": "gaz"}
FILIERE_LABELS = {"electricite": "électricité", "gaz": "gaz", "gaz naturel": "gaz"}
SECRET_SPELLINGS = frozenset({"s", "secret", "secretise", "nc", "c", "confidentiel"})
#: Decimals kept in MWh (the publisher writes 2; float artefacts have 13).
DECIMALS = 3

CONSO = tuple(f"conso_{sector}_mwh" for sector in SECTORS)
PDL = tuple(f"pdl_{sector}" for sector in SECTORS)
QUALITY = tuple(f"indice_qualite_{sector}" for sector in SECTORS)
OUTPUT_COLUMNS = (
    "annee",
    "filiere",
    "operateur",
    "code_insee_commune",
    "nom_commune",
    "codes_postaux",
    *CONSO,
    "conso_totale_mwh",
    *PDL,
    "pdl_total",
    "mailles_secretisees",
    *QUALITY,
    "thermosensibilite_mwh_par_dj",
    "part_thermosensible",
    SOURCE_LINE,
    *TERRITORY_COLUMNS,
)


def column_name(header: str) -> str:
    """The normalised name of a file column (the header itself when it is not known)."""
    found = header_key(header)
    if found in HEADER_NAMES:
        return HEADER_NAMES[found]
    for pattern, template in HEADER_PATTERNS:
        match = pattern.match(found)
        if match:
            return template.format(_SECTOR_WORDS[match.group(1)])
    return header


def load(path: Path, *, territories: Territories, schema: TableSchema | None = None) -> Loaded:
    report = LoadReport(DATASET)
    table = read_csv_table(path, required=(), title=TITLE, report=report)
    if schema is not None:
        validate(table.frame, schema, report)
    frame = _rename(table.frame)
    frame = frame[
        identical_rows(frame, report, "lignes publiées deux fois à l'identique")
    ].reset_index(drop=True)
    normal, usable = _normalise(frame, report)
    frame = frame[usable].reset_index(drop=True)
    placed = place_communes(
        normal,
        frame["code_commune_publie"],
        territories,
        report,
        departement=frame.get("code_departement_publie"),
    )
    placed = placed.rename(columns={LINE: SOURCE_LINE})[[*OUTPUT_COLUMNS, "geometry"]]
    report.finish(rows_kept=len(placed))
    return Loaded(placed, report)


def _rename(frame: pd.DataFrame) -> pd.DataFrame:
    names = [name if name == LINE else column_name(name) for name in frame.columns]
    renamed = frame.set_axis(names, axis=1)
    renamed = renamed.loc[:, ~renamed.columns.duplicated()]
    missing = [label for name, label in REQUIRED.items() if name not in renamed.columns]
    if not {"filiere_libelle", "id_filiere"} & set(renamed.columns):
        missing.append("Filière ou id_filiere")
    if missing:
        raise missing_columns(TITLE, missing, [name for name in frame.columns if name != LINE])
    return renamed


def _normalise(frame: pd.DataFrame, report: LoadReport) -> tuple[pd.DataFrame, np.ndarray]:
    """The normalised rows with a year and an energy, and the mask of those rows."""
    work = frame.copy()
    spelt: dict[str, np.ndarray] = {}
    for name in (*CONSO, "conso_totale_mwh", *PDL):
        if name in work.columns:
            # Only the few cells that are not numbers are compared with the secret spellings.
            raw = work[name]
            spelt[name] = np.zeros(len(work), dtype=bool)
            if plain_numbers(raw) is not None:
                continue
            wordy = (raw.notna() & ~raw.str.fullmatch(r"[\d\s.,+\-eE]*")).to_numpy(dtype=bool)
            if wordy.any():
                spelt[name][wordy] = label_key(raw[wordy]).isin(SECRET_SPELLINGS).to_numpy(bool)
            work[name] = raw.mask(spelt[name])
    secret_cells = np.logical_or.reduce([*spelt.values(), np.zeros(len(work), dtype=bool)])
    columns = Columns(work, report)
    out = pd.DataFrame(index=work.index)
    out["annee"] = columns.integers(["annee"], minimum=1900)["annee"]
    out["filiere"] = _filiere(columns, report)
    texts = columns.texts(["operateur", "code_commune_publie", "nom_commune"])
    out["operateur"] = texts["operateur"]
    out["code_insee_commune"] = texts["code_commune_publie"]
    out["nom_commune"] = texts["nom_commune"]
    out["codes_postaux"] = _postal_codes(columns.raw("code_postal"), report)

    consumption = _floats(columns, [*CONSO, "conso_totale_mwh"])
    points = columns.integers([*PDL], minimum=0)
    secrets = columns.integers([f"secret_{sector}" for sector in SECTORS], minimum=0)
    hidden_any = np.zeros(len(work), dtype=bool)
    for sector, conso, pdl in zip(SECTORS, CONSO, PDL, strict=True):
        hidden = (
            (secrets[f"secret_{sector}"] > 0)
            & (consumption[conso] == 0)
            & (points[pdl].fillna(0) == 0)
        )
        hidden = hidden.fillna(False).to_numpy(dtype=bool)
        consumption[conso] = consumption[conso].mask(hidden)
        points[pdl] = points[pdl].mask(hidden)
        hidden_any |= hidden | spelt.get(conso, hidden)
    total = consumption["conso_totale_mwh"]
    hidden_total = hidden_any & (total == 0).fillna(False).to_numpy(dtype=bool)
    consumption["conso_totale_mwh"] = total.mask(hidden_total)
    report.repair("secret_statistique", secret_cells | hidden_any)

    artefacts = np.zeros(len(work), dtype=bool)
    for name in (*CONSO, "conso_totale_mwh"):
        raw = text(columns.raw(name))
        artefacts |= raw.str.contains(r"\.\d{4,}$", regex=True).fillna(False).to_numpy(bool)
        out[name] = consumption[name].round(DECIMALS).astype("Float64")
    report.repair("arrondi_artefact_flottant", artefacts)
    computed = out["conso_totale_mwh"].isna().to_numpy() & ~hidden_total
    sums = out[list(CONSO)].sum(axis=1, min_count=len(CONSO)).round(DECIMALS)
    computed &= sums.notna().to_numpy()
    out.loc[computed, "conso_totale_mwh"] = sums[computed]
    report.repair("conso_totale_calculee", computed)

    for name in PDL:
        out[name] = points[name]
    out["pdl_total"] = out[list(PDL)].sum(axis=1, min_count=len(PDL)).astype("Int64")
    secret_counts = pd.DataFrame(secrets)
    out["mailles_secretisees"] = secret_counts.sum(axis=1, min_count=1).astype("Int64")
    for name, values in _floats(
        columns, [*QUALITY, "thermosensibilite_mwh_par_dj", "part_thermosensible"]
    ).items():
        out[name] = values.astype("Float64")
    out[LINE] = columns.lines

    no_year = out["annee"].isna().to_numpy()
    no_energy = out["filiere"].isna().to_numpy()
    report.reject(columns.lines[no_year], "année absente ou illisible")
    report.reject(
        columns.lines[no_energy & ~no_year],
        "énergie inconnue (ni id_filiere 100/200 ni Filière électricité/gaz)",
    )
    usable = ~no_year & ~no_energy
    return out[usable].reset_index(drop=True), usable


def _floats(columns: Columns, names: list[str]) -> dict[str, pd.Series]:
    """:meth:`Columns.floats`, with a fast path for the usual column of plain numbers (a
    national file has about a million rows per column): when every cell reads as a number
    as it is, there is nothing to repair or warn about."""
    values: dict[str, pd.Series] = {}
    slow = []
    for name in names:
        quick = plain_numbers(columns.raw(name))
        if quick is None:
            slow.append(name)
        else:
            values[name] = quick
    values.update(columns.floats(slow))
    return {name: values[name] for name in names}


def plain_numbers(raw: pd.Series) -> pd.Series | None:
    """The column as floats when every cell is a plain number (Arrow's C++ cast, ~15 times
    faster than pandas' parsing of strings), else None."""
    try:
        numbers = pc.cast(pa.array(raw), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError):
        return None
    return pd.Series(numbers.to_numpy(zero_copy_only=False), index=raw.index, dtype="float64")


def _filiere(columns: Columns, report: LoadReport) -> pd.Series:
    """``électricité``/``gaz`` from ``id_filiere``, else from the label; a label that
    contradicts the id is a warning (the id wins)."""
    by_id = text(columns.raw("id_filiere")).str.replace(r"\.0+$", "", regex=True)
    by_id = by_id.map(FILIERE_IDS)
    by_label = label_key(text(columns.raw("filiere_libelle"))).map(FILIERE_LABELS)
    contradicts = (by_id.notna() & by_label.notna() & (by_id != by_label)).to_numpy(dtype=bool)
    report.warn_rows(
        columns.lines[contradicts], "Filière contredite par id_filiere (gardé : id_filiere)"
    )
    return by_id.fillna(by_label).astype("str")


def _postal_codes(values: pd.Series, report: LoadReport) -> pd.Series:
    """``61260/61260/61340`` → ``61260/61340``: each code once, in published order."""
    raw = text(values)
    # Most cells hold one code: only the others are split (a national file has ~1M rows).
    several = raw.str.contains(r"[/,;\s]", regex=True).fillna(False).to_numpy(dtype=bool)
    parts = raw[several].str.replace(r"\s+", "", regex=True).str.split(r"[/,;]")
    joined = parts.map(
        lambda codes: "/".join(dict.fromkeys(code for code in codes if code)) or None,
        na_action="ignore",
    )
    unique = raw.copy()
    unique[several] = joined.astype("str")
    changed = (raw.notna() & (unique != raw)).fillna(False).to_numpy(dtype=bool)
    report.repair("codes_postaux_dedoublonnes", changed)
    return unique


__all__ = ["OUTPUT_COLUMNS", "SECTORS", "column_name", "load"]
