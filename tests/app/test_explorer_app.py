"""The Explorer page driven by AppTest: each widget's effect on the store query and the map.

A store of its own (``DATABASE_URL``) holds the projects of :mod:`tests.explorer_seed`; the
geocoder is offline (``GEO_OFFLINE=1``), so no request leaves the machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from explorer_seed import app_store
from markdown_text import shown
from reference import ROOT
from streamlit.testing.v1 import AppTest

from geo.mapping import projects as explorer_map
from geo.store.project_store import ProjectStore
from geo.territory import TerritoryRef

PAGE = str(ROOT / "pages" / "explorer.py")
TIMEOUT = 120


@pytest.fixture(scope="module")
def seeded(
    geo_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, int]]:
    with app_store(tmp_path_factory.mktemp("explorer-store")) as ids:
        yield ids


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """What the page asked of the store and of the map builder."""
    recorded: dict[str, list[Any]] = {
        "criteria": [], "selection": [], "basemap": [], "near": [], "view": []
    }  # fmt: skip
    all_frame = ProjectStore.all_frame
    explorer_map_function = explorer_map.explorer_map

    def spy_frame(self: ProjectStore, criteria: Any = None, **kwargs: Any) -> Any:
        recorded["criteria"].append(criteria)
        return all_frame(self, criteria, **kwargs)

    def spy_map(**kwargs: Any) -> Any:
        recorded["selection"].append(kwargs.get("selection"))
        recorded["basemap"].append(kwargs.get("basemap"))
        recorded["near"].append(kwargs.get("near"))
        recorded["view"].append(kwargs.get("view"))
        return explorer_map_function(**kwargs)

    monkeypatch.setattr(ProjectStore, "all_frame", spy_frame)
    monkeypatch.setattr(explorer_map, "explorer_map", spy_map)
    return recorded


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


def _do(widget: Any) -> AppTest:
    """Run the page after a widget interaction."""
    at = widget.run()
    assert not at.exception, at.exception
    return at


def _page(**params: str) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    return _run(at)


def _count(at: AppTest) -> str:
    return at.subheader[0].value


def _choose_indicator(at: AppTest, indicator: str) -> None:
    """What the choropleth shows, then by which level (two widgets)."""
    *source, level = indicator.split(":")
    _do(at.selectbox(key="f_indicateur").set_value(":".join(source)))
    _do(at.button_group(key="f_indicateur_niveau").set_value(level))


def _listed(at: AppTest) -> list[str]:
    return [shown(b.label) for b in at.button if b.key and b.key.startswith("choisir-")]


pytestmark = pytest.mark.usefixtures("seeded")


def test_everything_public_is_listed(calls: dict[str, list[Any]]) -> None:
    at = _page()
    assert _count(at) == "5 projets"
    assert len(_listed(at)) == 5
    assert calls["criteria"][-1].statuses == ("publie",)
    assert not at.warning
    assert dict(at.query_params) == {}


def test_theme_filter_queries_that_theme(calls: dict[str, list[Any]]) -> None:
    at = _page()
    _do(at.pills(key="f_themes").select("energie"))
    assert calls["criteria"][-1].themes == ("energie",)
    assert _count(at) == "3 projets"
    assert at.query_params["themes"] == "energie"
    # Categories offered follow the chosen theme.
    offered = at.pills(key="f_categories").options
    assert "Vélo" not in offered and "Solaire" in offered
    # Every label as the filters show them: capitalised, in French.
    assert at.pills(key="f_themes").options == ["Énergie", "Mobilité"]
    assert at.pills(key="f_etapes").options[0] == "Idée"


def test_category_stage_and_carrier_type() -> None:
    at = _page()
    _do(at.pills(key="f_categories").select("velo"))
    assert _listed(at) == ["Essai vélos partagés de Grenoble"]
    _do(at.pills(key="f_categories").unselect("velo"))
    _do(at.pills(key="f_etapes").select("idee"))
    assert _listed(at) == ["Essai covoiturage du Vercors"]
    _do(at.pills(key="f_etapes").unselect("idee"))
    _do(at.pills(key="f_porteurs").select("entreprise"))
    assert _listed(at) == ["Essai bornes de recharge à Lyon"]
    assert at.query_params["porteurs"] == "entreprise"


def test_text_filter(calls: dict[str, list[Any]]) -> None:
    at = _page()
    _do(at.text_input(key="f_texte").input("citoyenne"))  # a carrier's name
    assert calls["criteria"][-1].text == "citoyenne"
    assert _listed(at) == ["Essai toits solaires de Grenoble"]
    _do(at.text_input(key="f_texte").input("zzzz"))
    assert _count(at) == "Aucun projet"
    assert at.query_params["q"] == "zzzz"


def test_territory_filters_and_outlines(calls: dict[str, list[Any]]) -> None:
    at = _page()
    _do(at.text_input(key="f_territoire").input("Grenoble"))
    assert calls["criteria"][-1].territory == TerritoryRef("commune", "38185")
    selection = calls["selection"][-1]
    assert (selection.level, selection.code) == ("commune", "38185")
    assert sorted(_listed(at)) == [
        "Essai toits solaires de Grenoble",
        "Essai vélos partagés de Grenoble",
    ]
    assert at.query_params["territoire"] == "commune:38185"
    # Another result of the same search: the département.
    box = at.selectbox(key="f_territoire_choix:grenoble")
    _do(box.select("epci:200040715"))
    assert calls["criteria"][-1].territory == TerritoryRef("epci", "200040715")


def test_near_uses_the_offline_geocoder(calls: dict[str, list[Any]]) -> None:
    at = _page()
    _do(at.text_input(key="f_pres").input("Grenoble"))
    near = calls["criteria"][-1].near
    assert near is not None and near[2] == 10.0
    assert abs(near[0] - 45.18) < 0.1 and abs(near[1] - 5.72) < 0.1
    listed = _listed(at)
    assert len(listed) == 2 and all(" km" in label for label in listed)
    assert all(label.startswith("Essai") and "Grenoble" in label for label in listed)
    # The map goes to the place, with its pin and radius; the list is nearest first.
    pin = calls["near"][-1]
    assert pin is not None and pin.radius_km == 10 and "Grenoble" in pin.label
    assert (pin.lat, pin.lon) == near[:2]
    assert at.selectbox(key="f_tri").value == "distance" and "tri" not in at.query_params
    _do(at.select_slider(key="f_rayon").set_value(50))
    assert calls["criteria"][-1].near[2] == 50.0 and calls["near"][-1].radius_km == 50
    assert len(_listed(at)) == 3  # the Vercors too
    assert _listed(at)[-1].startswith("Essai covoiturage du Vercors")
    assert at.query_params["rayon"] == "50"
    _do(at.selectbox(key="f_tri").set_value("title"))  # the user's order holds
    _do(at.select_slider(key="f_rayon").set_value(20))
    assert at.selectbox(key="f_tri").value == "title" and at.query_params["tri"] == "title"
    _do(at.text_input(key="f_pres").input(""))
    assert calls["near"][-1] is None and at.selectbox(key="f_tri").value == "title"


def test_unknown_place_is_said() -> None:
    at = _page()
    _do(at.text_input(key="f_pres").input("Qqqzzzwww"))
    assert any("introuvable" in w.value for w in at.warning)
    assert _count(at) == "5 projets"


def test_sort_by_title() -> None:
    at = _page()
    _do(at.selectbox(key="f_tri").set_value("title"))
    assert _listed(at) == sorted(_listed(at), key=str.casefold)


def test_selecting_a_project_shows_its_detail_safely(seeded: dict[str, int]) -> None:
    at = _page()
    pid = seeded["g1"]
    _do(at.button(key=f"choisir-{pid}").click())
    assert at.query_params["projet"] == str(pid)
    texts = "\n".join(m.value for m in at.markdown)
    assert "Grenoble (commune)" in texts and "Isère (département)" in texts
    assert "<script>" not in texts and "javascript:" not in texts
    assert "&lt;script&gt;" in texts
    # Its impact figures, with units; the ones it does not give are not shown (never 0).
    assert "**Puissance installée** : 420\u00a0kWc" in texts
    assert "**Production** : 480,5\u00a0MWh/an" in texts
    assert "**Actionnaires citoyens** : 310" in texts
    assert "Budget" not in texts and "Points de recharge" not in texts
    # The carrier's type inside the sentence, the stage as a label.
    assert "Essai Énergie Citoyenne (coopérative / SCIC)" in shown(texts)
    assert any("En service" in c.value for c in at.caption)
    _do(at.button(key="fermer-fiche").click())
    assert "projet" not in at.query_params


def test_url_restores_the_view(seeded: dict[str, int], calls: dict[str, list[Any]]) -> None:
    pid = seeded["g2"]
    at = _page(
        themes="mobilite", territoire="commune:38185", projet=str(pid), fond="aucun",
        vue="45.19000,5.72000,13",
    )  # fmt: skip
    assert not at.warning
    assert at.pills(key="f_themes").value == ["mobilite"]
    assert at.text_input(key="f_territoire").value == "Grenoble"
    assert calls["criteria"][-1].territory == TerritoryRef("commune", "38185")
    assert calls["criteria"][-1].themes == ("mobilite",)
    assert _listed(at) == ["Essai vélos partagés de Grenoble"]
    assert at.radio(key="f_fond").value == "aucun"
    assert any("vélos" in m.value for m in at.subheader[1:])
    assert at.query_params["projet"] == str(pid)
    # The shared view holds with its territory, and stays in the link.
    assert calls["view"][-1] == (45.19, 5.72, 13)
    assert at.query_params["vue"] == "45.19000,5.72000,13"
    assert at.toggle(key="suivre_vue").value is True
    _do(at.text_input(key="f_territoire").input("Vercors"))
    assert calls["view"][-1] is None  # another territory: the map fits it


@pytest.mark.parametrize(
    "params",
    [
        {"territoire": "commune:99999"},
        {"themes": "<script>alert(1)</script>"},
        {"projet": "abc"},
        {"vue": "1,2"},
        {"rayon": "1000", "pres": "Grenoble"},
    ],
)
def test_invalid_url_is_ignored_with_a_notice(params: dict[str, str]) -> None:
    at = _page(**params)
    assert len(at.warning) == 1
    assert "<script>" not in at.warning[0].value
    assert _count(at) in ("5 projets", "2 projets")


def test_stale_project_in_url() -> None:
    at = _page(projet="999999")
    assert any("pas dans la sélection" in i.value for i in at.info)
    assert _count(at) == "5 projets"


def test_exports_are_offered() -> None:
    at = _page()
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Tableur (XLSX)", "CSV d'échange", "GeoJSON", "GeoPackage", "Carte HTML"]


def test_overlay_toggles_a_dataset_layer(monkeypatch: pytest.MonkeyPatch) -> None:
    from geo.mapping import overlays

    drawn: list[str] = []
    layer = overlays.overlay_layer

    def spy(data: Any, view: Any, **kwargs: Any) -> Any:
        drawn.append(data.dataset.id)
        return layer(data, view, **kwargs)

    monkeypatch.setattr(overlays, "overlay_layer", spy)
    at = _page()
    assert any("covoiturage" in o.casefold() for o in at.pills(key="f_couches").options)
    _do(at.pills(key="f_couches").select("covoiturage"))
    assert drawn == ["covoiturage"]
    assert at.query_params["couches"] == "covoiturage"
    assert not at.warning
    drawn.clear()
    _do(at.pills(key="f_couches").unselect("covoiturage"))
    assert drawn == [] and "couches" not in at.query_params


def test_basemap_choice_goes_to_the_map(
    calls: dict[str, list[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEO_OFFLINE", "0")  # tiles on; nothing here asks the geocoder
    at = _page()
    _do(at.radio(key="f_fond").set_value("ign"))
    assert at.query_params["fond"] == "ign"
    assert calls["basemap"][-1] == "ign"


def test_offline_the_basemap_choice_is_off_and_says_why() -> None:
    at = _page()
    assert at.radio(key="f_fond").disabled
    assert any("Hors ligne : pas de fond de carte" in c.value for c in at.sidebar.caption)


@pytest.mark.parametrize(
    "indicator",
    [
        "projets:departement",
        "covoiturage:places:departement",
        "projets:region",
        "projets:epci",
        "projets:commune",
        "covoiturage:places:epci",
        "covoiturage:places:commune",
    ],
)
def test_choropleth_of_an_indicator(monkeypatch: pytest.MonkeyPatch, indicator: str) -> None:
    from geo.explorer import choropleth

    drawn: list[tuple[str, Any]] = []
    layer = choropleth.choropleth_layer

    def spy(outlines: Any, values: Any, **kwargs: Any) -> Any:
        drawn.append((kwargs["label"], values))
        return layer(outlines, values, **kwargs)

    monkeypatch.setattr(choropleth, "choropleth_layer", spy)
    at = _page()
    _choose_indicator(at, indicator)
    assert not at.warning
    assert at.query_params["indicateur"] == indicator
    label, values = drawn[-1]
    if indicator == "projets:departement":
        assert label.startswith("Projets") and values["38"] == 3  # Grenoble ×2, Vercors
        _do(at.pills(key="f_themes").select("energie"))
        assert drawn[-1][1]["38"] == 1  # the choropleth follows the filters
    elif indicator == "projets:commune":
        assert label == "Projets sélectionnés, par commune" and values["38185"] == 2
    elif indicator.startswith("projets"):
        assert label.startswith("Projets sélectionnés, par") and values.sum() >= 3
    else:
        assert label.startswith("Places de covoiturage pour 10 000 habitants")
        assert values.notna().any()  # the départements whose communes are all loaded


def test_indicator_restored_from_the_url() -> None:
    at = _page(indicateur="projets:region")
    assert at.selectbox(key="f_indicateur").value == "projets"
    assert at.button_group(key="f_indicateur_niveau").value == "region"
    assert not at.warning


def test_commune_choropleth_over_budget_is_a_picture_then_outlines_in_a_territory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Over the browser budget, the national commune map is drawn as a picture (one pixel per
    ~1 km), and choosing a territory draws its communes' outlines only."""
    from geo.explorer import choropleth
    from geo.mapping import base as maps

    drawn: list[Any] = []
    pictures: list[Any] = []
    layer, picture = choropleth.choropleth_layer, choropleth.raster_layer

    def spy(outlines: Any, values: Any, **kwargs: Any) -> Any:
        drawn.append(outlines)
        return layer(outlines, values, **kwargs)

    def spy_picture(grid: Any, values: Any, **kwargs: Any) -> Any:
        pictures.append((grid, values))
        return picture(grid, values, **kwargs)

    monkeypatch.setattr(choropleth, "choropleth_layer", spy)
    monkeypatch.setattr(choropleth, "raster_layer", spy_picture)
    monkeypatch.setattr(
        maps, "OUTLINES_BUDGET_BYTES", 100_000
    )  # the mirror's 513 communes: ~550 kB
    at = _page(indicateur="projets:commune")
    assert drawn == [] and len(pictures) == 1
    grid, values = pictures[0]
    located = grid.codes_shown()
    assert "38185" in located and "75056" in located  # Grenoble and Paris are in the picture
    assert values["38185"] == 2  # the two Grenoble projects
    assert not at.warning
    _do(at.text_input(key="f_territoire").input("Grenoble"))
    assert list(drawn[-1]["code"]) == ["38185"]


def test_sources_under_the_map_name_licence_attribution_and_date() -> None:
    at = _page(couches="covoiturage", indicateur="irve:points_de_charge:departement")
    [sources] = [e for e in at.expander if e.label == "Sources"]
    text = shown("\n".join(m.value for m in sources.markdown))
    assert "Base nationale des lieux de covoiturage" in text
    assert "ODbL 1.0" in text and "contributeurs de la BNLC" in text
    assert "Bornes de recharge" in text and "Licence Ouverte 2.0" in text
    assert "Contours et codes des territoires" in text
    assert "Fond de carte" not in text  # offline: no tiles, none credited
    # Every file of the test data was fetched: its date is known, never "inconnue".
    assert "inconnue" not in text and "téléchargé le" in text
    # The mirror's BNLC is national, its outlines Isère + Paris: the rows outside are said,
    # under the map and in the sources.
    outside = [shown(c.value) for c in at.caption if "hors des territoires chargés" in c.value]
    assert [line.split(" (")[0] for line in outside] == [
        "Lieux de covoiturage",
        "Bornes de recharge pour véhicules électriques",
    ]
    assert "2\u202f373 des 2\u202f473 lignes" in outside[0] and "3 des 3 lignes" in outside[1]
    assert "2\u202f373 des 2\u202f473 lignes" in text


def test_irve_outside_its_excerpt_is_not_available_not_zero() -> None:
    """The mirror's IRVE excerpt is one site in the Somme: Isère is not covered."""
    at = _page(indicateur="irve:points_de_charge:departement")
    assert any("non disponible" in i.value or "couverture" in i.value for i in at.info), [
        i.value for i in at.info
    ]


def test_production_symbols_and_consumption_indicator_are_offered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from geo.mapping import symbols

    drawn: list[int] = []
    layer = symbols.symbol_layer

    def spy(data: Any, view: Any, **kwargs: Any) -> Any:
        drawn.append(len(data))
        return layer(data, view, **kwargs)

    monkeypatch.setattr(symbols, "symbol_layer", spy)
    at = _page()
    assert any("production" in o.casefold() for o in at.pills(key="f_couches").options)
    _do(at.pills(key="f_couches").select("production"))
    assert not at.warning and drawn and drawn[-1] >= 1  # the mirror's units in Isère
    indicator = "consommation:conso_totale_mwh:departement"
    labels = at.selectbox(key="f_indicateur").options
    assert "Consommation d'électricité et de gaz pour 10 000 habitants" in labels
    # Each figure once (the level is a second choice), and never two with the same name.
    assert len(labels) == len(set(labels))
    _choose_indicator(at, indicator)
    assert not at.warning
