"""Validation against an official Table Schema (frictionless), one column at a time.

The schema is the producer's contract, not ours: a row that breaks it but is still usable is
kept, and the violations are summed up per field and constraint as warnings of the load
report (``champ « horaires » : 12 ligne(s) ne respectent pas le motif …, par ex. lignes 3, 7``).
Each check is a vectorised operation on a column of strings, so a national file is validated
in a fraction of its load time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo.datasets.csvfile import LINE
from geo.datasets.report import LoadReport, example_lines
from geo.errors import SchemaError

_DEFAULT_TRUE = ("true", "True", "TRUE", "1")
_DEFAULT_FALSE = ("false", "False", "FALSE", "0")
_INTEGER = r"[+-]?\d+"
_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:NaN|INF|-INF)"
_ISO_DATE = r"\d{4}-\d{2}-\d{2}"
_GEOPOINT = {
    "array": r"\[\s*[+-]?\d+(?:\.\d+)?\s*,\s*[+-]?\d+(?:\.\d+)?\s*\]",
    "default": r"[+-]?\d+(?:\.\d+)?\s*,\s*[+-]?\d+(?:\.\d+)?",
}
_EMAIL = r"[^@\s]+@[^@\s]+\.[^@\s]+"
_URI = r"[A-Za-z][A-Za-z0-9+.-]*:\S+"
# strftime directives → regex, for date formats such as %d/%m/%Y.
_STRFTIME = {"%Y": r"\d{4}", "%m": r"\d{2}", "%d": r"\d{2}", "%H": r"\d{2}", "%M": r"\d{2}"}


@dataclass(frozen=True)
class SchemaField:
    name: str
    type: str
    format: str | None
    constraints: Mapping[str, Any]
    true_values: tuple[str, ...]
    false_values: tuple[str, ...]


@dataclass(frozen=True)
class TableSchema:
    """The parts of a Table Schema the validation uses."""

    name: str
    version: str | None
    fields: tuple[SchemaField, ...]
    missing_values: tuple[str, ...]

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(field.name for field in self.fields)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.constraints.get("required"))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TableSchema:
        """A Table Schema, or the JSON Schema of a GeoJSON FeatureCollection (its feature
        properties read as fields, see :func:`feature_fields`)."""
        raw_fields = data.get("fields")
        if raw_fields is None:
            raw_fields = feature_fields(data)
            data = {**_json_schema_metadata(data), **data}
        if not isinstance(raw_fields, list) or not raw_fields:
            msg = "Ce fichier n'est pas un Table Schema (pas de liste « fields »)."
            raise SchemaError(msg)
        fields = tuple(
            SchemaField(
                name=str(item["name"]),
                type=str(item.get("type", "string")),
                format=item.get("format"),
                constraints=dict(item.get("constraints") or {}),
                true_values=tuple(item.get("trueValues") or _DEFAULT_TRUE),
                false_values=tuple(item.get("falseValues") or _DEFAULT_FALSE),
            )
            for item in raw_fields
        )
        return cls(
            name=str(data.get("name") or data.get("title") or "schéma"),
            version=data.get("version"),
            fields=fields,
            missing_values=tuple(data.get("missingValues") or ("",)),
        )

    @classmethod
    def from_file(cls, path: Path) -> TableSchema:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            msg = f"Schéma illisible : {path} ({error})."
            raise SchemaError(msg) from error
        if not isinstance(data, dict):
            msg = f"Schéma inattendu (un objet JSON était attendu) : {path}."
            raise SchemaError(msg)
        return cls.from_dict(data)


# --- JSON Schema of GeoJSON features -----------------------------------------------------------

_JSON_TYPES = {"string": "string", "number": "number", "integer": "integer", "boolean": "boolean"}


def feature_fields(data: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """Table Schema fields for the feature properties of a JSON Schema describing a GeoJSON
    FeatureCollection (``properties.features.items.properties.properties``), such as the
    aménagements cyclables schema; None when ``data`` is not one.

    JSON Schema patterns match anywhere unless anchored, Table Schema patterns match the
    whole value: unanchored ends are opened with ``.*``. Arrays and objects are not checked.
    """
    try:
        feature = data["properties"]["features"]["items"]["properties"]["properties"]
        properties = feature["properties"]
    except (KeyError, TypeError):
        return None
    if not isinstance(properties, Mapping):
        return None
    required = set(feature.get("required") or ())
    fields = []
    for name, spec in properties.items():
        spec = spec if isinstance(spec, Mapping) else {}
        kind = _JSON_TYPES.get(str(spec.get("type")), "any")
        field: dict[str, Any] = {"name": str(name), "type": kind}
        if kind == "string" and spec.get("format") == "date":
            field["type"] = "date"
        constraints: dict[str, Any] = {"required": name in required}
        if "enum" in spec:
            constraints["enum"] = list(spec["enum"])
        if "pattern" in spec:
            pattern = str(spec["pattern"])
            pattern = pattern[1:] if pattern.startswith("^") else ".*" + pattern
            pattern = pattern[:-1] if pattern.endswith("$") else pattern + ".*"
            constraints["pattern"] = pattern
        for key in ("minimum", "maximum", "minLength", "maxLength"):
            if key in spec:
                constraints[key] = spec[key]
        field["constraints"] = constraints
        fields.append(field)
    return fields


def _json_schema_metadata(data: Mapping[str, Any]) -> dict[str, Any]:
    """Name and version of a JSON Schema (kept under ``allOf`` by the Etalab schemas)."""
    found: dict[str, Any] = {}
    for part in [data, *(data.get("allOf") or [])]:
        if isinstance(part, Mapping):
            for key in ("name", "title", "version"):
                if key in part and key not in found:
                    found[key] = part[key]
    return found


# --- checks -------------------------------------------------------------------------------------


def _fullmatch(values: pd.Series, pattern: str) -> np.ndarray:
    """Whether each present string matches ``pattern`` whole (missing cells: True)."""
    try:
        matched = values.str.fullmatch(pattern)
    except (ValueError, NotImplementedError, re.error):
        # Arrow's RE2 refuses some Python syntax; the Python engine accepts it.
        matched = values.astype(object).map(
            lambda v: v is None or v is pd.NA or re.fullmatch(pattern, str(v)) is not None
        )
    return matched.fillna(False).to_numpy(dtype=bool) | values.isna().to_numpy()


def _type_check(field: SchemaField) -> tuple[str, Callable[[pd.Series], np.ndarray]] | None:
    """(description, check) for the field's type; None when any string is fine."""
    kind = field.type
    if kind == "integer":
        return "entier", lambda v: _fullmatch(v, _INTEGER)
    if kind == "number":
        return "nombre", lambda v: _fullmatch(v, _NUMBER)
    if kind == "boolean":
        allowed = {*field.true_values, *field.false_values}
        return (
            f"booléen ({'/'.join(sorted(allowed))})",
            lambda v: (v.isin(allowed) | v.isna()).to_numpy(dtype=bool),
        )
    if kind == "date":
        fmt = field.format if field.format not in (None, "default", "any") else "%Y-%m-%d"
        regex = fmt
        for directive, part in _STRFTIME.items():
            regex = regex.replace(directive, part)
        return f"date ({fmt})", lambda v: _valid_dates(v, regex, fmt)
    if kind == "geopoint":
        pattern = _GEOPOINT.get(field.format or "default", _GEOPOINT["default"])
        return "point géographique", lambda v: _fullmatch(v, pattern)
    if kind == "string" and field.format == "email":
        return "adresse e-mail", lambda v: _fullmatch(v, _EMAIL)
    if kind == "string" and field.format == "uri":
        return "URI", lambda v: _fullmatch(v, _URI)
    return None


def _valid_dates(values: pd.Series, regex: str, fmt: str) -> np.ndarray:
    shaped = _fullmatch(values, regex)
    parsed = pd.to_datetime(values.where(shaped), format=fmt, errors="coerce")
    return (values.isna() | parsed.notna()).to_numpy(dtype=bool) & shaped


def _numbers(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce")


def _violations(field: SchemaField, values: pd.Series) -> list[tuple[str, np.ndarray]]:
    """(French description, mask of violating rows) per broken rule of one field."""
    found: list[tuple[str, np.ndarray]] = []
    present = values.notna().to_numpy()
    constraints = field.constraints
    if constraints.get("required"):
        found.append(("sont vides alors que le champ est obligatoire", ~present))
    typed = _type_check(field)
    type_ok = np.ones(len(values), dtype=bool)
    if typed is not None:
        label, check = typed
        type_ok = check(values)
        found.append((f"ne sont pas du type {label}", present & ~type_ok))
    if "enum" in constraints:
        allowed = [str(v) for v in constraints["enum"]]
        shown = ", ".join(allowed[:6]) + (" …" if len(allowed) > 6 else "")
        outside = present & ~values.isin(allowed).to_numpy(dtype=bool)
        found.append((f"ont une valeur hors de la liste ({shown})", outside))
    if "pattern" in constraints:
        pattern = str(constraints["pattern"])
        broken = present & ~_fullmatch(values, pattern)
        found.append((f"ne respectent pas le motif « {pattern} »", broken))
    for key, label, compare in (
        ("minimum", "inférieures au minimum", np.less),
        ("maximum", "supérieures au maximum", np.greater),
    ):
        if key in constraints and field.type in ("integer", "number"):
            bound = float(constraints[key])
            numbers = _numbers(values.where(type_ok)).to_numpy(dtype=np.float64, na_value=np.nan)
            with np.errstate(invalid="ignore"):
                found.append((f"sont {label} ({constraints[key]})", compare(numbers, bound)))
    for key, label, compare in (
        ("minLength", "plus courtes que", np.less),
        ("maxLength", "plus longues que", np.greater),
    ):
        if key in constraints:
            lengths = values.str.len().to_numpy(dtype=np.float64, na_value=np.nan)
            with np.errstate(invalid="ignore"):
                mask = compare(lengths, float(constraints[key]))
            found.append((f"sont {label} {constraints[key]} caractères", mask))
    return [(label, mask) for label, mask in found if mask.any()]


def validate(frame: pd.DataFrame, schema: TableSchema, report: LoadReport) -> int:
    """Add one warning per (field, rule) the rows of ``frame`` break; return the number of
    violating cells. ``frame`` holds the file's strings and the :data:`LINE` column."""
    lines = frame[LINE].to_numpy() if LINE in frame else np.arange(len(frame)) + 2
    absent = [name for name in schema.required if name not in frame.columns]
    if absent:
        report.warn(
            f"schéma {schema.name} {schema.version or ''} : colonne(s) obligatoire(s) "
            f"absente(s) du fichier : {', '.join(absent)}".replace("  ", " ")
        )
    total = 0
    missing = list(schema.missing_values)
    for field in schema.fields:
        if field.name not in frame.columns:
            continue
        # Surrounding blanks are layout, not content (the stationnement example ends a
        # geopoint with a newline); judging them would drown the real violations.
        values = pd.Series(frame[field.name], dtype="str", copy=False).str.strip()
        if missing != [""]:
            values = values.mask(values.isin(missing))
        values = values.mask(values == "")
        for label, mask in _violations(field, values):
            count = int(mask.sum())
            total += count
            report.warn(
                f"champ « {field.name} » : {count} ligne(s) {label}, "
                f"par ex. {example_lines(lines[mask])}"
            )
    return total
