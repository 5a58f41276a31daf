"""The BNLC loader on the complete real file and the schema's valid and invalid examples."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from reference import MIRROR, territories

from geo.datasets import CATALOGUE, load_dataset
from geo.datasets.covoiturage import OUTPUT_COLUMNS
from geo.datasets.csvfile import DatasetFormatError

ETALAB = MIRROR / "raw.githubusercontent.com/etalab"
BNLC = ETALAB / "transport-base-nationale-covoiturage/main/bnlc-.csv"
SCHEMA_DIR = ETALAB / "schema-lieux-covoiturage/v0.2.0"
SCHEMA = SCHEMA_DIR / "schema.json"


def load(path: Path, schema: Path | None = SCHEMA):
    return load_dataset(CATALOGUE["covoiturage"], path, territories=territories(), schema=schema)


def test_complete_bnlc_loads_every_place_and_locates_the_isere_ones() -> None:
    loaded = load(BNLC)
    report = loaded.report.to_dict()
    assert (report["rows_read"], report["rows_kept"], report["rows_rejected"]) == (2473, 2473, 0)
    assert report["duplicates_removed"] == 0
    frame = loaded.frame
    assert list(frame.columns) == [*OUTPUT_COLUMNS, "geometry"]
    # The mirror's communes are Isère + Paris: 100 places in Isère, none in Paris; four far
    # points are placed by the code their name confirms (test_codecheck.py), three of them
    # in communes whose outline is not loaded.
    assert frame["code_departement"].value_counts().to_dict() == {
        "38": 100, "31": 1, "33": 1, "40": 1
    }  # fmt: skip
    assert frame["code_region"].dropna().isin(["84", "75", "76"]).all()
    assert loaded.rows_outside == 2473 - 100
    assert frame["nbre_pl"].dtype == "Int64" and frame["nbre_pl"].sum() > 0
    assert frame["ouvert"].dtype == "boolean" and frame["ouvert"].sum() == 2462
    # Real publisher faults found by the point-first rule (Lyon 2 published as 69882, …).
    warnings = report["warnings"]
    assert any(w.startswith("code INSEE du fichier illisible") and "2032" in w for w in warnings)
    assert any(
        w.startswith("code INSEE du fichier ≠ commune localisée, point à moins de 5 km")
        and "3 ligne(s)" in w
        for w in warnings
    )
    # Mauvezin (Haute-Garonne) placed in Gers, Romagne (Gironde) in Romagné (Ille-et-Vilaine),
    # La Chapelle-de-la-Tour in Val-de-Virieu, Bias (Landes) in Bias (Lot-et-Garonne).
    assert [item["line"] for item in report["line_warnings"]] == [626, 668, 865, 977]
    assert report["repairs"]["point_eloigne_code_retenu"] == 4
    # 61310, 79260, 44160 are old codes (and postal codes): read as the communes absorbing them.
    assert report["repairs"]["code_insee_ancien"] == 40


def test_bnlc_place_values() -> None:
    frame = load(BNLC).frame.set_index("id_lieu")
    place = frame.loc["01024-C-002"]
    assert place["nom_lieu"] == "Bourg-Nord"
    assert place["type"] == "Aire de covoiturage"
    assert place["nbre_pl"] == 24 and place["nbre_pmr"] == 2
    assert place["date_maj"] == date(2022, 7, 11)
    assert (place.geometry.x, place.geometry.y) == pytest.approx((5.168004, 46.259779))
    assert place["ligne"] == 4


def test_schema_valid_example() -> None:
    loaded = load(SCHEMA_DIR / "exemple-valide.csv")
    report = loaded.report.to_dict()
    assert (report["rows_read"], report["rows_kept"], report["rows_rejected"]) == (1, 1, 0)
    assert report["repairs"] == {} and report["warnings"] == []


def test_schema_invalid_example_is_repaired_and_reported() -> None:
    loaded = load(SCHEMA_DIR / "exemple-invalide.csv")
    report = loaded.report.to_dict()
    assert (report["rows_read"], report["rows_kept"], report["rows_rejected"]) == (2, 2, 0)
    # Line 3: lat/lon swapped, "24-06-2019", postal code 76000 as insee.
    assert report["repairs"] == {
        "code_insee_code_postal": 1,
        "coordonnees_inversees": 1,
        "date_format": 1,
    }
    assert report["warnings"] == [
        "champ « date_maj » : 1 ligne(s) ne sont pas du type date (%Y-%m-%d), par ex. ligne 3"
    ]
    place = loaded.frame.set_index("ligne").loc[3]
    assert (place.geometry.x, place.geometry.y) == pytest.approx((1.065656, 49.921921))
    assert place["date_maj"] == date(2019, 6, 24)
    assert place["insee"] == "76000"


def test_duplicate_ids_keep_the_latest_update(tmp_path: Path) -> None:
    header = "id_lieu,nom_lieu,insee,date_maj,Xlong,Ylat,nbre_pl\n"
    body = (
        "38185-C-001,Ancien,38185,2019-01-01,5.7245,45.1885,10\n"
        "38185-C-001,Nouveau,38185,2023-01-01,5.7245,45.1885,12\n"
        "38185-C-002,Autre,38185,2023-01-01,5.7245,45.1885,-3\n"
    )
    path = tmp_path / "bnlc.csv"
    path.write_text(header + body, encoding="utf-8")
    loaded = load(path, schema=None)
    assert loaded.report.duplicates_removed == 1
    frame = loaded.frame.set_index("id_lieu")
    assert frame.loc["38185-C-001", "nom_lieu"] == "Nouveau"
    assert frame["nbre_pl"].isna().tolist() == [False, True]  # a negative count is no count
    assert any("n'est pas un entier ≥ 0" in w and "ligne 4" in w for w in loaded.report.warnings)


def test_irve_file_is_not_bnlc() -> None:
    irve = MIRROR / "samples/irve/consolidated-v2.2-2023-07-rows.csv"
    with pytest.raises(DatasetFormatError, match="id_lieu, nom_lieu, Xlong, Ylat"):
        load(irve)
