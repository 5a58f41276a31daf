"""Read the JSON exports of open-data portals (Opendatasoft ``exports/json``) as a table.

The records become a frame of strings (missing values ``NA``), the same shape
:func:`geo.datasets.csvfile.read_csv_table` gives, so one loader normalises a JSON export and
the CSV export of the same dataset with the same code. Accepted layouts: a list of records
(``exports/json``), or an object holding it under ``results`` or ``records`` (API pages).

The :data:`~geo.datasets.csvfile.LINE` column is the file line each record starts on, found
by a vectorised scan of the bytes (quotes, escapes, brackets). A file written on one line
(compact export) has no useful line numbers: records are then numbered from 1, and the
report says so.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import numpy as np
import orjson
import pandas as pd

from geo.datasets.csvfile import LINE, DatasetFormatError, canonical_names
from geo.datasets.filekind import printable, refuse_unless_text
from geo.datasets.report import LoadReport

_CHUNK = 1 << 24
_OPEN = (ord("{"), ord("["))
_CLOSE = (ord("}"), ord("]"))
RECORD_NUMBERS = (
    "fichier JSON sur une seule ligne : les numéros de « ligne » sont les numéros "
    "d'enregistrement (1 pour le premier)"
)


def looks_like_json(path: Path) -> bool:
    """Whether the file starts (after a BOM and blanks) like a JSON document."""
    with Path(path).open("rb") as handle:
        head = handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] in (b"[", b"{")


def read_json_records(
    path: Path,
    *,
    required: Collection[str],
    optional: Collection[str] = (),
    title: str,
    report: LoadReport,
) -> pd.DataFrame:
    """The records of a JSON export as strings plus :data:`LINE`; fails with
    :class:`DatasetFormatError` naming the missing columns when no record has a required
    field. Sets ``report.rows_read``."""
    if not looks_like_json(path):
        refuse_unless_text(path, title, expected="JSON")
    data = Path(path).read_bytes()
    try:
        document = orjson.loads(data.removeprefix(b"\xef\xbb\xbf"))
    except orjson.JSONDecodeError as error:
        msg = f"Fichier « {title} » illisible : JSON invalide ({error})."
        raise DatasetFormatError(msg) from error
    records, depth = _records(document)
    if records is None:
        msg = (
            f"Ce fichier n'est pas au format « {title} » : une liste d'enregistrements JSON "
            "était attendue."
        )
        raise DatasetFormatError(msg)
    rows = [record if isinstance(record, dict) else {} for record in records]
    frame = pd.DataFrame.from_records(rows) if rows else pd.DataFrame()
    names = canonical_names([str(name) for name in frame.columns], [*required, *optional])
    frame.columns = names
    missing = [name for name in required if name not in names]
    if missing:
        raise missing_columns(title, missing, names)
    out = pd.DataFrame({name: json_strings(frame[name]) for name in names}, index=frame.index)
    lines = record_lines(data, len(rows), depth)
    if lines is None:
        lines = np.arange(1, len(rows) + 1, dtype=np.int64)
        if len(rows) > 1:
            report.warn(RECORD_NUMBERS)
    out[LINE] = lines
    not_objects = np.flatnonzero([not isinstance(record, dict) for record in records])
    if not_objects.size:
        report.reject(lines[not_objects], "enregistrement qui n'est pas un objet JSON")
        out = out.drop(index=out.index[not_objects]).reset_index(drop=True)
    report.rows_read += len(rows)
    return out


def missing_columns(
    title: str, missing: list[str], found: list[str], *, noun: str = "colonne"
) -> DatasetFormatError:
    """The error of a file that is not the dataset: the missing columns named, the first
    columns found shown (the same words as :func:`geo.datasets.csvfile.read_csv_table`)."""
    shown = ", ".join(printable(name) for name in found[:12]) + (" …" if len(found) > 12 else "")
    msg = (
        f"Ce fichier n'est pas au format « {title} » : {noun}(s) obligatoire(s) absente(s) : "
        f"{', '.join(missing)}. {noun.capitalize()}s trouvées : {shown or 'aucune'}."
    )
    return DatasetFormatError(msg)


def _records(document: object) -> tuple[list | None, int]:
    """The record list and the bracket depth of its records (2 in ``[{…}]``)."""
    if isinstance(document, list):
        return document, 2
    if isinstance(document, dict):
        for key in ("results", "records"):
            if isinstance(document.get(key), list):
                return document[key], 3
    return None, 0


def json_strings(column: pd.Series) -> pd.Series:
    """JSON values as text: numbers as written by Python (``180357.261``), booleans as
    ``true``/``false``, lists and objects as compact JSON, null as missing."""
    kind = pd.api.types.infer_dtype(column, skipna=True)
    values = column.to_numpy(dtype=object)
    if kind not in ("string", "floating", "integer", "mixed-integer-float", "empty"):
        # Rare columns (booleans, arrays, mixed types): value by value.
        values = values.copy()
        for index, value in enumerate(values):
            if isinstance(value, bool):
                values[index] = "true" if value else "false"
            elif isinstance(value, list | dict):
                values[index] = orjson.dumps(value).decode()
    series = pd.Series(values, index=column.index, dtype=object)
    series = series.where(series.notna(), None)
    return series.astype("str")


def _positions(buffer: np.ndarray, wanted: tuple[int, ...]) -> np.ndarray:
    """Sorted positions of any of the ``wanted`` bytes, in chunks (bounded memory)."""
    found = []
    for start in range(0, len(buffer), _CHUNK):
        chunk = buffer[start : start + _CHUNK]
        mask = chunk == wanted[0]
        for byte in wanted[1:]:
            mask |= chunk == byte
        found.append(np.flatnonzero(mask) + start)
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def record_lines(data: bytes, count: int, depth: int) -> np.ndarray | None:
    """The 1-based line on which each of the ``count`` records opens (``{`` at ``depth``),
    or None when the records cannot be told apart by line (one-line file, odd layout)."""
    if count == 0:
        return np.zeros(0, dtype=np.int64)
    buffer = np.frombuffer(data, dtype=np.uint8)
    quotes = _positions(buffer, (ord('"'),))
    if quotes.size:
        # A quote preceded by an odd run of backslashes is escaped (rare: checked one by one).
        after_backslash = quotes[(quotes > 0) & (buffer[np.maximum(quotes - 1, 0)] == 92)]
        escaped = set()
        for position in after_backslash.tolist():
            run = 0
            while position - run - 1 >= 0 and buffer[position - run - 1] == 92:
                run += 1
            if run % 2:
                escaped.add(position)
        if escaped:
            quotes = quotes[~np.isin(quotes, np.fromiter(escaped, dtype=np.int64))]
    brackets = _positions(buffer, (*_OPEN, *_CLOSE))
    outside = np.searchsorted(quotes, brackets) % 2 == 0
    brackets = brackets[outside]
    kinds = buffer[brackets]
    opening = (kinds == _OPEN[0]) | (kinds == _OPEN[1])
    level = np.cumsum(np.where(opening, 1, -1))
    starts = brackets[opening & (kinds == _OPEN[0]) & (level == depth)]
    if len(starts) != count:
        return None
    newlines = _positions(buffer, (ord("\n"),))
    lines = np.searchsorted(newlines, starts) + 1
    if count > 1 and not np.all(np.diff(lines) > 0):
        return None
    return lines.astype(np.int64)


__all__ = [
    "json_strings",
    "missing_columns",
    "looks_like_json",
    "read_json_records",
    "record_lines",
]
