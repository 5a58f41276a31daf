"""The CLI names the benchmarks without importing the bench package: both lists agree."""

from __future__ import annotations

from geo import bench, cli


def test_the_cli_offers_every_benchmark_and_only_those() -> None:
    assert list(cli._BENCH_TARGETS) == list(bench.TARGETS)
