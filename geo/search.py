"""Territory search by name, postal code, INSEE or SIREN code.

Names are compared normalised: case, accents, hyphens and apostrophes do not matter, and
"st"/"ste" read as "saint"/"sainte" ("saint martin d heres" finds Saint-Martin-d'Hères).
Results rank exact > prefix > fuzzy, then by population, so "Saint-Denis" puts the large
Saint-Denis first.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from unidecode import unidecode

_MATCH_RANK = {"exact": 0, "prefix": 1, "fuzzy": 2}
_LEVEL_RANK = {"commune": 0, "epci": 1, "departement": 2, "region": 3}
_LEVEL_LABEL = {
    "commune": "commune",
    "epci": "EPCI",
    "departement": "département",
    "region": "région",
}
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
        level = _LEVEL_LABEL[self.level]
        if self.level in ("departement", "region"):
            level = f"{level} {self.code}"
        details = f"{level}, {self.parent}" if self.parent else level
        return f"{self.nom} ({details})"

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def normalize(text: str) -> str:
    """Lower-case ASCII words separated by single spaces."""
    words = re.sub(r"[^a-z0-9]+", " ", unidecode(str(text)).lower()).split()
    expanded = {"st": "saint", "ste": "sainte"}
    return " ".join(expanded.get(word, word) for word in words)


class SearchIndex:
    """Entries: a frame with ``level, code, nom, parent, population`` and, for communes,
    ``postal_codes`` (tuples). ``old_codes`` maps any commune code to the current one."""

    def __init__(self, entries: pd.DataFrame, *, old_codes: dict[str, str]) -> None:
        self._entries = entries.reset_index(drop=True)
        self._norm = np.array([normalize(n) for n in self._entries["nom"]], dtype=object)
        self._norm_list = self._norm.tolist()
        self._old_codes = old_codes
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
        query = normalize(text)
        if not query:
            return []
        found: dict[int, str] = {}
        compact = re.sub(r"\s+", "", str(text)).upper()
        for row in self._code_matches(compact):
            found.setdefault(row, "exact")
        for row in np.flatnonzero(self._norm == query):
            found.setdefault(int(row), "exact")
        for row, name in enumerate(self._norm_list):
            if name.startswith(query) and row not in found:
                found[row] = "prefix"
        if len(found) < limit:
            for _, _score, row in process.extract(
                query,
                self._norm_list,
                scorer=fuzz.ratio,
                score_cutoff=_FUZZY_CUTOFF,
                limit=limit * 3,
            ):
                found.setdefault(int(row), "fuzzy")
        return self._ranked(found)[:limit]

    def _code_matches(self, compact: str) -> list[int]:
        rows: list[int] = []
        if re.fullmatch(r"\d{5}|2[AB]\d{3}", compact):
            current = self._old_codes.get(compact)
            if current and ("commune", current) in self._by_code:
                rows.append(self._by_code[("commune", current)])
            rows.extend(self._by_postal.get(compact, []))
        elif re.fullmatch(r"\d{9}", compact):
            if ("epci", compact) in self._by_code:
                rows.append(self._by_code[("epci", compact)])
        elif re.fullmatch(r"\d{2,3}|2[AB]", compact):
            for level in ("departement", "region"):
                if (level, compact) in self._by_code:
                    rows.append(self._by_code[(level, compact)])
        return rows

    def _ranked(self, found: dict[int, str]) -> list[SearchResult]:
        results = []
        for row, match in found.items():
            entry = self._entries.iloc[row]
            population = entry["population"]
            results.append(
                SearchResult(
                    level=str(entry["level"]),
                    code=str(entry["code"]),
                    nom=str(entry["nom"]),
                    parent=None if pd.isna(entry["parent"]) else str(entry["parent"]),
                    population=None if pd.isna(population) else int(population),
                    match=match,
                )
            )
        results.sort(
            key=lambda r: (
                _MATCH_RANK[r.match],
                -(r.population or 0),
                _LEVEL_RANK[r.level],
                r.nom,
            )
        )
        return results
