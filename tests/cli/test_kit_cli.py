"""``python -m geo kit build LEVEL:CODE --out DIR``, in process on the small mirror: the JSON
report, the sentence saying how to use the kit, French refusals with exit code 1, and the
round trip of a kit's ideas through ``projects export`` and ``projects import``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo.cli import main
from geo.settings import get_settings
from geo.store import ProjectStore
from geo.store.identity import Operator
from geo.territory import TerritoryRef, load_territories
from geo.territory.loading import forget_loaded


@pytest.fixture
def database(geo_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'projets.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("GEO_DEMO", "0")
    store = ProjectStore(url, locate=load_territories(get_settings()))
    store.add(
        {"title": "Toits solaires", "themes": ["energie"], "lat": 45.1885, "lon": 5.7245},
        actor=Operator("essai"),
        status="publie",
    )
    store.close()
    return url


def test_build_prints_its_report_and_how_to_use_the_kit(
    database: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "kit"
    data_only = ["--no-wheelhouse"]  # the wheels: tests/e2e/test_kit_browser.py
    assert main(["kit", "build", "epci:200040715", "--out", str(out), "--json", *data_only]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["territory"] == "epci:200040715" and report["projects"] == 1
    assert report["communes"] > 49 and "epci:200018166" in report["neighbours"]
    assert report["size_bytes"] > 0 and report["seconds"] > 0
    assert set(report["datasets"]) >= {"irve", "covoiturage", "production"}
    assert f"GEO_OFFLINE=1 GEO_DATA_DIR={out}" in captured.err
    assert (out / "kit.json").is_file()
    # Without --json: French lines for a person.
    assert main(["kit", "build", "epci:200040715", "--out", str(out), *data_only]) == 0
    text = capsys.readouterr().out
    assert "Kit de Grenoble-Alpes-Métropole (epci:200040715)" in text and "communes" in text

    # Ideas of the kit's workshop come back into the main store, once.
    monkeypatch.delenv("DATABASE_URL")
    monkeypatch.setenv("GEO_DATA_DIR", str(out))
    monkeypatch.setenv("GEO_OFFLINE", "1")
    monkeypatch.delenv("GEO_DATA_MIRROR")
    forget_loaded()
    kit_store = ProjectStore(locate=load_territories(get_settings()))
    tour, key = kit_store.tours.create("Dans le train")
    session = kit_store.workshops.open(
        tour, territory=TerritoryRef("epci", "200040715"), per_minute=3, cap=10, token=key
    )
    kit_store.workshops.contribute(
        session.code,
        {"title": "Un abri vélo", "themes": ["mobilite"], "lat": 45.19, "lon": 5.72},
        participant="p",
    )
    kit_store.close()
    ideas = tmp_path / "idees.csv"
    assert (
        main(["projects", "export", "--format", "csv", "--source", "atelier", "--out", str(ideas)])
        == 0
    )
    capsys.readouterr()
    monkeypatch.undo()
    forget_loaded()
    monkeypatch.setenv("DATABASE_URL", database)
    for created in (1, 0):
        assert main(["projects", "import", str(ideas), "--status", "propose", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["created"] == created
    store = ProjectStore(database, locate=lambda lat, lon: None)
    (idea,) = [p for p in store.query().items if p.source == "atelier"]
    assert idea.status == "propose" and idea.external_id == f"{session.code}-1"
    store.close()


@pytest.mark.parametrize(
    ("territory", "expected"),
    [("epci:999999999", "n'a le code"), ("pays:FR", "Niveau de territoire inconnu")],
)
def test_a_bad_territory_is_refused_in_french(
    database: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    territory: str,
    expected: str,
) -> None:
    assert main(["kit", "build", territory, "--out", str(tmp_path / "kit")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Erreur : ") and expected in err
    assert not (tmp_path / "kit").exists()


def test_a_folder_that_is_not_a_kit_is_never_replaced(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    busy = tmp_path / "documents"
    busy.mkdir()
    (busy / "notes.txt").write_text("à garder", encoding="utf-8")
    assert main(["kit", "build", "commune:38185", "--out", str(busy)]) == 1
    assert "n'est pas un kit" in capsys.readouterr().err
    assert (busy / "notes.txt").read_text(encoding="utf-8") == "à garder"
