"""Placing a project: the notice saying where the candidates come from, their labels, a map
click moving the pin, and the territories a point falls in (outside France and at sea refused
in French), on the real reference."""

from __future__ import annotations

import pytest
from reference import GRENOBLE, MEDITERRANEAN, PARIS, territories

from geo.contribute.placement import candidate_label, clicked, locate_point, notice, place_of
from geo.geocode import GeocodeResult


def result(source: str, **changes: object) -> GeocodeResult:
    values = {"label": "10 Rue des Arts 38000 Grenoble", "lat": 45.19, "lon": 5.72,
              "kind": "adresse", "code_commune": "38185", "source": source,
              "approximate": False} | changes  # fmt: skip
    return GeocodeResult(**values)


def test_the_geoplateforme_needs_no_notice_the_others_say_where_they_come_from() -> None:
    assert notice([result("geoplateforme")], offline=False) is None
    assert "OpenStreetMap (Nominatim)" in (notice([result("nominatim")], offline=False) or "")
    down = notice([result("hors-ligne")], offline=False) or ""
    assert "ne répondent pas" in down and "centre de la commune" in down
    assert "mode hors ligne" in (notice([result("hors-ligne")], offline=True) or "")
    assert "Aucune adresse trouvée" in (notice([], offline=False) or "")
    assert "Mode hors ligne : aucune commune" in (notice([], offline=True) or "")
    # A local BAN file's addresses are addresses, not a commune's middle.
    local = notice([result("fichier-adresses")], offline=True) or ""
    assert "Base Adresse Nationale" in local and "centre de la commune" not in local


def test_candidates_name_their_kind_once() -> None:
    assert candidate_label(result("geoplateforme")) == "10 Rue des Arts 38000 Grenoble (adresse)"
    offline = result("hors-ligne", label="Mens (commune, Isère)", kind="commune")
    assert candidate_label(offline) == "Mens (commune, Isère)"


def test_a_chosen_candidate_keeps_the_address_typed() -> None:
    place = place_of(result("hors-ligne", approximate=True), "  38710 Mens ")
    assert place["address"] == "38710 Mens" and place["approximate"]
    assert place_of(result("geoplateforme"), "  ")["address"] == "10 Rue des Arts 38000 Grenoble"


def test_a_click_moves_the_pin_and_keeps_the_address() -> None:
    before = place_of(result("hors-ligne", approximate=True), "38710 Mens")
    moved = clicked({"lat": 44.8154321, "lng": 5.7512345}, before)
    assert moved == {"lat": 44.815432, "lon": 5.751234, "address": "38710 Mens",
                     "approximate": False, "source": "carte", "label": None}  # fmt: skip
    assert clicked({"lat": 1.0, "lng": 2.0}, None)["address"] == ""
    for broken in (None, {}, {"lat": "x", "lng": 1}, {"lat": 1}):
        assert clicked(broken, before) is None


def test_a_point_in_grenoble_has_its_four_territories() -> None:
    located = locate_point(*GRENOBLE, territories())
    assert located.problem is None and located.code_commune == "38185"
    assert [level for level, _, _ in located.chain] == ["commune", "epci", "departement",
                                                         "region"]  # fmt: skip
    assert located.text() == (
        "Commune : Grenoble (38185) · EPCI : Grenoble-Alpes-Métropole (200040715) · "
        "Département : Isère (38) · Région : Auvergne-Rhône-Alpes (84)"
    )
    assert locate_point(*PARIS, territories()).code_commune == "75056"


@pytest.mark.parametrize(
    ("point", "expected"),
    [((51.5074, -0.1278), "hors de France"), ((0.0, 0.0), "hors de France"),
     (MEDITERRANEAN, "aucune commune connue")],
)  # fmt: skip
def test_a_point_outside_france_or_at_sea_is_refused_in_french(
    point: tuple[float, float], expected: str
) -> None:
    located = locate_point(*point, territories())
    assert located.chain == [] and expected in (located.problem or "")


def test_without_the_reference_only_the_france_check_is_made() -> None:
    assert locate_point(*GRENOBLE, None).problem is None
    assert "hors de France" in (locate_point(51.5, -0.12, None).problem or "")
