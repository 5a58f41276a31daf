"""``python -m geo bench load`` on both engines, small: the contract of its output and nothing
lost (never a timing asserted: throughput is the benchmark's business, at 100,000 projects)."""

from __future__ import annotations

import json
import os

import pytest
from store_helpers import ENGINES

from geo.cli import main


@pytest.mark.parametrize("engine", ENGINES)
def test_bench_load_reports_its_contract(
    engine: str,
    geo_env: dict[str, str],
    request: pytest.FixtureRequest,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("GEO_DATA_DIR", "GEO_DATA_MIRROR"):  # the benchmark moves them: undone after
        monkeypatch.setenv(name, os.environ[name])
    args = ["bench", "load", "--engine", engine, "--projects", "1500", "--workers", "3",
            "--seconds", "2", "--mirror", geo_env["GEO_DATA_MIRROR"], "--json"]  # fmt: skip
    if engine == "postgresql":  # a scratch database on the tests' server, dropped after
        args += ["--database-url", request.getfixturevalue("postgres_server").admin_url]
    assert main(args) == 0
    result = json.loads(capsys.readouterr().out)
    assert {"engine", "workers", "seconds", "ops", "per_op", "acknowledged_writes",
            "found_writes"} <= set(result)  # fmt: skip
    assert (result["engine"], result["workers"], result["seconds"]) == (engine, 3, 2.0)
    assert set(result["per_op"]) == {"filter", "submission", "moderation"}
    for figures in result["per_op"].values():
        assert {"per_s", "p50_ms", "p95_ms"} <= set(figures)
        assert figures["errors"] == 0
    assert result["ops"] == sum(f["count"] for f in result["per_op"].values()) > 0
    assert result["per_op"]["filter"]["count"] > result["per_op"]["submission"]["count"]
    assert result["acknowledged_writes"] == result["found_writes"] > 0
    assert result["projects"] == 1500
