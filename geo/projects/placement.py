"""Place a project that only names its commune: at a representative point of the outline.

Used by imports for rows without coordinates, so it must answer thousands of rows quickly and
offline: commune names (case, accents, hyphens ignored; "St" reads "Saint"), postal codes and
INSEE codes (old codes of merged communes included) are looked up in dictionaries built once
from the COG, not searched one by one. In an address, the postal code and the commune name
ending a comma-separated part are used ("12 rue des Alpes, 38000 Grenoble").

A code is read by the rule every loader uses (:mod:`geo.territory.codes`): a current INSEE
code is that commune even when it is another commune's postal code (33120 places at Cérons,
not Arcachon), an old code is the commune that absorbed it, then postal codes; when a code can
be read several ways, or a postal code serves several communes, the row is placed all the
same and the placement says how, in one French sentence the import reports with its line.

Among homonyms (Saint-Pierre-d'Entremont in Isère, Savoie and Orne) the communes whose outline
is loaded come first — a deployment loads the territories it serves — then the most populous;
a postal code narrows the choice. A commune known to the COG whose outline is not loaded
cannot be placed: the reason says so. A name that designates no commune is not guessed (the
row is rejected, with the name as typed) but the reason suggests what the territory search
finds ("Bordeau" → "vouliez-vous dire Bordeaux (Gironde, 33063) ?").

A row that has coordinates *and* a commune is checked (:meth:`CommunePlacer.contradiction`):
a point more than :data:`~geo.datasets.codecheck.FAR_KM` km from every commune the text
designates is kept where its coordinates put it, with a warning saying both.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

from geo.errors import GeoError, PlacementError
from geo.text import french_number, place_name_key

if TYPE_CHECKING:
    from geo.territory import Territories

_CODE = re.compile(r"(?<![0-9A-Za-z])(\d{5}|2[ABab]\d{3})(?![0-9A-Za-z])")
#: A run of words starting with one of these is a street, not a commune ("Rue" is one).
_STREET_WORDS = frozenset(
    "allee av avenue bd boulevard chemin cours impasse lieu place quai route rue square".split()
)
_MAX_WORDS = 8
_INDEXES: weakref.WeakKeyDictionary[Territories, _Index] = weakref.WeakKeyDictionary()


class Placement(NamedTuple):
    """Where a row naming only its commune is placed, and what to say about it (an ambiguous
    code, a postal code of several communes)."""

    lat: float
    lon: float
    commune: str
    notes: tuple[str, ...] = ()


class CommunePlacer:
    """``place(commune, address) -> Placement`` or :class:`PlacementError`; answers cached.

    ``reference`` returns the territories; it is called at the first row that needs it, so
    a file whose rows all have coordinates and no commune never loads the reference.
    """

    def __init__(self, reference: Callable[[], Territories]) -> None:
        self._reference = reference
        self._answers: dict[str, Placement | PlacementError] = {}

    def place(self, commune: str | None, address: str | None) -> Placement:
        query = " ".join((commune or address or "").split())
        if query not in self._answers:
            self._answers[query] = self._find(query)
        answer = self._answers[query]
        if isinstance(answer, PlacementError):
            raise answer
        return answer

    def contradiction(self, commune: str, lat: float, lon: float) -> str | None:
        """The French warning for a row whose ``commune`` does not match its coordinates
        (None when it does, or when the reference is unavailable: nothing to compare)."""
        territories = self._territories
        if isinstance(territories, GeoError):
            return None
        query = " ".join(commune.split())
        try:
            located = territories.locate([lat], [lon])["code_commune"].iloc[0]
            readable = True
        except GeoError:
            located, readable = None, False  # invalid: the model's validation reports them
        if _names(query, located, territories):
            return None  # the usual row, settled without the index of every commune's name
        index = self._index
        candidates = set(index.candidates(query)[0]) | index.code_readings(query)
        if not candidates:
            return (
                f"commune : « {query[:80]} » ne désigne aucune commune connue"
                f"{self._suggestion(query)} ; projet placé à ses coordonnées."
            )
        if not readable or located in candidates:
            return None
        from geo.datasets.codecheck import FAR_KM, distances_to_communes

        km, nearest, at_least = distances_to_communes([lon], [lat], [candidates], territories)
        if not km[0] > FAR_KM:  # near (a border), or unknown
            return None
        named = f"{index.names[nearest[0]]} ({nearest[0]})"
        where = (
            f"dans {index.names.get(located, located)} ({located})"
            if isinstance(located, str)
            else "hors des communes chargées"
        )
        distance = ("plus de " if at_least[0] else "") + french_number(
            float(km[0]), decimals=0 if km[0] >= 10 else 1
        )
        return (
            f"commune : « {query[:80]} » désigne {named}, à {distance} km des coordonnées "
            f"(lat {lat:.5f}, lon {lon:.5f}, {where}) ; projet placé à ses coordonnées, "
            "vérifiez la commune ou les coordonnées."
        )

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

    def _suggestion(self, query: str) -> str:
        """``" ; vouliez-vous dire Bordeaux (Gironde, 33063) ?"`` from the territory search
        (communes only, up to three), or nothing."""
        territories = self._territories
        if isinstance(territories, GeoError) or not query:
            return ""
        found = [r for r in territories.search(query, limit=10) if r.level == "commune"][:3]
        if not found:
            return ""
        shown = " ou ".join(
            f"{r.nom} ({r.parent}, {r.code})" if r.parent else f"{r.nom} ({r.code})" for r in found
        )
        return f" ; vouliez-vous dire {shown} ?"

    def _find(self, query: str) -> Placement | PlacementError:
        if isinstance(self._territories, GeoError):
            return PlacementError(
                f"localisation : pas de lat/lon, et le référentiel des communes est "
                f"indisponible pour placer « {query[:80]} » ({self._territories})."
            )
        index = self._index
        candidates, notes = index.candidates(query)
        if not candidates:
            return PlacementError(
                f"localisation : pas de lat/lon, et « {query[:80]} » ne désigne aucune commune "
                f"connue (nom exact, code postal ou code INSEE){self._suggestion(query)} ; "
                "indiquez lat et lon ou corrigez la commune."
            )
        placeable = [code for code in candidates if code in index.points.index]
        if not placeable:
            best = max(candidates, key=index.population)
            return PlacementError(
                f"localisation : pas de lat/lon, et la commune {index.names[best]} ({best}) "
                "n'a pas de contour chargé pour y placer le projet ; indiquez lat et lon."
            )
        best = max(placeable, key=index.population)
        if len(placeable) > 1:
            notes = (
                *notes,
                f"« {query[:80]} » désigne {len(placeable)} communes : projet placé à "
                f"{index.names[best]} ({best}), la plus peuplée ; indiquez le code INSEE ou "
                "lat et lon pour en choisir une autre",
            )
        point = index.points.loc[best]
        return Placement(float(point["lat"]), float(point["lon"]), best, tuple(notes))


def _names(query: str, code: object, territories: Territories) -> bool:
    """Whether ``query`` is just the name of the commune ``code`` (case, accents, hyphens and
    "St" aside): then it designates that commune, whatever its homonyms."""
    if not isinstance(code, str) or _CODE.search(query) or "(" in query:
        return False
    return place_name_key(query) == place_name_key(territories.nom("commune", code))


class _Index:
    """Commune codes by normalised name and by postal code; points and populations."""

    def __init__(self, territories: Territories) -> None:
        communes = territories.cog.communes
        codes = communes["code"].tolist()  # plain lists: iterating Arrow strings is slow
        names = communes["nom"].tolist()
        self.names: dict[str, str] = dict(zip(codes, names, strict=True))
        population = communes["population"].fillna(0).astype(int).tolist()
        self._population = dict(zip(codes, population, strict=True))
        self._read = territories.read_commune_code
        departements = communes["departement"].tolist()
        self._departement = dict(zip(codes, departements, strict=True))
        self._by_name: dict[str, list[str]] = {}
        for code, name in zip(codes, names, strict=True):
            self._by_name.setdefault(place_name_key(name), []).append(code)
        #: A point inside each loaded commune outline (lon, lat by code).
        self.points = territories.representative_points()

    def population(self, code: str) -> int:
        return self._population.get(code, 0)

    def code_readings(self, query: str) -> set[str]:
        """Every commune a code in ``query`` can designate (coordinates settle among them)."""
        found: set[str] = set()
        for value in _CODE.findall(query):
            found |= self._read(value).communes
        return found

    def candidates(self, query: str) -> tuple[list[str], tuple[str, ...]]:
        """The communes ``query`` can designate, best first, and what to say about how a code
        in it was read (:attr:`geo.territory.codes.CodeReading.ambiguity`)."""
        by_code: list[str] = []  # what the rule chooses for each code
        readings: set[str] = set()  # every commune a code can designate
        notes: list[str] = []
        for value in _CODE.findall(query):
            reading = self._read(value)
            readings |= reading.communes
            if reading.chosen is not None:
                by_code.append(reading.chosen)
                if reading.ambiguity:
                    notes.append(reading.ambiguity)
            else:  # a postal code of several communes: the name (or the population) decides
                by_code += sorted(reading.communes)
        # "Saint-Pierre (974)": a département in brackets narrows homonyms, then goes.
        hints = {h.upper() for h in re.findall(r"\((\d{2,3}|2[ABab])\)", query)}
        text = _CODE.sub(" ", re.sub(r"\([^)]*\)", " ", query))
        by_name: list[str] = []
        for part in [text, *reversed(text.split(","))]:
            by_name += self._named(place_name_key(part).split())
        if hints:
            by_name = [code for code in by_name if self._departement[code] in hints]
        if by_code and by_name:  # "33120 Arcachon": the name picks among the readings
            both = list(dict.fromkeys(code for code in by_name if code in readings))
            return (both, ()) if both else (list(dict.fromkeys(by_code)), tuple(notes))
        return list(dict.fromkeys(by_code or by_name)), tuple(notes)

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
