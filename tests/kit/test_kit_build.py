"""An offline kit built from the small mirror's data (Grenoble-Alpes-Métropole and its
neighbours), then used with no mirror and no network: the reference, the datasets, the
projects and tours it holds, and the ideas collected in it brought back into the main store."""

from __future__ import annotations

import json
from dataclasses import replace
from importlib.metadata import version
from pathlib import Path

import pytest

from geo.datasets import CATALOGUE, load
from geo.errors import KitError, UnknownTerritoryError
from geo.geocode import clear_cache, geocode
from geo.kit import KIT_FILE, build_kit
from geo.kit.build import read_kit
from geo.kit.install import python_version
from geo.projects.exporter import export_projects
from geo.projects.importer import import_projects
from geo.settings import Settings, get_settings
from geo.sources.declared import SOURCES
from geo.store import ProjectFilter, ProjectStore
from geo.store.identity import Operator
from geo.territory import TerritoryRef, load_territories
from geo.territory.loading import forget_loaded
from geo.text import french_date, french_number

OPERATOR = Operator("essai")
BAN = Path(__file__).resolve().parents[1] / "data" / "ban"  # adresses-38.csv, see its README
METRO = TerritoryRef("epci", "200040715")
INSIDE = {
    "title": "Toits solaires de Grenoble",
    "themes": ["energie"],
    "lat": 45.1885,
    "lon": 5.7245,
    "source": "essai",
    "external_id": "dedans",
    "contact_email": "prive@exemple.org",
    "commons": ["https://exemple.org/kit-solaire"],
}
KIT_SOLAIRE = {
    "title": "Kit solaire d'essai",
    "kind": "methode",
    "url": "https://exemple.org/kit-solaire",
    "licence": "CC-BY-SA-4.0",
    "source": "essai",
    "maintainers": [{"name": "Énergies du Grésivaudan", "type": "cooperative"}],
}
UNUSED = {"title": "Commun que personne n'utilise ici", "url": "https://exemple.org/autre",
          "source": "essai"}  # fmt: skip
GRESIVAUDAN = {
    "title": "Autopartage de Crolles",
    "themes": ["mobilite"],
    "lat": 45.285,
    "lon": 5.883,
    "source": "essai",
    "external_id": "voisin",
}
PARIS = {
    "title": "Chaufferie parisienne",
    "themes": ["energie"],
    "lat": 48.8566,
    "lon": 2.3522,
    "source": "essai",
    "external_id": "paris",
}


@pytest.fixture(scope="module")
def origin(geo_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The main server's settings and store: published projects in, beside and far from the
    Métropole, a proposal, and tours."""
    folder = tmp_path_factory.mktemp("origine")
    settings = replace(
        get_settings(), database_url=f"sqlite:///{folder / 'projets.sqlite'}", demo=False
    )
    store = ProjectStore(settings=settings, locate=load_territories(settings))
    store.communs.save_many([KIT_SOLAIRE, UNUSED], operator=OPERATOR)
    ids = {
        row["external_id"]: r.id
        for row, r in zip(
            [INSIDE, GRESIVAUDAN, PARIS],
            store.add_many([INSIDE, GRESIVAUDAN, PARIS], actor=OPERATOR, status="publie"),
            strict=True,
        )
    }
    ids["propose"], _ = store.add(
        INSIDE | {"external_id": "propose", "title": "Proposé"}, actor="formulaire"
    )
    metro_tour, metro_key = store.tours.create("Atelier PCAET", territory=str(METRO))
    store.tours.add_stop(
        metro_tour,
        kind="explorer",
        title="Les toits",
        params={"territoire": str(METRO), "projet": str(ids["dedans"])},
        token=metro_key,
    )
    store.tours.set_status(metro_tour, "publie", token=metro_key)
    draft, draft_key = store.tours.create("Brouillon emporté")
    paris_tour, paris_key = store.tours.create("Paris", territory="commune:75056")
    store.tours.set_status(paris_tour, "publie", token=paris_key)
    store.close()
    return {
        "settings": settings,
        "ids": ids,
        "tours": (metro_tour, draft, paris_tour),
        "keys": (metro_key, draft_key),
    }


@pytest.fixture(scope="module")
def kit(origin: dict, tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("kits") / "metro"
    report = build_kit(str(METRO), out, settings=origin["settings"], operator=OPERATOR,
                       tours=[origin["tours"][1]], address_dir=BAN)  # fmt: skip
    return {"out": out, "report": report}


def offline(settings: Settings, folder: Path) -> Settings:
    """The kit's settings as the app would read them: GEO_OFFLINE=1, GEO_DATA_DIR=DIR."""
    return replace(settings, data_dir=folder, mirror=None, offline=True, database_url=None)


def test_the_kit_covers_the_territory_and_its_neighbours(origin: dict, kit: dict) -> None:
    report = kit["report"]
    assert (report.territory, report.name) == ("epci:200040715", "Grenoble-Alpes-Métropole")
    assert "epci:200018166" in report.neighbours  # CC Le Grésivaudan touches it
    full = load_territories(origin["settings"])
    expected = set(full.communes_in("epci", "200040715"))
    for code in report.neighbours:
        expected |= set(full.communes_in(*code.split(":")))
    kit_reference = load_territories(offline(origin["settings"], kit["out"]))
    assert set(kit_reference.loaded_communes) == expected and report.communes == len(expected)
    assert kit_reference.nom("epci", "200040715") == "Grenoble-Alpes-Métropole"
    assert kit_reference.parse("commune:38185") == TerritoryRef("commune", "38185")
    assert kit_reference.population("commune", "38185") == full.population("commune", "38185")
    with pytest.raises(UnknownTerritoryError):
        kit_reference.parse("commune:75056")
    located = kit_reference.locate([45.1885], [5.7245]).iloc[0]
    assert located["code_epci"] == "200040715"
    forget_loaded()


def test_the_kit_needs_no_mirror_and_says_what_it_is(origin: dict, kit: dict) -> None:
    out = kit["out"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest and all(entry["mirror"] is None for entry in manifest.values())
    assert all(entry["kit"]["territoire"] == "epci:200040715" for entry in manifest.values())
    assert not any(p.name.startswith(".") for p in out.parent.iterdir())  # no staging left
    assert (out / "static" / "vendor" / "leaflet" / "leaflet.js").is_file()
    assert list((out / "prepared").glob("territoires-*"))
    about = read_kit(out)
    assert about is not None and about["territory"] == "epci:200040715"
    assert about["size_bytes"] == kit["report"].size_bytes > 0
    assert read_kit(origin["settings"].data_dir) is None


def test_the_datasets_of_the_kit_hold_the_areas_rows_only(origin: dict, kit: dict) -> None:
    settings = offline(origin["settings"], kit["out"])
    reference = load_territories(settings)
    area = set(reference.loaded_communes)
    carpool = load(CATALOGUE["covoiturage"], settings, territories=reference).frame
    assert len(carpool) == kit["report"].datasets["covoiturage"] > 0
    assert set(carpool["code_commune"]) <= area
    full = load(CATALOGUE["covoiturage"], origin["settings"]).frame
    assert len(full[full["code_commune"].isin(area)]) == len(carpool) < len(full)
    forget_loaded()


def test_published_projects_and_tours_keep_their_ids(origin: dict, kit: dict) -> None:
    store = ProjectStore(settings=offline(origin["settings"], kit["out"]))
    ids = origin["ids"]
    shown = {p.id: p for p in store.query(limit=100).items}
    assert set(shown) == {ids["dedans"], ids["voisin"]}  # not Paris, not the proposal
    assert shown[ids["dedans"]].status == "publie"
    assert store.get(ids["dedans"]).contact_email is None  # private: left behind
    metro, draft, paris = origin["tours"]
    tours = {t.id: t for t in store.tours.list()}
    assert set(tours) == {metro, draft}
    assert tours[metro].stops[0].params["projet"] == str(ids["dedans"])
    # The authors' private links open their tours on the kit too.
    assert store.tours.verify(metro, origin["keys"][0])
    assert store.tours.verify(draft, origin["keys"][1])
    assert [e.action for e in store.audit(ids["dedans"])] == ["kit"]
    new_id, _ = store.tours.create("Fait dans le train")
    assert new_id > max(metro, draft)
    store.close()


def test_the_communs_its_projects_reuse_come_with_their_maintainers(
    origin: dict, kit: dict
) -> None:
    store = ProjectStore(settings=offline(origin["settings"], kit["out"]))
    (commun,) = store.communs.list()  # not the one no project of the kit uses
    assert (commun.title, commun.url, commun.licence) == (
        "Kit solaire d'essai", "https://exemple.org/kit-solaire", "CC-BY-SA-4.0",
    )  # fmt: skip
    assert commun.reused_by == [origin["ids"]["dedans"]]
    assert [name for _, name in commun.maintainers] == ["Énergies du Grésivaudan"]
    assert kit["report"].communs == 1
    store.close()


def test_ideas_collected_in_the_kit_come_back_once(origin: dict, kit: dict, tmp_path: Path) -> None:
    settings = offline(origin["settings"], kit["out"])
    store = ProjectStore(settings=settings, locate=load_territories(settings))
    metro = origin["tours"][0]
    session = store.workshops.open(
        metro, territory=METRO, per_minute=5, cap=50, token=origin["keys"][0]
    )
    for n in range(3):
        idea = {"title": f"Idée {n}", "themes": ["energie"], "lat": 45.19, "lon": 5.72}
        store.workshops.contribute(session.code, idea, participant=f"p{n}")
    ideas = tmp_path / "idees.geojson"
    assert (
        export_projects(
            store, ideas, file_format="geojson", criteria=ProjectFilter(source="atelier")
        )
        == 3
    )
    store.close()
    forget_loaded()
    main = ProjectStore(settings=origin["settings"], locate=load_territories(origin["settings"]))
    before = main.count()
    first = import_projects(
        ideas,
        main,
        status="propose",
        operator=OPERATOR,
        territories=load_territories(origin["settings"]),
    )
    again = import_projects(
        ideas,
        main,
        status="propose",
        operator=OPERATOR,
        territories=load_territories(origin["settings"]),
    )
    assert (first.created, again.created, again.updated) == (3, 0, 0)
    assert main.count() == before + 3
    came = main.query(ProjectFilter(source="atelier")).items
    assert {p.status for p in came} == {"propose"}
    assert sorted(p.external_id for p in came) == [f"{session.code}-{n}" for n in (1, 2, 3)]
    main.close()


def test_the_kit_carries_the_app_and_says_in_french_how_to_run_it(origin: dict, kit: dict) -> None:
    out, report = kit["out"], kit["report"]
    # The app's own files, beside its data: the pages, ui/, data/categories.json, the config.
    app = out / "app"
    for name in ("app.py", "navigation.py", "pages/explorer.py", "ui/page.py",
                 "geo/settings.py", "data/categories.json", ".streamlit/config.toml"):  # fmt: skip
        assert (app / name).is_file(), name
    assert not list(app.rglob("__pycache__")) and not (app / "data" / "cache").exists()
    pins = (app / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert f"streamlit=={version('streamlit')}" in pins and f"Authlib=={version('authlib')}" in pins
    assert report.app_bytes > 0 and (report.wheelhouse, report.wheels_bytes) == (False, 0)
    assert not (out / "wheels").exists()

    readme = (out / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("# Kit hors ligne : Grenoble-Alpes-Métropole\n")
    assert "epci:200040715" in readme and "CC Le Grésivaudan (epci:200018166)" in readme
    assert f"{report.communes} communes en tout" in readme
    assert french_date(report.built_at) in readme
    metro, draft, _ = origin["tours"]
    assert f"« Atelier PCAET » (n° {metro}), « Brouillon emporté » (n° {draft})" in readme
    assert "« Paris »" not in readme
    for dataset, rows in report.datasets.items():
        assert f"| {CATALOGUE[dataset].title} | {french_number(rows)} |" in readme
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for name in manifest:
        source = SOURCES[name]
        assert f"| {source.title} | {source.producer} | [{source.licence}]" in readme
    # Built without wheels: it says so, and installs with the network once.
    assert "--no-wheelhouse" in readme and "--no-index" not in readme
    assert f"python{python_version()} -m venv .venv" in readme
    assert "GEO_OFFLINE=1 GEO_DATA_DIR=.. ../.venv/bin/python -m streamlit run app.py" in readme
    assert '$env:GEO_OFFLINE = "1"; $env:GEO_DATA_DIR = ".."' in readme  # Windows


def test_the_kit_keeps_its_areas_addresses_and_finds_them_offline(origin: dict, kit: dict) -> None:
    lines = (kit["out"] / "adresses" / "adresses-38.csv").read_bytes().splitlines(keepends=True)
    published = (BAN / "adresses-38.csv").read_bytes().splitlines(keepends=True)
    outside = (b";38544;", b";38053;")  # Vienne, Bourgoin-Jallieu: not in the kit's area
    assert lines == [line for line in published if not any(c in line for c in outside)]
    assert kit["report"].addresses == len(lines) - 1 == 14
    assert "14 adresses de la Base Adresse" in (kit["out"] / "README.md").read_text("utf-8")
    settings = offline(origin["settings"], kit["out"])
    reference = load_territories(settings)
    clear_cache()
    (found, *_) = geocode("10 rue des Arts Grenoble", settings=settings, territories=reference)
    assert (found.label, found.kind, found.code_commune) == (
        "10 Rue des Arts 38000 Grenoble", "adresse", "38185",
    )  # fmt: skip
    (street, *_) = geocode("Place Grenette", settings=settings, territories=reference)
    assert (street.kind, street.code_commune) == ("rue", "38185")
    assert geocode("20 cours Romestang Vienne", settings=settings, territories=reference) == []
    clear_cache()
    forget_loaded()


def test_a_kit_is_rebuilt_in_place_and_never_over_another_folder(
    origin: dict, kit: dict, tmp_path: Path
) -> None:
    # Last of the module: it replaces the module's kit (without the draft tour).
    again = build_kit(str(METRO), kit["out"], settings=origin["settings"], operator=OPERATOR)
    assert (kit["out"] / KIT_FILE).is_file() and again.communes == kit["report"].communes
    busy = tmp_path / "documents"
    busy.mkdir()
    (busy / "rapport.odt").write_bytes(b"x")
    with pytest.raises(KitError, match="n'est pas un kit"):
        build_kit(str(METRO), busy, settings=origin["settings"], operator=OPERATOR)
    assert [p.name for p in busy.iterdir()] == ["rapport.odt"]
    with pytest.raises(KitError, match="dossier de données"):
        build_kit(
            str(METRO), origin["settings"].data_dir, settings=origin["settings"], operator=OPERATOR
        )
    with pytest.raises(UnknownTerritoryError):
        build_kit(
            "epci:999999999", tmp_path / "rien", settings=origin["settings"], operator=OPERATOR
        )
    assert not (tmp_path / "rien").exists()
    forget_loaded()
