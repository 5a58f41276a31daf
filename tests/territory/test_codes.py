"""The one rule reading commune codes (current, old, postal), on the real COG 2026."""

from __future__ import annotations

import pytest
from reference import territories

from geo.territory.codes import (
    INSEE,
    NAME_CLOSE,
    NAME_CONTAINED,
    NAME_EXACT,
    NAME_NONE,
    OLD,
    POSTAL,
    name_match,
)


@pytest.mark.parametrize(
    ("written", "chosen", "kind"),
    [
        ("38185", "38185", INSEE),  # Grenoble
        ("33120", "33120", INSEE),  # Cérons, though also Arcachon's postal code
        ("38000", "38185", POSTAL),  # Grenoble's postal code only
        # Old codes of real BNLC rows, also postal codes of other communes of their département:
        ("25620", "25390", OLD),  # Ville-du-Pont → Pays-de-Montbenoît
        ("44160", "44003", OLD),  # Saint-Géréon → Ancenis-Saint-Géréon
        ("61310", "61275", OLD),  # Nonant-le-Pin → Merlerault-le-Pin
        ("79260", "79196", OLD),  # Saint-Jouin-de-Marnes → Plaine-et-Vallées
        ("75101", "75056", OLD),  # arrondissement municipal
        # An old code of a commune now in another département: the postal code wins.
        ("75001", "75056", POSTAL),  # Alfortville's code before 1968; Paris 1er's postal code
        ("20090", "2A004", POSTAL),  # an Ajaccio postal code; 2A090 was 20090 before 1976
        ("6084", "06084", INSEE),  # a lost leading zero
        (" 78 575 ", "78575", INSEE),
        ("6084.0", "06084", INSEE),  # a spreadsheet's number
    ],
)
def test_the_rule_chooses(written: str, chosen: str, kind: str) -> None:
    reading = territories().read_commune_code(written)
    assert (reading.chosen, reading.kind) == (chosen, kind)
    assert reading.designates(chosen)


def test_every_reading_is_listed_so_a_point_can_settle_it() -> None:
    reading = territories().read_commune_code("33120")
    assert reading.communes == {"33120", "33009"}  # Cérons, Arcachon
    assert reading.designates("33009")
    shared = territories().read_commune_code("38660")  # several communes' postal code
    assert shared.chosen is None and shared.kind == POSTAL and len(shared.communes) > 1
    assert not territories().read_commune_code("99999").known
    assert not territories().read_commune_code("zzz").known


def test_one_sentence_says_how_an_ambiguous_code_was_read() -> None:
    read = territories().read_commune_code
    assert read("33120").ambiguity == (
        "« 33120 » est le code INSEE de Cérons (33120) et le code postal de Arcachon (33009) : "
        "lu comme code INSEE, Cérons (33120)"
    )
    assert read("25620").ambiguity.startswith(
        "« 25620 » est un ancien code INSEE, de la commune devenue Pays-de-Montbenoît (25390), "
        "et le code postal de "
    )
    # Alfortville's code before 1968 is no longer a reading of 75001: nothing to say.
    assert read("75001").ambiguity is None and not read("75001").designates("94002")
    assert read("38185").ambiguity is None and read("38000").ambiguity is None


@pytest.mark.parametrize(
    ("written", "official", "expected"),
    [
        ("ST OMER", "Saint-Omer", NAME_EXACT),
        ("ROMAGNE", "Romagné", NAME_EXACT),
        ("LONGEVILLES MONT D OR", "Longevilles-Mont-d'Or", NAME_EXACT),
        (
            " en face de l'Intermarché, Barbezieux-Saint-Hilaire",
            "Barbezieux-Saint-Hilaire",
            NAME_CONTAINED,
        ),  # fmt: skip
        ("Lyon 2", "Lyon", NAME_CONTAINED),
        ("ChÃ¢teaubernard", "Châteaubernard", NAME_CLOSE),  # mojibake
        ("Bordeau", "Bordeaux", NAME_CLOSE),
        ("Crouin", "Cognac", NAME_NONE),  # a district, not the commune
        ("LA NEUVILLE", "Forest-sur-Marque", NAME_NONE),
        ("", "Grenoble", NAME_NONE),
        (None, "Grenoble", NAME_NONE),
    ],
)
def test_name_match(written: str | None, official: str, expected: int) -> None:
    assert name_match(written, official) == expected
