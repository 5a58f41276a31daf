"""``communs import-wiki`` against a fake MediaWiki API (tests/wiki_server.py) replaying
answers written in the real API's format: paging by continuation, a page whose content comes
in a later answer, a page without coordinates, fields missing, a page without template, a
network failure (French message, nothing imported), idempotent re-import, recorded answers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from store_helpers import fake_locate, project
from wiki_server import WIKI_DATA, answers, fake_wiki

from geo.cli import main
from geo.communs.wiki import api_url, import_wiki
from geo.errors import WikiImportError
from geo.settings import get_settings
from geo.store import ProjectFilter, ProjectStore
from geo.store.identity import Operator

OPERATOR = Operator("test")


@pytest.fixture
def store(store_url: str):
    opened = ProjectStore(store_url, locate=fake_locate)
    yield opened
    opened.close()


def _settings():
    return get_settings().__class__(**{**get_settings().__dict__, "offline": False})


def test_every_page_of_every_answer_is_imported(store: ProjectStore) -> None:
    with fake_wiki() as wiki:
        report = import_wiki(wiki.base_url, store, operator=OPERATOR, settings=_settings())
    # Three requests: the second carries the first answer's gcmcontinue, the third its rvcontinue.
    assert report.requests == 3 and len(wiki.requests) == 3
    assert wiki.requests[1]["gcmcontinue"] == "page|4755494445|104"
    assert wiki.requests[2]["rvcontinue"] == "104|9104"
    assert report.pages == 5 and report.created == 4
    assert [s["page"] for s in report.skipped] == ["Les communs"]  # no template
    found = {c.title: c for c in store.communs.list()}
    assert set(found) == {
        "Calculette solaire citoyenne",
        "Guide de l'autopartage villageois",
        "Bornes de recharge nettoyées",
        "Formation « Monter une centrale villageoise »",
    }
    solar = found["Calculette solaire citoyenne"]
    assert (solar.kind, solar.licence, solar.themes) == ("outil", "AGPL-3.0-or-later", ["energie"])
    assert (solar.lat, solar.lon) == (45.1885, 5.7245)
    assert solar.external_id == "https://wiki.fabrique.test/wiki/Calculette_solaire_citoyenne"
    assert solar.source == "wiki:127.0.0.1"
    # No coordinates on the guide's page: no point, imported all the same.
    guide = found["Guide de l'autopartage villageois"]
    assert (guide.lat, guide.lon, guide.kind, guide.licence) == (
        None,
        None,
        "methode",
        "CC-BY-SA-4.0",
    )
    # Titre and url missing: the page's title, no address; the page is still its id.
    data = found["Bornes de recharge nettoyées"]
    assert data.url is None and data.kind == "donnees" and data.themes == ["mobilite", "energie"]
    # Its content came in the third answer; unreadable coordinates and licence are warned about.
    training = found["Formation « Monter une centrale villageoise »"]
    assert training.url == "https://formation-centrales.exemple.org/" and training.lat is None
    assert training.kind == "formation" and training.licence is None
    said = " ".join(w["warning"] for w in report.warnings)
    assert "coordonnées illisibles" in said and "licence non reconnue" in said


def test_importing_again_changes_nothing_and_links_projects(store: ProjectStore) -> None:
    url = "https://calculette-solaire.exemple.org"  # as a project types it, without the slash
    pid, _ = store.add(project(commons=[url]), actor=OPERATOR, status="publie")
    with fake_wiki() as wiki:
        import_wiki(wiki.base_url, store, operator=OPERATOR, settings=_settings())
        version = store.data_version()
        again = import_wiki(wiki.base_url, store, operator=OPERATOR, settings=_settings())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert store.data_version() == version
    solar = next(c for c in store.communs.list() if c.title.startswith("Calculette"))
    assert solar.reused_by == [pid]
    assert store.count(ProjectFilter(commun=solar.id)) == 1


def test_a_changed_page_updates_its_commun(store: ProjectStore) -> None:
    replies = answers()
    with fake_wiki(replies) as wiki:
        import_wiki(wiki.base_url, store, operator=OPERATOR, settings=_settings())
    page = replies[0]["query"]["pages"][0]["revisions"][0]["slots"]["main"]
    page["content"] = page["content"].replace("Calculette solaire citoyenne", "Calculette 2")
    with fake_wiki(replies) as wiki:
        report = import_wiki(wiki.base_url, store, operator=OPERATOR, settings=_settings())
    assert (report.created, report.updated, report.unchanged) == (0, 1, 3)
    assert "Calculette 2" in {c.title for c in store.communs.list()}
    entries = [e for e in store.audit() if e.action == "commun_update"]
    assert len(entries) == 1 and entries[0].after["title"] == "Calculette 2"
    assert entries[0].actor == "operateur:test" and entries[0].subject.startswith("commun:")


def test_a_network_failure_imports_nothing_and_says_so_in_french(store: ProjectStore) -> None:
    before = store.data_version()
    with fake_wiki(fail_at=2) as wiki, pytest.raises(WikiImportError) as raised:
        import_wiki(wiki.base_url, store, operator=OPERATOR, settings=_settings())
    assert "rien n'a été importé" in str(raised.value)
    assert store.communs.list() == [] and store.data_version() == before
    with store.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM actors")).scalar_one() == 0


def test_an_api_error_imports_nothing(store: ProjectStore) -> None:
    with fake_wiki(category="Category:Autre") as wiki, pytest.raises(WikiImportError) as raised:
        import_wiki(wiki.base_url, store, operator=OPERATOR, settings=_settings())
    assert "badvalue" in str(raised.value) and store.communs.list() == []


def test_offline_the_network_is_not_asked(store: ProjectStore) -> None:
    offline = get_settings().__class__(**{**get_settings().__dict__, "offline": True})
    with fake_wiki() as wiki, pytest.raises(WikiImportError, match="hors connexion"):
        import_wiki(wiki.base_url, store, operator=OPERATOR, settings=offline)
    assert wiki.requests == []


def test_recorded_answers_replay_without_network(store: ProjectStore, tmp_path: Path) -> None:
    report = import_wiki("https://wiki.fabrique.test", store, operator=OPERATOR, recorded=WIKI_DATA)
    assert report.created == 4 and report.requests == 3
    # An answer missing half-way: nothing written.
    partial = tmp_path / "partiel"
    partial.mkdir()
    shutil.copy(WIKI_DATA / "0001.json", partial / "0001.json")
    other = ProjectStore(f"sqlite:///{tmp_path / 'autre.sqlite'}", locate=fake_locate)
    with pytest.raises(WikiImportError, match="manquante"):
        import_wiki("https://wiki.fabrique.test", other, operator=OPERATOR, recorded=partial)
    assert other.communs.list() == []
    other.close()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            "https://wiki.lafabriquedesmobilites.fr",
            "https://wiki.lafabriquedesmobilites.fr/api.php",
        ),
        ("https://wiki.exemple.fr/w/", "https://wiki.exemple.fr/w/api.php"),
        ("https://wiki.exemple.fr/w/api.php", "https://wiki.exemple.fr/w/api.php"),
    ],
)
def test_api_address(given: str, expected: str) -> None:
    assert api_url(given) == expected


def test_a_bad_address_is_refused() -> None:
    with pytest.raises(WikiImportError, match="adresse d'un wiki"):
        api_url("wiki.exemple.fr")


def test_the_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # noqa: ANN001
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'registre.sqlite'}")
    monkeypatch.setenv("GEO_OFFLINE", "0")
    with fake_wiki() as wiki:
        assert main(["communs", "import-wiki", wiki.base_url, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["created"] == 4 and report["requests"] == 3
    assert main(["communs", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {tuple(sorted(c)) for c in listed} == {
        ("id", "kind", "licence", "produced_by", "reused_by", "title", "url")
    }
    with fake_wiki(fail_at=1) as wiki:
        assert main(["communs", "import-wiki", wiki.base_url]) == 1
    assert "rien n'a été importé" in capsys.readouterr().err
