"""The ODRÉ register loader on the mirror's real JSON excerpt, on its CSV export written from
the same records, and on CSV files with every fault the register's users meet."""

from __future__ import annotations

import csv
import functools
import io
import json
import random
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import shapely
from fault_files import write_lines
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import MIRROR, territories

from geo.datasets import CATALOGUE, load_dataset
from geo.datasets.csvfile import DatasetFormatError
from geo.datasets.jsonfile import RECORD_NUMBERS
from geo.datasets.production import OUTPUT_COLUMNS

REGISTER = (
    MIRROR / "odre.opendatasoft.com/api/explore/v2.1/catalog/datasets/"
    "registre-national-installation-production-stockage-electricite-agrege/exports/json"
)
BNLC = (
    MIRROR / "raw.githubusercontent.com/etalab/transport-base-nationale-covoiturage/main/bnlc-.csv"
)


def load(path: Path):
    return load_dataset(CATALOGUE["production"], path, territories=territories(), schema=None)


@functools.cache
def loaded_excerpt():
    """The mirror's file loaded once (the property test compares every variant to it)."""
    return load(REGISTER)


def records() -> list[dict]:
    return json.loads(REGISTER.read_text(encoding="utf-8"))


def csv_export(rows: list[dict], *, sep: str = ";") -> str:
    """The register's CSV export of ``rows``: the same lowercase fields, ``sep``, dd/mm/yyyy
    text dates, ISO ``datemiseenservice_date`` (as Opendatasoft writes date fields)."""
    fields = list(rows[0])
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, delimiter=sep, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: "" if value is None else value for key, value in row.items()})
    return out.getvalue()


def comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in a fixed order, without the file line (the only thing a layout may change)."""
    out = pd.DataFrame(frame.drop(columns=["ligne"]))
    out["geometry"] = out["geometry"].map(lambda g: None if g is None else g.wkt)
    keys = ["code_eic", "nom_installation", "puissance_kw", "code_insee_commune", "technologie"]
    return out.sort_values(keys, na_position="last").reset_index(drop=True).astype(str)


# --- the real JSON export ------------------------------------------------------------------------


def test_real_json_excerpt_report() -> None:
    raw = records()
    loaded = load(REGISTER)
    report = loaded.report.to_dict()
    # 31 records; the last one repeats Grand-Maison-7 field for field (two samples concatenated).
    assert len(raw) == 31 and raw[12] == raw[30]
    assert (report["rows_read"], report["rows_kept"], report["rows_rejected"]) == (31, 30, 0)
    assert report["duplicates_removed"] == 1
    confidential = sum(r["nominstallation"] == "Confidentiel" for r in raw)
    injected_only = sum(
        r["energieannuelleglissanteproduite"] is None
        and r["energieannuelleglissanteinjectee"] is not None
        for r in raw[:30]
    )
    assert (confidential, injected_only) == (5, 7)
    assert report["repairs"] == {
        "date_format": 30,  # dateraccordement/datedebutversion are dd/mm/yyyy on every row
        "energie_injectee_pour_produite": injected_only,
        "filiere_selon_technologie": 1,
        "nom_confidentiel": confidential,
    }
    assert report["warnings"] == [
        "enregistrements publiés deux fois à l'identique (un seul gardé) : 1 ligne(s), "
        "par ex. ligne 1592",
        "technologie incompatible avec la filière publiée (gardée : la filière publiée, voir "
        "filiere_publiee et technologie) : 1 ligne(s), par ex. ligne 1433",
    ]
    assert list(loaded.frame.columns) == [*OUTPUT_COLUMNS, "geometry"]
    assert loaded.frame.crs.to_epsg() == 4326


def test_lines_are_the_lines_records_open_on() -> None:
    lines = REGISTER.read_text(encoding="utf-8").splitlines()
    frame = load(REGISTER).frame
    for _, row in frame.iterrows():
        assert lines[row["ligne"] - 1].strip() == "{"
        name = row["nom_installation"] if not row["confidentiel"] else "Confidentiel"
        assert json.dumps(name, ensure_ascii=False) in lines[row["ligne"]]


def test_real_values_units_and_territories() -> None:
    frame = load(REGISTER).frame.set_index("code_eic")
    reactor = frame.loc["17W100P100P0090I"]  # Belleville-sur-Loire unit 1
    assert reactor["puissance_kw"] == 1_310_000.0  # kW as published: 1,310 MW
    assert reactor["energie_annuelle_mwh"] == pytest.approx(8_086_842.523)  # kWh / 1000
    assert reactor["filiere"] == "Nucléaire" and not reactor["renouvelable"]
    assert reactor["date_mise_en_service"] == date(1988, 6, 1)
    assert (reactor["code_commune"], reactor["code_epci"]) == ("18026", "200069227")
    assert (reactor["code_departement"], reactor["code_region"]) == ("18", "24")
    assert reactor.geometry is None  # Cher: no outline in the mirror

    # Grand-Maison, the only unit in the mirror's outlines: a point inside Vaujany.
    vaujany = frame.loc["17W100P100P02756"]
    assert vaujany["code_commune"] == "38527" and vaujany["date_mise_en_service"] is pd.NA
    outline = territories().outline("commune", "38527")
    assert outline.contains(vaujany.geometry)

    pv = frame.loc["17W000002341298H"]  # filed "Thermique non renouvelable", technology PV
    assert (pv["filiere"], pv["filiere_publiee"]) == ("Solaire", "Thermique non renouvelable")
    assert pv["confidentiel"] and pd.isna(pv["nom_installation"]) and pv["renouvelable"]
    hydro_pv = frame.loc["17W0000023413059"]  # "Hydraulique" + PV: not a thermal filing, kept
    assert hydro_pv["filiere"] == "Hydraulique" and hydro_pv["technologie"] == "Photovoltaïque"
    marine = frame.loc["17W100P100P0272C"]
    assert marine["filiere"] == "Énergies marines" and marine["renouvelable"]

    tricastin = frame.loc["17W100P100P0149B"]  # two commune codes: codeinseecommune decides
    assert tricastin["code_insee_commune_implantation"] == "26324"
    assert tricastin["code_commune"] == "26235"


def test_aggregate_row_keeps_its_count_and_departement() -> None:
    frame = load(REGISTER).frame
    aggregate = frame[frame["agregation"]]
    assert len(aggregate) == 1
    row = aggregate.iloc[0]
    assert row["nom_installation"] == "Agrégation des installations de moins de 36KW"
    assert (row["nb_installations"], row["puissance_kw"]) == (11, 3303.0)
    assert row["code_commune"] is None and row["code_epci"] is None
    assert (row["code_departement"], row["code_region"]) == ("89", "27")
    assert frame["nb_installations"].sum() == 29 + 11


# --- the CSV export -------------------------------------------------------------------------------


def test_csv_export_gives_the_same_frame_as_the_json(tmp_path: Path) -> None:
    path = tmp_path / "registre.csv"
    path.write_text(csv_export(records()), encoding="utf-8")
    from_csv, from_json = load(path), load(REGISTER)
    assert from_csv.report.rows_kept == from_json.report.rows_kept == 30
    assert from_csv.report.repairs == from_json.report.repairs
    pd.testing.assert_frame_equal(comparable(from_csv.frame), comparable(from_json.frame))
    assert from_csv.frame["ligne"].tolist()[:3] == [2, 3, 4]


HEADER = (
    "nominstallation;codeinseecommune;codedepartement;filiere;technologie;puismaxinstallee;"
    "nbinstallations;energieannuelleglissanteproduite;datemiseenservice;codeeicresourceobject"
)
FAULTY_ROWS = [
    # line 2: placeholder date, power with blanks and a decimal comma
    'Barrage A;38185;38;Hydraulique;Lac;"1 310 000,5";1;1000000;01/01/1900;E1',
    # line 3: a name with a newline inside its quotes (the record spans lines 3–4)
    '"Parc\nsolaire";38527;38;Solaire;Photovoltaïque;250;1;;15/03/2019;E2',
    # line 5: "Confidentiel" name, PV filed under the thermal filière
    "Confidentiel;38000;38;Thermique non renouvelable;Photovoltaïque;132300;1;;;E3",
    # line 6: old code of a merged commune (Panissage → Val-de-Virieu)
    "Moulin;38293;38;Hydraulique;Fil de l'eau;40;1;173003;13/12/2012;E4",
    # line 7: code with its leading zero lost (01053 Bourg-en-Bresse)
    "Toiture;1053;01;Solaire;Photovoltaïque;9;1;;2020-06-30;E5",
    # line 8: a commune code the COG does not know
    "Fantôme;99999;99;Eolien;Terrestre;2000;1;;;E6",
    # line 9: the département aggregate, no commune
    "Agrégation des installations de moins de 36KW;;38;Solaire;Photovoltaïque;3303;11;;;",
    # line 10: no commune and no département
    "Inconnue;;;Solaire;Photovoltaïque;3;1;;;E7",
    # line 11: a postal code shared by 7 communes of one EPCI (and no commune's code)
    "Centrale;38570;38;Hydraulique;Lac;10;1;;;E8",
    # line 12: unreadable power, missing installation count
    "Illisible;38185;38;Bioénergies;Biogaz;beaucoup;;;;E9",
    # line 13: no filière, the technology gives it
    "Sans filière;38185;38;;Photovoltaïque;5;1;;;E10",
]


def faulty_file(tmp_path: Path, *, encoding: str, newline: str) -> Path:
    path = tmp_path / f"registre-{encoding}-{len(newline)}.csv"
    return write_lines(path, [HEADER, *FAULTY_ROWS], encoding=encoding, newline=newline)


@pytest.mark.parametrize(
    ("encoding", "newline"),
    [("utf-8-sig", "\r\n"), ("utf-8", "\n"), ("cp1252", "\r\n"), ("latin-1", "\n")],
)
def test_csv_with_every_fault(tmp_path: Path, encoding: str, newline: str) -> None:
    loaded = load(faulty_file(tmp_path, encoding=encoding, newline=newline))
    report = loaded.report.to_dict()
    assert (report["rows_read"], report["rows_kept"], report["rows_rejected"]) == (11, 9, 2)
    assert report["rejections"] == [
        {"line": 8, "reason": "code commune inconnu du COG : « 99999 »"},
        {"line": 10, "reason": "ni code commune ni département"},
    ]
    expected_repairs = {
        "code_insee_ancien": 1,
        "code_insee_code_postal": 2,
        "code_insee_zero_initial": 1,
        "date_fictive": 1,
        "date_format": 2,
        "filiere_selon_technologie": 2,
        "nb_installations_absent_1": 1,
        "nom_confidentiel": 1,
    }
    assert report["repairs"] == expected_repairs
    assert any("puismaxinstallee n'est pas une puissance lisible" in w for w in report["warnings"])
    assert any(w.startswith("code postal commun à plusieurs communes") for w in report["warnings"])
    if encoding in ("cp1252", "latin-1"):
        assert any("encodé en" in w for w in report["warnings"])

    frame = loaded.frame.set_index("ligne")
    assert frame.loc[2, "puissance_kw"] == 1_310_000.5
    assert pd.isna(frame.loc[2, "date_mise_en_service"])  # 01/01/1900 is no date
    assert frame.loc[2, "energie_annuelle_mwh"] == 1000.0
    assert frame.loc[3, "nom_installation"].splitlines() == ["Parc", "solaire"]
    assert frame.loc[3, "date_mise_en_service"] == date(2019, 3, 15)
    assert frame.loc[5, "confidentiel"] and pd.isna(frame.loc[5, "nom_installation"])
    assert frame.loc[5, "filiere"] == "Solaire" and frame.loc[5, "code_commune"] == "38185"
    assert frame.loc[6, "code_commune"] == "38560" and frame.loc[6, "code_insee_commune"] == "38293"
    assert frame.loc[7, "code_commune"] == "01053" and frame.loc[7, "code_departement"] == "01"
    assert frame.loc[9, "nb_installations"] == 11 and frame.loc[9, "code_departement"] == "38"
    assert frame.loc[9, "code_commune"] is None
    assert frame.loc[11, "code_commune"] is None and frame.loc[11, "code_departement"] == "38"
    cog = territories().cog.communes
    sharing = cog[cog["codes_postaux"].map(lambda codes: "38570" in codes)]
    assert len(sharing) == 7 and sharing["epci"].nunique() == 1
    assert frame.loc[11, "code_epci"] == sharing["epci"].iloc[0]
    assert pd.isna(frame.loc[12, "puissance_kw"]) and frame.loc[12, "nb_installations"] == 1
    assert frame.loc[13, "filiere"] == "Solaire" and pd.isna(frame.loc[13, "filiere_publiee"])
    # Isère communes have outlines in the mirror: a point inside each; Ain has none.
    assert frame.loc[6].geometry.within(territories().outline("commune", "38560"))
    assert frame.loc[7].geometry is None and frame.loc[9].geometry is None


def test_a_postal_code_shared_across_epcis_keeps_only_what_is_common(tmp_path: Path) -> None:
    cog = territories().cog.communes
    shared = cog.explode("codes_postaux").groupby("codes_postaux")["epci"].nunique()
    postal = "38690"  # 15 communes in 3 EPCIs
    assert shared[postal] == 3
    path = tmp_path / "registre.csv"
    path.write_text(f"{HEADER}\nCentrale;{postal};38;Hydraulique;Lac;10;1;;;E1\n", encoding="utf-8")
    row = load(path).frame.iloc[0]
    assert row["code_commune"] is None and row["code_epci"] is None
    assert (row["code_departement"], row["code_region"]) == ("38", "84")


def test_not_a_register_file_names_the_missing_columns(tmp_path: Path) -> None:
    with pytest.raises(DatasetFormatError, match="nominstallation, filiere, puismaxinstallee"):
        load(BNLC)
    path = tmp_path / "autre.json"
    path.write_text('[{"nom": "x"}]', encoding="utf-8")
    with pytest.raises(DatasetFormatError, match="codeinseecommune"):
        load(path)
    path.write_text('{"total_count": 3}', encoding="utf-8")
    with pytest.raises(DatasetFormatError, match="liste d'enregistrements"):
        load(path)


def test_compact_json_and_api_pages(tmp_path: Path) -> None:
    rows = records()[:3]
    compact = tmp_path / "compact.json"
    compact.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    loaded = load(compact)
    assert loaded.frame["ligne"].tolist() == [1, 2, 3]  # record numbers
    assert RECORD_NUMBERS in loaded.report.warnings
    page = tmp_path / "page.json"
    page.write_text(
        json.dumps({"total_count": 3, "results": rows}, indent=1, ensure_ascii=False),
        encoding="utf-8",
    )
    # Line 1 "{", 2 "total_count", 3 "results": [, 4 the first record.
    assert load(page).frame["ligne"].tolist() == [4, 57, 110]
    # An escaped quote inside a value does not shift the count of records.
    rows[0] = {**rows[0], "nominstallation": 'BROMMH "6" \\ {'}
    page.write_text(json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")
    assert load(page).frame["nom_installation"].iloc[0] == 'BROMMH "6" \\ {'
    assert load(page).frame["ligne"].tolist() == [2, 55, 108]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10_000), sep=st.sampled_from([";", ",", "\t"]))
def test_shuffled_rows_and_other_separators_change_nothing(
    tmp_path: Path, seed: int, sep: str
) -> None:
    rows = records()
    reference = loaded_excerpt()
    random.Random(seed).shuffle(rows)
    path = tmp_path / f"shuffled-{seed}.csv"
    path.write_text(csv_export(rows, sep=sep), encoding="utf-8")
    loaded = load(path)
    assert loaded.report.duplicates_removed == 1
    pd.testing.assert_frame_equal(comparable(loaded.frame), comparable(reference.frame))


def test_geometry_is_a_point_or_none() -> None:
    frame = load(REGISTER).frame
    kinds = {None if g is None else shapely.get_type_id(g) for g in frame.geometry}
    assert kinds == {None, 0}
