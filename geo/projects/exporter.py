"""Export projects to CSV, GeoJSON, GeoPackage or XLSX (``python -m geo projects export``).

Every format holds the public fields only (:data:`~geo.projects.exchange.EXPORT_COLUMNS`: no
contact e-mail, no token) under the exchange names, so an exported file imports back into the
same projects. Files are written beside the target and renamed into place: a reader never sees
half a file, and a failed export leaves the previous file untouched and says why in French
(:class:`~geo.errors.ExportError`: no space left, no right to write). :func:`export_bytes`
builds a file in memory (the app's downloads), GeoPackage included.

- **CSV**: UTF-8 *with* BOM and ``;`` separators, CRLF line ends: what Excel in French opens
  correctly with a double click (without the BOM it reads UTF-8 as Windows-1252, and it
  expects ``;`` where the decimal mark is a comma); lists are joined by ``;`` inside quoted
  cells; numbers use a decimal point; our importer and pandas (``sep=";"``) read it back.
  A text cell starting with ``= + - @``, a tab or a carriage return gets a leading ``'``, so
  a spreadsheet shows it as text instead of running a formula (OWASP); the importer removes
  that quote again, so an export still imports back into the same projects.
- **GeoJSON**: a FeatureCollection of Points (RFC 7946, WGS84) whose properties keep JSON
  types, like ``projects add``.
- **GeoPackage**: layer ``projets``, EPSG:4326 points, typed columns (numbers, booleans, UTC
  dates), lists joined by ``;``: opens in QGIS and reads with pyogrio/geopandas.
- **XLSX** (« Tableur »): for LibreOffice or Excel set to French, where a CSV loses the zero
  of ``01024`` and reads ``45.19`` as text. The same columns and values as the CSV, each cell
  typed (:mod:`geo.projects.spreadsheet`: codes, SIRENs and identifiers as text, figures and
  coordinates as numbers, dates in UTC), under French headers (:data:`SPREADSHEET_COLUMNS`);
  its « Colonnes » sheet gives each column's exchange name. It is made to be read, not
  imported back: the CSV is the exchange file.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import logging
import os
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo.errors import ExportError, GeoError
from geo.projects.exchange import EXPORT_COLUMNS, flat_values, properties, text_value
from geo.projects.exchange import LABELS as EXCHANGE_LABELS
from geo.projects.model import Project
from geo.projects.spreadsheet import Column, Kind, xlsx_bytes
from geo.text import spreadsheet_text

if TYPE_CHECKING:
    from geo.store.project_store import ProjectFilter, ProjectStore
    from geo.territory import Territories

FORMATS = ("csv", "geojson", "gpkg", "xlsx")
log = logging.getLogger(__name__)
LAYER = "projets"
CSV_SEPARATOR = ";"
_INTEGERS = ("id", "start_year", "charging_points", "citizen_shareholders")
_FLOATS = ("lat", "lon", "power_kwc", "energy_mwh_year", "budget_eur")
_DATES = ("created_at", "updated_at", "last_confirmed_at")
#: The spreadsheet's headers where the exchange's French labels say too little.
_HEADERS = {
    "lat": "latitude", "lon": "longitude", "commune": "commune (nom)",
    "code_commune": "code commune (INSEE)", "code_epci": "code EPCI (SIREN)",
    "code_departement": "code département", "code_region": "code région",
    "created_at": "créé le (UTC)", "updated_at": "modifié le (UTC)",
    "last_confirmed_at": "confirmé le (UTC)",
}  # fmt: skip


def _kind(name: str) -> Kind:
    if name in _INTEGERS:
        return "integer"
    if name in _FLOATS:
        return "number"
    if name in _DATES:
        return "date"
    return "boolean" if name == "location_approximate" else "text"


def _header(name: str) -> str:
    label = _HEADERS.get(name) or EXCHANGE_LABELS.get(name) or name
    return label[:1].upper() + label[1:]


#: The XLSX columns: every exchange column, in the same order, with its French header.
SPREADSHEET_COLUMNS = tuple(Column(n, _header(n), _kind(n)) for n in EXPORT_COLUMNS)


@cache
def _gdal_errors() -> tuple[type[Exception], ...]:
    # Imported when an error is matched (an ``except`` clause is evaluated then): loading GDAL
    # is not part of every page that offers an export.
    from pyogrio.errors import DataLayerError, DataSourceError

    return (DataSourceError, DataLayerError)


def export_projects(
    store: ProjectStore,
    path: str | Path,
    *,
    file_format: str,
    criteria: ProjectFilter | None = None,
    territories: Territories | Callable[[], Territories] | None = None,
) -> int:
    """Write the projects matching ``criteria`` (every status unless it says) to ``path``,
    oldest first; the number written. ``territories`` (or a function returning it) names the
    communes of the ``commune`` column; without it the column stays empty."""
    if file_format not in FORMATS:
        msg = f"Format d'export inconnu : {file_format!r} (attendu : {', '.join(FORMATS)})."
        raise GeoError(msg)
    path = Path(path)
    items = sorted(store.query(criteria, limit=2**31 - 1).items, key=lambda p: p.id or 0)
    communes = commune_names(items, territories)
    writer = WRITERS[file_format]
    # Same folder (one file system, so the rename is atomic) and same suffix (GDAL drivers).
    partial = path.with_name(f".{path.stem}.{os.getpid()}.partial{path.suffix}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        writer(partial, items, communes)
        os.replace(partial, path)
    except (OSError, *_gdal_errors()) as error:
        raise export_error(error, path.name) from error
    finally:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
    return len(items)


def export_bytes(
    file_format: str, items: Sequence[Project], communes: Sequence[str | None]
) -> bytes:
    """The file of one format in memory (the app's downloads): no disk involved."""
    try:
        return BUILDERS[file_format](items, communes)
    except _gdal_errors() as error:
        raise export_error(error, f"projets.{file_format}") from error


def export_error(error: BaseException, name: str) -> ExportError:
    """What to tell about a failed write, in French; the detail goes to the log."""
    log.error("Export %s impossible", name, exc_info=error)
    code = getattr(error, "errno", None)
    if code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) or not isinstance(error, OSError):
        # GDAL says only "failed to write" or "failed to commit": space is the usual reason.
        msg = (
            f"L'export {name} n'a pas pu être écrit : plus d'espace libre sur le disque (ou "
            "quota atteint). Libérez de l'espace ou choisissez un autre dossier, puis "
            "recommencez ; le fichier précédent, s'il y en avait un, est intact."
        )
    elif code in (errno.EACCES, errno.EPERM, errno.EROFS):
        msg = (
            f"L'export {name} n'a pas pu être écrit : pas le droit d'écrire dans ce dossier. "
            "Choisissez un dossier où vous pouvez écrire."
        )
    else:
        msg = f"L'export {name} n'a pas pu être écrit ({error.strerror or 'erreur du système'})."
    return ExportError(msg)


def commune_names(
    items: Sequence[Project], territories: Territories | Callable[[], Territories] | None
) -> list[str | None]:
    if territories is None or not items:
        return [None] * len(items)
    try:
        reference = territories() if callable(territories) else territories
    except GeoError:
        return [None] * len(items)  # the reference is not cached: the codes are still there
    names = reference.names("commune", [p.code_commune for p in items])
    return [None if name is None else str(name) for name in names]


def csv_bytes(items: Sequence[Project], communes: Sequence[str | None]) -> bytes:
    handle = io.StringIO(newline="")
    writer = csv.writer(handle, delimiter=CSV_SEPARATOR, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for project, commune in zip(items, communes, strict=True):
        values = flat_values(project, commune)
        writer.writerow([_cell(values[name]) for name in EXPORT_COLUMNS])
    return handle.getvalue().encode("utf-8-sig")


def write_csv(path: Path, items: Sequence[Project], communes: Sequence[str | None]) -> None:
    path.write_bytes(csv_bytes(items, communes))


def _cell(value: Any) -> str:
    """Text as a spreadsheet shows text (no formula runs), numbers and dates as they are."""
    return spreadsheet_text(value) if isinstance(value, str) else text_value(value)


def geojson_bytes(items: Sequence[Project], communes: Sequence[str | None]) -> bytes:
    import orjson

    features = [
        {
            "type": "Feature",
            "id": project.id,
            "geometry": {"type": "Point", "coordinates": [project.lon, project.lat]},
            "properties": properties(project, commune),
        }
        for project, commune in zip(items, communes, strict=True)
    ]
    collection = {"type": "FeatureCollection", "features": features}
    return orjson.dumps(collection)


def write_geojson(path: Path, items: Sequence[Project], communes: Sequence[str | None]) -> None:
    path.write_bytes(geojson_bytes(items, communes))


def write_gpkg(path: Path | io.BytesIO, items: Sequence[Project],
               communes: Sequence[str | None]) -> None:  # fmt: skip
    import geopandas as gpd
    import pandas as pd
    import pyogrio

    rows = [flat_values(p, c) for p, c in zip(items, communes, strict=True)]
    frame = pd.DataFrame(rows, columns=list(EXPORT_COLUMNS))
    columns: dict[str, Any] = {}
    for name in EXPORT_COLUMNS:
        column = frame[name]
        if name in _INTEGERS:
            columns[name] = pd.array(column.tolist(), dtype="Int64")
        elif name in _FLOATS:
            columns[name] = pd.to_numeric(column, errors="coerce").astype("float64")
        elif name == "location_approximate":
            columns[name] = column.astype(bool)
        elif name in _DATES:
            columns[name] = pd.to_datetime(column, utc=True)
        else:
            columns[name] = column.astype(object).where(column.notna(), None)
    table = pd.DataFrame(columns)
    geometry = gpd.points_from_xy(table["lon"], table["lat"], crs=4326)
    layer = gpd.GeoDataFrame(table, geometry=geometry, crs=4326)
    pyogrio.write_dataframe(
        layer, path, layer=LAYER, driver="GPKG", geometry_type="Point", promote_to_multi=False
    )


def gpkg_bytes(items: Sequence[Project], communes: Sequence[str | None]) -> bytes:
    buffer = io.BytesIO()
    write_gpkg(buffer, items, communes)  # GDAL's in-memory file system (/vsimem)
    return buffer.getvalue()


def spreadsheet_bytes(items: Sequence[Project], communes: Sequence[str | None]) -> bytes:
    """The XLSX « Tableur » file: one row per project, cells typed."""
    rows = (flat_values(p, c) for p, c in zip(items, communes, strict=True))
    return xlsx_bytes(SPREADSHEET_COLUMNS, rows, title="Projets")


def write_xlsx(path: Path, items: Sequence[Project], communes: Sequence[str | None]) -> None:
    path.write_bytes(spreadsheet_bytes(items, communes))


WRITERS = {"csv": write_csv, "geojson": write_geojson, "gpkg": write_gpkg, "xlsx": write_xlsx}
BUILDERS = {"csv": csv_bytes, "geojson": geojson_bytes, "gpkg": gpkg_bytes,
            "xlsx": spreadsheet_bytes}  # fmt: skip
