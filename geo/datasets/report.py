"""What a loader did to a file: rows read, kept, repaired by kind, rejected with line and reason.

Loaders work on whole columns, so the report is fed masks and arrays, never one row at a time:
``report.repair("puissance_en_watts", mask)`` counts the rows where ``mask`` is true, and
``report.reject(lines, reason)`` records one rejection per line number.

Warnings come two ways: grouped (``warn_rows``: one sentence, a count and example lines) for
what is common and harmless, and per line (``warn_line``: ``{"line", "warning"}``) for what a
person should look at row by row — a point far from the commune its code and name designate.
``rows_outside`` counts the kept rows that fall outside the loaded territories (no loaded
commune holds them): they are in the normalised rows, but no map or figure of the loaded
territories shows them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

#: How many example line numbers an aggregated warning quotes.
EXAMPLE_LINES = 5


@dataclass
class LoadReport:
    """The load report of one file (``to_dict()`` is the ``datasets load --json`` contract)."""

    dataset: str
    rows_read: int = 0
    rows_kept: int = 0
    rows_rejected: int = 0
    repairs: dict[str, int] = field(default_factory=dict)
    duplicates_removed: int = 0
    rejections: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    line_warnings: list[dict[str, Any]] = field(default_factory=list)
    rows_outside: int = 0

    def repair(self, kind: str, rows: ArrayLike | int) -> int:
        """Count repaired rows of one kind (a boolean mask or a number); zero is not recorded."""
        count = int(np.count_nonzero(rows)) if not isinstance(rows, int | np.integer) else rows
        if count:
            self.repairs[kind] = self.repairs.get(kind, 0) + int(count)
        return int(count)

    def reject(self, lines: Iterable[int] | np.ndarray, reason: str | Iterable[str]) -> None:
        """One rejection per line: a single French reason for all, or one reason per line."""
        lines = [int(line) for line in np.asarray(lines, dtype=np.int64).ravel()]
        reasons = [reason] * len(lines) if isinstance(reason, str) else [str(r) for r in reason]
        if len(reasons) != len(lines):
            msg = "reject() wants one reason per line"
            raise ValueError(msg)
        self.rejections.extend(
            {"line": line, "reason": why} for line, why in zip(lines, reasons, strict=True)
        )
        self.rows_rejected += len(lines)

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def warn_rows(self, lines: np.ndarray, message: str) -> None:
        """An aggregated warning: ``message : N ligne(s), par ex. lignes 3, 7``, if any line."""
        lines = np.asarray(lines, dtype=np.int64).ravel()
        if lines.size:
            self.warn(f"{message} : {lines.size} ligne(s), par ex. {example_lines(lines)}")

    def warn_line(self, line: int, message: str) -> None:
        """A warning about one file line, kept with its line number."""
        self.line_warnings.append({"line": int(line), "warning": message})

    def finish(self, rows_kept: int, *, rows_outside: int | None = None) -> LoadReport:
        """Set the kept count (and the count outside the loaded territories) and sort
        rejections and line warnings by line (stable, whatever the loader order)."""
        self.rows_kept = int(rows_kept)
        if rows_outside is not None:
            self.rows_outside = int(rows_outside)
        self.rejections.sort(key=lambda item: item["line"])
        self.line_warnings.sort(key=lambda item: item["line"])
        return self

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "rows_read": self.rows_read,
            "rows_kept": self.rows_kept,
            "rows_rejected": self.rows_rejected,
            "repairs": dict(sorted(self.repairs.items())),
            "duplicates_removed": self.duplicates_removed,
            "rejections": [dict(item) for item in self.rejections],
            "warnings": list(self.warnings),
            "line_warnings": [dict(item) for item in self.line_warnings],
            "rows_outside": self.rows_outside,
        }


def example_lines(lines: np.ndarray, limit: int = EXAMPLE_LINES) -> str:
    """``ligne 3`` or ``lignes 3, 7, 12 …`` for the first few of sorted line numbers."""
    shown = np.sort(np.asarray(lines, dtype=np.int64))[:limit].tolist()
    more = " …" if len(lines) > limit else ""
    word = "ligne" if len(shown) == 1 else "lignes"
    return f"{word} {', '.join(str(line) for line in shown)}{more}"
