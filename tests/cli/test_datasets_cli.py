"""``python -m geo datasets list|load`` through ``geo.cli``."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from reference import MIRROR

from geo import cli

EXCERPT = MIRROR / "www.data.gouv.fr/fr/datasets/r/2729b192-40ab-4454-904d-735084dca3a3"
BNLC = (
    MIRROR / "raw.githubusercontent.com/etalab/transport-base-nationale-covoiturage/main/bnlc-.csv"
)
REPORT_KEYS = [
    "dataset",
    "rows_read",
    "rows_kept",
    "rows_rejected",
    "repairs",
    "duplicates_removed",
    "rejections",
    "warnings",
    "line_warnings",
    "rows_outside",
]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_json_shows_every_dataset_with_loader_flag(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "datasets", "list", "--json")
    rows = json.loads(out)
    assert code == 0
    assert [row["id"] for row in rows] == [
        "irve",
        "covoiturage",
        "production",
        "consommation",
        "stationnement_velo",
        "amenagements_cyclables",
    ]
    assert rows[0]["loader"] == "geo.datasets.irve"
    bnlc = rows[1]
    assert bnlc["licence"].startswith("ODbL") and "BNLC" in bnlc["attribution"]


def test_list_human(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "datasets", "list")
    assert code == 0 and "irve" in out and "ODbL" in out
    velo = next(line for line in out.splitlines() if line.startswith("stationnement_velo"))
    assert "exemple officiel du schéma" in velo


def test_load_irve_excerpt_json_report(
    capsys: pytest.CaptureFixture[str], geo_env: dict[str, str], tmp_path: Path
) -> None:
    out_path = tmp_path / "irve.parquet"
    code, out, err = run(
        capsys, "datasets", "load", "irve", str(EXCERPT), "--out", str(out_path), "--json"
    )
    assert code == 0
    report = json.loads(out)
    assert list(report) == REPORT_KEYS
    assert report["dataset"] == "irve"
    assert (report["rows_read"], report["rows_kept"], report["duplicates_removed"]) == (4, 3, 1)
    assert report["rejections"] == []
    frame = gpd.read_parquet(out_path)
    assert len(frame) == 3 and frame.crs.to_epsg() == 4326
    for column in (
        "id_pdc_itinerance",
        "id_station_itinerance",
        "nom_station",
        "nom_operateur",
        "puissance_kw",
        "code_commune",
        "code_epci",
        "code_departement",
        "code_region",
    ):
        assert column in frame.columns
    assert "3 ligne(s) écrite(s)" in err


@pytest.mark.parametrize("suffix", [".geojson", ".csv"])
def test_load_bnlc_writes_geojson_and_csv(
    capsys: pytest.CaptureFixture[str], geo_env: dict[str, str], tmp_path: Path, suffix: str
) -> None:
    out_path = tmp_path / f"bnlc{suffix}"
    code, out, err = run(
        capsys, "datasets", "load", "covoiturage", str(BNLC), "--out", str(out_path)
    )
    assert code == 0 and "2473 gardée(s)" in out and "ODbL" in err
    if suffix == ".csv":
        table = pd.read_csv(out_path, dtype=str)
        assert {"id_lieu", "nom_lieu", "type", "nbre_pl", "lat", "lon"} <= set(table.columns)
        assert len(table) == 2473
        assert table.loc[table["id_lieu"] == "01024-C-002", "date_maj"].item() == "2022-07-11"
    else:
        data = json.loads(out_path.read_text(encoding="utf-8"))
        assert len(data["features"]) == 2473
        props = data["features"][0]["properties"]
        assert {"id_lieu", "nom_lieu", "type", "nbre_pl", "code_commune"} <= set(props)
    assert not list(tmp_path.glob(".*"))  # no temp file left behind


def test_load_errors_are_french_and_exit_1(
    capsys: pytest.CaptureFixture[str], geo_env: dict[str, str], tmp_path: Path
) -> None:
    code, _, err = run(capsys, "datasets", "load", "irve", str(BNLC), "--json")
    assert code == 1 and "colonne(s) obligatoire(s) absente(s)" in err
    code, _, err = run(capsys, "datasets", "load", "bornes", str(BNLC))
    assert code == 1 and "Jeu de données inconnu" in err
    # Not a production file, whether or not that loader is written yet.
    code, _, err = run(capsys, "datasets", "load", "production", str(BNLC))
    assert code == 1 and err.startswith("Erreur : ")
    code, _, err = run(capsys, "datasets", "load", "irve", str(tmp_path / "absent.csv"))
    assert code == 1 and "introuvable" in err
    code, _, err = run(
        capsys, "datasets", "load", "irve", str(EXCERPT), "--out", str(tmp_path / "x.xlsx")
    )
    assert code == 1 and "Format de sortie inconnu" in err


def test_load_human_report_lists_rejections(
    capsys: pytest.CaptureFixture[str], geo_env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "bnlc.csv"
    path.write_text("id_lieu,nom_lieu,Xlong,Ylat\n38185-C-001,Gare,0,0\n", encoding="utf-8")
    code, out, _ = run(capsys, "datasets", "load", "covoiturage", str(path), "--no-schema")
    assert code == 0
    assert "rejet   ligne 2 : coordonnées [0, 0]" in out


def test_load_counts_rows_outside_the_loaded_territories(
    capsys: pytest.CaptureFixture[str], geo_env: dict[str, str], tmp_path: Path
) -> None:
    # Places of Charente and the Pyrénées-Orientales; the mirror loads Isère and Paris.
    path = tmp_path / "bnlc.csv"
    path.write_text(
        "id_lieu,nom_lieu,com_lieu,insee,Xlong,Ylat\n"
        "16102-C-001,Crouin,Cognac,16102,-0.3290,45.6950\n"
        "66136-C-001,Saint-Assiscle,PERPIGNAN,66136,2.8950,42.6990\n"
        "38185-C-001,Gare,Grenoble,38185,5.7245,45.1885\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "datasets", "load", "covoiturage", str(path), "--no-schema")
    assert code == 0
    assert "hors territoires chargés : 2 ligne(s) gardée(s)" in out
    code, out, _ = run(
        capsys, "datasets", "load", "covoiturage", str(path), "--no-schema", "--json"
    )
    assert json.loads(out)["rows_outside"] == 2


def test_load_prints_far_points_line_by_line(
    capsys: pytest.CaptureFixture[str], geo_env: dict[str, str], tmp_path: Path
) -> None:
    # Voiron's place with Grenoble's point (a run shifted by one line).
    path = tmp_path / "bnlc.csv"
    path.write_text(
        "id_lieu,nom_lieu,com_lieu,insee,Xlong,Ylat\n"
        "38563-C-001,Gare,VOIRON,38563,5.7245,45.1885\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "datasets", "load", "covoiturage", str(path), "--no-schema")
    assert code == 0
    assert "  alerte  ligne 2 : point à " in out and "lieu rangé dans Voiron (38563)" in out
    assert "réparé  point_eloigne_code_retenu : 1" in out


def test_load_takes_a_column_mapping_like_projects_import(
    capsys: pytest.CaptureFixture[str], geo_env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "aires.csv"
    path.write_text("Identifiant;Nom;Lon;Lat\n38185-C-001;Gare;5.7245;45.1885\n", encoding="utf-8")
    mapping = tmp_path / "map.json"
    mapping.write_text(
        json.dumps({"Identifiant": "id_lieu", "Nom": "nom_lieu", "Lon": "Xlong", "Lat": "Ylat"}),
        encoding="utf-8",
    )
    code, out, _ = run(
        capsys, "datasets", "load", "covoiturage", str(path), "--no-schema",
        "--mapping", str(mapping), "--json",
    )  # fmt: skip
    assert code == 0 and json.loads(out)["rows_kept"] == 1
    mapping.write_text("[]", encoding="utf-8")
    code, _, err = run(
        capsys, "datasets", "load", "covoiturage", str(path), "--mapping", str(mapping)
    )
    assert code == 1 and "La correspondance de colonnes doit être un objet JSON" in err


def test_load_names_a_zip_instead_of_printing_its_bytes(
    capsys: pytest.CaptureFixture[str], geo_env: dict[str, str], tmp_path: Path
) -> None:
    import zipfile

    archive = tmp_path / "irve.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("irve.csv", "id_pdc_itinerance\n")
    code, _, err = run(capsys, "datasets", "load", "irve", str(archive))
    assert code == 1
    assert (
        "irve.zip n'est pas un fichier CSV : c'est une archive ZIP (1 fichier(s) : irve.csv)" in err
    )
    assert "PK" not in err
