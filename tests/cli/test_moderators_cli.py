"""``python -m geo moderators list|add|remove|scope`` and ``projects moderate``, in process, on
the real mirror (scopes are resolved by the territory reference)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from reference import ROOT
from store_helpers import project

from geo.cli import main
from geo.store.project_store import ProjectStore

PARIS = {"lat": 48.8566, "lon": 2.3522}


@pytest.fixture
def database(geo_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'projets.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    assert main([*argv, "--json"]) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def add_project(tmp_path: Path, capsys: pytest.CaptureFixture[str], **changes: object) -> int:
    path = tmp_path / "projet.json"
    path.write_text(json.dumps(project(**changes)), encoding="utf-8")
    return int(run_json(capsys, "projects", "add", "--json-file", str(path))["id"])


def test_add_prints_a_password_once_and_stores_its_hash(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = run_json(capsys, "moderators", "add", "camille", "--scope", "departement:38")
    assert out["scopes"] == ["departement:38"] and len(out["password"]) >= 20
    store = ProjectStore(database, locate=lambda lat, lon: None)
    assert store.moderators.log_in("camille", out["password"]).name == "camille"
    store.close()
    listed = run_json(capsys, "moderators", "list")
    assert [(a["name"], a["scopes"], a["oidc"]) for a in listed] == [
        ("camille", ["departement:38"], False)
    ]
    assert out["password"] not in json.dumps(listed)
    assert main(["moderators", "list"]) == 0
    text = capsys.readouterr().out
    assert "camille" in text and "département 38" in text and out["password"] not in text


def test_add_in_text_says_the_password_will_not_be_shown_again(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["moderators", "add", "dominique"]) == 0
    out = capsys.readouterr().out
    assert "toute la France" in out and "il ne sera plus affiché" in out
    assert main(["moderators", "add", "dominique"]) == 1
    assert "déjà" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("scope", "message"),
    [
        ("departement", "NIVEAU:CODE"),
        ("canton:38", "Niveau de territoire inconnu"),
        ("departement:99", "inconnu"),
    ],
)
def test_bad_scopes_are_refused_in_french(
    database: str, capsys: pytest.CaptureFixture[str], scope: str, message: str
) -> None:
    assert main(["moderators", "add", "camille", "--scope", scope]) == 1
    assert message in capsys.readouterr().err
    assert run_json(capsys, "moderators", "list") == []


def test_scope_replace_everywhere_and_remove(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run_json(capsys, "moderators", "add", "camille")
    # An old commune code (Saint-Martin-d'Hères stays itself; 38016 became 38479) is resolved.
    out = run_json(capsys, "moderators", "scope", "camille", "commune:38016", "epci:200040715")
    assert out["scopes"] == ["commune:38479", "epci:200040715"]
    assert run_json(capsys, "moderators", "scope", "camille", "--everywhere")["scopes"] == []
    assert main(["moderators", "scope", "camille"]) == 1
    assert "--everywhere" in capsys.readouterr().err
    run_json(capsys, "moderators", "remove", "camille")
    assert main(["moderators", "remove", "camille"]) == 1
    assert "Aucun modérateur ne s'appelle 'camille'" in capsys.readouterr().err


def test_moderate_within_scope_and_refused_outside(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_json(capsys, "moderators", "add", "isere", "--scope", "departement:38")
    grenoble = add_project(tmp_path, capsys)
    paris = add_project(tmp_path, capsys, title="Chaleur de Paris", **PARIS)
    assert main(["projects", "moderate", str(paris), "--approve", "--as", "isere"]) == 1
    err = capsys.readouterr().err
    assert "hors de votre territoire de modération (département 38)" in err
    assert "Traceback" not in err
    out = run_json(capsys, "projects", "moderate", str(grenoble), "--approve", "--as", "isere")
    assert out["status"] == "publie"
    assert main(["projects", "moderate", str(grenoble), "--reject", "Doublon", "--as",
                 "isere"]) == 1  # fmt: skip
    assert "aucune décision" in capsys.readouterr().err
    assert main(["projects", "moderate", str(paris), "--reject", "x", "--as", "personne"]) == 1
    assert "Aucun modérateur" in capsys.readouterr().err
    store = ProjectStore(database, locate=lambda lat, lon: None)
    assert store.get(paris).status == "propose"
    assert [(e.action, e.actor) for e in store.audit(grenoble)][-1] == (
        "approve", "moderateur:isere"
    )  # fmt: skip
    store.close()


def test_reject_needs_a_reason(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_json(capsys, "moderators", "add", "camille")
    pid = add_project(tmp_path, capsys)
    assert main(["projects", "moderate", str(pid), "--reject", " ", "--as", "camille"]) == 1
    assert "Indiquez la raison du refus" in capsys.readouterr().err
    out = run_json(capsys, "projects", "moderate", str(pid), "--reject", "Hors sujet", "--as",
                   "camille")  # fmt: skip
    assert out["status"] == "refuse"


def test_as_a_real_process(database: str, tmp_path: Path) -> None:
    """What other checks rely on: the command's exit code and its JSON on stdout."""
    done = subprocess.run(
        [sys.executable, "-m", "geo", "moderators", "add", "essai", "--scope", "departement:38",
         "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["password"]
    refused = subprocess.run(
        [sys.executable, "-m", "geo", "projects", "moderate", "999", "--approve", "--as",
         "essai"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert refused.returncode == 1
    assert "Aucun projet n'a l'identifiant 999" in refused.stderr
