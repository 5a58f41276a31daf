"""The command line never shows a traceback: a broken store, a full disk during an export and
an import that runs out of memory are each a French sentence saying what to do (exit 1)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from broken_stores import cannot_be_opened, filled, malformed, not_a_database, read_only
from limited import run_geo_limited
from store_helpers import project

from geo.cli import main

CASES: dict[str, tuple[Callable[[Path], str], list[str], str]] = {
    "not a database": (not_a_database, ["projects", "list"], "sauvegarde"),
    "malformed": (malformed, ["projects", "list", "--json"], "sauvegarde"),
    "cannot be opened": (cannot_be_opened, ["projects", "list"], "droits"),
    "read only": (read_only, ["projects", "add", "--json-file", "{project}"], "droits"),
}


def _french_only(stderr: str, folder: Path) -> None:
    assert stderr.startswith("Erreur : "), stderr
    assert "Traceback" not in stderr and str(folder) not in stderr, stderr


@pytest.mark.usefixtures("geo_env")
@pytest.mark.parametrize("case", list(CASES))
def test_a_broken_store_is_one_french_sentence(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make, argv, advice = CASES[case]
    monkeypatch.setenv("DATABASE_URL", make(tmp_path))
    data = tmp_path / "projet.json"
    data.write_text(json.dumps(project()), encoding="utf-8")
    assert main([arg.replace("{project}", str(data)) for arg in argv]) == 1
    captured = capsys.readouterr()
    _french_only(captured.err, tmp_path)
    assert "registre des projets" in captured.err and advice in captured.err


@pytest.mark.usefixtures("geo_env")
def test_a_full_disk_during_a_geopackage_export(tmp_path: Path) -> None:
    store = filled(tmp_path, count=300)
    out = tmp_path / "export" / "projets.gpkg"
    out.parent.mkdir()
    out.write_bytes(b"previous export")
    env = {"DATABASE_URL": f"sqlite:///{store}", "GEO_DEMO": "0"}
    done = run_geo_limited("fsize", 64 * 1024, ["projects", "export", "--format", "gpkg",
                                                "--out", str(out)], env=_env(env))  # fmt: skip
    assert done.returncode == 1, done.stderr
    _french_only(done.stderr, tmp_path / "export" / "..")
    assert "espace" in done.stderr and "projets.gpkg" in done.stderr
    assert out.read_bytes() == b"previous export"  # the previous file is intact
    assert [p.name for p in out.parent.iterdir()] == ["projets.gpkg"]  # no partial file left


@pytest.mark.usefixtures("geo_env")
def test_an_import_out_of_memory(tmp_path: Path) -> None:
    big = tmp_path / "gros.geojson"
    point = {"type": "Point", "coordinates": [5.72, 45.18]}
    properties = {"title": "Projet", "themes": "energie", "summary": "x" * 200}
    feature = {"type": "Feature", "geometry": point, "properties": properties}
    big.write_text(json.dumps({"type": "FeatureCollection", "features": [feature] * 60_000}))
    # Under the size limit (raised for the test): the memory runs out while reading.
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'projets.sqlite'}", "GEO_DEMO": "0",
           "GEO_IMPORT_MAX_MB": "100"}  # fmt: skip
    done = run_geo_limited("memory", 96 * 1024 * 1024, ["projects", "import", str(big)],
                           env=_env(env))  # fmt: skip
    assert done.returncode == 1, done.stderr[-3000:]
    _french_only(done.stderr, tmp_path)
    assert "Mémoire insuffisante pour importer gros.geojson : rien n'a été écrit" in done.stderr


def _env(extra: dict[str, str]) -> dict[str, str]:
    import os

    return dict(os.environ) | extra
