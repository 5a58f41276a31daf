"""Bike parking: a producer file in the schema stationnement-cyclable (v1.1.x).

Normalised frame, one row per parking place (``id_local``), EPSG:4326 points:

==============  ======================================================================
column          content
==============  ======================================================================
id_local        producer's id (the schema's primary key)
id_osm          OpenStreetMap id
code_com        commune code as published (the point decides the commune)
capacite        bike places (Int64, ≥ 0)
capacite_cargo  cargo-bike places (Int64, ≥ 0)
type_accroche   ROUE, CADRE, CADRE ET ROUE, SANS ACCROCHE
mobilier        ARCEAU, RATELIER, …
acces           LIBRE ACCES, ABONNEMENT OU INSCRIPTION PREALABLE, PRIVE
gratuit         free (boolean)
protection      STATIONNEMENT NON FERME, CONSIGNE COLLECTIVE FERMEE, …
couverture      covered (boolean)
surveillance    watched (boolean)
lumiere         lit (boolean)
url_info        information page
d_service       year of commissioning (Int64)
source          producer
proprietaire    owner
gestionnaire    manager
date_maj        last update (date)
commentaires    comments
ligne           file line
code_commune …  the four territory columns
==============  ======================================================================

Coordinates come from ``coordonneesxy`` (``[lon,lat]``, sometimes lat first, sometimes
with a newline inside the quoted field). Booleans read ``1/0``, ``true/false``, ``vrai/faux``.
Values of the schema's lists are written in the schema's spelling (``Arceau`` → ``ARCEAU``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from geo.datasets import Loaded
from geo.datasets.columns import Columns
from geo.datasets.csvfile import LINE, read_csv_table
from geo.datasets.duplicates import keep_latest
from geo.datasets.labels import enum_values
from geo.datasets.parsing import parse_coordinate_pair
from geo.datasets.points import SOURCE_LINE, place_points
from geo.datasets.report import LoadReport
from geo.datasets.schema import TableSchema, validate
from geo.territory import TERRITORY_COLUMNS, Territories

DATASET = "stationnement_velo"
TITLE = "stationnement cyclable (schéma stationnement-cyclable)"
REQUIRED = ("id_local", "coordonneesxy", "capacite")
#: Columns whose values come from a list of the schema, with that list.
ENUMS = {
    "type_accroche": ("ROUE", "CADRE", "CADRE ET ROUE", "SANS ACCROCHE"),
    "mobilier": (
        "ARCEAU",
        "RATELIER",
        "RACK DOUBLE ETAGE",
        "CROCHET",
        "SUPPORT GUIDON",
        "POTELET",
        "ARCEAU VELO GRANDE TAILLE",
        "AUCUN EQUIPEMENT",
        "AUTRE",
    ),
    "acces": ("LIBRE ACCES", "ABONNEMENT OU INSCRIPTION PREALABLE", "PRIVE"),
    "protection": (
        "STATIONNEMENT NON FERME",
        "CONSIGNE COLLECTIVE FERMEE",
        "BOX INDIVIDUEL FERME",
        "AUTRE",
    ),
}
TEXT_COLUMNS = (
    "id_local",
    "id_osm",
    "code_com",
    "url_info",
    "source",
    "proprietaire",
    "gestionnaire",
    "commentaires",
)
INT_COLUMNS = ("capacite", "capacite_cargo", "d_service")
BOOLEAN_COLUMNS = ("gratuit", "couverture", "surveillance", "lumiere")
OUTPUT_COLUMNS = (
    "id_local",
    "id_osm",
    "code_com",
    "capacite",
    "capacite_cargo",
    "type_accroche",
    "mobilier",
    "acces",
    "gratuit",
    "protection",
    "couverture",
    "surveillance",
    "lumiere",
    "url_info",
    "d_service",
    "source",
    "proprietaire",
    "gestionnaire",
    "date_maj",
    "commentaires",
    SOURCE_LINE,
    *TERRITORY_COLUMNS,
)


def load(path: Path, *, territories: Territories, schema: TableSchema | None = None) -> Loaded:
    report = LoadReport(DATASET)
    table = read_csv_table(
        path,
        required=REQUIRED,
        optional=(*TEXT_COLUMNS, *ENUMS, *INT_COLUMNS, *BOOLEAN_COLUMNS, "date_maj"),
        title=TITLE,
        report=report,
    )
    if schema is not None:
        validate(table.frame, schema, report)
    frame = table.frame
    lon, lat, unreadable = parse_coordinate_pair(frame["coordonneesxy"])
    normal = _normalise(frame, report)
    keep = keep_latest(
        normal,
        "id_local",
        report,
        "stationnements publiés plusieurs fois sous le même id_local "
        "(gardé : la mise à jour la plus récente)",
    )
    points = place_points(
        normal[keep].reset_index(drop=True),
        lon[keep],
        lat[keep],
        territories,
        report,
        unreadable=unreadable[keep],
        commune_code="code_com",
    )
    points = points.rename(columns={LINE: SOURCE_LINE})[[*OUTPUT_COLUMNS, "geometry"]]
    report.finish(rows_kept=len(points))
    return Loaded(points, report)


def _normalise(frame: pd.DataFrame, report: LoadReport) -> pd.DataFrame:
    columns = Columns(frame, report)
    out = pd.DataFrame(columns.texts(TEXT_COLUMNS))
    respelt = np.zeros(len(frame), dtype=bool)
    for name, allowed in ENUMS.items():
        out[name], changed = enum_values(columns.texts([name])[name], allowed)
        respelt |= changed
    report.repair("valeur_liste_orthographe", respelt)
    for name, values in {
        **columns.integers(INT_COLUMNS, minimum=0),
        **columns.booleans(BOOLEAN_COLUMNS),
        **columns.dates(["date_maj"]),
    }.items():
        out[name] = values
    out[LINE] = columns.lines
    return out


__all__ = ["OUTPUT_COLUMNS", "load"]
