"""How a commune code as people write it is read: the one rule, shared by the dataset loaders
and the project importer.

A five-character code can be several things at once, and real files use all of them in the
column meant for INSEE codes: the current INSEE code of a commune, an old code (délégué,
associé, merged commune, arrondissement municipal) that the COG maps to today's commune, or a
postal code, which may serve several communes. :class:`CommuneCodeReader` lists every commune
a code can designate (:attr:`CodeReading.readings`) and chooses one by this rule:

1. **A current INSEE code is that commune** (33120 is Cérons, though it is also Arcachon's
   postal code).
2. **An old INSEE code is the commune that absorbed it** (25620, Ville-du-Pont, is
   Pays-de-Montbenoît today, though 25620 is also a postal code of nine other communes) —
   unless that commune lies in another département than the one the code names: 75001 was
   the code of Alfortville (Seine, now Val-de-Marne) until 1968, and the 20xxx codes those
   of Corsica before 1976; such a code is only read as the postal code it is now.
3. **A postal code is its commune** when it serves one only; a postal code serving several
   communes designates none of them (``chosen`` is None, every one is a reading).

Where a located point is known (a dataset's row, an imported project with coordinates), the
point settles it: a code agrees with the point when *any* of its readings is the commune the
point falls in. When a code has readings of different kinds (rules 1 and 2 chose among
them), :attr:`CodeReading.ambiguity` is the one French sentence that says how it was read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from rapidfuzz import fuzz

from geo.territory.reference import Cog
from geo.text import place_name_key

INSEE = "insee"
OLD = "ancien"
POSTAL = "postal"

_BLANKS = re.compile(r"[\s\u00a0\u202f]+")
_SPREADSHEET_NUMBER = re.compile(r"^(\d{4,5})\.0+$")


@dataclass(frozen=True)
class CodeReading:
    """What one written code designates.

    ``code``: the code once cleaned (blanks dropped, upper case, a spreadsheet's ``6084.0``
    and a lost leading zero restored); ``readings``: ``(current commune code, kind)`` for
    every commune the code can designate, the chosen one first; ``chosen``: the commune the
    rule gives (None when the code is unknown or a postal code of several communes).
    """

    written: str
    code: str
    readings: tuple[tuple[str, str], ...]
    chosen: str | None
    spaced: bool = False
    zero_restored: bool = False
    names: tuple[tuple[str, str], ...] = ()

    @property
    def known(self) -> bool:
        return bool(self.readings)

    @property
    def kind(self) -> str | None:
        """How the chosen commune was read (``insee``, ``ancien``, ``postal``), or of the
        readings when none was chosen (a shared postal code)."""
        return self.readings[0][1] if self.readings else None

    @property
    def communes(self) -> frozenset[str]:
        return frozenset(code for code, _ in self.readings)

    def designates(self, commune: object) -> bool:
        """Whether ``commune`` (a current code) is one of the readings."""
        return isinstance(commune, str) and commune in self.communes

    @property
    def ambiguity(self) -> str | None:
        """The French sentence saying how a code readable as several kinds was read (None
        when it has readings of one kind only)."""
        kinds = {kind for _, kind in self.readings}
        if len(kinds) < 2 or self.chosen is None:
            return None
        names = dict(self.names)
        chosen_kind = self.readings[0][1]
        postal = [code for code, kind in self.readings if kind == POSTAL]
        others = _names([c for c in postal if c != self.chosen], names)
        chosen = f"{names.get(self.chosen, self.chosen)} ({self.chosen})"
        if chosen_kind == INSEE:
            return (
                f"« {self.code} » est le code INSEE de {chosen} et le code postal de {others} : "
                f"lu comme code INSEE, {chosen}"
            )
        return (
            f"« {self.code} » est un ancien code INSEE, de la commune devenue {chosen}, et "
            f"le code postal de {others} : lu comme ancien code INSEE, {chosen}"
        )


def _names(codes: list[str], names: dict[str, str], limit: int = 3) -> str:
    shown = [f"{names.get(code, code)} ({code})" for code in codes[:limit]]
    more = f" et {len(codes) - limit} autre(s)" if len(codes) > limit else ""
    return ", ".join(shown) + more


def clean_code(written: object) -> tuple[str, bool, bool]:
    """``(code, spaced, zero_restored)``: blanks dropped, upper case, ``6084.0`` read as the
    number a spreadsheet made of ``06084``, four digits given their lost leading zero."""
    text = str(written).strip()
    compact = _BLANKS.sub("", text)
    spaced = compact != text
    code = _SPREADSHEET_NUMBER.sub(r"\1", compact).upper()
    short = bool(re.fullmatch(r"\d{4}", code))
    return (code.zfill(5) if short else code), spaced, short


def code_departement(code: str) -> str:
    """The département a commune code names by its first characters (``97``: three)."""
    return code[:3] if code.startswith("97") else code[:2]


#: How closely a written commune name matches a commune's name (:func:`name_match`).
NAME_EXACT, NAME_CONTAINED, NAME_CLOSE, NAME_NONE = 3, 2, 1, 0
_CLOSE_RATIO = 85


def name_match(written: object, official: str) -> int:
    """How well a name as published (``"ST OMER"``, ``"en face de l'Intermarché,
    Barbezieux-Saint-Hilaire"``, ``"ChÃ¢teaubernard"``) names the commune ``official``:
    :data:`NAME_EXACT` when they are the same name (case, accents, hyphens, apostrophes and
    "St"/"Ste" aside), :data:`NAME_CONTAINED` when the official name appears as whole words
    in the written one, :data:`NAME_CLOSE` for a typo or mojibake (similarity ≥ 85 %),
    else :data:`NAME_NONE`."""
    if not isinstance(written, str) or not written.strip():
        return NAME_NONE
    mine, theirs = place_name_key(written), place_name_key(official)
    if not mine or not theirs:
        return NAME_NONE
    if mine == theirs:
        return NAME_EXACT
    if f" {theirs} " in f" {mine} ":
        return NAME_CONTAINED
    if fuzz.ratio(mine.replace(" ", ""), theirs.replace(" ", "")) >= _CLOSE_RATIO:
        return NAME_CLOSE
    return NAME_NONE


class CommuneCodeReader:
    """Reads commune codes with the COG (see the module docstring); build it once per
    reference (:meth:`geo.territory.Territories.read_commune_code` does)."""

    def __init__(self, cog: Cog) -> None:
        communes = cog.communes
        codes = communes["code"].tolist()
        self._names = dict(zip(codes, communes["nom"].tolist(), strict=True))
        self._departement = dict(zip(codes, communes["departement"].tolist(), strict=True))
        self._current = cog.current_code
        self._postal: dict[str, list[str]] = {}
        for code, postals in zip(codes, communes["codes_postaux"].tolist(), strict=True):
            for postal in postals or ():
                self._postal.setdefault(postal, []).append(code)
        self._cache: dict[str, CodeReading] = {}

    def name(self, code: str) -> str:
        return self._names.get(code, code)

    def read(self, written: object) -> CodeReading:
        key = str(written)
        reading = self._cache.get(key)
        if reading is None:
            reading = self._cache[key] = self._read(key)
        return reading

    def postal_communes(self, code: str) -> tuple[str, ...]:
        return tuple(self._postal.get(code, ()))

    @cached_property
    def postal_codes(self) -> frozenset[str]:
        return frozenset(self._postal)

    def _read(self, written: str) -> CodeReading:
        code, spaced, short = clean_code(written)
        current = self._current.get(code)
        postal = [(commune, POSTAL) for commune in self._postal.get(code, ())]
        readings: list[tuple[str, str]]
        chosen: str | None
        if current == code:
            readings = [(code, INSEE), *[p for p in postal if p[0] != code]]
            chosen = code
        elif current is not None:
            old = (current, OLD)
            same_departement = self._departement.get(current) == code_departement(code)
            if not postal or same_departement:
                readings, chosen = [old, *[p for p in postal if p[0] != current]], current
            else:  # an old code of another département: no longer a reading of it
                readings = postal
                chosen = postal[0][0] if len(postal) == 1 else None
        else:
            readings = postal
            chosen = postal[0][0] if len(postal) == 1 else None
        names = tuple((commune, self.name(commune)) for commune, _ in readings)
        return CodeReading(
            written=written,
            code=code,
            readings=tuple(readings),
            chosen=chosen,
            spaced=spaced,
            zero_restored=short and bool(readings),
            names=names,
        )


__all__ = [
    "INSEE",
    "NAME_CLOSE",
    "NAME_CONTAINED",
    "NAME_EXACT",
    "NAME_NONE",
    "OLD",
    "POSTAL",
    "CodeReading",
    "CommuneCodeReader",
    "clean_code",
    "name_match",
]
