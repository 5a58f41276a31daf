"""Rows a file publishes more than once, found whatever the order of the file.

Both helpers return the mask of the rows to keep, count the others in
``report.duplicates_removed`` and warn with their lines. The :data:`LINE` column is never
compared: two rows differing only by where they stand in the file are the same row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.datasets.csvfile import LINE
from geo.datasets.report import LoadReport


def identical_rows(frame: pd.DataFrame, report: LoadReport, what: str) -> np.ndarray:
    """Keep one of the rows equal in every column (the first in the file)."""
    dropped = frame.drop(columns=[LINE]).astype(str).duplicated(keep="first").to_numpy()
    if dropped.any():
        report.duplicates_removed += int(dropped.sum())
        report.warn_rows(frame.loc[dropped, LINE].to_numpy(), what)
    return ~dropped


def keep_latest(frame: pd.DataFrame, key: str, report: LoadReport, what: str) -> np.ndarray:
    """Keep one row per value of ``key`` (compared without case): the latest ``date_maj``,
    then the row content, never the file order (a shuffled file keeps the same rows)."""
    keys = frame[key].str.upper()
    repeated = keys.notna().to_numpy() & keys.duplicated(keep=False).to_numpy()
    keep = np.ones(len(frame), dtype=bool)
    if not repeated.any():
        return keep
    group = frame[repeated]
    order = pd.DataFrame(
        {
            "key": keys[repeated],
            "updated": pd.to_datetime(group["date_maj"].astype(object), errors="coerce"),
            "content": pd.util.hash_pandas_object(
                group.drop(columns=[LINE]).astype(str), index=False
            ),
        }
    ).sort_values(["key", "updated", "content"], ascending=[True, False, True])
    dropped = order.index[order.duplicated("key", keep="first").to_numpy()]
    keep[dropped] = False
    report.duplicates_removed += len(dropped)
    report.warn_rows(frame.loc[dropped, LINE].to_numpy(), what)
    return keep


__all__ = ["identical_rows", "keep_latest"]
