"""The portrait page in AppTest: reached by its URL (current code for an old one, a French
notice for a bad one), its sections, and the "Voir le portrait" links of the other pages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from explorer_seed import app_store
from markdown_text import shown
from reference import ROOT
from streamlit.testing.v1 import AppTest

from geo.explorer.state import UNKNOWN_TERRITORY

CARTE = str(ROOT / "pages" / "carte.py")
RANK = "Rang parmi les voisins (pour 10 000 hab.)"
EXPLORER = str(ROOT / "pages" / "explorer.py")


@pytest.fixture(scope="module")
def seeded(geo_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    with app_store(tmp_path_factory.mktemp("portrait-app")) as ids:
        yield ids


def portrait_at(territory: str | None) -> AppTest:
    # Through the router, as a visitor: the links to other portraits are the navigation's.
    at = AppTest.from_file(str(ROOT / "navigation.py"), default_timeout=180)
    at.switch_page("pages/portrait.py")
    if territory is not None:
        at.query_params["territoire"] = territory
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_metropole_has_its_sections_projects_and_sources(seeded: dict) -> None:
    at = portrait_at("epci:200040715")
    assert [shown(h.value) for h in at.header] == ["Grenoble-Alpes-Métropole"]
    subheaders = [s.value for s in at.subheader]
    assert subheaders == [
        "Projets ici",
        "Indicateurs",
        "Comparaison",
        "Ce que font les voisins",
        "Ce que les voisins ont appris",
        "Fiche à emporter",
    ]
    items = [shown(m.value) for m in at.markdown if "Voir sur l'Explorer" in m.value]
    here = [item for item in items if " km " not in item]
    assert sorted(item.split(" — ")[0] for item in here) == [
        "Essai toits solaires de Grenoble",
        "Essai vélos partagés de Grenoble",
    ]
    # The Vercors project is the neighbours': named with its territory and distance.
    around = [item for item in items if " km " in item]
    assert len(around) == 1 and "Essai covoiturage du Vercors" in around[0]
    assert "(CC du Massif du Vercors), à" in around[0]
    assert all("](/?projet=" in m.value for m in at.markdown if "Voir sur" in m.value)
    carpool = next(
        t.value
        for t in at.table
        if "Indicateur" in t.value.columns and "Places de covoiturage" in set(t.value["Indicateur"])
    )
    row = carpool[carpool["Indicateur"] == "Places de covoiturage"].iloc[0]
    assert row["Valeur"].endswith("places") and row[RANK] != "—"
    # The table ranks as the comparison below does (for the same number of inhabitants):
    # one rank per figure on the page.
    choice = at.selectbox(key="portrait_indicateur")
    choice.select_index(choice.options.index("Places de covoiturage")).run()
    assert any(f": {row[RANK]}." in shown(m.value) for m in at.markdown), row[RANK]
    captions = " ".join(shown(c.value) for c in at.caption)
    assert "© les contributeurs de la BNLC" in captions  # the ODbL attribution
    assert "population municipale 2023" in captions
    assert at.radio(key="portrait_reference").value == "voisins"
    assert not at.warning and not at.error


def test_a_bad_code_is_a_french_notice(seeded: dict) -> None:
    at = portrait_at("commune:99999")
    assert [w.value for w in at.warning] == [UNKNOWN_TERRITORY]
    assert "territoire" not in at.query_params
    at = portrait_at("n'importe quoi")
    assert [w.value for w in at.warning] == [UNKNOWN_TERRITORY]


def test_an_old_commune_code_is_the_current_commune(seeded: dict) -> None:
    at = portrait_at("commune:38016")
    assert [shown(h.value) for h in at.header] == ["Porte-des-Bonnevaux"]


def test_without_a_territory_the_page_says_what_to_do(seeded: dict) -> None:
    at = portrait_at(None)
    assert at.info and "Choisissez une commune" in at.info[0].value
    at.text_input(key="portrait_recherche").set_value("Grenoble").run()
    assert [shown(h.value) for h in at.header] == ["Grenoble"]
    assert at.query_params["territoire"] == "commune:38185"


def test_the_comparison_follows_the_reference(seeded: dict) -> None:
    at = portrait_at("epci:200040715")
    at.selectbox(key="portrait_indicateur").set_value("covoiturage.places")
    at.radio(key="portrait_reference").set_value("parent").run()
    assert not at.exception
    sentence = " ".join(shown(m.value) for m in at.markdown)
    assert "pour Isère" in sentence


@pytest.mark.parametrize(
    ("page", "territory"), [(CARTE, "epci:200040715"), (EXPLORER, "epci:200040715")]
)
def test_the_other_pages_offer_the_portrait(seeded: dict, page: str, territory: str) -> None:
    at = AppTest.from_file(page, default_timeout=180)
    at.query_params["territoire"] = territory
    at.run()
    assert not at.exception, at.exception
    # Run alone (no navigation), the page offers a plain link to the portrait's address.
    found = [m.value for m in at.markdown if "Voir le portrait" in m.value]
    assert found, "no « Voir le portrait » link"
    assert "/portrait?territoire=epci%3A200040715" in found[0]


def test_a_failure_in_the_comparison_is_said_in_french_not_by_streamlit(
    seeded: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    from geo.portrait import view

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("/srv/secret/path")

    monkeypatch.setattr(view, "chart_rows", broken)
    at = portrait_at("epci:200040715")
    assert [s.value for s in at.subheader][:3] == ["Projets ici", "Indicateurs", "Comparaison"]
    errors = [e.value for e in at.error]
    assert errors and all("Une erreur inattendue est survenue" in e for e in errors)
    # Streamlit's own (English) box for a fragment that raised is not there.
    assert not at.exception
