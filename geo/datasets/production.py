"""Electricity production and storage installations: the ODRÉ national register
(``registre-national-installation-production-stockage-electricite-agrege``), read from its JSON
export or its ``;`` CSV export (same lowercase field names).

Normalised frame, one row per register row, located by commune code (the register has no
coordinates), EPSG:4326:

===============================  ===========================================================
column                           content
===============================  ===========================================================
nom_installation                 name as published; missing when the register hides it
confidentiel                     True when the published name is ``Confidentiel``
agregation                       True for the "Agrégation des installations de moins de
                                 36KW" rows (one per commune or département and filière)
filiere                          filière (accented labels: Hydraulique, Éolien, Solaire, …);
                                 PV filed under "Thermique non renouvelable" becomes Solaire
filiere_publiee                  filière as published
technologie                      technology as published (Lac, Photovoltaïque, …)
renouvelable                     whether the filière is renewable (:data:`RENEWABLE`)
puissance_kw                     maximum installed power in kW, as the register publishes
                                 it (``puismaxinstallee`` 1310000 = 1,310 MW)
nb_installations                 installations the row stands for (Int64; > 1 for aggregates)
nb_groupes                       generating units (Int64)
energie_annuelle_mwh             rolling annual energy produced, else injected, in MWh
                                 (the register publishes kWh)
date_mise_en_service             commissioning date (date; ``01/01/1900`` → missing)
date_raccordement                grid connection date
date_debut_version               date of the row's version in the register (data date)
regime                           En service, En retrait provisoire, …
gestionnaire                     grid operator (RTE, Enedis, …)
combustible, type_stockage       as published
code_eic                         ``codeeicresourceobject``
code_insee_commune               ``codeinseecommune`` as published
code_insee_commune_implantation  ``codeinseecommuneimplantation`` as published
commune                          commune name as published
ligne                            file line of the record
code_commune …                   the four territory columns (from ``codeinseecommune``, else
                                 ``codeinseecommuneimplantation``, else ``codedepartement``)
===============================  ===========================================================

Geometry: a point inside the commune outline when it is loaded, else None.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo.datasets import Loaded
from geo.datasets.columns import Columns
from geo.datasets.communes import place_communes
from geo.datasets.csvfile import LINE, read_csv_table
from geo.datasets.duplicates import identical_rows
from geo.datasets.jsonfile import looks_like_json, read_json_records
from geo.datasets.labels import label_key
from geo.datasets.points import SOURCE_LINE
from geo.datasets.report import LoadReport
from geo.datasets.schema import TableSchema, validate
from geo.territory import TERRITORY_COLUMNS, Territories

DATASET = "production"
TITLE = "registre national des installations de production et de stockage d'électricité (ODRÉ)"
REQUIRED = ("nominstallation", "filiere", "puismaxinstallee", "codeinseecommune")
OPTIONAL = (
    "codeinseecommuneimplantation",
    "codedepartement",
    "codefiliere",
    "technologie",
    "codetechnologie",
    "maxpuis",
    "nbinstallations",
    "nbgroupes",
    "energieannuelleglissanteproduite",
    "energieannuelleglissanteinjectee",
    "datemiseenservice",
    "datemiseenservice_date",
    "dateraccordement",
    "datedebutversion",
    "regime",
    "gestionnaire",
    "combustible",
    "typestockage",
    "codeeicresourceobject",
    "commune",
)
OUTPUT_COLUMNS = (
    "nom_installation",
    "confidentiel",
    "agregation",
    "filiere",
    "filiere_publiee",
    "technologie",
    "renouvelable",
    "puissance_kw",
    "nb_installations",
    "nb_groupes",
    "energie_annuelle_mwh",
    "date_mise_en_service",
    "date_raccordement",
    "date_debut_version",
    "regime",
    "gestionnaire",
    "combustible",
    "type_stockage",
    "code_eic",
    "code_insee_commune",
    "code_insee_commune_implantation",
    "commune",
    SOURCE_LINE,
    *TERRITORY_COLUMNS,
)

#: Filière labels by :func:`~geo.datasets.labels.label_key` (ODRÉ writes "Eolien", "Energies
#: Marines").
FILIERES = {
    "hydraulique": "Hydraulique",
    "eolien": "Éolien",
    "solaire": "Solaire",
    "bioenergies": "Bioénergies",
    "energies marines": "Énergies marines",
    "geothermie": "Géothermie",
    "nucleaire": "Nucléaire",
    "thermique non renouvelable": "Thermique non renouvelable",
    "stockage non hydraulique": "Stockage non hydraulique",
    "autre": "Autre",
}
#: Filière codes seen in the register, used when the label is missing.
FILIERE_CODES = {
    "HYDLQ": "Hydraulique",
    "EOLIE": "Éolien",
    "NUCLE": "Nucléaire",
    "THERM": "Thermique non renouvelable",
    "MARIN": "Énergies marines",
    "STOCK": "Stockage non hydraulique",
}
RENEWABLE = frozenset(
    {"Hydraulique", "Éolien", "Solaire", "Bioénergies", "Énergies marines", "Géothermie"}
)
#: The catch-all filière under which the register files some units of other technologies.
THERMAL = "Thermique non renouvelable"
#: Technologies that decide the filière when filed under :data:`THERMAL` (key → filière).
TECHNOLOGY_FILIERE = {"photovoltaique": "Solaire"}
TECHNOLOGY_CODES = {"PHOTV": "photovoltaique"}
CONFIDENTIAL = "confidentiel"
AGGREGATE_PREFIX = "agregation des installations"
REPEATED = "enregistrements publiés deux fois à l'identique (un seul gardé)"
DISAGREEING = (
    "technologie incompatible avec la filière publiée (gardée : la filière publiée, "
    "voir filiere_publiee et technologie)"
)


def load(path: Path, *, territories: Territories, schema: TableSchema | None = None) -> Loaded:
    report = LoadReport(DATASET)
    read = read_json_records if looks_like_json(path) else read_csv_table
    table = read(path, required=REQUIRED, optional=OPTIONAL, title=TITLE, report=report)
    frame = table if isinstance(table, pd.DataFrame) else table.frame
    if schema is not None:
        validate(frame, schema, report)
    frame = frame[
        identical_rows(
            frame, report, "enregistrements publiés deux fois à l'identique (un seul gardé)"
        )
    ].reset_index(drop=True)
    normal = _normalise(frame, report)
    codes = frame["codeinseecommune"].reset_index(drop=True)
    implantation = frame.get("codeinseecommuneimplantation")
    if implantation is not None:
        fallback = codes.isna().to_numpy() & implantation.notna().to_numpy()
        report.repair("code_commune_implantation", fallback)
        codes = codes.where(~fallback, implantation.reset_index(drop=True))
    placed = place_communes(
        normal, codes, territories, report, departement=frame.get("codedepartement")
    )
    placed = placed.rename(columns={LINE: SOURCE_LINE})[[*OUTPUT_COLUMNS, "geometry"]]
    report.finish(rows_kept=len(placed))
    return Loaded(placed, report)


def _normalise(frame: pd.DataFrame, report: LoadReport) -> pd.DataFrame:
    work = frame.copy()
    # One date per column: the ISO field when the export has it, else the dd/mm/yyyy one.
    iso = work.get("datemiseenservice_date")
    if iso is not None:
        work["datemiseenservice"] = iso.fillna(work.get("datemiseenservice", iso))
    columns = Columns(work, report)
    texts = columns.texts(
        [
            "nominstallation",
            "technologie",
            "regime",
            "gestionnaire",
            "combustible",
            "typestockage",
            "codeeicresourceobject",
            "codeinseecommune",
            "codeinseecommuneimplantation",
            "commune",
        ]
    )
    out = pd.DataFrame(index=work.index)
    name = texts["nominstallation"]
    # Keys only for the few names that may be a placeholder (a national file has ~100k names).
    maybe = name.str.lower().str.startswith(("conf", "agr")).fillna(False).to_numpy(bool)
    name_key = pd.Series(pd.NA, index=name.index, dtype="str")
    name_key[maybe] = label_key(name[maybe])
    confidential = (name_key == CONFIDENTIAL).fillna(False).to_numpy(dtype=bool)
    report.repair("nom_confidentiel", confidential)
    out["nom_installation"] = name.mask(confidential)
    out["confidentiel"] = pd.array(confidential, dtype="boolean")
    aggregate = name_key.str.startswith(AGGREGATE_PREFIX).fillna(False).to_numpy(dtype=bool)
    out["agregation"] = pd.array(aggregate, dtype="boolean")

    published, filiere = _filiere(columns, texts["technologie"], report)
    out["filiere"] = filiere
    out["filiere_publiee"] = published
    out["technologie"] = texts["technologie"]
    renewable = filiere.isin(RENEWABLE).to_numpy(dtype=bool)
    out["renouvelable"] = pd.array(renewable, dtype="boolean").astype("boolean")
    out.loc[filiere.isna().to_numpy(), "renouvelable"] = pd.NA

    power = columns.power_kw("puismaxinstallee", watts_from=None)
    fallback = power.isna().to_numpy() & columns.raw("maxpuis").notna().to_numpy()
    if fallback.any():
        power = power.where(~fallback, columns.power_kw("maxpuis", watts_from=None))
        report.repair("puissance_depuis_maxpuis", fallback & power.notna().to_numpy())
    out["puissance_kw"] = power.astype("Float64")

    counts = columns.integers(["nbinstallations", "nbgroupes"], minimum=0)
    installations = counts["nbinstallations"]
    # A register row is one installation, unless it aggregates small ones.
    guessed = installations.isna().to_numpy() & ~aggregate
    report.repair("nb_installations_absent_1", guessed)
    out["nb_installations"] = installations.mask(guessed, 1).astype("Int64")
    out["nb_groupes"] = counts["nbgroupes"]

    energy = columns.floats(
        ["energieannuelleglissanteproduite", "energieannuelleglissanteinjectee"]
    )
    produced = energy["energieannuelleglissanteproduite"]
    injected = energy["energieannuelleglissanteinjectee"]
    use_injected = produced.isna().to_numpy() & injected.notna().to_numpy()
    report.repair("energie_injectee_pour_produite", use_injected)
    kwh = produced.where(~use_injected, injected)
    out["energie_annuelle_mwh"] = (kwh / 1000).round(3).astype("Float64")

    dates = columns.dates(["datemiseenservice", "dateraccordement", "datedebutversion"])
    out["date_mise_en_service"] = dates["datemiseenservice"]
    out["date_raccordement"] = dates["dateraccordement"]
    out["date_debut_version"] = dates["datedebutversion"]
    for target, source in (
        ("regime", "regime"),
        ("gestionnaire", "gestionnaire"),
        ("combustible", "combustible"),
        ("type_stockage", "typestockage"),
        ("code_eic", "codeeicresourceobject"),
        ("code_insee_commune", "codeinseecommune"),
        ("code_insee_commune_implantation", "codeinseecommuneimplantation"),
        ("commune", "commune"),
    ):
        out[target] = texts[source]
    out[LINE] = columns.lines
    return out.reset_index(drop=True)


def _filiere(
    columns: Columns, technologie: pd.Series, report: LoadReport
) -> tuple[pd.Series, pd.Series]:
    """(published filière, filière): labels made canonical, then the technology decides for
    units filed under the thermal catch-all."""
    published = columns.texts(["filiere"])["filiere"]
    canonical = label_key(published).map(FILIERES)
    codes = columns.texts(["codefiliere"])["codefiliere"].str.upper().map(FILIERE_CODES)
    filiere = canonical.fillna(published).fillna(codes).astype("str")
    tech_key = label_key(technologie)
    tech_codes = columns.texts(["codetechnologie"])["codetechnologie"].str.upper()
    tech_key = tech_key.fillna(tech_codes.map(TECHNOLOGY_CODES))
    implied = tech_key.map(TECHNOLOGY_FILIERE).astype("str")
    differs = (implied.notna() & (implied != filiere)).fillna(False).to_numpy(dtype=bool)
    # A missing filière is taken from the technology too.
    thermal = ((filiere == THERMAL) | filiere.isna()).to_numpy(dtype=bool)
    moved = differs & thermal
    report.repair("filiere_selon_technologie", moved)
    report.warn_rows(columns.lines[differs & ~thermal], DISAGREEING)
    filiere = filiere.where(~moved, implied)
    return published, filiere


__all__ = ["OUTPUT_COLUMNS", "load"]
