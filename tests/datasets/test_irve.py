"""The IRVE loader on the mirror's real files and on a file with every publisher fault."""

from __future__ import annotations

import csv
import importlib
import io
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import MIRROR, territories

from geo.bench.datasets import HEADER
from geo.datasets import CATALOGUE, load_dataset
from geo.datasets.csvfile import DatasetFormatError
from geo.datasets.irve import OUTPUT_COLUMNS
from geo.datasets.schema import TableSchema
from geo.territory import TERRITORY_COLUMNS

EXCERPT = MIRROR / "www.data.gouv.fr/fr/datasets/r/2729b192-40ab-4454-904d-735084dca3a3"
SAMPLE_2023 = MIRROR / "samples/irve/consolidated-v2.2-2023-07-rows.csv"
SCHEMA_DIR = MIRROR / "raw.githubusercontent.com/etalab/schema-irve/v2.3.0/statique"
EXAMPLE = SCHEMA_DIR / "exemple-valide-statique.csv"
SCHEMA = SCHEMA_DIR / "schema-statique.json"


def load(path: Path, schema: Path | None = SCHEMA):
    return load_dataset(CATALOGUE["irve"], path, territories=territories(), schema=schema)


# --- real files -----------------------------------------------------------------------------------


def test_consolidated_excerpt_keeps_three_charge_points_and_reports_the_duplicate() -> None:
    loaded = load(EXCERPT)
    report = loaded.report.to_dict()
    assert (report["rows_read"], report["rows_kept"], report["rows_rejected"]) == (4, 3, 0)
    assert report["duplicates_removed"] == 1
    assert report["rejections"] == []
    frame = loaded.frame.sort_values("id_pdc_itinerance")
    assert frame["id_pdc_itinerance"].tolist() == [
        "ATHTBE1012061",
        "ATHTBE1012062",
        "ATHTBE1012063",
    ]
    # ATHTBE1012062: ChargePoint (22 kW, updated 2026) and RAIDEN (44 kW, 2021): latest kept.
    kept = frame.set_index("id_pdc_itinerance").loc["ATHTBE1012062"]
    assert kept["nom_operateur"] == "ChargePoint" and kept["puissance_kw"] == 22.0
    assert kept["ligne"] == 3
    # The whole Longueau site is published by two operators.
    assert frame["doublon_operateurs"].tolist() == [True, True, True]
    assert any("plusieurs opérateurs" in w or "autre opérateur" in w for w in report["warnings"])
    assert any("puissances différentes" in w and "ligne 3" in w for w in report["warnings"])
    # Longueau (Somme) is outside the mirror's commune outlines: kept, territory columns empty.
    assert frame[list(TERRITORY_COLUMNS)].isna().all().all()
    # consolidated_* preferred over coordonneesXY.
    point = frame.geometry.iloc[0]
    assert (point.x, point.y) == pytest.approx((2.367618, 49.877237))


def test_excerpt_output_columns_types_and_units() -> None:
    frame = load(EXCERPT).frame
    assert list(frame.columns) == [*OUTPUT_COLUMNS, "geometry"]
    assert frame.crs.to_epsg() == 4326
    assert frame["puissance_kw"].dtype == "float64"
    assert frame["prise_type_2"].dtype == "boolean" and frame["prise_type_2"].all()
    assert frame["nbre_pdc"].dtype == "Int64"
    assert frame["date_mise_en_service"].iloc[0] == date(2022, 3, 22)
    assert frame["gratuit"].eq(False).all()


def test_older_consolidated_file_with_50_columns() -> None:
    loaded = load(SAMPLE_2023)
    report = loaded.report.to_dict()
    assert (report["rows_read"], report["rows_kept"], report["rows_rejected"]) == (2, 2, 0)
    assert report["duplicates_removed"] == 0
    frame = loaded.frame.set_index("id_pdc_itinerance")
    assert frame.loc["FRIONE41715", "puissance_kw"] == 50.0
    assert frame.loc["FRIONE41715", "prise_type_combo_ccs"]
    point = frame.loc["FRCPIE66103552", "geometry"]
    assert (point.x, point.y) == pytest.approx((-1.429227, 46.776249))


def test_schema_example_postal_code_placed_in_alsace_is_reported_not_trusted() -> None:
    loaded = load(EXAMPLE)
    report = loaded.report.to_dict()
    assert (report["rows_read"], report["rows_kept"], report["rows_rejected"]) == (2, 2, 0)
    assert report["repairs"] == {"code_insee_code_postal": 2}
    assert loaded.frame["code_insee_commune"].tolist() == ["75001", "75001"]  # as published
    # ~370 km from Paris, and no commune name to say which is right: the point is kept.
    assert [item["line"] for item in report["line_warnings"]] == [2, 3]
    assert report["line_warnings"][0]["warning"] == (
        "point à 371 km de Paris (75056), la commune de son code INSEE « 75001 », et aucun nom "
        "de commune ne le confirme : le point fait foi (lon 7.4871, lat 48.3453, hors des "
        "communes chargées)"
    )
    assert loaded.frame["code_commune"].isna().all()
    point = loaded.frame.geometry.iloc[0]
    assert (point.x, point.y) == pytest.approx((7.487105, 48.345345))


def test_official_schema_is_read_from_the_cache_or_mirror(geo_env: dict[str, str]) -> None:
    loaded = load_dataset(CATALOGUE["irve"], EXAMPLE, territories=territories())
    assert not any("schéma officiel indisponible" in w for w in loaded.report.warnings)


def test_a_file_that_is_not_irve_fails_naming_the_missing_columns() -> None:
    bnlc = MIRROR / "raw.githubusercontent.com/etalab/transport-base-nationale-covoiturage"
    with pytest.raises(DatasetFormatError) as info:
        load(bnlc / "main/bnlc-.csv")
    message = str(info.value)
    for column in ("id_pdc_itinerance", "id_station_itinerance", "puissance_nominale"):
        assert column in message
    assert "IRVE" in message


# --- a file with every fault ----------------------------------------------------------------------

GRENOBLE = (5.7245, 45.1885)  # lon, lat: commune 38185
VOIRON = (5.5916, 45.3642)  # commune 38563


def row(**values: str) -> dict[str, str]:
    base = dict.fromkeys(HEADER, "")
    base.update(
        {
            "nom_amenageur": "Ville",
            "nom_operateur": "Opérateur A",
            "contact_operateur": "a@example.org",
            "nom_enseigne": "Réseau",
            "id_station_itinerance": "FRAAAP0001",
            "nom_station": "Station",
            "implantation_station": "Voirie",
            "adresse_station": "1 place de la Gare, 38000 Grenoble",
            "code_insee_commune": "38185",
            "coordonneesXY": f"[{GRENOBLE[0]},{GRENOBLE[1]}]",
            "nbre_pdc": "1",
            "puissance_nominale": "22",
            "prise_type_ef": "false",
            "prise_type_2": "true",
            "prise_type_combo_ccs": "false",
            "prise_type_chademo": "false",
            "prise_type_autre": "false",
            "paiement_acte": "true",
            "condition_acces": "Accès libre",
            "reservation": "false",
            "horaires": "24/7",
            "accessibilite_pmr": "Accessibilité inconnue",
            "restriction_gabarit": "inconnu",
            "station_deux_roues": "false",
            "date_mise_en_service": "2021-05-01",
            "date_maj": "2024-01-10",
        }
    )
    base.update(values)
    return base


def faulty_rows() -> list[dict[str, str]]:
    lat_first = f"[{GRENOBLE[1]}, {GRENOBLE[0]}]"
    return [
        row(id_pdc_itinerance="FRAAAE0001"),  # clean
        row(
            id_pdc_itinerance="FRAAAE0002",
            coordonneesXY=lat_first,  # swapped
            puissance_nominale="22000",  # W
            prise_type_2="TRUE",
            code_insee_commune="38000",  # Grenoble's postal code
            observations="Accès par le parking\nniveau -1",  # newline in a quoted field
        ),
        row(id_pdc_itinerance="FRAAAE0003", coordonneesXY="[0,0]"),
        row(id_pdc_itinerance="FRAAAE0004", coordonneesXY=""),
        row(id_pdc_itinerance="FRAAAE0005", coordonneesXY="[12.4964, 41.9028]"),  # Rome
        row(id_pdc_itinerance="FRAAAE0006", coordonneesXY="quelque part"),
        row(
            id_pdc_itinerance="FRAAAE0007",
            puissance_nominale="3,7kW",
            date_mise_en_service="01/01/1900",
            date_maj="10/01/2024",
            code_insee_commune="38 185",
            gratuit="oui",
        ),
        # One row per connector: same charge point, another connector.
        row(id_pdc_itinerance="FRAAAE0001", prise_type_ef="1", prise_type_2="false"),
        row(id_pdc_itinerance="Non concerné", id_station_itinerance="Non concerné"),
        row(id_pdc_itinerance="Non concerné", id_station_itinerance="Non concerné"),
        row(
            id_pdc_itinerance="FRAAAE0008",
            code_insee_commune="38563",  # Voiron, but the point is in Grenoble
            consolidated_longitude=str(GRENOBLE[0]),
            consolidated_latitude=str(GRENOBLE[1]),
            coordonneesXY="illisible mais inutile",
        ),
        row(id_pdc_itinerance="FRAAAE0009", puissance_nominale="rapide"),
    ]


def write_irve(
    path: Path,
    rows: list[dict[str, str]],
    *,
    sep: str = ",",
    encoding: str = "utf-8",
    newline: str = "\n",
) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADER, delimiter=sep, lineterminator=newline)
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


@pytest.mark.parametrize(
    ("sep", "encoding", "newline"),
    [(",", "utf-8", "\n"), (";", "utf-8-sig", "\r\n"), (";", "cp1252", "\r\n")],
)
def test_every_fault_is_repaired_or_rejected_with_its_file_line(
    tmp_path: Path, sep: str, encoding: str, newline: str
) -> None:
    path = write_irve(
        tmp_path / "irve.csv", faulty_rows(), sep=sep, encoding=encoding, newline=newline
    )
    loaded = load(path)
    report = loaded.report.to_dict()
    # Line 1 header, line 2 clean, lines 3-4 the row with a newline in "observations".
    assert report["rows_read"] == 12
    assert report["rejections"] == [
        {"line": 5, "reason": "coordonnées [0, 0] (valeur par défaut, pas un lieu)"},
        {"line": 6, "reason": "coordonnées absentes"},
        {
            "line": 7,
            "reason": "coordonnées hors de France dans les deux ordres (lon 12.4964, lat 41.9028)",
        },
        {"line": 8, "reason": "coordonnées illisibles"},
    ]
    assert report["rows_rejected"] == 4
    assert report["duplicates_removed"] == 1  # FRAAAE0001's second connector
    assert report["rows_kept"] == 7  # 0001, 0002, 0007, 2 × Non concerné, 0008, 0009
    assert report["repairs"] == {
        "booleen_orthographe": 3,
        "code_insee_code_postal": 1,
        "code_insee_espaces": 1,
        "coordonnees_inversees": 1,
        "date_fictive": 1,
        "date_format": 1,
        "puissance_en_watts": 1,
        "puissance_texte": 1,
    }
    warnings = report["warnings"]
    # Voiron's code, a point in Grenoble, ~10 km from Voiron, no name: the point is kept.
    assert [item["line"] for item in report["line_warnings"]] == [13]
    assert report["line_warnings"][0]["warning"].endswith(
        "le point fait foi (lon 5.7245, lat 45.1885, Grenoble (38185))"
    )
    assert any(
        w.startswith("puissance_nominale n'est pas une puissance lisible") and "ligne 14" in w
        for w in warnings
    )
    assert any(w.startswith("lignes en double") and "ligne 10" in w for w in warnings)

    frame = loaded.frame.set_index("ligne")
    assert frame.loc[3, "puissance_kw"] == 22.0
    assert frame.loc[3, "code_commune"] == "38185"  # placed by the point, lat/lon un-swapped
    assert frame.loc[3, "code_insee_commune"] == "38000"  # as published
    assert frame.loc[9, "puissance_kw"] == pytest.approx(3.7)
    assert pd.isna(frame.loc[9, "date_mise_en_service"])
    assert frame.loc[9, "date_maj"] == date(2024, 1, 10)
    assert bool(frame.loc[9, "gratuit"]) is True
    assert pd.isna(frame.loc[14, "puissance_kw"])
    # Connector rows collapse: the kept charge point has both connectors.
    assert bool(frame.loc[2, "prise_type_ef"]) and bool(frame.loc[2, "prise_type_2"])
    # "Non concerné" ids are not one charge point.
    assert (frame["id_pdc_itinerance"] == "Non concerné").sum() == 2
    assert frame.loc[13, "code_commune"] == "38185"  # consolidated pair used
    assert frame.loc[
        2, ["code_commune", "code_epci", "code_departement", "code_region"]
    ].tolist() == [
        "38185",
        "200040715",
        "38",
        "84",
    ]


def test_two_operators_at_one_station_are_flagged_not_merged(tmp_path: Path) -> None:
    near = f"[{GRENOBLE[0] + 0.0008},{GRENOBLE[1]}]"  # ~60 m east
    far = f"[{GRENOBLE[0] + 0.01},{GRENOBLE[1]}]"  # ~800 m east
    rows = [
        row(id_pdc_itinerance="FRAAAE0001"),
        row(id_pdc_itinerance="FRBBBE0001", nom_operateur="Opérateur B", coordonneesXY=near),
        row(
            id_pdc_itinerance="FRCCCE0001",
            nom_operateur="Opérateur C",
            coordonneesXY=far,
            adresse_station="1, place de la gare 38000 GRENOBLE",
        ),
        row(
            id_pdc_itinerance="FRAAAE0002",
            id_station_itinerance="FRAAAP0002",
            adresse_station="Ailleurs",
        ),
    ]
    loaded = load(write_irve(tmp_path / "irve.csv", rows), schema=None)
    flags = loaded.frame.set_index("id_pdc_itinerance")["doublon_operateurs"]
    assert flags.to_dict() == {
        "FRAAAE0001": True,
        "FRBBBE0001": True,
        "FRCCCE0001": False,  # same address, but 800 m away: another site
        "FRAAAE0002": False,
    }
    assert loaded.report.duplicates_removed == 0


# --- order and separator never change the result --------------------------------------------------


def _normalised(frame: pd.DataFrame) -> pd.DataFrame:
    table = frame.drop(columns=["ligne"]).copy()
    table["wkt"] = frame.geometry.to_wkt()
    table = pd.DataFrame(table.drop(columns="geometry"))
    keys = ["id_pdc_itinerance", "wkt", "nom_operateur"]
    return table.astype(str).sort_values(keys).reset_index(drop=True)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    order=st.permutations(list(range(len(faulty_rows())))),
    sep=st.sampled_from([",", ";"]),
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_shuffling_rows_or_changing_separator_changes_nothing(
    tmp_path: Path, order: list[int], sep: str, newline: str
) -> None:
    rows = faulty_rows()
    reference = load(write_irve(tmp_path / "ref.csv", rows), schema=None)
    shuffled = [rows[i] for i in order]
    other = load(
        write_irve(tmp_path / "other.csv", shuffled, sep=sep, newline=newline), schema=None
    )
    pd.testing.assert_frame_equal(_normalised(reference.frame), _normalised(other.frame))
    a, b = reference.report.to_dict(), other.report.to_dict()
    for key in ("rows_read", "rows_kept", "rows_rejected", "repairs", "duplicates_removed"):
        assert a[key] == b[key]
    assert sorted(r["reason"] for r in a["rejections"]) == sorted(
        r["reason"] for r in b["rejections"]
    )


def test_duplicates_keep_the_same_row_whatever_the_order(tmp_path: Path) -> None:
    rows = [
        row(id_pdc_itinerance="FRAAAE0001", puissance_nominale="22", date_maj="2024-01-01"),
        row(
            id_pdc_itinerance="FRAAAE0001",
            nom_operateur="Opérateur B",
            puissance_nominale="44",
            date_maj="2023-01-01",
        ),
    ]
    for ordered in (rows, rows[::-1]):
        frame = load(write_irve(tmp_path / "d.csv", ordered), schema=None).frame
        assert frame["puissance_kw"].tolist() == [22.0]
        assert frame["doublon_operateurs"].tolist() == [True]


def test_every_catalogue_entry_has_its_loader() -> None:
    for dataset in CATALOGUE.values():
        module = importlib.import_module(dataset.loader_module)
        assert callable(module.load), dataset.id


def test_schema_warnings_are_aggregated_and_rows_kept(tmp_path: Path) -> None:
    rows = [
        row(id_pdc_itinerance=f"FRAAAE000{i}", implantation_station="Trottoir", horaires="jamais")
        for i in range(3)
    ]
    loaded = load(write_irve(tmp_path / "s.csv", rows), schema=SCHEMA)
    assert loaded.report.rows_kept == 3
    warnings = loaded.report.warnings
    assert any(
        w.startswith("champ « implantation_station » : 3 ligne(s) ont une valeur hors de la liste")
        and w.endswith("par ex. lignes 2, 3, 4")
        for w in warnings
    )
    assert any(
        w.startswith("champ « horaires » : 3 ligne(s) ne respectent pas le motif") for w in warnings
    )
    assert TableSchema.from_file(SCHEMA).version == "v2.3.0"


def test_empty_file_with_header_only(tmp_path: Path) -> None:
    loaded = load(write_irve(tmp_path / "e.csv", []))
    assert loaded.report.to_dict()["rows_read"] == 0 and loaded.frame.empty
    assert list(loaded.frame.columns) == [*OUTPUT_COLUMNS, "geometry"]


# --- found by the fuzz test (tests/test_fuzz_inputs.py) ------------------------------------------


def test_a_file_without_any_station_address_loads(tmp_path: Path) -> None:
    """A damaged header byte (``\\x9edresse_station``) leaves no address to compare."""
    data = EXCERPT.read_bytes().replace(b"adresse_station", b"\x9edresse_station", 1)
    path = tmp_path / "irve.csv"
    path.write_bytes(data)
    assert len(load(path).frame) == len(load(EXCERPT).frame)


def test_a_column_named_twice_is_read_once_with_a_warning(tmp_path: Path) -> None:
    header, rest = EXAMPLE.read_bytes().split(b"\n", 1)
    names = header.split(b",")
    names[-1] = names[0]  # two columns now have the first one's name
    path = tmp_path / "irve.csv"
    path.write_bytes(b",".join(names) + b"\n" + rest)
    report = load(path).report.to_dict()
    assert any("en double" in warning for warning in report["warnings"]), report["warnings"]
