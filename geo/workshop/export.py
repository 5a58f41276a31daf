"""A workshop session's ideas as files: CSV or GeoJSON in the projects' exchange format.

The columns are those of ``python -m geo projects export`` (:mod:`geo.projects.exporter`:
public fields only, CSV in UTF-8 with BOM, ``;``, CRLF, formulas neutralised), followed by
the room's own columns: ``atelier_code``, ``atelier_numero`` (the number called out),
``atelier_participant`` (the name given, if any), ``atelier_masquee`` (hidden from the room)
and ``atelier_remise`` (handed to moderation). ``python -m geo projects import FILE --status
propose`` reads such a file back (the room's columns are reported as ignored) and matches its
rows on ``source`` + ``external_id`` (``atelier``, ``CODE-NUMBER``): importing it twice, or
into the store it came from, creates nothing new.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from geo.projects.exchange import EXPORT_COLUMNS, flat_values, properties, text_value
from geo.projects.exporter import CSV_SEPARATOR
from geo.projects.model import Project
from geo.store.workshops import RoomItem
from geo.text import spreadsheet_text

ROOM_COLUMNS = (
    "atelier_code",
    "atelier_numero",
    "atelier_participant",
    "atelier_masquee",
    "atelier_remise",
)
FORMATS = {"csv": "text/csv", "geojson": "application/geo+json"}


def _room(code: str, item: RoomItem) -> dict[str, object]:
    return {
        "atelier_code": code,
        "atelier_numero": item.number,
        "atelier_participant": item.name,
        "atelier_masquee": item.hidden,
        "atelier_remise": item.handed,
    }


def _cell(value: object) -> str:
    return spreadsheet_text(value) if isinstance(value, str) else text_value(value)


def session_csv(
    code: str, rows: Sequence[tuple[RoomItem, Project]], communes: Sequence[str | None]
) -> bytes:
    handle = io.StringIO(newline="")
    writer = csv.writer(handle, delimiter=CSV_SEPARATOR, lineterminator="\r\n")
    writer.writerow([*EXPORT_COLUMNS, *ROOM_COLUMNS])
    for (item, project), commune in zip(rows, communes, strict=True):
        values = flat_values(project, commune) | _room(code, item)
        writer.writerow([_cell(values[name]) for name in (*EXPORT_COLUMNS, *ROOM_COLUMNS)])
    return handle.getvalue().encode("utf-8-sig")


def session_geojson(
    code: str, rows: Sequence[tuple[RoomItem, Project]], communes: Sequence[str | None]
) -> bytes:
    import orjson

    features = [
        {
            "type": "Feature",
            "id": project.id,
            "geometry": {"type": "Point", "coordinates": [project.lon, project.lat]},
            "properties": properties(project, commune) | _room(code, item),
        }
        for (item, project), commune in zip(rows, communes, strict=True)
    ]
    return orjson.dumps({"type": "FeatureCollection", "features": features})


def session_file(
    file_format: str,
    code: str,
    rows: Sequence[tuple[RoomItem, Project]],
    communes: Sequence[str | None],
) -> bytes:
    builder = session_csv if file_format == "csv" else session_geojson
    return builder(code, rows, communes)
