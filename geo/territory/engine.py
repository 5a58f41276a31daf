"""The territory engine: commune → EPCI → département → région.

A point is located by point-in-polygon on the commune outlines (:mod:`geo.territory.locate`);
its EPCI, département and région come from the COG hierarchy, never from separate polygon joins. Old
commune codes (délégué, associé, merged) and arrondissements municipaux resolve to the current
commune. Search ranks exact > prefix > fuzzy matches, then by population.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.errors import InvalidCoordinatesError, UnknownTerritoryError
from geo.settings import Settings
from geo.territory.locate import GridLocator
from geo.territory.ref import (
    LEVEL_LABELS,
    LEVELS,
    TerritoryRef,
    check_level,
    normalize_commune_code,
    split_ref,
)
from geo.territory.reference import Cog, read_cog, read_outlines
from geo.territory.search import SearchIndex, SearchResult

TERRITORY_COLUMNS = ("code_commune", "code_epci", "code_departement", "code_region")
#: Sources fetched by ``python -m geo data fetch territoires`` that the engine reads.
REFERENCE_SOURCES = {
    "outlines": {
        "commune": "contours-communes",
        "epci": "contours-epci",
        "departement": "contours-departements",
        "region": "contours-regions",
    },
    "cog": {
        "communes": "cog-communes",
        "epci": "cog-epci",
        "departements": "cog-departements",
        "regions": "cog-regions",
    },
}
#: Display simplification tolerance per level, in degrees (~100 m for communes).
_DISPLAY_TOLERANCE = {"commune": 0.001, "epci": 0.002, "departement": 0.004, "region": 0.006}

__all__ = [
    "LEVELS",
    "SearchResult",
    "Territories",
    "TERRITORY_COLUMNS",
    "TerritoryRef",
    "load_territories",
]


class Territories:
    """The loaded reference: COG tables for all of France plus the outlines that were loaded."""

    def __init__(self, cog: Cog, outlines: dict[str, gpd.GeoDataFrame]) -> None:
        self.cog = cog
        communes = outlines["commune"].copy()
        communes["code"] = communes["code"].map(cog.current_code)
        #: Outline codes the COG does not know: they cannot be placed in the hierarchy.
        self.unknown_outline_codes = sorted(
            outlines["commune"]["code"][communes["code"].isna()].tolist()
        )
        communes = communes.dropna(subset=["code"])
        # Merged communes may still have one outline per former commune: dissolve those only
        # (a national dissolve of 35,000 single outlines would cost seconds at every start).
        communes = communes[["code", "geometry"]]
        duplicated = communes["code"].duplicated(keep=False)
        if duplicated.any():
            merged = communes[duplicated].dissolve(by="code", as_index=False)
            communes = pd.concat([communes[~duplicated], merged[["code", "geometry"]]])
        communes = communes.sort_values("code", ignore_index=True)
        self._commune_outlines = gpd.GeoDataFrame(
            communes.merge(cog.communes[["code", "nom"]], on="code", how="left"),
            geometry="geometry",
            crs=4326,
        )
        self._level_outlines = {
            level: frame.assign(code=frame["code"].astype(str))
            for level, frame in outlines.items()
            if level != "commune" and frame is not None
        }
        self._communes = cog.communes.set_index("code", drop=False)
        self._epci = cog.epci.set_index("code", drop=False)
        self._departements = cog.departements.set_index("code", drop=False)
        self._regions = cog.regions.set_index("code", drop=False)

    # --- locating ------------------------------------------------------------------------------

    @cached_property
    def _locator(self) -> GridLocator:
        return GridLocator(self._commune_outlines.geometry.to_numpy())

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
        index = self._locator.locate(lon_values, lat_values)
        # Row -1 of each column is None: points outside every commune read it.
        return pd.DataFrame(
            {
                name: pd.Series(column[index], dtype=object)
                for name, column in self._outline_columns.items()
            }
        )

    @cached_property
    def _outline_columns(self) -> dict[str, np.ndarray]:
        table = self.hierarchy_of_communes(self._commune_outlines["code"].to_numpy())
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

    # --- search and names ----------------------------------------------------------------------

    @cached_property
    def _search_index(self) -> SearchIndex:
        return SearchIndex(self._entries(), old_codes=self.cog.current_code)

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
        """``[(level, code, nom)]`` from this territory up to its région."""
        links: list[tuple[str, str, str]] = []
        current: tuple[str, str] | None = (level, self._key(level, code))
        while current is not None:
            links.append((current[0], current[1], self.nom(*current)))
            current = self.parent(*current)
        return links

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
        frame = self._exact_outlines(level)
        code = self._key(level, code)
        match = frame.index[frame["code"] == code]
        if len(match) == 0:
            return []
        geometry = frame.geometry.iloc[match[0]]
        # Simplified outlines of neighbours leave slivers: ~10 m of tolerance.
        hits = frame.sindex.query(geometry, predicate="dwithin", distance=1e-4)
        return sorted(c for c in frame["code"].iloc[hits] if c != code)

    # --- outlines ------------------------------------------------------------------------------

    def outline(self, level: str, code: str) -> shapely.Geometry | None:
        """Display outline of one territory (None when it is not among the loaded outlines)."""
        frame = self.display_outlines(level)
        match = frame.loc[frame["code"] == self._key(level, code), "geometry"]
        return None if match.empty else match.iloc[0]

    def display_outlines(self, level: str) -> gpd.GeoDataFrame:
        """Every loaded outline of a level, simplified once as a coverage (no gaps appear)."""
        self._table(level)  # UnknownTerritoryError (French) for an unknown level, not KeyError
        return self._display[level]

    @cached_property
    def _display(self) -> dict[str, gpd.GeoDataFrame]:
        shown = {}
        for level in LEVELS:
            frame = self._exact_outlines(level)
            simplified = shapely.coverage_simplify(
                frame.geometry.to_numpy(), tolerance=_DISPLAY_TOLERANCE[level]
            )
            shown[level] = gpd.GeoDataFrame(
                frame[["code", "nom"]].copy(), geometry=simplified, crs=4326
            )
        return shown

    def _exact_outlines(self, level: str) -> gpd.GeoDataFrame:
        self._table(level)
        return self._exact[level]

    @cached_property
    def _exact(self) -> dict[str, gpd.GeoDataFrame]:
        exact = {"commune": self._commune_outlines}
        for level in ("epci", "departement", "region"):
            exact[level] = self._outlines_of_level(level)
        return exact

    def _outlines_of_level(self, level: str) -> gpd.GeoDataFrame:
        """The published outlines, else communes dissolved where all members are loaded."""
        table = self._table(level)
        given = self._level_outlines.get(level)
        frames = []
        if given is not None and not given.empty:
            given = given[given["code"].isin(table.index)]
            frames.append(given[["code", "geometry"]])
        have = set(given["code"]) if given is not None else set()
        communes = self._commune_outlines.merge(
            self.cog.communes[["code", _COG_COLUMN[level]]], on="code"
        )
        loaded = set(communes["code"])
        for code, group in communes.groupby(_COG_COLUMN[level]):
            if code in have or not set(self.communes_in(level, str(code))) <= loaded:
                continue
            frames.append(
                gpd.GeoDataFrame(
                    {"code": [str(code)]}, geometry=[group.geometry.union_all()], crs=4326
                )
            )
        if not frames:
            return gpd.GeoDataFrame({"code": [], "nom": []}, geometry=[], crs=4326)
        combined = pd.concat(frames, ignore_index=True).sort_values("code", ignore_index=True)
        combined["nom"] = table.loc[combined["code"], "nom"].to_numpy()
        return gpd.GeoDataFrame(combined, geometry="geometry", crs=4326)

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

    def _entries(self) -> pd.DataFrame:
        """One row per territory for the search index: level, code, nom, parent, population."""
        communes = self.cog.communes
        dep_names = self._departements["nom"]
        reg_names = self._regions["nom"]
        frames = [
            pd.DataFrame(
                {
                    "level": "commune",
                    "code": communes["code"],
                    "nom": communes["nom"],
                    "parent": communes["departement"].map(dep_names),
                    "population": communes["population"],
                    "postal_codes": communes["codes_postaux"],
                }
            ),
            pd.DataFrame(
                {
                    "level": "epci",
                    "code": self.cog.epci["code"],
                    "nom": self.cog.epci["nom"],
                    "parent": self.cog.epci["code"].map(self._epci_departement).map(dep_names),
                    "population": self.cog.epci["code"].map(
                        communes.groupby("epci")["population"].sum()
                    ),
                }
            ),
            pd.DataFrame(
                {
                    "level": "departement",
                    "code": self.cog.departements["code"],
                    "nom": self.cog.departements["nom"],
                    "parent": self.cog.departements["region"].map(reg_names),
                    "population": self.cog.departements["code"].map(
                        communes.groupby("departement")["population"].sum()
                    ),
                }
            ),
            pd.DataFrame(
                {
                    "level": "region",
                    "code": self.cog.regions["code"],
                    "nom": self.cog.regions["nom"],
                    "parent": None,
                    "population": self.cog.regions["code"].map(
                        communes.groupby("region")["population"].sum()
                    ),
                }
            ),
        ]
        entries = pd.concat(frames, ignore_index=True)
        entries["population"] = entries["population"].astype("Int64")
        return entries


_COG_COLUMN = {"epci": "epci", "departement": "departement", "region": "region"}


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


def from_files(
    *,
    commune_outlines: Path,
    cog_communes: Path,
    cog_epci: Path,
    cog_departements: Path,
    cog_regions: Path,
    epci_outlines: Path | None = None,
    departement_outlines: Path | None = None,
    region_outlines: Path | None = None,
) -> Territories:
    cog = read_cog(cog_communes, cog_epci, cog_departements, cog_regions)
    outlines = {"commune": read_outlines(commune_outlines, "commune")}
    for level, path in (
        ("epci", epci_outlines),
        ("departement", departement_outlines),
        ("region", region_outlines),
    ):
        if path is not None:
            outlines[level] = read_outlines(path, level)
    return Territories(cog, outlines)


def load_territories(settings: Settings | None = None) -> Territories:
    """The reference from the data cache, fetched from the mirror/network when missing."""
    from geo.sources.fetch import ensure_local

    outline_sources = REFERENCE_SOURCES["outlines"]
    cog_sources = REFERENCE_SOURCES["cog"]
    return from_files(
        commune_outlines=ensure_local(outline_sources["commune"], settings),
        epci_outlines=ensure_local(outline_sources["epci"], settings),
        departement_outlines=ensure_local(outline_sources["departement"], settings),
        region_outlines=ensure_local(outline_sources["region"], settings),
        cog_communes=ensure_local(cog_sources["communes"], settings),
        cog_epci=ensure_local(cog_sources["epci"], settings),
        cog_departements=ensure_local(cog_sources["departements"], settings),
        cog_regions=ensure_local(cog_sources["regions"], settings),
    )
