"""Read a CSV file the way real publishers write it.

UTF-8 with or without BOM, else Windows-1252 / latin-1; ``,`` or ``;`` (or tab) separators
found from the header; CRLF line ends; newlines inside quoted fields. Each record keeps the
*file* line number it starts on (header = line 1), so a rejection points at the line a person
sees in an editor, not at a pandas row number.

Two passes, both in C: the :mod:`csv` module walks the records once to learn where each starts
and how many fields it has; pandas parses the values. When the two disagree on the records
(a file odd enough to be split differently), the values are taken from the :mod:`csv` pass.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from geo.datasets.filekind import printable, refuse_unless_text
from geo.datasets.renaming import rename
from geo.datasets.report import LoadReport, example_lines
from geo.errors import DatasetFormatError

#: Column of the file line number of each record, in every frame a reader returns.
LINE = "_ligne"

_SEPARATORS = (",", ";", "\t", "|")
_CHUNK = 1 << 22


@dataclass(frozen=True)
class CsvTable:
    """The records of a CSV file as strings (missing cells ``NA``) plus the :data:`LINE`
    column, with what was found about the file."""

    frame: pd.DataFrame
    encoding: str
    separator: str
    header: tuple[str, ...]


def detect_encoding(path: Path) -> str:
    """``utf-8-sig`` (BOM), ``utf-8``, ``cp1252`` or ``latin-1``, checked on the whole file
    in chunks (a latin-1 "é" may first appear on line 100,000)."""
    with path.open("rb") as handle:
        bom = handle.read(3) == codecs.BOM_UTF8
    for encoding in ("utf-8", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(_CHUNK):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-8":
            return "utf-8-sig" if bom else "utf-8"
        return encoding
    return "latin-1"  # decodes any byte


def sniff_separator(header_line: str) -> str:
    """The most frequent separator candidate outside quotes in the header line."""
    counts = dict.fromkeys(_SEPARATORS, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(_SEPARATORS, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def peek_header(path: Path) -> list[str]:
    """The header's names, read from the file's first bytes only (to tell a file's layout
    before reading it; non-UTF-8 bytes are replaced). Empty for a file that is not text."""
    path = Path(path)
    if not path.is_file():
        return []
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    if b"\x00" in head:
        return []
    first = head.decode("utf-8-sig", errors="replace").splitlines()[:1]
    if not first:
        return []
    row = next(csv.reader([first[0]], delimiter=sniff_separator(first[0])), [])
    return [name.strip() for name in row]


def _first_line(path: Path, encoding: str) -> str:
    with path.open(encoding=encoding, newline="") as handle:
        return handle.readline()


def _record_layout(path: Path, encoding: str, sep: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Header, start line and field count of every record after the header (blank lines have
    0 fields)."""
    starts: list[int] = []
    widths: list[int] = []
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=sep)
        header = next(reader, [])
        previous = reader.line_num
        for record in reader:
            starts.append(previous + 1)
            widths.append(len(record) if any(record) else 0)
            previous = reader.line_num
    return header, np.asarray(starts, dtype=np.int64), np.asarray(widths, dtype=np.int64)


def _frame_from_csv_module(path: Path, encoding: str, sep: str, names: list[str]) -> pd.DataFrame:
    """Slow path: values from the csv module, rows padded or cut to the header width."""
    width = len(names)
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=sep)
        next(reader, None)
        rows = [(record + [""] * width)[:width] for record in reader if any(record)]
    frame = pd.DataFrame(rows, columns=names, dtype="str")
    return frame.mask(frame == "")


def canonical_names(header: list[str], known: Collection[str]) -> list[str]:
    """Header names stripped (BOM, blanks) and matched case-insensitively to ``known``, so
    ``coordonneesxy`` and ``CoordonneesXY`` both read as the schema's ``coordonneesXY``; the
    column mapping of the load, if any, applies first (:mod:`geo.datasets.renaming`)."""
    by_lower = {name.lower(): name for name in known}
    names = []
    for raw in rename(list(header)):
        name = raw.replace("\ufeff", "").strip()
        names.append(by_lower.get(name.lower(), name))
    return names


def read_csv_table(
    path: Path,
    *,
    required: Collection[str],
    optional: Collection[str] = (),
    title: str,
    report: LoadReport,
) -> CsvTable:
    """Every record of ``path`` as strings, with its file line number in :data:`LINE`.

    Fails with :class:`DatasetFormatError` naming the missing columns when ``required`` ones
    are absent. Records with more fields than the header cannot be aligned: they are rejected
    with their line; shorter ones are kept, padded with missing cells, and reported in a
    warning. Sets ``report.rows_read`` (blank lines are not rows).
    """
    path = Path(path)
    refuse_unless_text(path, title)
    try:
        encoding = detect_encoding(path)
        sep = sniff_separator(_first_line(path, encoding))
        header, starts, widths = _record_layout(path, encoding, sep)
    except (OSError, csv.Error) as error:
        msg = f"Fichier « {title} » illisible : {path} ({error})."
        raise DatasetFormatError(msg) from error
    names = canonical_names(header, [*required, *optional])
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        report.warn(
            f"colonne(s) en double : {', '.join(twice)} ; seule la première de chaque nom est lue"
        )
        seen: dict[str, int] = {}
        for index, name in enumerate(names):
            seen[name] = seen.get(name, 0) + 1
            if seen[name] > 1:
                names[index] = f"{name} ({seen[name]})"
    missing = [name for name in required if name not in names]
    if missing:
        found = ", ".join(printable(name) for name in names[:12]) + (
            " …" if len(names) > 12 else ""
        )
        msg = (
            f"Ce fichier n'est pas au format « {title} » : colonne(s) obligatoire(s) absente(s) : "
            f"{', '.join(missing)}. Colonnes trouvées : {found or 'aucune'}."
        )
        raise DatasetFormatError(msg)
    if encoding in ("cp1252", "latin-1"):
        report.warn(f"fichier encodé en {encoding} et non en UTF-8 : lu comme tel")

    records = widths > 0
    too_long = widths > len(names)
    expected = records & ~too_long
    try:
        frame = pd.read_csv(
            path,
            sep=sep,
            encoding=encoding,
            dtype="str",
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=True,
            on_bad_lines="skip",
            engine="c",
            header=0,
            names=names,
        )
    except (ValueError, pd.errors.ParserError):
        frame = None
    if frame is None or len(frame) != int(expected.sum()):
        frame = _frame_from_csv_module(path, encoding, sep, names)
        frame = frame[~too_long[records]].reset_index(drop=True)
    frame[LINE] = starts[expected]

    report.rows_read += int(records.sum())
    if too_long.any():
        reasons = [
            f"{width} champs au lieu de {len(names)} (séparateur ou guillemet en trop ?)"
            for width in widths[too_long]
        ]
        report.reject(starts[too_long], reasons)
    short = expected & (widths < len(names))
    if short.any():
        report.warn(
            f"{int(short.sum())} ligne(s) avec moins de champs que l'en-tête, complétées par "
            f"des vides ({example_lines(starts[short])})"
        )
    return CsvTable(frame, encoding, sep, tuple(names))


__all__ = [
    "LINE",
    "CsvTable",
    "DatasetFormatError",
    "canonical_names",
    "detect_encoding",
    "peek_header",
    "read_csv_table",
    "sniff_separator",
]
