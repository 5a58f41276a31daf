"""``python -m geo projects add|list`` and ``bench projects``, in process, on the real mirror."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from store_helpers import project

from geo.cli import main
from geo.store.project_store import ProjectStore


@pytest.fixture
def database(geo_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'projets.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def write(tmp_path: Path, data: object, name: str = "projet.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_add_prints_id_and_token(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["projects", "add", "--json-file", write(tmp_path, project()), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["project"]["code_commune"] == "38185"  # located by the real territory engine
    assert out["project"]["status"] == "propose"
    assert "contact_email" not in out["project"]
    store = ProjectStore(database, locate=lambda lat, lon: None)
    assert store.verify_token(out["id"], out["token"])
    store.close()

    assert main(["projects", "add", "--json-file", write(tmp_path, project())]) == 0
    text = capsys.readouterr().out
    assert "Projet enregistré : n°2 (proposé)" in text and "Jeton d'édition" in text


def test_add_publishes_nothing_and_overwrites_nothing(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An add creates a proposed project; a taken source + external id is refused in French."""
    with pytest.raises(SystemExit):  # no --status: publishing is the operator's command
        main(["projects", "add", "--json-file", write(tmp_path, project()), "--status", "publie"])
    capsys.readouterr()
    first = project(source="atelier", external_id="p1")
    assert main(["projects", "add", "--json-file", write(tmp_path, first)]) == 0
    capsys.readouterr()
    taken = project(source="atelier", external_id="p1", title="Pris", contact_email=None)
    assert main(["projects", "add", "--json-file", write(tmp_path, taken)]) == 1
    assert "identifiant externe : Un projet de cette source a déjà" in capsys.readouterr().err
    store = ProjectStore(database, locate=lambda lat, lon: None)
    kept = store.get(1)
    assert (kept.title, kept.contact_email) == (first["title"], first["contact_email"])
    assert [e.action for e in store.audit(1)] == ["create"] and store.count() == 1
    store.close()


def test_status_is_an_operator_command_named_in_the_audit_log(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import getpass

    assert main(["projects", "add", "--json-file", write(tmp_path, project())]) == 0
    assert main(["projects", "status", "1", "publie"]) == 0
    assert "Projet n°1 : publié" in capsys.readouterr().out
    store = ProjectStore(database, locate=lambda lat, lon: None)
    entry = store.audit(1)[-1]
    assert (entry.action, entry.actor) == ("status", f"operateur:cli:{getpass.getuser()}")
    store.close()
    assert main(["projects", "status", "9", "publie"]) == 1
    assert "Aucun projet n'a l'identifiant 9" in capsys.readouterr().err


def test_add_reports_every_error_in_french(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = project(title="", website="javascript:alert(1)", lat=40.4, lon=-3.7)
    assert main(["projects", "add", "--json-file", write(tmp_path, bad), "--json"]) == 1
    captured = capsys.readouterr()
    assert set(json.loads(captured.out)["errors"]) == {"title", "website", "location"}
    assert "titre : Champ obligatoire." in captured.err
    assert "hors de France" in captured.err


@pytest.mark.parametrize(
    ("content", "message"),
    [("{pas du json", "JSON invalide"), (None, "Fichier introuvable"), ("[1, 2]", "objet JSON")],
)
def test_add_unreadable_file(
    database: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str | None,
    message: str,
) -> None:
    path = tmp_path / "projet.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    assert main(["projects", "add", "--json-file", str(path)]) == 1
    assert message in capsys.readouterr().err


def test_list_every_status_unless_asked(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["projects", "add", "--json-file", write(tmp_path, project(title="Proposé"))])
    main(["projects", "add", "--json-file", write(tmp_path, project(title="Publié"))])
    main(["projects", "status", "2", "publie"])
    capsys.readouterr()
    assert main(["projects", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [p["title"] for p in listed] == ["Publié", "Proposé"]
    assert all("contact_email" not in p for p in listed)
    assert main(["projects", "list", "--status", "publie", "--json"]) == 0
    assert [p["title"] for p in json.loads(capsys.readouterr().out)] == ["Publié"]
    assert main(["projects", "list"]) == 0
    assert "Publié" in capsys.readouterr().out


def test_bench_projects_small(geo_env: dict[str, str]) -> None:
    from reference import territories

    from geo.bench.projects import bench_projects

    result = bench_projects(territories(), count=500, repeat=1, import_rows=200)
    assert result["projects"] == 500
    assert {"filter_ms", "import_10k_seconds"} <= set(result)
    assert result["filter_ms"] > 0
