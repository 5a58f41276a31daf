"""Import projects from CSV, GeoJSON or GeoPackage files (``python -m geo projects import``).

Columns and properties use the exchange format of :mod:`geo.projects.exchange`; other names are
translated by a mapping ``{"their column": "our field"}`` (``--mapping MAP.json``). Each row is
validated on its own: a bad row is reported with its line and reason, never stops the import.

- **CSV**: ``,``, ``;`` or tab separated (found from the header), UTF-8 with or without BOM,
  else Windows-1252/latin-1 (UTF-16 with a BOM too), CRLF or LF, newlines inside quoted fields.
  ``line`` is the file line a record starts on (the header is line 1). The encoding is decided
  on evidence (:func:`geo.projects.readers.decide_encoding`): a line that cannot be read right
  in it is rejected with its number, never imported as mojibake; a cell our export quoted for
  spreadsheets (``'=…``) loses that quote.
- **GeoJSON**: a FeatureCollection; properties are the fields, a Point geometry the location
  (a Polygon is kept as ``area`` and placed at its representative point). ``line`` is the
  feature's position, from 1.
- **GeoPackage**: the layer ``projets``, else the first one, reprojected to EPSG:4326; ``line``
  is the feature's position, from 1.

A row without coordinates but with a ``commune`` (name, postal code or INSEE code) or an
``address`` naming one is placed at a representative point of that commune's outline and
flagged ``location_approximate`` (offline: the COG and the loaded outlines, never the network;
codes read by the datasets' rule, :mod:`geo.territory.codes`); a row with coordinates *and* a
``commune`` far from them is imported at its coordinates. Both say what they found in
``line_warnings`` (``{"line", "warning"}``): an ambiguous code and how it was read, a commune
contradicting the coordinates. A rejected row's reason lists every problem of the row (its
placement, its carriers, each invalid field), not only the first one met.

Rows are matched on ``source`` + ``external_id``: a row already stored is updated (its status
and edit token kept), so importing the same file twice creates nothing the second time.
``source`` is ``--source`` when given, else the row's ``source``, else the file name; a row
without ``external_id`` gets ``auto-<hash of title and point>`` so that it too is found again.
The fields a file has no column for keep their stored values (re-importing an export, which
has no contact e-mail, erases none); a blank cell clears its field. Created projects take the
status given (operators import: ``publie`` by default); a ``status`` column is ignored.

**Size**: a file over ``GEO_IMPORT_MAX_MB`` is refused before reading
(:class:`~geo.errors.ImportTooLargeError`), and so is an import that runs out of memory:
the rows are held to be written in one transaction.

**Atomicity**: the rows are validated first, then every valid row of the file is written in
one transaction (:meth:`geo.store.ProjectStore.add_many`): if anything fails while writing, the
transaction is rolled back and the store is exactly as before — a file is imported whole
(minus its rejected rows) or not at all.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy.exc

from geo.errors import GeoError, ImportTooLargeError, ProjectValidationError
from geo.projects.exchange import (
    ORGANISATIONS,
    RowError,
    check_mapping,
    column_names,
    is_blank,
    keep_absent,
    model_input,
    reason,
)
from geo.projects.model import STATUSES, Project, parse_project
from geo.projects.placement import CommunePlacer, PlacementError
from geo.projects.readers import GEOMETRY, file_format, read_csv, read_geojson, read_gpkg
from geo.settings import Settings, get_settings
from geo.store.identity import Operator
from geo.store.project_store import ProjectFilter
from geo.text import search_words

if TYPE_CHECKING:
    from geo.store.project_store import ProjectStore
    from geo.territory import Territories

#: Rows validated together, with one look-up of the stored projects they update.
_CHUNK = 500

FORMATS = ("csv", "geojson", "gpkg")
#: Who imports when the caller does not say (tests, benchmarks).
IMPORT_OPERATOR = Operator("import")
log = logging.getLogger(__name__)

Reference = Callable[[], "Territories"]


@dataclass
class ImportReport:
    """What an import did; :meth:`to_dict` is the ``projects import --json`` contract."""

    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejections: list[dict[str, Any]] = field(default_factory=list)
    format: str = ""
    source: str = ""
    encoding: str | None = None
    separator: str | None = None
    placed_at_commune: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    line_warnings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    def reject(self, line: int, why: str) -> None:
        self.rejections.append({"line": line, "reason": why})

    def warn_line(self, line: int, message: str) -> None:
        """A warning about one row (imported or not), with its line."""
        self.line_warnings.append({"line": line, "warning": message})

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows_read": self.rows_read,
            "created": self.created,
            "updated": self.updated,
            "rejected": self.rejected,
            "rejections": sorted(self.rejections, key=lambda r: r["line"]),
            "unchanged": self.unchanged,
            "format": self.format,
            "source": self.source,
            "encoding": self.encoding,
            "separator": self.separator,
            "placed_at_commune": self.placed_at_commune,
            "ignored_columns": self.ignored_columns,
            "warnings": self.warnings,
            "line_warnings": sorted(self.line_warnings, key=lambda w: w["line"]),
        }


def import_projects(
    path: str | Path,
    store: ProjectStore,
    *,
    territories: Territories | Reference | None = None,
    mapping: Mapping[str, str | None] | None = None,
    status: str = "publie",
    source: str | None = None,
    operator: Operator = IMPORT_OPERATOR,
    settings: Settings | None = None,
) -> ImportReport:
    """Import one file into ``store`` as ``operator`` (an import is an operator's command: it
    may publish and update the projects it matches); see the module docstring.
    ``territories`` (or a function returning it, called only if a row needs placing) places
    rows that only name a commune; by default the reference is loaded with ``settings`` when
    first needed."""
    path = Path(path)
    if status not in STATUSES:
        msg = f"Statut inconnu : {status!r} (attendu : {', '.join(STATUSES)})."
        raise GeoError(msg)
    if not path.is_file():
        msg = f"Fichier introuvable : {path}"
        raise GeoError(msg)
    settings = settings or get_settings()
    _check_size(path, settings)
    try:
        return _import_file(
            path, store, territories=territories, mapping=mapping, status=status, source=source,
            operator=operator, settings=settings,
        )  # fmt: skip
    except MemoryError:
        log.error("Mémoire insuffisante pour importer %s", path.name, exc_info=True)
        msg = (
            f"Mémoire insuffisante pour importer {path.name} : rien n'a été écrit. Découpez le "
            "fichier en plusieurs parties (un nouvel import reconnaît les projets déjà importés "
            "par source et identifiant externe)."
        )
        raise ImportTooLargeError(msg) from None


def _check_size(path: Path, settings: Settings) -> None:
    size, limit = path.stat().st_size, settings.import_max_mb * 1_000_000
    if size > limit:
        shown = f"{size / 1_000_000:.1f}".replace(".", ",")
        msg = (
            f"{path.name} fait {shown} Mo, plus que la taille maximale d'un import "
            f"({settings.import_max_mb:g} Mo, GEO_IMPORT_MAX_MB) : rien n'a été importé. "
            "Découpez-le en fichiers plus petits (un nouvel import reconnaît les projets déjà "
            "importés par source et identifiant externe), ou relevez la limite sur une machine "
            "qui a la mémoire nécessaire."
        )
        raise ImportTooLargeError(msg)


def _import_file(
    path: Path,
    store: ProjectStore,
    *,
    territories: Territories | Reference | None,
    mapping: Mapping[str, str | None] | None,
    status: str,
    source: str | None,
    operator: Operator,
    settings: Settings,
) -> ImportReport:
    columns = ColumnNames(check_mapping(mapping or {}))
    report = ImportReport(format=file_format(path), source=source or path.name)
    placer = CommunePlacer(_reference(territories, settings))
    readers = {"csv": read_csv, "geojson": read_geojson, "gpkg": read_gpkg}

    valid: list[dict[str, Any]] = []
    lines: list[int] = []
    placed: list[bool] = []

    def prepare(rows: list[tuple[int, dict[str, Any], str | None]]) -> None:
        stored = _stored(store, [data for _, data, _ in rows])
        for line, data, commune in rows:
            given_point = not (is_blank(data.get("lat")) and is_blank(data.get("lon")))
            key = (data["source"], data.get("external_id"))
            if key in stored:
                data = keep_absent(data, stored[key])
            if given_point and commune is not None:
                _check_commune(line, data, commune, placer, report)
            try:
                at_commune = _place(line, data, commune, placer, report)
            except RowError as error:
                report.reject(line, _with_other_problems(str(error), data))
                continue
            if is_blank(data.get("external_id")):
                data["external_id"] = automatic_id(data.get("title"), data.get("lat"),
                                                   data.get("lon"))  # fmt: skip
            valid.append(data)
            lines.append(line)
            placed.append(at_commune)

    pending: list[tuple[int, dict[str, Any], str | None]] = []
    for line, record in readers[report.format](path, report, columns):
        report.rows_read += 1
        try:
            if isinstance(record, RowError):
                raise record
            row = columns.translate(record)
        except RowError as error:
            report.reject(line, str(error))
            continue
        try:
            data = model_input(row, source=source)
        except RowError as error:  # the organisations: the rest of the row is checked all the same
            organisation_columns = {
                *ORGANISATIONS,
                *(c for cs in ORGANISATIONS.values() for c in cs),
            }
            rest = model_input(
                {k: v for k, v in row.items() if k not in organisation_columns},
                source=source,
            )
            why = _with_other_problems(
                str(error), rest, placer=placer, commune=row.get("commune"), only_given=True
            )
            report.reject(line, why)
            continue
        if is_blank(data.get("source")):
            data["source"] = path.name
        commune = row.get("commune")
        pending.append((line, data, None if is_blank(commune) else str(commune)))
        if len(pending) == _CHUNK:
            prepare(pending)
            pending = []
    prepare(pending)
    report.ignored_columns = sorted(columns.ignored)

    # The store validates every row (once: a rejected row is reported with its line) and
    # writes the valid ones in one transaction.
    try:
        results = store.add_many(valid, actor=operator, status=status, match_existing=True)
    except sqlalchemy.exc.SQLAlchemyError as error:
        cause = getattr(error, "orig", None) or error
        msg = f"L'import a échoué, rien n'a été écrit (transaction annulée) : {cause}"
        raise GeoError(msg) from error
    for result in results:
        if result.action == "rejected":
            report.reject(lines[result.index], reason(result.errors))
            continue
        setattr(report, result.action, getattr(report, result.action) + 1)
        report.placed_at_commune += placed[result.index]
        if result.id is not None:
            report.ids.append(result.id)
    return report


def automatic_id(title: object, lat: object, lon: object) -> str | None:
    """The external id of a row that has none: the same title at the same place (~1 m) is the
    same project at the next import. None when the row lacks them (it will be rejected)."""
    try:
        point = [float(str(v).strip().replace(",", ".")) for v in (lat, lon)]
    except ValueError:
        return None
    if is_blank(title) or not all(math.isfinite(v) for v in point):
        return None
    key = f"{search_words(str(title))}|{point[0]:.5f}|{point[1]:.5f}"
    return "auto-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


# --- rows → model input ------------------------------------------------------------------------


class ColumnNames:
    """Our field name for each name a file uses (cached: GeoJSON repeats them per feature)."""

    def __init__(self, mapping: dict[str, str | None]) -> None:
        self._mapping = mapping
        self._names: dict[str, str | None] = {}
        self.ignored: set[str] = set()

    def name(self, column: str) -> str | None:
        if column not in self._names:
            (self._names[column],) = column_names([column], self._mapping)
            if self._names[column] is None:
                self.ignored.add(str(column))
        return self._names[column]

    def names(self, header: list[str]) -> list[str | None]:
        names = column_names(header, self._mapping)
        self.ignored.update(str(h) for h, n in zip(header, names, strict=True) if n is None)
        for column, name in zip(header, names, strict=True):
            self._names.setdefault(column, name)  # a repeated column: its first occurrence
        return names

    def translate(self, record: Mapping[Any, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for column, value in record.items():
            name = None if column is GEOMETRY else self.name(column)
            if name is not None and name not in out:
                out[name] = value
        # Values taken from a geometry win over properties of the same name.
        return out | record.get(GEOMETRY, {})


def _stored(store: ProjectStore, rows: list[dict[str, Any]]) -> dict[tuple[str, str], Project]:
    """The stored projects that rows with an external id will update, by (source, id)."""
    wanted: dict[str, set[str]] = {}
    for data in rows:
        if isinstance(data.get("external_id"), str) and isinstance(data["source"], str):
            wanted.setdefault(data["source"], set()).add(data["external_id"])
    found: dict[tuple[str, str], Project] = {}
    for source, ids in wanted.items():
        criteria = ProjectFilter(source=source, external_ids=tuple(sorted(ids)))
        for project in store.query(criteria, limit=len(ids)).items:
            found[(source, str(project.external_id))] = project
    return found


def _place(
    line: int, data: dict[str, Any], commune: str | None, placer: CommunePlacer,
    report: ImportReport,
) -> bool:  # fmt: skip
    """Without coordinates, the point of the commune (or of the address's commune); whether
    the row was placed so. What the placement has to say (an ambiguous code) is a warning of
    the row's line."""
    if not (is_blank(data.get("lat")) and is_blank(data.get("lon"))):
        return False
    address = data.get("address")
    if commune is None and is_blank(address):
        msg = "localisation : ni lat/lon, ni commune, ni adresse pour placer le projet."
        raise RowError(msg)
    try:
        placed = placer.place(commune, None if is_blank(address) else address)
    except PlacementError as error:
        raise RowError(str(error)) from None
    data["lat"], data["lon"] = placed.lat, placed.lon
    data["location_approximate"] = True
    for note in placed.notes:
        report.warn_line(line, f"commune : {note}.")
    return True


def _check_commune(
    line: int, data: dict[str, Any], commune: str, placer: CommunePlacer, report: ImportReport
) -> None:
    """Warn when the row's ``commune`` contradicts the coordinates it gives."""
    try:
        lat, lon = (float(str(data[name]).strip().replace(",", ".")) for name in ("lat", "lon"))
    except (TypeError, ValueError):
        return  # unreadable coordinates: the model's validation rejects the row
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return
    warning = placer.contradiction(commune, lat, lon)
    if warning:
        report.warn_line(line, warning)


def _with_other_problems(
    first: str,
    data: dict[str, Any],
    *,
    placer: CommunePlacer | None = None,
    commune: object = None,
    only_given: bool = False,
) -> str:
    """``first`` and every other problem the model finds in the row (its location aside,
    when ``first`` is about it), so a row is corrected once, not once per problem. With a
    ``placer``, a row without coordinates is placed first (or its placement problem is one
    more); ``only_given`` reports only the fields the row has (a partial re-import)."""
    problems = [first]
    if placer is not None and is_blank(data.get("lat")) and is_blank(data.get("lon")):
        address = data.get("address")
        text = None if is_blank(commune) else str(commune)
        if text is None and is_blank(address):
            problems.append("localisation : ni lat/lon, ni commune, ni adresse pour placer le "
                            "projet.")  # fmt: skip
        else:
            try:
                placed = placer.place(text, None if is_blank(address) else address)
            except PlacementError as error:
                problems.append(str(error))
            else:
                data = data | {"lat": placed.lat, "lon": placed.lon}
    checked = dict(data)
    checked["source"] = checked.get("source") or "import"  # set later from the file name
    location_known = not first.startswith("localisation") and len(problems) == 1
    if not location_known or is_blank(checked.get("lat")):
        checked.pop("lat", None)
        checked.pop("lon", None)
    try:
        parse_project(checked)
    except ProjectValidationError as error:
        others = {
            name: messages
            for name, messages in error.errors.items()
            if (name != "location" or location_known) and (not only_given or name in data
                                                           or name == "location")
        }  # fmt: skip
        if others:
            problems.append(reason(others))
    return " ; ".join(problems)


def _reference(territories: Territories | Reference | None, settings: Settings) -> Reference:
    if territories is None:
        from functools import cache

        from geo.territory import load_territories

        return cache(lambda: load_territories(settings))
    if callable(territories):
        return territories
    return lambda: territories  # type: ignore[return-value]
