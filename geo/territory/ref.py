"""The one way to name a territory: a level and its current code, and the ``"level:code"`` form
that URLs and commands carry (``commune:38185``, ``epci:200040715``, ``departement:2A``).

A :class:`TerritoryRef` is built by :meth:`geo.territory.Territories.resolve` (or
:meth:`~geo.territory.Territories.parse` for the text form), which maps an old, délégué or
associated commune code to the current commune and refuses unknown codes: whoever holds a ref
holds a code the COG knows today. Built directly (tests, a store without the reference), it
only checks the level and normalises the code as published (spaces, case, lost leading zero).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, cast

from geo.errors import UnknownTerritoryError

Level = Literal["commune", "epci", "departement", "region"]
LEVELS: tuple[Level, ...] = ("commune", "epci", "departement", "region")
#: French names of the levels, singular and plural.
LEVEL_LABELS: dict[str, str] = {
    "commune": "commune",
    "epci": "EPCI",
    "departement": "département",
    "region": "région",
}
LEVEL_PLURALS: dict[str, str] = {
    "commune": "communes",
    "epci": "EPCI",
    "departement": "départements",
    "region": "régions",
}
SEPARATOR = ":"


def check_level(level: object) -> Level:
    """``level`` as a :data:`Level`, or a French :class:`UnknownTerritoryError`."""
    if level not in LEVELS:
        msg = f"Niveau de territoire inconnu : {level!r} (attendu : {', '.join(LEVELS)})."
        raise UnknownTerritoryError(msg)
    return cast(Level, level)


def normalize_commune_code(value: object) -> str:
    """An INSEE commune code as published: spaces dropped, upper case (2A/2B), leading zero
    restored ("6084" → "06084", "78 575" → "78575", "2a004" → "2A004")."""
    return re.sub(r"\s+", "", str(value)).upper().zfill(5)


def normalize_code(level: str, code: object) -> str:
    """A code of ``level`` written the way the COG writes it."""
    if level == "commune":
        return normalize_commune_code(code)
    return re.sub(r"\s+", "", str(code)).upper()


@dataclass(frozen=True, slots=True)
class TerritoryRef:
    level: Level
    code: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "level", check_level(self.level))
        object.__setattr__(self, "code", normalize_code(self.level, self.code))
        if not self.code:
            msg = f"Code de territoire vide pour le niveau {LEVEL_LABELS[self.level]}."
            raise UnknownTerritoryError(msg)

    def __str__(self) -> str:
        return f"{self.level}{SEPARATOR}{self.code}"

    @property
    def label(self) -> str:
        """The level's French name."""
        return LEVEL_LABELS[self.level]


def split_ref(text: str) -> tuple[Level, str]:
    """``"level:code"`` → ``(level, code)``, checked for form only (resolve it with
    :meth:`Territories.parse`)."""
    level, separator, code = str(text).strip().partition(SEPARATOR)
    if not separator or not code.strip():
        msg = "Territoire attendu sous la forme NIVEAU:CODE (ex. commune:38185, epci:200040715)."
        raise UnknownTerritoryError(msg)
    return check_level(level.strip()), code.strip()
