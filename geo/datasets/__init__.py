"""Public energy and mobility datasets: the catalogue and one loader module per dataset.

Owns the declarations (:mod:`.catalogue`), the loaders (one module per dataset, each exposing
``load(path, *, territories, schema) -> Loaded``), the readers and repairs they share
(:mod:`.csvfile`, :mod:`.jsonfile`, :mod:`.filekind` for what is not the expected file,
:mod:`.renaming` for a column mapping, :mod:`.parsing`, :mod:`.columns`, :mod:`.points`,
:mod:`.codecheck` for codes against points, :mod:`.communes`, :mod:`.labels`,
:mod:`.duplicates`), validation against the official
schemas (:mod:`.schema`), the load report (:mod:`.report`) and the writers of normalised
rows (:mod:`.output`). May import ``geo.errors``, ``geo.settings``, ``geo.text``,
``geo.territory`` and ``geo.sources`` (to fetch a file); never the projects, store or maps.

Loading gives a :class:`Loaded`: the normalised rows (a GeoDataFrame in EPSG:4326 with the
four territory columns) and the :class:`LoadReport`, whose ``rows_outside``
(:attr:`Loaded.rows_outside`) counts the kept rows outside the loaded territories: rows none of
whose territory codes (commune, else EPCI, département, région) holds a loaded commune outline
— a point outside every loaded commune, a commune of another part of France.

:func:`load` is the one entry point for a dataset's official file (fetched when missing);
:func:`load_dataset` loads any file as a dataset (the command line, tests, benchmarks).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
import pandas as pd

from geo.datasets.catalogue import CATALOGUE, Aggregate, Dataset, PopupField, get_dataset
from geo.datasets.renaming import renamed_columns, unused
from geo.datasets.report import LoadReport
from geo.errors import DataUnavailableError
from geo.territory import TERRITORY_COLUMNS

if TYPE_CHECKING:
    import geopandas as gpd

    from geo.datasets.schema import TableSchema
    from geo.settings import Settings
    from geo.territory import Territories

__all__ = [
    "CATALOGUE",
    "Aggregate",
    "Dataset",
    "LoadReport",
    "Loaded",
    "PopupField",
    "get_dataset",
    "load",
    "load_dataset",
    "count_outside",
    "load_schema",
]


@dataclass(frozen=True)
class Loaded:
    frame: gpd.GeoDataFrame
    report: LoadReport

    @property
    def rows_outside(self) -> int:
        """Kept rows outside the loaded territories (what a map of them cannot show)."""
        return self.report.rows_outside


def count_outside(frame: pd.DataFrame, territories: Territories) -> int:
    """Rows of a normalised frame whose finest territory code (commune, else EPCI, else
    département, else région) holds no loaded commune outline."""
    if frame.empty:
        return 0
    loaded = territories.hierarchy_of_communes(sorted(territories.loaded_communes))
    inside = np.zeros(len(frame), dtype=bool)
    decided = np.zeros(len(frame), dtype=bool)
    for column in TERRITORY_COLUMNS:
        if column not in frame.columns:
            continue
        values = frame[column].astype(object)
        present = values.notna().to_numpy() & ~decided
        known = set(loaded[column].dropna())
        inside |= present & values.isin(known).to_numpy()
        decided |= present
    return int(np.count_nonzero(~inside))


class Loader(Protocol):
    """What ``geo.datasets.<loader>.load`` is: every loader module has this signature."""

    def __call__(
        self, path: Path, *, territories: Territories, schema: TableSchema | None
    ) -> Loaded: ...


def load_schema(
    dataset: Dataset, report: LoadReport, settings: Settings | None = None
) -> TableSchema | None:
    """The dataset's official schema from the data cache (fetched from the mirror or the
    network when missing), as a :class:`TableSchema` (a JSON Schema of GeoJSON features is
    read as one); None, with a warning in ``report``, when it cannot be had."""
    from geo.datasets.schema import SchemaError, TableSchema
    from geo.sources.fetch import ensure_local

    if dataset.schema_source is None:
        return None
    try:
        return TableSchema.from_file(ensure_local(dataset.schema_source, settings))
    except (DataUnavailableError, SchemaError) as error:
        report.warn(f"schéma officiel indisponible, fichier non validé ({error})")
        return None


def load(
    dataset: Dataset, settings: Settings | None = None, *, territories: Territories | None = None
) -> Loaded:
    """The dataset's official file from the data cache (fetched from the mirror or the network
    when missing), loaded and validated against its official schema."""
    from geo.sources.fetch import ensure_local

    path = ensure_local(dataset.source, settings)
    return load_dataset(dataset, path, territories=territories, settings=settings)


def load_dataset(
    dataset: Dataset,
    path: Path | str,
    *,
    territories: Territories | None = None,
    schema: TableSchema | Path | None | bool = True,
    settings: Settings | None = None,
    mapping: Mapping[str, str | None] | None = None,
) -> Loaded:
    """Load ``path`` as ``dataset``.

    ``territories`` defaults to :func:`geo.territory.load_territories`. ``schema``: ``True``
    reads the official schema from the cache (see :func:`load_schema`), a path or a
    :class:`TableSchema` is used as is, ``False``/``None`` skips validation. ``mapping``
    renames the file's columns first (``{"their column": "our column"}``, ``None`` ignores
    one; :mod:`geo.datasets.renaming`).
    """
    from geo.datasets.schema import TableSchema

    path = Path(path)
    if path.is_dir():
        from geo.datasets.filekind import refuse_unless_text

        expected = {"csv": "CSV", "json": "JSON", "geojson": "GeoJSON"}[dataset.file_kind]
        refuse_unless_text(path, dataset.title, expected=expected)
    if not path.is_file():
        msg = f"Fichier introuvable : {path}."
        raise DataUnavailableError(msg)
    if territories is None:
        from geo.territory import load_territories

        territories = load_territories(settings)
    pending = LoadReport(dataset.id)
    if schema is True:
        resolved = load_schema(dataset, pending, settings)
    elif isinstance(schema, str | Path):
        resolved = TableSchema.from_file(Path(schema))
    elif isinstance(schema, TableSchema):
        resolved = schema
    else:
        resolved = None
    module = importlib.import_module(dataset.loader_module)
    with renamed_columns(mapping) as active:
        loaded: Loaded = module.load(path, territories=territories, schema=resolved)
    missing = unused(active, mapping)
    if missing:
        loaded.report.warn(
            f"correspondance de colonnes : colonne(s) absente(s) du fichier : {', '.join(missing)}"
        )
    # Not a fault of the file (it depends on the territories this deployment loads): a count,
    # not a warning.
    loaded.report.rows_outside = count_outside(loaded.frame, territories)
    # Schema problems come first: they explain the rest.
    loaded.report.warnings[:0] = pending.warnings
    return loaded
