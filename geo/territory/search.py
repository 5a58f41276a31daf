"""Territory search by name, postal code, INSEE or SIREN code.

Names are compared normalised: case, accents, hyphens and apostrophes do not matter, and
"st"/"ste" read as "saint"/"sainte" ("saint martin d heres" finds Saint-Martin-d'Hères).
Results rank exact > prefix > fuzzy, then by population, so "Saint-Denis" puts the large
Saint-Denis first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from geo.territory.ref import LEVEL_LABELS, LEVELS
from geo.territory.reference import Cog
from geo.text import place_name_key

_MATCH_RANK = {"exact": 0, "prefix": 1, "fuzzy": 2}
_LEVEL_RANK = {level: rank for rank, level in enumerate(LEVELS)}
_FUZZY_CUTOFF = 80


@dataclass(frozen=True)
class SearchResult:
    level: str
    code: str
    nom: str
    parent: str | None
    population: int | None
    match: str

    @property
    def label(self) -> str:
        """A French label naming the level and the parent: "Grenoble (commune, Isère)"."""
        level = LEVEL_LABELS[self.level]
        if self.level in ("departement", "region"):
            level = f"{level} {self.code}"
        details = f"{level}, {self.parent}" if self.parent else level
        return f"{self.nom} ({details})"

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


class SearchIndex:
    """Entries: a frame with ``level, code, nom, parent, population`` and, for communes,
    ``postal_codes`` (tuples). ``old_codes`` maps any commune code to the current one."""

    def __init__(self, entries: pd.DataFrame, *, old_codes: dict[str, str]) -> None:
        self._entries = entries.reset_index(drop=True)
        self._norm = np.array([place_name_key(n) for n in self._entries["nom"]], dtype=object)
        self._norm_list = self._norm.tolist()
        self._old_codes = old_codes
        self._population = self._entries["population"].fillna(0).to_numpy(dtype=np.int64)
        self._level_rank = self._entries["level"].map(_LEVEL_RANK).to_numpy(dtype=np.int64)
        self._by_code: dict[tuple[str, str], int] = {
            (level, code): i
            for i, (level, code) in enumerate(
                zip(self._entries["level"], self._entries["code"], strict=True)
            )
        }
        self._by_postal: dict[str, list[int]] = {}
        postal = self._entries.get("postal_codes")
        if postal is not None:
            for i, codes in enumerate(postal):
                if isinstance(codes, tuple):
                    for code in codes:
                        self._by_postal.setdefault(code, []).append(i)

    def search(self, text: str, *, limit: int = 10) -> list[SearchResult]:
        query = place_name_key(text)
        if not query:
            return []
        # found: row → (match rank, tie group); the tie group orders code matches among
        # themselves ("75": the département before the région).
        found: dict[int, tuple[int, int]] = {}
        compact = re.sub(r"\s+", "", str(text)).upper()
        for group, rows in enumerate(self._code_matches(compact)):
            for row in rows:
                found.setdefault(row, (_MATCH_RANK["exact"], group))
        for row in np.flatnonzero(self._norm == query):
            found.setdefault(int(row), (_MATCH_RANK["exact"], 0))
        for row, name in enumerate(self._norm_list):
            if row not in found and name.startswith(query):
                found[row] = (_MATCH_RANK["prefix"], 0)
        if len(found) < limit:
            for _, _score, row in process.extract(
                query,
                self._norm_list,
                scorer=fuzz.ratio,
                score_cutoff=_FUZZY_CUTOFF,
                limit=limit * 3,
            ):
                found.setdefault(int(row), (_MATCH_RANK["fuzzy"], 0))
        return self._ranked(found, limit)

    def _code_matches(self, compact: str) -> list[list[int]]:
        """Rows matched by a code, in groups ranked first to last."""
        if re.fullmatch(r"\d{5}|2[AB]\d{3}", compact):
            current = self._old_codes.get(compact)
            insee = [self._by_code[("commune", current)]] if current else []
            # People type postal codes more often than INSEE codes: neither wins by kind,
            # the larger commune comes first ("38100": Grenoble before the commune 38100).
            return [insee + self._by_postal.get(compact, [])]
        if re.fullmatch(r"\d{9}", compact):
            return (
                [[self._by_code[("epci", compact)]]] if ("epci", compact) in self._by_code else []
            )
        if re.fullmatch(r"\d{2,3}|2[AB]", compact):
            return [
                [self._by_code[(level, compact)]]
                for level in ("departement", "region")
                if (level, compact) in self._by_code
            ]
        return []

    def _ranked(self, found: dict[int, tuple[int, int]], limit: int) -> list[SearchResult]:
        """The best `limit` rows, sorted without building a result for every match
        (a query like "saint" matches thousands of names)."""
        rows = np.fromiter(found.keys(), dtype=np.int64, count=len(found))
        ranks = np.array(list(found.values()), dtype=np.int64).reshape(-1, 2)
        population = self._population[rows]
        order = np.lexsort(
            (
                self._norm[rows].astype(str),
                self._level_rank[rows],
                -population,
                ranks[:, 1],
                ranks[:, 0],
            )
        )
        results = []
        match_names = {rank: name for name, rank in _MATCH_RANK.items()}
        for position in order[:limit]:
            entry = self._entries.iloc[rows[position]]
            results.append(
                SearchResult(
                    level=str(entry["level"]),
                    code=str(entry["code"]),
                    nom=str(entry["nom"]),
                    parent=None if pd.isna(entry["parent"]) else str(entry["parent"]),
                    population=None if pd.isna(entry["population"]) else int(entry["population"]),
                    match=match_names[int(ranks[position, 0])],
                )
            )
        return results


def search_entries(cog: Cog, epci_departement: Mapping[str, str]) -> pd.DataFrame:
    """One row per territory for the search index: level, code, nom, parent, population."""
    communes = cog.communes
    dep_names = cog.departements.set_index("code")["nom"]
    reg_names = cog.regions.set_index("code")["nom"]
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
                "code": cog.epci["code"],
                "nom": cog.epci["nom"],
                "parent": cog.epci["code"].map(epci_departement).map(dep_names),
                "population": cog.epci["code"].map(communes.groupby("epci")["population"].sum()),
            }
        ),
        pd.DataFrame(
            {
                "level": "departement",
                "code": cog.departements["code"],
                "nom": cog.departements["nom"],
                "parent": cog.departements["region"].map(reg_names),
                "population": cog.departements["code"].map(
                    communes.groupby("departement")["population"].sum()
                ),
            }
        ),
        pd.DataFrame(
            {
                "level": "region",
                "code": cog.regions["code"],
                "nom": cog.regions["nom"],
                "parent": None,
                "population": cog.regions["code"].map(
                    communes.groupby("region")["population"].sum()
                ),
            }
        ),
    ]
    entries = pd.concat(frames, ignore_index=True)
    entries["population"] = entries["population"].astype("Int64")
    return entries
