"""Build the normalised columns of a loader from the file's strings, keeping the report.

``Columns(frame, report)`` wraps the frame a reader returned (strings plus the ``LINE``
column). Each method parses some columns with :mod:`geo.datasets.parsing`, counts the repairs
in the report (a row repaired in several columns of one call counts once per kind) and warns,
with example lines, about cells that could not be read (they become missing values; the row
is kept). A column absent from the file reads as all missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from geo.datasets.csvfile import LINE
from geo.datasets.parsing import (
    Parsed,
    parse_bool,
    parse_date,
    parse_float,
    parse_int,
    parse_power_kw,
    text,
)
from geo.datasets.report import LoadReport


class Columns:
    def __init__(self, frame: pd.DataFrame, report: LoadReport) -> None:
        self.frame = frame
        self.report = report
        self.lines = frame[LINE].to_numpy()

    def raw(self, name: str) -> pd.Series:
        """The column as read (strings, ``NA`` when empty), all ``NA`` when absent."""
        if name in self.frame.columns:
            return self.frame[name]
        return pd.Series(pd.NA, index=self.frame.index, dtype="str")

    def texts(self, names: Iterable[str]) -> dict[str, pd.Series]:
        """Stripped strings, empty cells missing."""
        return {name: text(self.raw(name)) for name in names}

    def parse(
        self, names: Iterable[str], parser: Callable[[pd.Series], Parsed], unreadable: str
    ) -> dict[str, pd.Series]:
        """Any parser over several columns; ``unreadable`` completes the warning
        ``"<column> <unreadable> (laissé vide)"``."""
        values: dict[str, pd.Series] = {}
        repaired: dict[str, np.ndarray] = {}
        for name in names:
            parsed = parser(self.raw(name))
            values[name] = parsed.values
            for kind, mask in parsed.repairs.items():
                repaired[kind] = repaired.get(kind, np.zeros(len(self.frame), bool)) | mask
            self.report.warn_rows(self.lines[parsed.invalid], f"{name} {unreadable} (laissé vide)")
        for kind, mask in repaired.items():
            self.report.repair(kind, mask)
        return values

    def booleans(self, names: Iterable[str]) -> dict[str, pd.Series]:
        return self.parse(names, parse_bool, "n'est pas un booléen")

    def dates(self, names: Iterable[str]) -> dict[str, pd.Series]:
        return self.parse(names, parse_date, "n'est pas une date")

    def floats(self, names: Iterable[str]) -> dict[str, pd.Series]:
        return self.parse(names, parse_float, "n'est pas un nombre")

    def integers(self, names: Iterable[str], *, minimum: int | None = None) -> dict[str, pd.Series]:
        """Whole numbers (``Int64``); below ``minimum`` counts as unreadable."""

        def parser(values: pd.Series) -> Parsed:
            parsed = parse_int(values)
            if minimum is None:
                return parsed
            low = (parsed.values < minimum).fillna(False).to_numpy(dtype=bool)
            return Parsed(parsed.values.mask(low), parsed.invalid | low, parsed.repairs)

        what = "n'est pas un entier" + ("" if minimum is None else f" ≥ {minimum}")
        return self.parse(names, parser, what)

    def power_kw(self, name: str, *, watts_from: float | None = 1000.0) -> pd.Series:
        """Power in kW (see :func:`geo.datasets.parsing.parse_power_kw`)."""
        parser = lambda values: parse_power_kw(values, watts_from=watts_from)  # noqa: E731
        return self.parse([name], parser, "n'est pas une puissance lisible")[name]
