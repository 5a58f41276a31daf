"""Public energy and mobility datasets: the catalogue and one loader module per dataset.

Loading a file gives a :class:`Loaded`: the normalised rows (a GeoDataFrame in EPSG:4326 with
the four territory columns) and the :class:`LoadReport`. A loader module ``geo.datasets.<id>``
exposes ``load(path, *, territories, schema) -> Loaded``; it reads with
:mod:`geo.datasets.csvfile`, repairs values with :mod:`geo.datasets.parsing`, validates with
:mod:`geo.datasets.schema` and, for points, locates with :mod:`geo.datasets.points`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from geo.datasets.catalogue import CATALOGUE, Aggregate, Dataset, PopupField, get_dataset
from geo.datasets.report import LoadReport
from geo.errors import DataUnavailableError, GeoError

if TYPE_CHECKING:
    import geopandas as gpd

    from geo.datasets.schema import TableSchema
    from geo.settings import Settings
    from geo.territories import Territories

__all__ = [
    "CATALOGUE",
    "Aggregate",
    "Dataset",
    "LoadReport",
    "Loaded",
    "PopupField",
    "get_dataset",
    "load_dataset",
    "load_schema",
]


@dataclass(frozen=True)
class Loaded:
    frame: gpd.GeoDataFrame
    report: LoadReport


class Loader(Protocol):
    """What ``geo.datasets.<loader>.load`` is: every loader module has this signature."""

    def __call__(
        self, path: Path, *, territories: Territories, schema: TableSchema | None
    ) -> Loaded: ...


class LoaderMissingError(GeoError):
    """The dataset is declared but its loader is not written yet."""


def load_schema(
    dataset: Dataset, report: LoadReport, settings: Settings | None = None
) -> TableSchema | None:
    """The dataset's official schema from the data cache (fetched from the mirror or the
    network when missing), as a :class:`TableSchema` (a JSON Schema of GeoJSON features is
    read as one); None, with a warning in ``report``, when it cannot be had."""
    from geo.datasets.schema import SchemaError, TableSchema
    from geo.fetch import ensure_local

    if dataset.schema_source is None:
        return None
    try:
        return TableSchema.from_file(ensure_local(dataset.schema_source, settings))
    except (DataUnavailableError, SchemaError) as error:
        report.warn(f"schéma officiel indisponible, fichier non validé ({error})")
        return None


def load_dataset(
    dataset_id: str,
    path: Path | str,
    *,
    territories: Territories | None = None,
    schema: TableSchema | Path | None | bool = True,
    settings: Settings | None = None,
) -> Loaded:
    """Load ``path`` as the dataset ``dataset_id``.

    ``territories`` defaults to :func:`geo.territories.load_territories`. ``schema``: ``True``
    reads the official schema from the cache (see :func:`load_schema`), a path or a
    :class:`TableSchema` is used as is, ``False``/``None`` skips validation.
    """
    from geo.datasets.schema import TableSchema

    dataset = get_dataset(dataset_id)
    if not dataset.loader_available:
        msg = f"Le chargeur du jeu « {dataset.title} » ({dataset.id}) n'est pas encore écrit."
        raise LoaderMissingError(msg)
    path = Path(path)
    if not path.is_file():
        msg = f"Fichier introuvable : {path}."
        raise DataUnavailableError(msg)
    if territories is None:
        from geo.territories import load_territories

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
    loaded: Loaded = module.load(path, territories=territories, schema=resolved)
    # Schema problems come first: they explain the rest.
    loaded.report.warnings[:0] = pending.warnings
    return loaded
