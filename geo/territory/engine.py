"""The territory engine: commune → EPCI → département → région.

A point is located by point-in-polygon on the commune outlines (:mod:`geo.territory.locate`);
its EPCI, département and région come from the COG hierarchy, never from separate polygon
joins. Old commune codes (délégué, associé, merged) and arrondissements municipaux resolve to
the current commune. Search ranks exact > prefix > fuzzy matches, then by population.

The outlines come from a source that computes them from the published files
(:class:`~geo.territory.outlines.BuiltOutlines`) or reads them prepared
(:class:`~geo.territory.prepared.PreparedOutlines`): the engine asks only for what it needs,
when it needs it (one territory's outline, one level's neighbours).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from functools import cached_property
from typing import Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.errors import InvalidCoordinatesError, UnknownTerritoryError
from geo.territory.codes import CodeReading, CommuneCodeReader
from geo.territory.locate import GridLocator
from geo.territory.outlines import BuiltOutlines
from geo.territory.ref import (
    LEVEL_LABELS,
    LEVELS,
    TerritoryRef,
    check_level,
    normalize_commune_code,
    split_ref,
)
from geo.territory.reference import Cog
from geo.territory.search import SearchIndex, SearchResult, search_entries

TERRITORY_COLUMNS = ("code_commune", "code_epci", "code_departement", "code_region")

__all__ = ["LEVELS", "SearchResult", "Territories", "TERRITORY_COLUMNS", "TerritoryRef"]


class OutlineSource(Protocol):
    """What the engine asks of the outlines (built or prepared)."""

    unknown_outline_codes: list[str]

    def commune_codes(self) -> np.ndarray: ...
    def exact(self, level: str, codes: Collection[str] | None = None) -> gpd.GeoDataFrame: ...
    def display(self, level: str, codes: Collection[str] | None = None) -> gpd.GeoDataFrame: ...
    def coordinates(self, level: str) -> int: ...
    def neighbours(self, level: str) -> pd.DataFrame: ...
    def locator(self) -> GridLocator: ...
    def release_locator_pages(self) -> None: ...
    def national_pixels(self) -> np.ndarray: ...
    def points(self) -> pd.DataFrame: ...


class Territories:
    """The loaded reference: COG tables for all of France plus the outlines that were loaded.

    ``outlines`` is the published outlines by level (computed from them, for tests and small
    references) or a prepared source (:func:`geo.territory.load_territories`).
    """

    def __init__(
        self, cog: Cog, outlines: dict[str, gpd.GeoDataFrame | None] | OutlineSource
    ) -> None:
        self.cog = cog
        self._source: OutlineSource = (
            BuiltOutlines(cog, outlines) if isinstance(outlines, dict) else outlines
        )
        self._communes = cog.communes.set_index("code", drop=False)
        self._epci = cog.epci.set_index("code", drop=False)
        self._departements = cog.departements.set_index("code", drop=False)
        self._regions = cog.regions.set_index("code", drop=False)

    @property
    def unknown_outline_codes(self) -> list[str]:
        """Outline codes the COG does not know: they cannot be placed in the hierarchy."""
        return self._source.unknown_outline_codes

    # --- locating ------------------------------------------------------------------------------

    def locate(
        self, lat: Sequence[object] | np.ndarray, lon: Sequence[object] | np.ndarray
    ) -> pd.DataFrame:
        """The four territory columns for each point (None where no loaded commune covers it).

        Raises :class:`InvalidCoordinatesError` naming the positions of NaN, non-numeric or
        out-of-range coordinates: silently dropping them would shift every later row.
        """
        lat_values, lon_values, bad = parse_coordinates(lat, lon)
        if bad.any():
            rows = np.flatnonzero(bad).tolist()
            shown = ", ".join(str(r) for r in rows[:10]) + (" …" if len(rows) > 10 else "")
            msg = (
                f"Coordonnées invalides (manquantes, non numériques ou hors limites) "
                f"pour {len(rows)} point(s), positions : {shown}."
            )
            raise InvalidCoordinatesError(msg, rows=rows)
        index = self._source.locator().locate(lon_values, lat_values)
        # Row -1 of each column is None: points outside every commune read it. Joined as
        # Series: a frame built from a dict of object arrays would copy them once more.
        columns = [
            pd.Series(column[index], dtype=object, name=name)
            for name, column in self._outline_columns.items()
        ]
        return pd.concat(columns, axis=1)

    def release_index_pages(self) -> None:
        """After locating many points (a dataset's rows), give back the pages of the prepared
        locate index they read (:meth:`GridLocator.release_pages`): a server keeps only what
        it uses again."""
        self._source.release_locator_pages()

    def national_pixels(self) -> np.ndarray:
        """The commune outline index under each pixel of the national picture (-1 outside,
        see :mod:`geo.territory.raster`), computed once per edition."""
        return self._source.national_pixels()

    def outline_level_codes(self, level: str) -> np.ndarray:
        """The code of ``level`` of each commune outline, by index (and None at index -1,
        outside), as :meth:`national_pixels` gives them."""
        return self._outline_columns[f"code_{check_level(level)}"]

    @cached_property
    def _outline_columns(self) -> dict[str, np.ndarray]:
        table = self.hierarchy_of_communes(self._source.commune_codes())
        return {
            name: np.append(table[name].to_numpy(dtype=object), None) for name in TERRITORY_COLUMNS
        }

    def hierarchy_of_communes(self, codes: Sequence[object] | np.ndarray) -> pd.DataFrame:
        """The four territory columns for commune codes (current, old or arrondissement)."""
        current = pd.Series(codes, dtype=object).map(
            lambda c: self.cog.current_code.get(normalize_commune_code(c)) if _present(c) else None
        )
        table = self._communes.reindex(current.to_numpy())
        return pd.DataFrame(
            {
                "code_commune": _objects(current),
                "code_epci": _objects(table["epci"]),
                "code_departement": _objects(table["departement"]),
                "code_region": _objects(table["region"]),
            }
        )

    @cached_property
    def commune_code_reader(self) -> CommuneCodeReader:
        """Reads commune codes as people write them (:mod:`geo.territory.codes`), once."""
        return CommuneCodeReader(self.cog)

    def read_commune_code(self, written: object) -> CodeReading:
        """Every commune a written code can designate (INSEE, old or postal code) and the
        one the shared rule chooses (:mod:`geo.territory.codes`)."""
        return self.commune_code_reader.read(written)

    # --- search and names ----------------------------------------------------------------------

    @cached_property
    def _search_index(self) -> SearchIndex:
        entries = search_entries(self.cog, self._epci_departement)
        return SearchIndex(entries, old_codes=self.cog.current_code)

    def search(self, text: str, *, limit: int = 10) -> list[SearchResult]:
        """Territories matching a name, postal code, INSEE or SIREN code, best first."""
        return self._search_index.search(text, limit=limit)

    def names(self, level: str, codes: Sequence[object] | pd.Series) -> pd.Series:
        """Names for a column of codes of one level (None where the code is missing)."""
        names = pd.Series(codes, dtype=object).map(self._table(level)["nom"])
        return _objects(names)

    def nom(self, level: str, code: str) -> str:
        return str(self._table(level).loc[self._key(level, code), "nom"])

    def exists(self, level: str, code: str) -> bool:
        try:
            self._key(level, code)
        except UnknownTerritoryError:
            return False
        return True

    def resolve(self, level: str, code: object) -> TerritoryRef:
        """The territory with its current code (an old or délégué commune code gives the
        commune it belongs to today), or a French :class:`UnknownTerritoryError`."""
        return TerritoryRef(check_level(level), self._key(level, str(code)))

    def parse(self, text: str) -> TerritoryRef:
        """``"level:code"`` (a URL parameter, a command argument) resolved to its current code."""
        return self.resolve(*split_ref(text))

    # --- hierarchy -----------------------------------------------------------------------------

    def parent(self, level: str, code: str) -> tuple[str, str] | None:
        """The next territory up the chain (commune without EPCI → its département)."""
        code = self._key(level, code)
        if level == "commune":
            row = self._communes.loc[code]
            if _present(row["epci"]):
                return ("epci", str(row["epci"]))
            return ("departement", str(row["departement"]))
        if level == "epci":
            return ("departement", self._epci_departement[code])
        if level == "departement":
            return ("region", str(self._departements.loc[code, "region"]))
        return None

    def chain(self, level: str, code: str) -> list[tuple[str, str, str]]:
        """``[(level, code, nom)]`` from this territory up to its région. A commune's
        département is its own (COG), never its EPCI's: Paris is in the Métropole du Grand
        Paris, whose members span four départements, and in Paris (75)."""
        code = self._key(level, code)
        links: list[tuple[str, str]] = [(level, code)]
        if level == "commune":
            row = self._communes.loc[code]
            if _present(row["epci"]):
                links.append(("epci", str(row["epci"])))
            links.append(("departement", str(row["departement"])))
        elif level == "epci":
            links.append(("departement", self._epci_departement[code]))
        current = self.parent(*links[-1]) if links[-1][0] == "departement" else None
        if level == "departement":
            current = self.parent(level, code)
        if current is not None:
            links.append(current)
        return [(link_level, link_code, self.nom(link_level, link_code))
                for link_level, link_code in links]  # fmt: skip

    def children(self, level: str, code: str) -> list[str]:
        """Codes one level down: région → départements → EPCI → communes."""
        code = self._key(level, code)
        if level == "region":
            deps = self._departements
            return sorted(deps.index[deps["region"] == code])
        if level == "departement":
            return sorted(c for c, d in self._epci_departement.items() if d == code)
        if level == "epci":
            return self.communes_in("epci", code)
        return []

    def communes_in(self, level: str, code: str) -> list[str]:
        """Current commune codes of any territory."""
        code = self._key(level, code)
        if level == "commune":
            return [code]
        column = {"epci": "epci", "departement": "departement", "region": "region"}[level]
        return sorted(self._communes.index[self._communes[column] == code])

    def population(self, level: str, code: str) -> int | None:
        """Municipal population (COG) of any territory: the sum over its communes."""
        values = self._communes.loc[self.communes_in(level, code), "population"]
        return None if values.isna().all() else int(values.sum())

    def neighbours(self, level: str, code: str) -> list[str]:
        """Codes of the loaded territories of the same level whose outlines touch this one."""
        code = self._key(level, code)
        pairs = self._source.neighbours(level)
        return sorted(pairs["neighbour"][pairs["code"] == code].astype(str))

    # --- outlines ------------------------------------------------------------------------------

    def outline(self, level: str, code: str) -> shapely.Geometry | None:
        """Display outline of one territory (None when it is not among the loaded outlines)."""
        match = self._source.display(level, [self._key(level, code)])
        return None if match.empty else match.geometry.iloc[0]

    def display_outlines(
        self, level: str, codes: Collection[str] | None = None
    ) -> gpd.GeoDataFrame:
        """The loaded outlines of a level (those of ``codes`` only when given), simplified once
        as a coverage (no gaps appear): what maps draw."""
        check_level(level)
        return self._source.display(level, codes)

    def exact_outlines(self, level: str, codes: Collection[str] | None = None) -> gpd.GeoDataFrame:
        """The loaded outlines of a level as published (those of ``codes`` when given)."""
        check_level(level)
        return self._source.exact(level, codes)

    def outline_coordinates(self, level: str) -> int:
        """How many vertices the display outlines of a level hold (their weight in a map)."""
        return self._source.coordinates(check_level(level))

    def representative_points(self) -> pd.DataFrame:
        """``lon, lat`` of a point inside each loaded commune outline, indexed by code."""
        return self._source.points()

    @cached_property
    def loaded_communes(self) -> frozenset[str]:
        """Codes of the communes whose outline is loaded (where a point can be located)."""
        return frozenset(str(code) for code in self._source.commune_codes())

    # --- internals -----------------------------------------------------------------------------

    @cached_property
    def _epci_departement(self) -> dict[str, str]:
        """Each EPCI's département: the one holding most of its members (a few straddle two)."""
        members = self.cog.communes.dropna(subset=["epci"])
        counts = members.groupby(["epci", "departement"]).size().reset_index(name="n")
        best = counts.sort_values(["epci", "n"], ascending=[True, False]).drop_duplicates("epci")
        return dict(zip(best["epci"], best["departement"], strict=True))

    def _table(self, level: str) -> pd.DataFrame:
        tables = {
            "commune": self._communes,
            "epci": self._epci,
            "departement": self._departements,
            "region": self._regions,
        }
        return tables[check_level(level)]

    def _key(self, level: str, code: str) -> str:
        """The current code of a territory, or UnknownTerritoryError."""
        text = str(code).strip().upper()
        if level == "commune":
            text = self.cog.current_code.get(normalize_commune_code(text), text)
        if text not in self._table(level).index:
            msg = f"Aucun territoire de niveau {LEVEL_LABELS[level]} n'a le code {code!r}."
            raise UnknownTerritoryError(msg)
        return text


def _present(value: object) -> bool:
    return value is not None and not pd.isna(value) and str(value).strip() != ""


def _objects(values: pd.Series) -> pd.Series:
    """Object column with None for missing values (JSON null, not NaN)."""
    array = values.astype(object).to_numpy()
    return pd.Series(np.where(pd.isna(array), None, array), dtype=object)


def parse_coordinates(
    lat: Sequence[object] | np.ndarray, lon: Sequence[object] | np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Latitudes and longitudes as floats, and a mask of the invalid points (NaN, not a
    number, latitude beyond ±90 or longitude beyond ±180)."""
    lat_values, lon_values = _as_coordinates(lat), _as_coordinates(lon)
    if lat_values.shape != lon_values.shape:
        msg = "Autant de latitudes que de longitudes sont attendues."
        raise InvalidCoordinatesError(msg, rows=[])
    with np.errstate(invalid="ignore"):
        bad = (
            np.isnan(lat_values)
            | np.isnan(lon_values)
            | (np.abs(lat_values) > 90)
            | (np.abs(lon_values) > 180)
        )
    return lat_values, lon_values, bad


def _as_coordinates(values: Sequence[object] | np.ndarray) -> np.ndarray:
    """Floats, NaN where a value is missing or not a number (reported by the caller)."""
    array = np.asarray(values)
    if array.dtype.kind in "fiu":  # the fast path: already numbers
        return array.astype(np.float64, copy=False).ravel()
    # dtype=object: pandas 3 would infer its string dtype and skip the comma repair below.
    series = pd.Series(array.astype(object).ravel(), dtype=object)
    series = series.map(lambda v: v.strip().replace(",", ".") if isinstance(v, str) else v)
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64)
