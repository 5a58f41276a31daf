"""``python -m geo bench portrait`` on the small mirror: the figures it reports (never a timing
asserted: the budgets are the benchmark's business, on all of France)."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from geo.cli import main


def test_bench_portrait_reports_its_contract(
    geo_env: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    if shutil.which("chromium") is None:
        pytest.skip("system Chromium not found: the benchmark prints the sheet as PDF")
    # The benchmark points the process at a data directory of its mirror: undone afterwards.
    for name in ("GEO_DATA_DIR", "GEO_DATA_MIRROR"):
        monkeypatch.setenv(name, os.environ[name])
    code = main(
        ["bench", "portrait", "--mirror", geo_env["GEO_DATA_MIRROR"], "--repeat", "1", "--json"]
    )
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert {"commune_seconds", "region_seconds", "sheet_pdf_seconds"} <= set(result)
    assert all(
        result[key] > 0 for key in ("commune_seconds", "region_seconds", "sheet_pdf_seconds")
    )
    assert result["commune"] == "commune:38185" and result["region"] == "region:84"
    assert result["commune_neighbours"] == 10 and result["sheet_pdf_bytes"] > 10_000
    assert "covoiturage" in result["datasets_loaded"]
