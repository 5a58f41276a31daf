"""A table as a spreadsheet file (XLSX) that a French LibreOffice or Excel opens as it is meant:
each cell typed, rather than guessed from text as a CSV's are (a code ``01024`` read as the
number 1024, ``45.19`` read as text where the decimal mark is a comma).

- text stays text, whatever it looks like: a code keeps its leading zero, a cell starting
  with ``=`` is shown, never run as a formula (its type is text; no quote is added);
- numbers are numbers (shown with the reader's decimal comma), booleans are booleans (VRAI,
  FAUX), dates are dates (in UTC, as the header says: a spreadsheet has no time zones);
- the first row holds the French headers (bold, frozen, with filters); a second sheet,
  « Colonnes », names each column in the exchange format (the CSV's header).

Any table can be written so (:func:`xlsx_bytes`); the projects' columns are in
:mod:`geo.projects.exporter`. openpyxl is imported when a file is written.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from geo.errors import ExportError

Kind = Literal["text", "integer", "number", "boolean", "date"]
#: Excel's limit for one cell's text; longer text is cut there (and says so).
CELL_MAX = 32_767
CUT = " […]"
HEADER_SHEET = "Colonnes"
LEGEND_HEADER = ("En-tête", "Nom dans le CSV d'échange")
#: Width of a column, in characters: from its header and first values, within these bounds.
MIN_WIDTH, MAX_WIDTH = 8, 60
_SAMPLED_ROWS = 200


@dataclass(frozen=True)
class Column:
    """One column: its name in the exchange format, its French header, the type of its cells."""

    name: str
    label: str
    kind: Kind = "text"


def xlsx_bytes(
    columns: Sequence[Column],
    rows: Iterable[Mapping[str, Any]],
    *,
    title: str = "Données",
) -> bytes:
    """The rows (each a mapping from a column's ``name`` to its value, ``None`` for an empty
    cell) as an XLSX file in memory, one sheet named ``title`` and the « Colonnes » sheet.
    A value that does not fit its column's type is a French :class:`ExportError`."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    # Every value typed before the workbook is opened: a wrong one leaves no file half made.
    rows = list(rows)
    values = [
        [_value(column, row.get(column.name), number) for column in columns]
        for number, row in enumerate(rows, start=2)
    ]
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_sheet_title(title))
    for index, width in enumerate(_widths(columns, rows), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    last = get_column_letter(max(len(columns), 1))
    sheet.auto_filter.ref = f"A1:{last}{len(rows) + 1}"
    bold = Font(bold=True)
    sheet.append([_text_cell(sheet, column.label, bold) for column in columns])
    for line in values:
        sheet.append(
            [_cell(sheet, column, value) for column, value in zip(columns, line, strict=True)]
        )

    legend = book.create_sheet(HEADER_SHEET)
    legend.column_dimensions["A"].width = 40
    legend.column_dimensions["B"].width = 30
    legend.append([_text_cell(legend, text, bold) for text in LEGEND_HEADER])
    for column in columns:
        legend.append([_text_cell(legend, column.label), _text_cell(legend, column.name)])

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _value(column: Column, value: Any, row: int) -> Any:
    """The cell's value in its column's type (None: an empty cell); a French error if it
    cannot be."""
    if value is None or value == "":
        return None
    if column.kind == "text":
        return str(value)  # cleaned when its cell is made
    try:
        return _typed(column.kind, value)
    except (TypeError, ValueError) as error:
        msg = (
            f"Export tableur impossible : la valeur {value!r} de la colonne « {column.label} » "
            f"(ligne {row}) n'est pas du type attendu."
        )
        raise ExportError(msg) from error


def _cell(sheet: Any, column: Column, value: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell

    if value is None:
        return None
    if column.kind == "text":
        return _text_cell(sheet, value)
    cell = WriteOnlyCell(sheet, value=value)
    if column.kind == "date":
        cell.number_format = "yyyy-mm-dd hh:mm:ss" if isinstance(value, datetime) else "yyyy-mm-dd"
    return cell


def _typed(kind: Kind, value: Any) -> Any:
    if kind == "integer":
        if isinstance(value, bool):
            raise TypeError(value)
        number = float(value)
        if not number.is_integer():
            raise ValueError(value)
        return int(number)
    if kind == "number":
        if isinstance(value, bool):
            raise TypeError(value)
        number = float(value)
        return number if math.isfinite(number) else None
    if kind == "boolean":
        if isinstance(value, str):
            lowered = value.strip().lower()
            if lowered not in ("true", "false"):
                raise ValueError(value)
            return lowered == "true"
        return bool(value)
    # A date: a spreadsheet's dates have no time zone; ours are written in UTC.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value
    if isinstance(value, date):
        return value
    raise TypeError(value)


def _text_cell(sheet: Any, value: Any, font: Any = None) -> Any:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=_text(value))
    # Typed as text after the value is set: openpyxl would take "=…" for a formula.
    cell.data_type = "s"
    if font is not None:
        cell.font = font
    return cell


def _text(value: Any) -> str:
    """The text of a cell, without the control characters XLSX cannot hold (a tab and a line
    break stay), cut at Excel's limit."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if len(text) > CELL_MAX:
        text = text[: CELL_MAX - len(CUT)] + CUT
    return text


def _widths(columns: Sequence[Column], rows: Sequence[Mapping[str, Any]]) -> list[int]:
    widths = []
    for column in columns:
        longest = len(column.label)
        for row in rows[:_SAMPLED_ROWS]:
            value = row.get(column.name)
            if value is not None:
                longest = max(longest, len(str(value)))
        widths.append(min(max(longest + 2, MIN_WIDTH), MAX_WIDTH))
    return widths


def _sheet_title(title: str) -> str:
    """A sheet name XLSX accepts: 31 characters at most, none of ``[]:*?/\\``."""
    cleaned = "".join("-" if c in "[]:*?/\\" else c for c in title).strip("' ") or "Données"
    return cleaned[:31]
