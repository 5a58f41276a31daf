"""Labels as publishers spell them: compared without accents, case, or repeated blanks.

``Consommation Tertiaire  (MWh)``, ``consommation tertiaire (mwh)`` and ``Consommation
Tertiaire (MWh)`` have one key (``consommation tertiaire mwh``); so do ``Eolien``, ``Éolien``
and ``EOLIEN``. Keys use :func:`geo.text.place_name_key` (the territory search's own rule).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.text import place_name_key


def label_key(values: pd.Series) -> pd.Series:
    """The key of each label (missing stays missing), computed once per distinct label."""
    series = pd.Series(values, copy=False)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    keys = np.array([place_name_key(value) for value in uniques] + [None], dtype=object)
    out = pd.Series(keys[np.where(codes < 0, len(uniques), codes)], index=series.index)
    return out.astype("str")


def header_key(name: str) -> str:
    """The key of a column name (a stray BOM or non-breaking space is no letter)."""
    return place_name_key(str(name).replace("\ufeff", ""))


def enum_values(values: pd.Series, allowed: tuple[str, ...]) -> tuple[pd.Series, np.ndarray]:
    """Values written in the schema's spelling when they match one by key (``Arceau``,
    ``arceau ``, ``Libre accès``), and the mask of the rows that were re-spelt. Values
    outside the list are kept as published (the schema validation reports them)."""
    by_key = {place_name_key(value): value for value in allowed}
    keys = label_key(values)
    canonical = keys.map(by_key).astype("str")
    respelt = (canonical.notna() & (canonical != values)).fillna(False).to_numpy(dtype=bool)
    return canonical.fillna(values), respelt


__all__ = ["enum_values", "header_key", "label_key"]
