"""``python -m geo actors …`` and ``communs add|list``: the JSON shapes other checks rely on,
operator writes, French errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from store_helpers import fake_locate, project

from geo.cli import main
from geo.store import ProjectStore
from geo.store.identity import Operator


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'registre.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    store = ProjectStore(url, locate=fake_locate)
    carriers = [{"name": "Énergie des Pentes", "type": "association"}]
    store.add(
        project(carriers=carriers, commons=["https://outil.example.org"]),
        actor=Operator("t"),
        status="publie",
    )
    store.add(
        project(title="B", carriers=[{"name": "Energie des Pente", "type": "association"}]),
        actor=Operator("t"),
        status="publie",
    )
    store.close()
    return url


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> object:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_actors_list_duplicates_merge(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    listed = _json(capsys, ["actors", "list", "--json"])
    assert [sorted(a) for a in listed] == [["id", "name", "projects", "siren", "type"]] * 2
    (pair,) = _json(capsys, ["actors", "duplicates", "--json"])
    assert pair["reason"] == "noms très proches"
    merged = _json(
        capsys, ["actors", "merge", str(pair["first"]["id"]), str(pair["second"]["id"]), "--json"]
    )
    assert sorted(merged["projects"]) == [1, 2]
    assert _json(capsys, ["actors", "duplicates", "--json"]) == []


def test_communs_add_and_list(database: str, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    path = tmp_path / "communs.json"
    path.write_text(
        json.dumps(
            [
                {
                    "title": "Outil",
                    "kind": "logiciel",
                    "licence": "MIT",
                    "url": "https://outil.example.org/",
                }
            ]
        ),
        encoding="utf-8",
    )
    assert _json(capsys, ["communs", "add", "--json-file", str(path), "--json"])["created"] == 1
    (commun,) = _json(capsys, ["communs", "list", "--json"])
    assert commun == {
        "id": 1,
        "title": "Outil",
        "kind": "outil",
        "url": "https://outil.example.org/",
        "licence": "MIT",
        "reused_by": [1],
        "produced_by": [],
    }
    path.write_text('[{"title": "Sans licence connue", "licence": "à voir"}]', encoding="utf-8")
    assert main(["communs", "add", "--json-file", str(path)]) == 1
    assert "licence inconnue" in capsys.readouterr().err
    assert main(["actors", "merge", "1", "1"]) == 1
    assert "lui-même" in capsys.readouterr().err
