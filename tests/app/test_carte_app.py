"""The Carte page driven by Streamlit's AppTest (no browser), on the real open-data mirror."""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_text import shown
from reference import ROOT
from streamlit.testing.v1 import AppTest

PAGE = str(ROOT / "pages" / "carte.py")
# The first run converts the mirror's reference files: far more than AppTest's 3 s default.
TIMEOUT = 120


def _page() -> AppTest:
    return AppTest.from_file(PAGE, default_timeout=TIMEOUT)


def _texts(elements) -> str:
    return "\n".join(shown(str(element.value)) for element in elements)


def _search(at: AppTest, text: str) -> AppTest:
    at.text_input(key="recherche").input(text).run()
    assert not at.exception, at.exception
    return at


def _assert_grenoble(at: AppTest) -> None:
    picked = [box for box in at.selectbox if box.label == "Résultats" and box.value]
    assert picked and picked[0].value == "commune:38185"
    caption = _texts(at.caption)
    assert "Grenoble (commune)" in caption
    assert "Isère (département)" in caption
    assert "Auvergne-Rhône-Alpes (région)" in caption
    assert "habitants" in caption
    assert at.query_params["territoire"] == "commune:38185"


@pytest.mark.usefixtures("geo_env")
def test_page_renders_without_selection() -> None:
    at = _page().run()
    assert not at.exception, at.exception
    assert not at.error
    assert at.title[0].value == "Trouver un territoire"
    assert at.text_input(key="recherche").label.startswith("Rechercher un territoire")
    assert "territoire" not in at.query_params


@pytest.mark.usefixtures("geo_env")
@pytest.mark.parametrize("text", ["grenoble", "38000", "Grenoble"])
def test_search_selects_grenoble(text: str) -> None:
    at = _search(_page().run(), text)
    _assert_grenoble(at)


@pytest.mark.usefixtures("geo_env")
def test_choosing_another_result() -> None:
    at = _search(_page().run(), "isère")
    results = next(box for box in at.selectbox if box.label == "Résultats" and box.options)
    # Options are shown as labels ("Isère (département 38, …)"); the value is "level:code".
    index = next(i for i, label in enumerate(results.options) if "(département" in label)
    results.select_index(index).run()
    assert not at.exception
    assert at.query_params["territoire"] == "departement:38"
    assert "Isère (département)" in _texts(at.caption)


@pytest.mark.usefixtures("geo_env")
def test_search_without_match_says_so() -> None:
    at = _search(_page().run(), "zzzzqqqq")
    empty = [box for box in at.selectbox if box.label == "Résultats"]
    assert empty and empty[0].placeholder == "Aucun territoire trouvé"
    assert "territoire" not in at.query_params


@pytest.mark.usefixtures("geo_env")
def test_url_reopens_the_territory() -> None:
    at = _page()
    at.query_params["territoire"] = "commune:38185"
    at.run()
    assert not at.exception, at.exception
    assert not at.warning
    assert "Grenoble (commune)" in _texts(at.caption)


@pytest.mark.usefixtures("geo_env")
@pytest.mark.parametrize(
    "value", ["commune:99999", "pays:FR", "grenoble", "commune:", "<script>alert(1)</script>"]
)
def test_invalid_url_parameter_is_ignored_with_a_notice(value: str) -> None:
    at = _page()
    at.query_params["territoire"] = value
    at.run()
    assert not at.exception, at.exception
    assert len(at.warning) == 1
    assert "inconnu" in at.warning[0].value
    assert "<script>" not in at.warning[0].value
    assert "territoire" not in at.query_params
    assert "→" not in _texts(at.caption)  # no territory chain shown


@pytest.mark.usefixtures("geo_env")
def test_reset_button_goes_back_to_france() -> None:
    at = _search(_page().run(), "grenoble")
    at.button[0].click().run()
    assert not at.exception
    assert "territoire" not in at.query_params
    assert at.text_input(key="recherche").value == ""
    assert "→" not in _texts(at.caption)  # no territory chain shown


def test_missing_data_gives_a_french_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("GEO_DATA_MIRROR", raising=False)
    monkeypatch.setenv("GEO_DATA_DIR", str(tmp_path / "vide"))
    monkeypatch.setenv("GEO_OFFLINE", "1")
    at = _page().run()
    assert not at.exception, at.exception
    assert len(at.error) == 1
    assert "ne peuvent pas être chargés" in at.error[0].value
    assert "Données manquantes" in at.error[0].value
    advice = _texts(at.info)
    assert "python -m geo data fetch" in advice and "GEO_DATA_MIRROR" in advice
    assert at.text_input(key="recherche").disabled
    # Still alive: the retry button reruns without an exception.
    at.button[0].click().run()
    assert not at.exception
    assert len(at.error) == 1


def test_router_opens_the_explorer_first(geo_env: dict[str, str]) -> None:
    at = AppTest.from_file(str(ROOT / "navigation.py"), default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    # The Explorer is the page people open first; the Carte stays one click away.
    assert at.title[0].value == "Explorer les projets"


def test_a_territory_leads_to_its_projects_on_the_explorer_and_is_kept_there(
    geo_env: dict[str, str], tmp_path: Path
) -> None:
    from explorer_seed import app_store

    with app_store(tmp_path):
        at = AppTest.from_file(str(ROOT / "navigation.py"), default_timeout=TIMEOUT).run()
        # The Explorer was seen first: its widgets were set from that first (empty) link.
        assert at.text_input(key="f_territoire").value == ""
        at.switch_page("pages/carte.py")
        at.query_params["territoire"] = "commune:38185"
        at.run()
        assert not at.exception, at.exception
        onward = {link.value: link.proto for link in at.get("page_link")}
        explorer = onward["Voir les 2 projets sur l'Explorer"]
        assert explorer.query_string == "territoire=commune%3A38185"
        assert onward["Voir le portrait (commune)"].query_string == "territoire=commune%3A38185"
        # Following the link (a page switch with its query): the Explorer shows Grenoble.
        at.switch_page("pages/explorer.py")
        at.query_params.clear()
        at.query_params["territoire"] = "commune:38185"
        at.run()
        assert not at.exception, at.exception
        assert at.text_input(key="f_territoire").value == "Grenoble"
        assert at.subheader[0].value == "2 projets"
