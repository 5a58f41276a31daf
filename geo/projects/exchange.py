"""The exchange format of projects: the columns of CSV and GeoPackage files and the properties
of GeoJSON features, shared by the importer and the exporter.

Names are the model's field names (:mod:`geo.projects.model`) plus two columns of flat files:

- ``carrier_type``: with ``carriers`` written as ``;``-separated names, the ``;``-separated
  types in the same order (one type alone applies to every name). A carrier name holding a
  ``;`` cannot be split that way: ``carriers`` is then the JSON list ``[{"name", "type"}]``
  (read back as such) and ``carrier_type`` is empty;
- ``carrier_siren``: the ``;``-separated SIRENs of ``carriers``, in the same order, a blank
  part for a carrier without one (``;200040715``);
- ``partners``, ``partner_type``, ``partner_siren``: the partners, written as the carriers;
- ``commune``: a commune name, postal code or INSEE code, used on import to place a row that
  has no coordinates; on export, the name of the commune the point falls in.

``lessons`` (lessons learned) is a JSON list ``[{"worked", "hard", "differently", "date"}]`` in
every format (a JSON text in CSV and GeoPackage cells). Files written before these fields
existed import as they did: a column a file does not have is simply not set.

In CSV and GeoPackage files every list is one text joined by ``;``; GeoJSON properties keep
JSON types (lists, ``carriers`` as ``[{"name", "type"}]``, ``area`` as a GeoJSON object), like
the JSON of ``projects add``. Private fields (:data:`~geo.projects.model.PRIVATE_FIELDS`) are never
written. On import, the fields set by the store (``id``, territory codes, ``created_at``,
``updated_at``) and ``status`` are read and ignored.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from geo.errors import GeoError, RowError
from geo.projects.model import FIELD_LABELS, PRIVATE_FIELDS, SERVER_FIELDS, Project
from geo.text import identifier

LIST_SEPARATOR = ";"
#: Columns of flat files only (see the module docstring).
FLAT_ONLY = ("carrier_type", "carrier_siren", "partner_type", "partner_siren", "commune")
#: The organisation lists of a project, and their flat type and SIREN columns.
ORGANISATIONS = {"carriers": ("carrier_type", "carrier_siren"),
                 "partners": ("partner_type", "partner_siren")}  # fmt: skip


def _export_columns() -> tuple[str, ...]:
    columns: list[str] = []
    for name in Project.model_fields:
        if name in PRIVATE_FIELDS:
            continue
        columns.append(name)
        if name in ORGANISATIONS:
            columns.extend(ORGANISATIONS[name])
        elif name == "address":
            columns.append("commune")
    return tuple(columns)


#: Every exported column, in order (every public field of the model, so none is forgotten).
EXPORT_COLUMNS = _export_columns()
#: Names an imported file may use; the others are reported as ignored.
KNOWN_COLUMNS = frozenset(Project.model_fields) | frozenset(FLAT_ONLY)
#: Read but not imported: the store sets them, moderators change the status.
IGNORED_ON_IMPORT = frozenset(SERVER_FIELDS) | {"status"}
#: Usual other spellings of a column, accepted without a mapping file.
ALIASES = {"latitude": "lat", "longitude": "lon", "lng": "lon", "long": "lon"}
LABELS = FIELD_LABELS | {
    "carrier_type": "type de porteur", "carrier_siren": "SIREN des porteurs",
    "partner_type": "type de partenaire", "partner_siren": "SIREN des partenaires",
    "commune": "commune",
}  # fmt: skip
_FLAT_PARTS = {column: field for field, columns in ORGANISATIONS.items() for column in columns}


# --- export ------------------------------------------------------------------------------------


def join_list(values: list[str]) -> str:
    return LIST_SEPARATOR.join(values)


def properties(project: Project, commune: str | None) -> dict[str, Any]:
    """JSON-typed values of the public fields (GeoJSON properties)."""
    data = project.model_dump(mode="json", exclude=set(PRIVATE_FIELDS))
    out: dict[str, Any] = {}
    for name in EXPORT_COLUMNS:
        if name in _FLAT_PARTS:
            continue  # the types and SIRENs are inside ``carriers`` and ``partners``
        out[name] = commune if name == "commune" else data.get(name)
    return out


def flat_values(project: Project, commune: str | None) -> dict[str, Any]:
    """Public fields as scalars (str, int, float, bool, datetime or None): lists joined by
    ``;``, carriers and partners split into names, types and SIRENs, area and lessons as JSON
    text."""
    out: dict[str, Any] = {}
    for name in EXPORT_COLUMNS:
        listed = ORGANISATIONS.get(name) and getattr(project, name)
        owner = _FLAT_PARTS.get(name)
        people = getattr(project, owner) if owner else []
        structured = any(LIST_SEPARATOR in c.name for c in people)
        if name in ORGANISATIONS:
            value: Any = join_list([c.name for c in listed or []])
            if any(LIST_SEPARATOR in c.name for c in listed or []):
                value = json.dumps([c.model_dump() for c in listed], ensure_ascii=False)
        elif owner and name.endswith("_type"):
            value = None if structured else join_list([c.type for c in people])
        elif owner:
            sirens = [c.siren or "" for c in people]
            value = None if structured or not any(sirens) else join_list(sirens)
        elif name == "lessons":
            lessons = [lesson.model_dump(mode="json") for lesson in project.lessons]
            value = json.dumps(lessons, ensure_ascii=False) if lessons else None
        elif name == "commune":
            value = commune
        elif name == "area":
            value = None if project.area is None else json.dumps(project.area)
        else:
            value = getattr(project, name)
            if isinstance(value, list):
                value = join_list([str(v) for v in value])
        out[name] = None if value == "" else value
    return out


def text_value(value: Any) -> str:
    """How a scalar is written in a CSV cell (numbers read back exactly, no ``120.0``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


# --- import ------------------------------------------------------------------------------------


def column_names(header: list[str], mapping: Mapping[str, str | None]) -> list[str | None]:
    """Our field name for each column of a file (None: not imported). ``mapping`` keys are
    matched without regard to case, accents or spaces, then the usual names and aliases."""
    mapped = {identifier(k): v for k, v in mapping.items()}
    names: list[str | None] = []
    for raw in header:
        key = identifier(str(raw).replace("\ufeff", ""))
        if key in mapped:
            name = mapped[key]
        else:
            name = key if key in KNOWN_COLUMNS else ALIASES.get(key)
        # Two columns for one field ("lat" and "latitude"): the first one is read.
        names.append(None if name in names else name)
    return names


def check_mapping(mapping: Mapping[str, Any]) -> dict[str, str | None]:
    """``{"their column": "our field" or null}``, each of our fields used once at most."""
    if not isinstance(mapping, Mapping):
        msg = 'La correspondance de colonnes doit être un objet JSON {"colonne": "champ"}.'
        raise GeoError(msg)
    unknown = [v for v in mapping.values() if v is not None and v not in KNOWN_COLUMNS]
    if unknown:
        allowed = ", ".join(sorted(KNOWN_COLUMNS))
        msg = f"Champ(s) inconnu(s) dans la correspondance : {', '.join(map(str, unknown))} "
        raise GeoError(msg + f"(attendu : {allowed}).")
    targets = [v for v in mapping.values() if v is not None]
    twice = sorted({v for v in targets if targets.count(v) > 1})
    if twice:
        msg = f"Plusieurs colonnes correspondent au même champ : {', '.join(twice)}."
        raise GeoError(msg)
    return {str(k): v for k, v in mapping.items()}


def is_blank(value: Any) -> bool:
    if type(value) is str:  # the usual case first: it runs for every cell
        return not value or value.isspace()
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and not value.strip()


def model_input(row: Mapping[str, Any], *, source: str | None) -> dict[str, Any]:
    """The input of :func:`geo.projects.model.parse_project` for one row of a file: carriers paired
    with their types, the flat-only and ignored columns dropped, blanks as None, numbers in
    text fields as text, ``source`` (when given) replacing the row's. Only the fields the row
    has are set. Raises :class:`RowError`."""
    data = {
        k: _text(k, None if is_blank(v) else v)
        for k, v in row.items()
        if k not in IGNORED_ON_IMPORT and k not in FLAT_ONLY
    }
    for field, (type_column, siren_column) in ORGANISATIONS.items():
        if field in row or type_column in row or siren_column in row:
            data[field] = carriers(
                row.get(field), row.get(type_column), row.get(siren_column), what=field
            )
    if source is not None:
        data["source"] = source
    return data


def _text(name: str, value: Any) -> Any:
    """A number where text is expected (an external id read from a GeoPackage) as text; the
    matching keys without surrounding blanks, as the model stores them."""
    if name in ("external_id", "source") and isinstance(value, str):
        return value.strip()
    if name not in _TEXT_FIELDS or isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return text_value(value)


_TEXT_FIELDS = frozenset(
    {"external_id", "source", "title", "summary", "description", "address", "licence"}
)
#: Fields a re-import leaves as stored when the file has no column for them.
_KEPT_WHEN_ABSENT = frozenset(Project.model_fields) - IGNORED_ON_IMPORT - {
    "source", "external_id", "last_confirmed_at"}  # fmt: skip


def keep_absent(data: dict[str, Any], stored: Project) -> dict[str, Any]:
    """``data`` completed with the stored values of the fields the file does not have, so that
    re-importing a partial file (an export without the private e-mail, a sheet with a few
    columns) never erases what it does not mention. A blank cell does clear its field. New
    coordinates decide ``location_approximate``; new categories, absent themes."""
    given = set(data)
    if given & {"lat", "lon"}:
        given.add("location_approximate")
    if "categories" in given:
        given.add("themes")
    current = stored.model_dump(mode="json")
    return data | {name: current[name] for name in _KEPT_WHEN_ABSENT - given}


def carriers(names: Any, types: Any, sirens: Any = None, *, what: str = "carriers") -> Any:
    """``"A; B"`` + ``"cooperative; collectivite"`` (+ ``";200040715"``) →
    ``[{"name", "type"}, {"name", "type", "siren"}]``."""
    who = "porteur" if what == "carriers" else "partenaire"
    if is_blank(names) and is_blank(types) and is_blank(sirens):
        return []
    if isinstance(names, str) and names.lstrip().startswith("[{"):
        try:
            names = json.loads(names)
        except json.JSONDecodeError:
            raise RowError(f"{who}s : liste JSON illisible.") from None
    if isinstance(names, list) and all(isinstance(n, Mapping) for n in names):
        return names  # already structured (GeoJSON, JSON)
    name_list = _parts(names)
    type_list = _parts(types)
    if not name_list:
        msg = f"type ou SIREN de {who} : donné sans nom de {who} (colonne {what} vide)."
        raise RowError(msg)
    if len(type_list) == 1:
        type_list = type_list * len(name_list)
    if type_list and len(type_list) != len(name_list):
        msg = (
            f"{who}s : {len(name_list)} nom(s) mais {len(type_list)} type(s) ; "
            f"un type par {who}, dans le même ordre, séparés par « ; »."
        )
        raise RowError(msg)
    if not type_list:
        type_list = [None] * len(name_list)
    siren_list = [] if is_blank(sirens) else [p.strip() for p in str(sirens).split(LIST_SEPARATOR)]
    if siren_list and len(siren_list) != len(name_list):
        msg = (
            f"{who}s : {len(name_list)} nom(s) mais {len(siren_list)} SIREN ; un SIREN par "
            f"{who} (vide s'il n'en a pas), dans le même ordre, séparés par « ; »."
        )
        raise RowError(msg)
    rows = [{"name": n, "type": t} for n, t in zip(name_list, type_list, strict=True)]
    for row, siren in zip(rows, siren_list, strict=False):
        if siren:
            row["siren"] = siren
    return rows


def _parts(value: Any) -> list[Any]:
    if is_blank(value):
        return []
    if isinstance(value, list):
        return [v for v in value if not is_blank(v)]
    return [part.strip() for part in str(value).split(LIST_SEPARATOR) if part.strip()]


def reason(errors: Mapping[str, list[str]]) -> str:
    """One French sentence per field: ``titre : Champ obligatoire. ; catégories : …``."""
    return " ; ".join(f"{LABELS.get(f, f)} : {' '.join(m)}" for f, m in errors.items())
