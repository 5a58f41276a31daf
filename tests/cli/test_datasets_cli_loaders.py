"""``python -m geo datasets list|load`` for production, consommation, stationnement_velo and
amenagements_cyclables: the CLI is generic over the catalogue, this checks it on their files."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from reference import MIRROR

from geo import cli

FILES = {
    "production": (
        "odre.opendatasoft.com/api/explore/v2.1/catalog/datasets/"
        "registre-national-installation-production-stockage-electricite-agrege/exports/json",
        (31, 30, 0),
    ),
    "consommation": (
        "opendata.agenceore.fr/api/explore/v2.1/catalog/datasets/"
        "conso-elec-gaz-annuelle-par-secteur-dactivite-agregee-commune/exports/csv",
        (1575, 1575, 0),
    ),
    "stationnement_velo": (
        "raw.githubusercontent.com/etalab/schema-stationnement-cyclable/v1.1.2/exemple-valide.csv",
        (1, 1, 0),
    ),
    "amenagements_cyclables": (
        "raw.githubusercontent.com/etalab/amenagements-cyclables/v0.3.5/exemple-valide.json",
        (1, 1, 0),
    ),
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_says_which_files_are_schema_examples(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "datasets", "list", "--json")
    examples = {row["id"]: row["schema_example"] for row in json.loads(out)}
    assert code == 0
    assert examples == {
        "irve": False,
        "covoiturage": False,
        "production": False,
        "consommation": False,
        "stationnement_velo": True,
        "amenagements_cyclables": True,
    }


@pytest.mark.parametrize("dataset", sorted(FILES))
def test_load_with_the_official_schema_and_write_every_format(
    capsys: pytest.CaptureFixture[str], geo_env: dict[str, str], tmp_path: Path, dataset: str
) -> None:
    path, counts = FILES[dataset]
    out = tmp_path / f"{dataset}.parquet"
    code, stdout, err = run(
        capsys, "datasets", "load", dataset, str(MIRROR / path), "--out", str(out), "--json"
    )
    assert code == 0, err
    report = json.loads(stdout)
    assert (report["rows_read"], report["rows_kept"], report["rows_rejected"]) == counts
    # The official schema (Table Schema, or the lanes' JSON Schema) was found and used.
    assert not any("schéma officiel indisponible" in w for w in report["warnings"])
    frame = gpd.read_parquet(out)
    assert len(frame) == counts[1] and frame.crs.to_epsg() == 4326
    assert {"code_commune", "code_epci", "code_departement", "code_region"} <= set(frame.columns)
    for suffix in (".geojson", ".csv"):
        target = tmp_path / f"{dataset}{suffix}"
        code, _, err = run(
            capsys, "datasets", "load", dataset, str(MIRROR / path), "--out", str(target)
        )
        assert code == 0, err
        assert target.stat().st_size > 0
    table = pd.read_csv(tmp_path / f"{dataset}.csv", dtype=str)
    assert len(table) == counts[1]


def test_contract_columns(
    capsys: pytest.CaptureFixture[str], geo_env: dict[str, str], tmp_path: Path
) -> None:
    """The issue's CLI contract: the columns each output has at least."""
    wanted = {
        "production": {
            "nom_installation",
            "filiere",
            "technologie",
            "puissance_kw",
            "nb_installations",
        },
        "consommation": {"annee", "filiere", "conso_residentiel_mwh", "conso_totale_mwh"},
    }
    for dataset, columns in wanted.items():
        out = tmp_path / f"{dataset}.parquet"
        path = MIRROR / FILES[dataset][0]
        assert run(capsys, "datasets", "load", dataset, str(path), "--out", str(out))[0] == 0
        assert columns <= set(gpd.read_parquet(out).columns)
