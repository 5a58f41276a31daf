"""Readers of the files :mod:`geo.projects.importer` imports: CSV, GeoJSON, GeoPackage.

Each reader yields ``(line, record)``: ``record`` maps the file's own column names to values
(plus, under the :data:`GEOMETRY` key, the ``lat``/``lon``/``area`` taken from a feature's
geometry), or is a :class:`~geo.projects.exchange.RowError` for a row that cannot be read.
``line`` is the file line a CSV record starts on (header = line 1) or a feature's position,
from 1. A file that cannot be read at all raises :class:`~geo.errors.GeoError`; so does a file
without any column that becomes ``title``.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import shapely
import shapely.geometry

from geo.errors import GeoError
from geo.projects.exchange import RowError
from geo.text import from_spreadsheet_text

#: A CSV field larger than this stops the reading of the file (a project's longest field, a
#: 10,000-vertex area, is far below; 10 MB descriptions are read, then rejected by length).
MAX_FIELD_CHARS = 64 * 1024 * 1024
#: Key of the values a reader took from a feature's geometry (``lat``, ``lon``, ``area``).
GEOMETRY = object()
Record = tuple[int, "dict[Any, Any] | RowError"]


class Columns(Protocol):
    """How a reader learns our field name for each of its columns."""

    def name(self, column: str) -> str | None: ...

    def names(self, header: list[str]) -> list[str | None]: ...


class Meta(Protocol):
    """Where a reader records what it found about the file."""

    encoding: str | None
    separator: str | None
    warnings: list[str]


def file_format(path: Path) -> str:
    """``csv``, ``geojson`` or ``gpkg`` from the extension, else from the first bytes."""
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".json"):
        return "geojson"
    if suffix == ".gpkg":
        return "gpkg"
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    with path.open("rb") as handle:
        start = handle.read(16)
    if start.startswith(b"SQLite format 3"):
        return "gpkg"
    return "geojson" if start.lstrip().startswith(b"{") else "csv"


@dataclass(frozen=True)
class Encoding:
    """How a CSV file is decoded, decided on evidence (:func:`decide_encoding`)."""

    name: str
    #: Lines that cannot be read right in that encoding: undecodable bytes in a UTF-8 file,
    #: or UTF-8 text in a Windows-1252 file (it would be imported as "Ã©" for "é").
    bad_lines: frozenset[int] = frozenset()


def decide_encoding(path: Path) -> Encoding:
    """UTF-8 unless the file shows more lines that cannot be UTF-8 than lines that are
    (non-ASCII and valid): one stray byte does not turn 100,000 good lines into mojibake.
    Otherwise Windows-1252 (latin-1 when even that fails), UTF-8 lines flagged."""
    utf8_lines: set[int] = set()
    bad_lines: set[int] = set()
    with path.open("rb") as handle:
        bom = handle.read(3) == codecs.BOM_UTF8
        handle.seek(0)
        for number, raw in enumerate(handle, start=1):
            if raw.isascii():
                continue
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                bad_lines.add(number)
            else:
                utf8_lines.add(number)
    if len(utf8_lines) >= len(bad_lines):
        return Encoding("utf-8-sig" if bom else "utf-8", frozenset(bad_lines))
    try:
        with path.open(encoding="cp1252") as handle:
            while handle.read(1 << 20):
                pass
        name = "cp1252"
    except UnicodeDecodeError:
        name = "latin-1"  # decodes any byte
    return Encoding(name, frozenset(utf8_lines))


def _bad_line_reason(encoding: Encoding) -> str:
    if encoding.name.startswith("utf-8"):
        return (
            "octets invalides en UTF-8 sur cette ligne (caractères illisibles) : ligne non "
            "importée ; corrigez ces caractères ou enregistrez le fichier en UTF-8."
        )
    return (
        "ligne écrite en UTF-8 dans un fichier en Windows-1252 : elle serait importée déformée "
        "(« Ã© » pour « é ») ; enregistrez tout le fichier en UTF-8."
    )


def read_csv(path: Path, report: Meta, columns: Columns) -> Iterator[Record]:
    """Records with the file line they start on; blank lines are skipped. A record on a line
    that cannot be decoded right is a :class:`RowError` (see :func:`decide_encoding`)."""
    from geo.datasets.csvfile import sniff_separator

    with path.open("rb") as handle:
        start = handle.read(4)
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        decided = Encoding("utf-16")
    else:
        decided = decide_encoding(path)
    encoding = decided.name
    if encoding in ("cp1252", "latin-1"):
        report.warnings.append(
            f"fichier lu en {'Windows-1252' if encoding == 'cp1252' else 'latin-1'} : il n'est "
            "pas en UTF-8 ; vérifiez les accents des projets importés."
        )
    if decided.bad_lines:
        report.warnings.append(
            f"{len(decided.bad_lines)} ligne(s) mal encodée(s) non importée(s) (voir les rejets)."
        )
    # Process-wide, only ever raised: the default (128 KiB) would stop at a long description.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD_CHARS))
    # surrogateescape: an undecodable byte stays visible to us (bad_lines) instead of failing.
    with path.open(encoding=encoding, newline="", errors="surrogateescape") as handle:
        separator = sniff_separator(handle.readline())
        handle.seek(0)
        reader = csv.reader(handle, delimiter=separator)
        try:
            header = next(reader, [])
        except csv.Error as error:
            msg = f"En-tête illisible dans {path.name} : {error}"
            raise GeoError(msg) from None
        report.encoding, report.separator = encoding, separator
        # Undecodable bytes of a header name are shown as "�" (never as lone surrogates).
        header = [name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                  for name in header]  # fmt: skip
        names = columns.names(header)
        _require_title(names, header, path)
        width = len(header)
        previous = reader.line_num
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield (
                    previous + 1,
                    RowError(
                        f"lecture arrêtée ici : {error} ; les lignes suivantes n'ont pas été lues."
                    ),
                )
                return
            line, previous = previous + 1, reader.line_num
            if not any(v.strip() for v in values):
                continue
            if decided.bad_lines and not decided.bad_lines.isdisjoint(range(line, previous + 1)):
                yield line, RowError(_bad_line_reason(decided))
                continue
            if len(values) > width and any(v.strip() for v in values[width:]):
                yield (
                    line,
                    RowError(
                        f"{len(values)} champs au lieu de {width} (séparateur « {separator} » ou "
                        "guillemet en trop ?)"
                    ),
                )
                continue
            record: dict[str, str] = {}
            for column, value in zip(header, values, strict=False):
                # Our exports quote formulas for spreadsheets (see geo.projects.exporter).
                record.setdefault(column, from_spreadsheet_text(value))
            yield line, record


def _require_title(names: list[str | None], header: list[str], path: Path) -> None:
    if "title" not in names:
        found = ", ".join(str(h) for h in header[:15]) or "aucune"
        msg = (
            f"{path.name} : aucune colonne « title » (titre du projet). Colonnes trouvées : "
            f"{found}. Nommez les colonnes comme le format d'échange ou donnez une "
            "correspondance (--mapping)."
        )
        raise GeoError(msg)


def read_geojson(path: Path, report: Meta, columns: Columns) -> Iterator[Record]:
    """Features of a FeatureCollection (or one Feature); a JSON list of projects written as
    for ``projects add`` is read too, each object being the properties of a feature."""
    import orjson

    try:
        data = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as error:
        if "memory" in str(error).lower():  # orjson says so instead of raising MemoryError
            raise MemoryError(str(error)) from None
        msg = f"GeoJSON illisible ({path.name}) : {error}"
        raise GeoError(msg) from None
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features")
    elif isinstance(data, dict):
        features = [data]
    else:
        features = data
    if not isinstance(features, list):
        msg = f"{path.name} n'est pas une FeatureCollection GeoJSON."
        raise GeoError(msg)
    report.encoding = "utf-8"
    transform = _legacy_crs(data)
    keys = {str(k) for f in features for k in _properties(f) or {}}
    if features:
        _require_title([columns.name(k) for k in keys], sorted(keys), path)
    for number, feature in enumerate(features, start=1):
        properties = _properties(feature)
        if properties is None:
            yield number, RowError("objet qui n'est ni une Feature GeoJSON ni un projet.")
            continue
        try:
            geometry = feature.get("geometry")
            shape = shapely.geometry.shape(geometry) if geometry else None
        except Exception:  # noqa: BLE001 - any malformed geometry is the same user mistake
            yield number, RowError("géométrie GeoJSON illisible.")
            continue
        if shape is not None and transform is not None:
            shape = shapely.transform(shape, transform)
        yield number, _with_geometry(properties, shape)


def _properties(feature: Any) -> dict[str, Any] | None:
    if not isinstance(feature, dict):
        return None
    if feature.get("type") != "Feature":
        return None if "type" in feature else feature  # a plain project object
    properties = feature.get("properties") or {}
    return properties if isinstance(properties, dict) else None


def _legacy_crs(data: Any) -> Callable[[np.ndarray], np.ndarray] | None:
    """GeoJSON is WGS84 (RFC 7946); older files may name another CRS (Lambert-93…)."""
    crs = data.get("crs") if isinstance(data, dict) else None
    name = ((crs or {}).get("properties") or {}).get("name") if isinstance(crs, dict) else None
    if not name or str(name).upper().endswith(("CRS84", "EPSG::4326", "EPSG:4326")):
        return None
    from pyproj import CRS, Transformer

    try:
        transformer = Transformer.from_crs(CRS.from_user_input(name), 4326, always_xy=True)
    except Exception as error:  # noqa: BLE001 - pyproj raises several kinds
        msg = f"Système de coordonnées inconnu dans le GeoJSON : {name} ({error})."
        raise GeoError(msg) from None
    return lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))


def read_gpkg(path: Path, report: Meta, columns: Columns) -> Iterator[Record]:
    import pandas as pd
    import pyogrio

    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(path)]
        layer = "projets" if "projets" in layers else layers[0]
        frame = pyogrio.read_dataframe(path, layer=layer)
    except Exception as error:  # noqa: BLE001 - GDAL errors come in several classes
        msg = f"GeoPackage illisible ({path.name}) : {error}"
        raise GeoError(msg) from None
    if getattr(frame, "crs", None) is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    geometries = frame.geometry.to_numpy() if "geometry" in frame else [None] * len(frame)
    table = pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))
    _require_title(columns.names(list(table.columns)), list(table.columns), path)
    for number, (values, shape) in enumerate(
        zip(table.to_dict("records"), geometries, strict=True), start=1
    ):
        record = {str(k): _plain(v) for k, v in values.items()}
        yield number, _with_geometry(record, shape)


def _plain(value: Any) -> Any:
    """numpy and pandas scalars as Python values; missing ones as None."""
    import pandas as pd

    if isinstance(value, np.ndarray):
        return value.tolist()
    if value is None or (not isinstance(value, list | dict) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value.item() if isinstance(value, np.generic) else value


def _with_geometry(record: dict[str, Any], shape: Any) -> dict[str, Any] | RowError:
    if shape is None or shape.is_empty:
        return record
    if shape.geom_type == "Point":
        return record | {GEOMETRY: {"lat": shape.y, "lon": shape.x}}
    if shape.geom_type in ("Polygon", "MultiPolygon"):
        point = shape.representative_point()
        area = shapely.geometry.mapping(shape)
        return record | {GEOMETRY: {"lat": point.y, "lon": point.x, "area": area}}
    return RowError(f"géométrie {shape.geom_type} non prise en charge (Point attendu).")
