"""The app benchmark's rerun part runs against the Explorer as it is: every filter change it
makes names a widget the page has (a renamed or re-typed widget fails here, not in a bench
run weeks later). Its figures are not checked: benchmarks are not timed tests."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from unittest import mock

from reference import ROOT


def _benchmark() -> object:
    path = ROOT / "benchmarks" / "app.py"
    spec = importlib.util.spec_from_file_location("bench_app_script", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_filter_change_of_the_benchmark_reruns_the_explorer(
    geo_env: dict[str, str], tmp_path: Path
) -> None:
    bench = _benchmark()
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'projets.sqlite'}", "GEO_OFFLINE": "1"}
    with mock.patch.dict(os.environ):
        result = bench.bench_reruns(env)
    assert len(result["rerun_seconds"]) == len(bench.FILTER_CHANGES)
    assert result["commune_indicator_drawn"] is True
