"""The territory reference: one ``"level:code"`` form, resolved to the current code."""

from __future__ import annotations

import pytest
from reference import territories

from geo.errors import UnknownTerritoryError
from geo.territory import TerritoryRef
from geo.territory.ref import split_ref


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("commune:38185", TerritoryRef("commune", "38185")),
        ("commune:6084", TerritoryRef("commune", "06084")),
        ("commune:2a004", TerritoryRef("commune", "2A004")),
        ("epci: 200040715 ", TerritoryRef("epci", "200040715")),
        ("departement:2b", TerritoryRef("departement", "2B")),
        ("region:84", TerritoryRef("region", "84")),
    ],
)
def test_form_and_normalised_code(text: str, expected: TerritoryRef) -> None:
    assert TerritoryRef(*split_ref(text)) == expected
    assert str(expected) == f"{expected.level}:{expected.code}"


@pytest.mark.parametrize("text", ["grenoble", "commune:", "pays:FR", ":38185", ""])
def test_a_malformed_reference_is_a_french_error(text: str) -> None:
    with pytest.raises(UnknownTerritoryError, match="Territoire attendu|Niveau de territoire"):
        TerritoryRef(*split_ref(text))


def test_an_old_commune_code_resolves_to_the_current_commune() -> None:
    t = territories()
    # Arzay (38016), a commune déléguée of Porte-des-Bonnevaux (38479) since 2019.
    assert t.parse("commune:38016") == TerritoryRef("commune", "38479")
    assert t.resolve("commune", "38016") == t.resolve("commune", "38479")
    assert t.resolve("commune", "38 016").code == "38479"


def test_unknown_codes_are_refused_in_french() -> None:
    t = territories()
    for text in ("commune:99999", "epci:123", "departement:00"):
        with pytest.raises(UnknownTerritoryError, match="Aucun territoire de niveau"):
            t.parse(text)
