"""Clipping the published files to a kit's area, each in its own published format.

A kit's files are the official files cut down, not a format of ours: the loaders, the fetch
checks and the manifest read them as they read a download, so an app started on a kit runs
the same code as anywhere else. Each function reads one cached file and writes its clipped
copy where a mirror would hold it (``MIRROR/HOST/PATH``, :func:`geo.sources.declared.mirror_path`).

- outlines (GeoJSON ``FeatureCollection``): the features whose ``code`` is kept;
- COG lists (JSON): the current communes kept, the delegated, associated communes and
  municipal arrondissements attached to them, the EPCI, départements and régions of those
  (an EPCI's members outside the kit are left out, its own population figures stay);
- a dataset: the records whose rows the loader located in a kept commune (by the line each
  record starts on, so quoted line breaks, encodings and separators stay as published), or
  for GeoJSON the features crossing the kit's area; a schema's official example standing in
  for a producer file is no territory's data and is kept whole (:func:`geo.kit.build`);
- a BAN address file (``adresses-XX.csv``, gzipped or not): the lines of the kept communes,
  byte for byte, unpacked (:func:`clip_addresses`).
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import shapely

from geo.datasets.csvfile import sniff_separator
from geo.datasets.jsonfile import record_lines


@dataclass(frozen=True)
class KitArea:
    """What a kit covers: its territory, the neighbours of the same level, and every
    territory of the hierarchy they touch."""

    level: str
    code: str
    neighbours: tuple[str, ...]
    communes: frozenset[str]
    epci: frozenset[str]
    departements: frozenset[str]
    regions: frozenset[str]
    shape: Any  # the union of the kept communes' outlines (shapely), for line datasets

    def codes(self, level: str) -> frozenset[str]:
        return {"commune": self.communes, "epci": self.epci, "departement": self.departements,
                "region": self.regions}[level]  # fmt: skip


def _write(path: Path, data: bytes) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return len(data)


def clip_features(source: Path, target: Path, keep: Collection[str]) -> int:
    """An outlines file with only the features whose ``code`` is in ``keep``; how many."""
    document = orjson.loads(source.read_bytes())
    features = [f for f in document.get("features", [])
                if str((f.get("properties") or {}).get("code")) in keep]  # fmt: skip
    _write(target, orjson.dumps(document | {"features": features}))
    return len(features)


def clip_outlines(parquet: Path, target: Path, keep: Collection[str]) -> int:
    """The same as :func:`clip_features`, read from the GeoParquet conversion the fetch made
    of the published GeoJSON (a national outlines file parses ten times faster so): the
    features whose ``code`` is kept, written back as a GeoJSON ``FeatureCollection``."""
    import geopandas

    frame = geopandas.read_parquet(parquet)
    kept = frame[frame["code"].astype(str).isin(set(keep))]
    _write(target, kept.to_json(drop_id=True, to_wgs84=True).encode("utf-8"))
    return len(kept)


def clip_cog_communes(source: Path, target: Path, communes: Collection[str]) -> int:
    rows = orjson.loads(source.read_bytes())
    kept = [
        row
        for row in rows
        if (
            row.get("type", "commune-actuelle") == "commune-actuelle"
            and row.get("code") in communes
        )
        or row.get("chefLieu") in communes
        or row.get("commune") in communes
    ]
    _write(target, orjson.dumps(kept))
    return len(kept)


def clip_cog_epci(
    source: Path, target: Path, epci: Collection[str], communes: Collection[str]
) -> int:
    rows = orjson.loads(source.read_bytes())
    kept = []
    for row in rows:
        if row.get("code") in epci:
            members = [m for m in row.get("membres", []) if m.get("code") in communes]
            kept.append(row | {"membres": members})
    _write(target, orjson.dumps(kept))
    return len(kept)


def clip_by_code(source: Path, target: Path, keep: Collection[str]) -> int:
    rows = orjson.loads(source.read_bytes())
    kept = [row for row in rows if row.get("code") in keep]
    _write(target, orjson.dumps(kept))
    return len(kept)


# --- datasets ------------------------------------------------------------------------------------


def clip_csv(source: Path, target: Path, lines: Iterable[int]) -> int:
    """The header and the records starting on ``lines`` (header = line 1), byte for byte."""
    wanted = {int(line) for line in lines}
    # Latin-1 maps every byte to one character: record boundaries are found on the bytes
    # as published (UTF-8 or not), and written back unchanged.
    text = source.read_bytes().decode("latin-1")
    physical = io.StringIO(text, newline="").readlines()
    if not physical:
        _write(target, b"")
        return 0
    separator = sniff_separator(physical[0].lstrip("\ufeffï»¿"))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    out: list[str] = []
    kept = 0
    previous = 0
    for index, _record in enumerate(reader):
        start, end = previous + 1, reader.line_num
        previous = end
        if index == 0:
            out.extend(physical[start - 1 : end])
        elif start in wanted:
            out.extend(physical[start - 1 : end])
            kept += 1
    if out and not out[-1].endswith(("\n", "\r")):
        out[-1] += "\r\n" if "\r\n" in physical[0] else "\n"
    _write(target, "".join(out).encode("latin-1"))
    return kept


def clip_json_records(source: Path, target: Path, lines: Iterable[int]) -> int:
    """A JSON export (a list of records, or under ``results``/``records``) with the records
    starting on ``lines``, written as a list, one record per line."""
    data = source.read_bytes()
    document = orjson.loads(data.removeprefix(b"\xef\xbb\xbf"))
    # The bracket depth of the records, as geo.datasets.jsonfile numbers them: 2 in [{…}].
    if isinstance(document, list):
        records, depth = document, 2
    else:
        key = next((k for k in ("results", "records") if isinstance(document.get(k), list)), None)
        records, depth = (document[key], 3) if key else ([], 2)
    starts = record_lines(data, len(records), depth)
    if starts is None:
        starts = np.arange(1, len(records) + 1, dtype=np.int64)
    wanted = {int(line) for line in lines}
    kept = [record for record, start in zip(records, starts.tolist(), strict=True)
            if start in wanted]  # fmt: skip
    body = b"[\n" + b",\n".join(orjson.dumps(r) for r in kept) + b"\n]\n"
    _write(target, body)
    return len(kept)


def clip_geojson(source: Path, target: Path, shape: Any) -> int:
    """The features of a GeoJSON file whose geometry crosses ``shape``."""
    document = orjson.loads(source.read_bytes())
    features = []
    for feature in document.get("features", []):
        try:
            geometry = shapely.geometry.shape(feature.get("geometry") or {})
        except (ValueError, TypeError, AttributeError, shapely.errors.GEOSException):
            continue
        if not geometry.is_empty and geometry.intersects(shape):
            features.append(feature)
    _write(target, orjson.dumps(document | {"features": features}))
    return len(features)


#: The column of a BAN address file holding the commune's INSEE code (the 7th).
_BAN_CODE_COLUMN = "code_insee"


def clip_addresses(source: Path, target: Path, communes: Collection[str]) -> int:
    """The header and the lines of ``communes`` of a BAN ``adresses-XX.csv`` (or ``.gz``),
    byte for byte, into ``target`` (unpacked); the lines kept. Streamed: a département's
    file is tens of MB. A file without the BAN's ``code_insee`` column is a ValueError."""
    keep = {str(code) for code in communes}
    opener = gzip.open if source.suffix == ".gz" else open
    with opener(source, "rb") as lines:
        header = lines.readline()
        names = header.decode("utf-8-sig").rstrip("\r\n").split(";")
        if _BAN_CODE_COLUMN not in names:
            msg = f"{source.name} : pas de colonne {_BAN_CODE_COLUMN}"
            raise ValueError(msg)
        column = names.index(_BAN_CODE_COLUMN)
        kept = 0
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as out:
            out.write(header)
            for line in lines:
                # The BAN quotes no field, so ";" splits its columns; a quoted line is read
                # as CSV all the same.
                text = line.decode("utf-8", errors="replace")
                quoted = '"' in text
                fields = next(csv.reader([text], delimiter=";")) if quoted else text.split(";")
                if len(fields) > column and fields[column] in keep:
                    out.write(line)
                    kept += 1
    return kept
