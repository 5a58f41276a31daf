"""The national-size IRVE benchmark: its generated file and a small run of it."""

from __future__ import annotations

from pathlib import Path

from reference import MIRROR

from geo.bench.datasets import HEADER, bench_datasets, generate_irve

EXCERPT = MIRROR / "www.data.gouv.fr/fr/datasets/r/2729b192-40ab-4454-904d-735084dca3a3"


def test_generated_file_has_the_official_52_columns(tmp_path: Path) -> None:
    real_header = EXCERPT.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert HEADER == real_header and len(HEADER) == 52
    path = tmp_path / "irve.csv"
    expected = generate_irve(path, 500, seed=1)
    assert expected["rows"] == 500
    assert expected["kept"] + expected["rejected"] + expected["duplicates"] == 500
    assert path.read_text(encoding="utf-8").splitlines()[0].split(",") == HEADER


def test_small_benchmark_run_finds_exactly_the_planted_faults(geo_env: dict[str, str]) -> None:
    result = bench_datasets(rows=3000)
    assert result["rows"] == 3000
    assert result["counts_as_expected"], result
    assert result["load_seconds"] > 0 and result["peak_rss_mb"] > 0
    assert {"coordonnees_inversees", "puissance_en_watts", "date_fictive"} <= set(result["repairs"])
