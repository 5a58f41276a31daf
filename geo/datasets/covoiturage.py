"""Carpooling places: the Base nationale des lieux de covoiturage (BNLC, schema
lieux-covoiturage 0.2), ODbL — the attribution is in the catalogue.

Normalised frame, one row per place, EPSG:4326 points:

==============  =====================================================================
column          content
==============  =====================================================================
id_lieu         place id (``INSEE-C-NNN``)
id_local        producer's id (BNLC column, not in the schema)
nom_lieu        name
ad_lieu         address
com_lieu        commune name as published
insee           commune code as published (may be a postal or an old code: the point
                decides, unless it is far from the commune code and name designate)
type            Aire de covoiturage, Parking, Auto-stop, …
date_maj        date of the last update (date)
ouvert          open (boolean)
source          SIREN of the producer
nbre_pl         number of places (Int64, ≥ 0)
nbre_pmr        places for reduced mobility (Int64, ≥ 0)
duree           maximum stay in minutes (Int64)
horaires        opening hours (text)
proprio         owner
lumiere         lit (boolean)
comm            comment
ligne           file line
code_commune …  the four territory columns
==============  =====================================================================

Coordinates come from ``Xlong``/``Ylat``; a pair written lat first is swapped back. A
point more than 5 km from the commune that ``insee`` designates gets a warning with its file
line; when ``com_lieu`` names that commune too (older editions hold runs of rows whose
coordinates are shifted by one line, and homonyms geocoded in another département), the row
is placed in it (:mod:`geo.datasets.codecheck`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from geo.datasets import Loaded
from geo.datasets.columns import Columns
from geo.datasets.csvfile import LINE, read_csv_table
from geo.datasets.duplicates import keep_latest
from geo.datasets.parsing import parse_float
from geo.datasets.points import SOURCE_LINE, place_points
from geo.datasets.report import LoadReport
from geo.datasets.schema import TableSchema, validate
from geo.territory import TERRITORY_COLUMNS, Territories

DATASET = "covoiturage"
TITLE = "BNLC (lieux de covoiturage)"
REQUIRED = ("id_lieu", "nom_lieu", "Xlong", "Ylat")
TEXT_COLUMNS = (
    "id_lieu",
    "id_local",
    "nom_lieu",
    "ad_lieu",
    "com_lieu",
    "insee",
    "type",
    "source",
    "horaires",
    "proprio",
    "comm",
)
INT_COLUMNS = ("nbre_pl", "nbre_pmr", "duree")
BOOLEAN_COLUMNS = ("ouvert", "lumiere")
OUTPUT_COLUMNS = (
    "id_lieu",
    "id_local",
    "nom_lieu",
    "ad_lieu",
    "com_lieu",
    "insee",
    "type",
    "date_maj",
    "ouvert",
    "source",
    *INT_COLUMNS,
    "horaires",
    "proprio",
    "lumiere",
    "comm",
    SOURCE_LINE,
    *TERRITORY_COLUMNS,
)


def load(path: Path, *, territories: Territories, schema: TableSchema | None = None) -> Loaded:
    report = LoadReport(DATASET)
    table = read_csv_table(
        path,
        required=REQUIRED,
        optional=(*TEXT_COLUMNS, *INT_COLUMNS, *BOOLEAN_COLUMNS, "date_maj"),
        title=TITLE,
        report=report,
    )
    if schema is not None:
        validate(table.frame, schema, report)
    frame = table.frame
    lon, lat = parse_float(frame["Xlong"]), parse_float(frame["Ylat"])
    report.repair("nombre_virgule", lon.repairs["nombre_virgule"] | lat.repairs["nombre_virgule"])
    normal = _normalise(frame, report)
    keep = _deduplicate(normal, report)
    normal = normal[keep].reset_index(drop=True)
    points = place_points(
        normal,
        lon.values.to_numpy()[keep],
        lat.values.to_numpy()[keep],
        territories,
        report,
        unreadable=(lon.invalid | lat.invalid)[keep],
        commune_code="insee",
        commune_name="com_lieu",
    )
    points = points.rename(columns={LINE: SOURCE_LINE})[[*OUTPUT_COLUMNS, "geometry"]]
    report.finish(rows_kept=len(points))
    return Loaded(points, report)


def _normalise(frame: pd.DataFrame, report: LoadReport) -> pd.DataFrame:
    columns = Columns(frame, report)
    out = pd.DataFrame(columns.texts(TEXT_COLUMNS))
    parsed = {
        **columns.integers(INT_COLUMNS, minimum=0),
        **columns.booleans(BOOLEAN_COLUMNS),
        **columns.dates(["date_maj"]),
    }
    for name, values in parsed.items():
        out[name] = values
    out[LINE] = columns.lines
    return out


def _deduplicate(frame: pd.DataFrame, report: LoadReport) -> np.ndarray:
    """One row per ``id_lieu``: the latest ``date_maj``, then the row content."""
    return keep_latest(
        frame,
        "id_lieu",
        report,
        "lieux publiés plusieurs fois sous le même id_lieu "
        "(gardé : la mise à jour la plus récente)",
    )
