"""What users will try: a ZIP, a spreadsheet, a JSON export or a folder given as a dataset,
an IRVE file of the first schema, a file whose columns have other names."""

from __future__ import annotations

import gzip
import json
import zipfile
from pathlib import Path

import pytest
from reference import MIRROR, territories

from geo.datasets import CATALOGUE, load_dataset
from geo.datasets.irve_v1 import READ_AS_V1
from geo.errors import DatasetFormatError, GeoError

BNLC = (
    MIRROR / "raw.githubusercontent.com/etalab/transport-base-nationale-covoiturage/main/bnlc-.csv"
)
CSV_DATASETS = ("irve", "covoiturage", "stationnement_velo", "consommation")


def load(dataset: str, path: Path, **options):
    return load_dataset(CATALOGUE[dataset], path, territories=territories(), schema=None, **options)


def files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Each kind of file people download instead of the CSV, and what the message calls it."""
    archive = tmp_path / "irve.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("irve-2024.csv", "id_pdc_itinerance\n")
        handle.writestr("LISEZMOI.txt", "…")
    workbook = tmp_path / "bornes.xlsx"
    with zipfile.ZipFile(workbook, "w") as handle:
        handle.writestr("[Content_Types].xml", "<Types/>")
        handle.writestr("xl/workbook.xml", "<workbook/>")
    export = tmp_path / "export.json"
    export.write_text(json.dumps([{"id_lieu": "38185-C-001"}]), encoding="utf-8")
    geojson = tmp_path / "lieux.geojson"
    geojson.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    packed = tmp_path / "bnlc.csv.gz"
    packed.write_bytes(gzip.compress(b"id_lieu,nom_lieu\n"))
    page = tmp_path / "telechargement.csv"
    page.write_text("<!DOCTYPE html><html><body>Erreur 404</body></html>", encoding="utf-8")
    binary = tmp_path / "data.bin"
    binary.write_bytes(bytes(range(256)) * 4)
    folder = tmp_path / "telechargements"
    folder.mkdir()
    (folder / "bnlc.csv").write_text("id_lieu\n", encoding="utf-8")
    return {
        "zip": (archive, "c'est une archive ZIP (2 fichier(s) : irve-2024.csv, LISEZMOI.txt)"),
        "xlsx": (
            workbook,
            "c'est un classeur Excel (.xlsx) : enregistrez la feuille au format CSV",
        ),
        "json": (export, "c'est un fichier JSON"),
        "geojson": (geojson, "c'est un fichier GeoJSON"),
        "gzip": (packed, "c'est un fichier compressé gzip (.gz)"),
        "html": (page, "c'est une page web (HTML), pas le fichier de données"),
        "binary": (binary, "c'est un fichier binaire"),
        "folder": (folder, "est un dossier, pas un fichier : indiquez le fichier CSV"),
    }


@pytest.mark.parametrize("dataset", CSV_DATASETS)
@pytest.mark.parametrize(
    "kind", ["zip", "xlsx", "json", "geojson", "gzip", "html", "binary", "folder"]
)
def test_what_a_file_is_said_in_french(tmp_path: Path, dataset: str, kind: str) -> None:
    path, said = files(tmp_path)[kind]
    with pytest.raises(DatasetFormatError) as info:
        load(dataset, path)
    message = str(info.value)
    assert said in message
    assert all(char.isprintable() for char in message)  # never binary bytes
    if kind == "folder":
        assert "(le dossier contient : bnlc.csv)" in message
    else:
        assert "se charge depuis son fichier CSV" in message


def test_production_reads_json_but_names_a_zip(tmp_path: Path) -> None:
    path, said = files(tmp_path)["zip"]
    with pytest.raises(DatasetFormatError, match="n'est pas un fichier CSV"):
        load("production", path)


@pytest.mark.parametrize("kind", ["zip", "json", "folder"])
def test_cycle_lanes_want_geojson(tmp_path: Path, kind: str) -> None:
    path, _ = files(tmp_path)[kind]
    if kind == "json":  # JSON, but not a FeatureCollection: the usual message
        with pytest.raises(DatasetFormatError, match="FeatureCollection GeoJSON"):
            load("amenagements_cyclables", path)
        return
    with pytest.raises(DatasetFormatError) as info:
        load("amenagements_cyclables", path)
    assert "GeoJSON" in str(info.value) and all(c.isprintable() for c in str(info.value))


def test_a_csv_given_as_cycle_lanes_is_said(tmp_path: Path) -> None:
    with pytest.raises(DatasetFormatError, match="n'est pas un fichier GeoJSON : c'est un texte"):
        load("amenagements_cyclables", BNLC)


# --- IRVE schema 1 ------------------------------------------------------------------------------

#: The header of schema-irve 1.0.3 (github.com/etalab/schema-irve, tag v1.0.3, schema.json).
V1_HEADER = (
    "n_amenageur;n_operateur;n_enseigne;id_station;n_station;ad_station;code_insee;Xlongitude;"
    "Ylatitude;nbre_pdc;id_pdc;puiss_max;type_prise;acces_recharge;accessibilité;observations;"
    "date_maj"
)
V1_ROWS = [  # written for the test, in the layout of the schema's example
    "Ville de Grenoble;Opérateur A;Réseau A;FR*A01*P38185*001;Hôtel de ville;"
    "11 boulevard Jean Pain, 38000 Grenoble;38185;5,7245;45,1885;2;FR*A01*E38185*001*1;22;"
    "T2 - E/F;Gratuit;24h/24 7j/7;;2019/03/31",
    "Ville de Grenoble;Opérateur A;Réseau A;FR*A01*P38185*001;Hôtel de ville;"
    "11 boulevard Jean Pain, 38000 Grenoble;38185;5,7245;45,1885;2;FR*A01*E38185*001*2;50;"
    "Combo CCS, CHAdeMO;Payant (badge);24h/24 7j/7;Borne rapide;2019/3/31",
    "Voiron;Opérateur B;Réseau B;FR*B02*P38563*001;Gare;Place de la Gare, 38500 Voiron;38563;"
    ";;1;FR*B02*E38563*001*1;7;T3;Sur abonnement;8h-20h;;2018/08/08",
]


def test_an_irve_file_of_the_first_schema_is_read(tmp_path: Path) -> None:
    path = tmp_path / "irve-2019.csv"
    path.write_text("\n".join([V1_HEADER, *V1_ROWS]) + "\n", encoding="utf-8")
    loaded = load_dataset(CATALOGUE["irve"], path, territories=territories())  # with schema
    report = loaded.report
    assert READ_AS_V1 in report.warnings
    assert not [w for w in report.warnings if "obligatoire" in w]  # no list of v2 columns
    assert (report.rows_read, report.rows_kept) == (3, 2)
    assert report.rejections == [{"line": 4, "reason": "coordonnées absentes"}]
    assert report.repairs["schema_irve_v1"] == 3
    frame = loaded.frame.set_index("id_pdc_itinerance")
    first, second = frame.loc["FR*A01*E38185*001*1"], frame.loc["FR*A01*E38185*001*2"]
    assert (first["code_commune"], first["puissance_kw"], first["nom_operateur"]) == (
        "38185", 22.0, "Opérateur A")  # fmt: skip
    assert (bool(first["prise_type_2"]), bool(first["prise_type_ef"])) == (True, True)
    assert not bool(first["prise_type_combo_ccs"]) and bool(first["gratuit"])
    assert bool(second["prise_type_combo_ccs"]) and bool(second["prise_type_chademo"])
    assert not bool(second["gratuit"]) and second["tarification"] == "Payant (badge)"
    assert first["horaires"] == "24h/24 7j/7" and str(second["date_maj"]) == "2019-03-31"
    assert first["id_station_itinerance"] == "FR*A01*P38185*001"


def test_the_official_example_of_schema_1_is_read(tmp_path: Path) -> None:
    # The two rows of schema-irve v1.0.3's exemple-valide.csv, columns as published.
    path = tmp_path / "exemple-valide.csv"
    path.write_text(
        "\n".join(
            [
                V1_HEADER,
                "XXX;YYY;ZZZ;FR*A17*P*ZZZ*3*_*_*_;Parking 1;D109A;06090;6.92641;43.59413;2;"
                "FR*A17*E*ZZZ*3*1*1*_;22.0;T2 - E/F;Payant (badge, appli et QR code);24h/24;"
                "RAS;2018/03/31",
            ]
        )
        + "\n",  # fmt: skip
        encoding="utf-8",
    )
    loaded = load("irve", path)
    assert loaded.report.rows_kept == 1
    assert loaded.frame["code_insee_commune"].tolist() == ["06090"]


# --- a column mapping ---------------------------------------------------------------------------


def test_a_mapping_renames_the_columns_of_any_dataset(tmp_path: Path) -> None:
    path = tmp_path / "aires.csv"
    path.write_text(
        "Identifiant;Nom;Longitude;Latitude;Code commune;Remarque\n"
        "38185-C-001;Gare;5.7245;45.1885;38185;x\n",
        encoding="utf-8",
    )
    with pytest.raises(DatasetFormatError, match="id_lieu, nom_lieu, Xlong, Ylat"):
        load("covoiturage", path)
    mapping = {"identifiant": "id_lieu", "NOM": "nom_lieu", "Longitude": "Xlong",
               "Latitude": "Ylat", "Code commune": "insee", "Remarque": None,
               "Absente": "comm"}  # fmt: skip
    loaded = load("covoiturage", path, mapping=mapping)
    assert loaded.frame[["id_lieu", "nom_lieu", "code_commune"]].values.tolist() == [
        ["38185-C-001", "Gare", "38185"]
    ]
    assert loaded.report.warnings == [
        "correspondance de colonnes : colonne(s) absente(s) du fichier : Absente"
    ]
    # The mapping lasts for one load only.
    with pytest.raises(DatasetFormatError):
        load("covoiturage", path)


def test_a_mapping_maps_an_irve_file_to_schema_1_too(tmp_path: Path) -> None:
    path = tmp_path / "bornes.csv"
    header = V1_HEADER.replace("id_pdc;", "identifiant;").replace("puiss_max", "puissance")
    path.write_text("\n".join([header, V1_ROWS[0]]) + "\n", encoding="utf-8")
    loaded = load("irve", path, mapping={"identifiant": "id_pdc", "puissance": "puiss_max"})
    assert READ_AS_V1 in loaded.report.warnings and loaded.report.rows_kept == 1


def test_a_bad_mapping_is_refused_in_french(tmp_path: Path) -> None:
    from geo.datasets.renaming import read_column_mapping

    bad = tmp_path / "map.json"
    for content, said in [
        ("[1, 2]", "doit être un objet JSON"),
        ('{"a": 3}', "chaque valeur est un nom de colonne ou null"),
        ('{"a": "x", "b": "x"}', "Plusieurs colonnes correspondent à la même colonne : x"),
        ("{", "Fichier de correspondance illisible"),
    ]:
        bad.write_text(content, encoding="utf-8")
        with pytest.raises(GeoError, match=said):
            read_column_mapping(bad)
