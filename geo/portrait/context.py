"""What every portrait reads, computed once per edition and kept: the loaded datasets, their
indicator table per level, the national figures per dataset, populations and the groups of
comparison (neighbours, population classes).

A :class:`PortraitContext` is built once (the page keeps it as a cached resource, the command
line and the benchmark hold it) and then answers any territory quickly: the costly part of a
portrait, a groupby over every row of a dataset, happens once per dataset and level
(:meth:`PortraitContext.table`), never once per territory.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from geo import indicators
from geo.datasets.catalogue import CATALOGUE, Dataset
from geo.indicators import PER_SUFFIX, SourceInfo
from geo.territory import Territories
from geo.territory.ref import LEVELS

#: Population classes per level, in inhabitants (lower bound included). Communes follow the
#: strata of the DGCL's "Les collectivités locales en chiffres"; EPCI and départements are
#: cut where their populations spread.
POPULATION_CLASSES: dict[str, tuple[float, ...]] = {
    "commune": (0, 500, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, np.inf),
    "epci": (0, 15_000, 30_000, 50_000, 100_000, 200_000, 500_000, np.inf),
    "departement": (0, 250_000, 500_000, 1_000_000, np.inf),
    "region": (0, np.inf),
}
#: Levels whose population class is taken within the territory's région (else all France).
CLASS_WITHIN_REGION = frozenset({"commune", "epci"})


@dataclass(frozen=True)
class National:
    """A dataset's figures for all of France: the sum over the communes where each figure is
    known (``value``), their population and how many they are, per figure column."""

    value: pd.Series
    population: pd.Series
    communes: pd.Series


class PortraitContext:
    """The loaded datasets and everything derived from them that every portrait shares.

    ``frames`` maps dataset ids to their normalised frames (None or absent: not loaded);
    ``problems`` gives the French reason of a dataset that could not be loaded; ``as_of``
    the file's date per dataset (:func:`geo.indicators.manifest_dates`), and
    ``manifest`` the manifest entries, for the sources of the reference itself.
    """

    def __init__(
        self,
        territories: Territories,
        frames: Mapping[str, pd.DataFrame | None],
        *,
        problems: Mapping[str, str] | None = None,
        as_of: Mapping[str, date | tuple[date, str]] | None = None,
        manifest: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self.territories = territories
        self.frames = {key: getattr(value, "frame", value) for key, value in frames.items()}
        self.problems = dict(problems or {})
        self.as_of = dict(as_of or {})
        self.manifest = dict(manifest or {})
        self._lock = threading.Lock()
        self._tables: dict[tuple[str, str], pd.DataFrame] = {}
        self._national: dict[str, National] = {}
        self._sources: dict[str, SourceInfo] = {}
        self._populations: dict[str, pd.Series] = {}
        self._regions: dict[str, pd.Series] = {}

    # --- datasets ------------------------------------------------------------------------------

    def loaded(self, dataset: Dataset) -> bool:
        return self.frames.get(dataset.id) is not None

    def frame(self, dataset: Dataset) -> pd.DataFrame | None:
        return self.frames.get(dataset.id)

    def source(self, dataset: Dataset) -> SourceInfo:
        """The dataset's source, with the date of its data (or of its download)."""
        with self._lock:
            if dataset.id not in self._sources:
                self._sources[dataset.id] = indicators.source_info(
                    dataset, self.frame(dataset), as_of=self.as_of.get(dataset.id)
                )
            return self._sources[dataset.id]

    def table(self, dataset: Dataset, level: str) -> pd.DataFrame | None:
        """Every figure of ``dataset`` for every territory of ``level`` (computed once), or
        None when the dataset is not loaded."""
        frame = self.frame(dataset)
        if frame is None:
            return None
        key = (dataset.id, level)
        table = self._tables.get(key)
        if table is None:
            table = indicators.indicator_table(frame, dataset, level, territories=self.territories)
            with self._lock:
                self._tables[key] = table
        return table

    def national(self, dataset: Dataset) -> National | None:
        """The dataset's figures for all of France (loaded data), computed once."""
        if dataset.id in self._national:
            return self._national[dataset.id]
        frame = self.frame(dataset)
        if frame is None:
            return None
        # The commune table is summed, then let go: its semantics (coverage, latest year)
        # are the indicators module's, and only one row is kept.
        table = indicators.indicator_table(frame, dataset, "commune", territories=self.territories)
        figures = [c for c in table.columns if c != "population" and not c.endswith(PER_SUFFIX)]
        known = table[figures].notna()
        people = table["population"].astype("Float64").fillna(0)
        national = National(
            value=table[figures].sum(min_count=1).astype("Float64"),
            population=pd.Series(
                {c: float(people[known[c].to_numpy()].sum()) for c in figures}, dtype="Float64"
            ),
            communes=known.sum().astype(int),
        )
        with self._lock:
            self._national[dataset.id] = national
        return national

    def warm(self, levels: tuple[str, ...] = LEVELS) -> None:
        """Compute every table and national figure now (what the benchmark calls cached)."""
        for dataset in CATALOGUE.values():
            self.national(dataset)
            for level in levels:
                self.table(dataset, level)
            self.source(dataset)
        for level in levels:
            self.populations(level)
            self.regions(level)

    # --- territories ---------------------------------------------------------------------------

    def populations(self, level: str) -> pd.Series:
        """COG municipal population of every territory of a level (computed once)."""
        if level not in self._populations:
            values = indicators.populations(self.territories, level)
            with self._lock:
                self._populations[level] = values
        return self._populations[level]

    def regions(self, level: str) -> pd.Series:
        """The région of every territory of a level (an EPCI's: that of most of its
        communes), computed once."""
        if level not in self._regions:
            communes = self.territories.cog.communes
            if level == "commune":
                regions = communes.set_index("code")["region"]
            elif level == "region":
                codes = self.territories.cog.regions["code"]
                regions = pd.Series(codes.to_numpy(), index=codes.to_numpy())
            else:
                column = "epci" if level == "epci" else "departement"
                members = communes.dropna(subset=[column])
                counts = members.groupby([column, "region"]).size().reset_index(name="n")
                best = counts.sort_values([column, "n"], ascending=[True, False])
                best = best.drop_duplicates(column)
                regions = pd.Series(best["region"].to_numpy(), index=best[column].to_numpy())
            with self._lock:
                self._regions[level] = regions.astype(object)
        return self._regions[level]

    def population_class(self, level: str, population: int | None) -> tuple[float, float] | None:
        """``(low, high)`` of the class a population falls in, None without a population."""
        if population is None:
            return None
        bounds = POPULATION_CLASSES[level]
        position = int(np.searchsorted(bounds, population, side="right")) - 1
        position = min(max(position, 0), len(bounds) - 2)
        return float(bounds[position]), float(bounds[position + 1])

    def peers(self, level: str, code: str, population: int | None) -> list[str]:
        """Codes of the territories of the same level and population class (in the same
        région for communes and EPCI), the territory itself left out."""
        klass = self.population_class(level, population)
        if klass is None:
            return []
        people = self.populations(level).astype("Float64")
        inside = (people >= klass[0]) & (people < klass[1])
        codes = people.index[inside.fillna(False).to_numpy(dtype=bool)]
        if level in CLASS_WITHIN_REGION:
            regions = self.regions(level)
            own = regions.get(code)
            codes = codes[regions.reindex(codes).to_numpy() == own]
        return [str(c) for c in codes if str(c) != code]
