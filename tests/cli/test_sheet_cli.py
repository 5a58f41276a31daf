"""``python -m geo territory sheet``: the portrait's JSON contract, the HTML and PDF sheets,
and bad input (unknown territory, unknown format) refused in French with nothing written."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from reference import require_mirror

from geo.cli import main
from geo.store import ProjectStore
from geo.store.identity import Operator
from geo.territory import load_territories

METRO = "200040715"
INDICATOR_KEYS = {"id", "label", "unit", "value", "per_10k", "source", "date", "reason",
                  "parent", "national", "neighbours", "rank_among_neighbours"}  # fmt: skip


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    mirror = require_mirror()
    folder = tmp_path_factory.mktemp("sheet-cli")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GEO_DATA_MIRROR", str(mirror))
        patch.setenv("GEO_DATA_DIR", str(folder / "data"))
        patch.setenv("GEO_OFFLINE", "1")
        patch.setenv("DATABASE_URL", f"sqlite:///{folder / 'projets.sqlite'}")
        store = ProjectStore(locate=load_territories())
        base = {"themes": ["energie"], "categories": ["solaire"], "stage": "en_service",
                "source": "essai-fiche"}  # fmt: skip
        store.add_many(
            [
                {
                    **base,
                    "external_id": "1",
                    "title": "Toits <script>x</script> de Grenoble",
                    "lat": 45.1885,
                    "lon": 5.7245,
                },
                {
                    **base,
                    "external_id": "2",
                    "title": "Chaleur de Crolles",
                    "lat": 45.2849,
                    "lon": 5.8836,
                },
            ],  # fmt: skip
            actor=Operator("essai"),
            status="publie",
        )
        store.close()
        yield folder


@pytest.fixture
def chromium() -> str:
    """The system Chromium that prints the PDF (skipped without it, failed under CI)."""
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        message = "system Chromium not found: the PDF sheet cannot be printed"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_json_has_the_contract_shape(cli_env: Path, capsys) -> None:
    out = cli_env / "fiche.html"
    code, stdout, stderr = run(
        ["territory", "sheet", f"epci:{METRO}", "--out", str(out), "--json"], capsys
    )
    assert code == 0, stderr
    data = json.loads(stdout)
    assert set(data) >= {"territory", "projects", "indicators", "neighbours"}
    territory = data["territory"]
    assert set(territory) >= {"level", "code", "nom", "population", "area_km2", "parents"}
    assert (territory["level"], territory["code"]) == ("epci", METRO)
    assert territory["nom"] == "Grenoble-Alpes-Métropole"
    assert [p["code"] for p in territory["parents"]] == ["38", "84"]
    assert data["projects"]["total"] == 1
    assert data["projects"]["by_theme"] == {"energie": 1, "mobilite": 0}
    assert set(data["projects"]["by_stage"]) == {"idee", "en_projet", "en_service", "termine"}
    assert {n["code"] for n in data["neighbours"]} >= {"200018166"}  # Le Grésivaudan
    assert all(set(n) == {"level", "code", "nom"} for n in data["neighbours"])
    for row in data["indicators"]:
        assert set(row) >= INDICATOR_KEYS
        assert (row["value"] is None) == (row["reason"] is not None), row["id"]
        assert set(row["national"]) >= {"value"}
        assert all(set(n) >= {"code", "nom", "value"} for n in row["neighbours"])
        assert row["rank_among_neighbours"] is None or row["rank_among_neighbours"] >= 1
    places = next(r for r in data["indicators"] if r["id"] == "covoiturage.places")
    assert places["value"] > 0 and places["parent"]["code"] == "38"
    assert "ODbL" in places["attribution"] and places["source"].startswith("Lieux de covoit")
    assert places["rank_among_neighbours"] == 1 + sum(
        n["value"] > places["value"] for n in places["neighbours"] if n["value"] is not None
    )
    # The Agence ORE excerpt covers départements 61 to 72: not Isère.
    consumption = [r for r in data["indicators"] if r["id"].startswith("consommation.")]
    assert consumption and all(r["value"] is None and r["reason"] for r in consumption)
    assert "écrite" in stderr and out.is_file()


def test_html_sheet_is_self_contained_and_escapes_user_text(cli_env: Path, capsys) -> None:
    out = cli_env / "fiche-metro.html"
    code, _, stderr = run(["territory", "sheet", f"epci:{METRO}", "--out", str(out)], capsys)
    assert code == 0, stderr
    text = out.read_text(encoding="utf-8")
    assert "Grenoble-Alpes-Métropole" in text
    # Nothing is fetched: no script, no external style sheet, font, picture or frame.
    assert "<script" not in text.replace("&lt;script&gt;", "")
    assert not re.search(r"<(link|img|iframe|object|embed)\b", text)
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", text.split("<body")[0])
    assert not re.search(r"url\(|@import", text)
    assert "Toits &lt;script&gt;x&lt;/script&gt; de Grenoble" in text
    assert "© les contributeurs de la BNLC" in text and "ODbL" in text
    assert "@page" in text and "break-before: page" in text
    assert "counter(page)" in text  # the footer of every page


def test_pdf_sheet_has_the_territory_name(cli_env: Path, capsys, chromium: str) -> None:
    from pypdf import PdfReader

    out = cli_env / "fiche.pdf"
    code, _, stderr = run(["territory", "sheet", "commune:38185", "--out", str(out)], capsys)
    assert code == 0, stderr
    reader = PdfReader(out)
    assert len(reader.pages) >= 3
    pages = [page.extract_text() for page in reader.pages]
    assert "Grenoble" in pages[0]
    assert reader.pages[0].mediabox.width == pytest.approx(595, abs=2)  # A4 portrait
    for text in pages:  # title, edition date and sources at the foot of every page
        assert "Portrait de territoire" in text and "Sources" in text
        assert re.search(r"page \d+ / \d+", text)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["commune:99999", "--out", "x.html"], "Aucun territoire"),
        (["banane:12", "--out", "x.html"], "Niveau de territoire inconnu"),
        ([f"epci:{METRO}", "--out", "x.docx"], "Format de fiche inconnu"),
        ([f"epci:{METRO}"], "Indiquez --out"),
    ],
)
def test_bad_input_is_refused_in_french_and_nothing_is_written(
    cli_env: Path, capsys, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(cli_env)
    code, stdout, stderr = run(["territory", "sheet", *args], capsys)
    assert code == 1 and stdout == ""
    assert message in stderr and "Traceback" not in stderr
    assert not (cli_env / "x.html").exists() and not (cli_env / "x.docx").exists()
