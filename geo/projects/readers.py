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


def read_csv(path: Path, report: Meta, columns: Columns) -> Iterator[Record]:
    """Records with the file line they start on; blank lines are skipped."""
    from geo.datasets.csvfile import detect_encoding, sniff_separator

    with path.open("rb") as handle:
        start = handle.read(4)
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = detect_encoding(path)
    # Process-wide, only ever raised: the default (128 KiB) would stop at a long description.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD_CHARS))
    with path.open(encoding=encoding, newline="") as handle:
        separator = sniff_separator(handle.readline())
        handle.seek(0)
        reader = csv.reader(handle, delimiter=separator)
        try:
            header = next(reader, [])
        except csv.Error as error:
            msg = f"En-tête illisible dans {path.name} : {error}"
            raise GeoError(msg) from None
        report.encoding, report.separator = encoding, separator
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
