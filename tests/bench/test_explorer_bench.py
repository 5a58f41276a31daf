"""``python -m geo bench explorer``: its keys and figures on a small generated IRVE file."""

from __future__ import annotations

import json

import pytest

from geo.cli import main


def test_bench_explorer_small(
    geo_env: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The benchmark runs in a child process (benchmarks/explorer.py) on the mirror it is
    # given; the variables it sets for its child are restored after the test.
    for name in ("GEO_DATA_MIRROR", "GEO_DATA_DIR"):
        monkeypatch.setenv(name, geo_env[name])
    args = ["--points", "3000", "--repeat", "1", "--json", "--mirror", geo_env["GEO_DATA_MIRROR"]]
    code = main(["bench", "explorer", *args])
    out, err = capsys.readouterr()
    assert code == 0, err
    result = json.loads(out)
    keys = ["points", "national_view_bytes", "rerun_seconds", "baseline_bytes"]
    assert list(result)[:5] == [*keys, "baseline_rerun_seconds"]
    assert 2000 < result["points"] <= 3000
    # Ours carries the département outlines too (the baseline has none): compare the overlays.
    assert 0 < result["overlay_bytes"] < result["baseline_bytes"]
    assert result["national_view_bytes"] < 1_500_000
    assert result["rerun_seconds"] > 0 and result["baseline_rerun_seconds"] > 0
    assert result["vendor_bytes_loaded_once"] > 100_000  # leaflet.js + leaflet.css, local
    assert result["paris_points_view_mode"] == "points"
    assert any("cdn" in url for url in result["baseline_external_links"])
