"""Place a project that only names its commune: at a representative point of the outline.

Used by imports for rows without coordinates, so it must answer thousands of rows quickly and
offline: commune names (case, accents, hyphens ignored; "St" reads "Saint"), postal codes and
INSEE codes (old codes of merged communes included) are looked up in dictionaries built once
from the COG, not searched one by one. In an address, the postal code and the commune name
ending a comma-separated part are used ("12 rue des Alpes, 38000 Grenoble").

Among homonyms (Saint-Pierre-d'Entremont in Isère, Savoie and Orne) the communes whose outline
is loaded come first — a deployment loads the territories it serves — then the most populous;
a postal code narrows the choice. A commune known to the COG whose outline is not loaded
cannot be placed: the reason says so, and typos are not guessed (the row is rejected, with
the name as typed).
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

from geo.errors import GeoError, PlacementError
from geo.text import place_name_key

if TYPE_CHECKING:
    from geo.territory import Territories

_CODE = re.compile(r"(?<![0-9A-Za-z])(\d{5}|2[ABab]\d{3})(?![0-9A-Za-z])")
#: A run of words starting with one of these is a street, not a commune ("Rue" is one).
_STREET_WORDS = frozenset(
    "allee av avenue bd boulevard chemin cours impasse lieu place quai route rue square".split()
)
_MAX_WORDS = 8
_INDEXES: weakref.WeakKeyDictionary[Territories, _Index] = weakref.WeakKeyDictionary()


class CommunePlacer:
    """``place(commune, address) -> (lat, lon)`` or :class:`PlacementError`; answers cached.

    ``reference`` returns the territories; it is called at the first row that needs it, so
    a file whose rows all have coordinates never loads the reference.
    """

    def __init__(self, reference: Callable[[], Territories]) -> None:
        self._reference = reference
        self._answers: dict[str, tuple[float, float] | PlacementError] = {}

    def place(self, commune: str | None, address: str | None) -> tuple[float, float]:
        query = " ".join((commune or address or "").split())
        if query not in self._answers:
            self._answers[query] = self._find(query)
        answer = self._answers[query]
        if isinstance(answer, PlacementError):
            raise answer
        return answer

    @cached_property
    def _territories(self) -> Territories | GeoError:
        try:
            return self._reference()
        except GeoError as error:
            return error

    @cached_property
    def _index(self) -> _Index:
        territories = self._territories
        assert not isinstance(territories, GeoError)
        # Built once per reference (~0.5 s for 35,000 names), shared by every import.
        if territories not in _INDEXES:
            _INDEXES[territories] = _Index(territories)
        return _INDEXES[territories]

    def _find(self, query: str) -> tuple[float, float] | PlacementError:
        if isinstance(self._territories, GeoError):
            return PlacementError(
                f"localisation : pas de lat/lon, et le référentiel des communes est "
                f"indisponible pour placer « {query[:80]} » ({self._territories})."
            )
        index = self._index
        candidates = index.candidates(query)
        if not candidates:
            return PlacementError(
                f"localisation : pas de lat/lon, et « {query[:80]} » ne désigne aucune commune "
                "connue (nom exact, code postal ou code INSEE) ; indiquez lat et lon."
            )
        placeable = [code for code in candidates if code in index.points.index]
        if not placeable:
            best = max(candidates, key=index.population)
            return PlacementError(
                f"localisation : pas de lat/lon, et la commune {index.names[best]} ({best}) "
                "n'a pas de contour chargé pour y placer le projet ; indiquez lat et lon."
            )
        best = max(placeable, key=index.population)
        point = index.points.loc[best]
        return (float(point["lat"]), float(point["lon"]))


class _Index:
    """Commune codes by normalised name and by postal code; points and populations."""

    def __init__(self, territories: Territories) -> None:
        communes = territories.cog.communes
        codes = communes["code"].tolist()  # plain lists: iterating Arrow strings is slow
        names = communes["nom"].tolist()
        self.names: dict[str, str] = dict(zip(codes, names, strict=True))
        population = communes["population"].fillna(0).astype(int).tolist()
        self._population = dict(zip(codes, population, strict=True))
        self._current = territories.cog.current_code
        departements = communes["departement"].tolist()
        self._departement = dict(zip(codes, departements, strict=True))
        self._by_name: dict[str, list[str]] = {}
        self._by_postal: dict[str, list[str]] = {}
        postal_codes = communes["codes_postaux"].tolist()
        for code, name, postal in zip(codes, names, postal_codes, strict=True):
            self._by_name.setdefault(place_name_key(name), []).append(code)
            for value in postal if isinstance(postal, tuple | list) else ():
                self._by_postal.setdefault(value, []).append(code)
        #: A point inside each loaded commune outline (lon, lat by code).
        self.points = territories.representative_points()

    def population(self, code: str) -> int:
        return self._population.get(code, 0)

    def candidates(self, query: str) -> list[str]:
        by_code: list[str] = []
        for value in _CODE.findall(query):
            value = value.upper()
            current = self._current.get(value)
            by_code += ([current] if current else []) + self._by_postal.get(value, [])
        # "Saint-Pierre (974)": a département in brackets narrows homonyms, then goes.
        hints = {h.upper() for h in re.findall(r"\((\d{2,3}|2[ABab])\)", query)}
        text = _CODE.sub(" ", re.sub(r"\([^)]*\)", " ", query))
        by_name: list[str] = []
        for part in [text, *reversed(text.split(","))]:
            by_name += self._named(place_name_key(part).split())
        if hints:
            by_name = [code for code in by_name if self._departement[code] in hints]
        if by_code and by_name:
            both = [code for code in by_name if code in by_code]
            return both or by_code
        return list(dict.fromkeys(by_code or by_name))

    def _named(self, words: list[str]) -> list[str]:
        """Codes of the commune named by the whole part, else by its last words ("rue des
        Arts Mens"), else by its first ones ("Paris 11e", "Vienne centre")."""
        if not words:
            return []
        whole = self._by_name.get(" ".join(words))
        if whole:
            return whole
        sizes = range(min(_MAX_WORDS, len(words) - 1), 0, -1)
        for window in [words[-size:] for size in sizes] + [words[:size] for size in sizes]:
            if window[0] in _STREET_WORDS or any(word.isdigit() for word in window):
                continue
            found = self._by_name.get(" ".join(window))
            if found:
                return found
        return []
