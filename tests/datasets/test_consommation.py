"""The Agence ORE loader on the mirror's real excerpt and on files with every fault of the
real exports (labels, secrets, postal codes, float artefacts, encodings)."""

from __future__ import annotations

import csv
import functools
import random
from pathlib import Path

import pandas as pd
import pytest
from fault_files import write_lines
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import MIRROR, territories

from geo.datasets import CATALOGUE, load_dataset
from geo.datasets.consommation import OUTPUT_COLUMNS, column_name
from geo.datasets.csvfile import DatasetFormatError

ORE = (
    MIRROR / "opendata.agenceore.fr/api/explore/v2.1/catalog/datasets/"
    "conso-elec-gaz-annuelle-par-secteur-dactivite-agregee-commune/exports/csv"
)
REGISTER = (
    MIRROR / "odre.opendatasoft.com/api/explore/v2.1/catalog/datasets/"
    "registre-national-installation-production-stockage-electricite-agrege/exports/json"
)


def load(path: Path):
    return load_dataset(CATALOGUE["consommation"], path, territories=territories(), schema=None)


@functools.cache
def loaded_excerpt():
    """The mirror's file loaded once (the property test compares every variant to it)."""
    return load(ORE)


def rows() -> list[list[str]]:
    with ORE.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Consommation Tertiaire  (MWh)", "conso_tertiaire_mwh"),  # double space
        ("consommation tertiaire (mwh)", "conso_tertiaire_mwh"),
        ("Consommation Résidentiel  (MWh)", "conso_residentiel_mwh"),
        ("Consommation Residentiel (MWh)", "conso_residentiel_mwh"),
        ("Consommation Secteur Inconnu (MWh)", "conso_secteur_inconnu_mwh"),
        ("Indique qualité Agriculture", "indice_qualite_agriculture"),  # the publisher's typo
        ("Indice qualité Non Affecté", "indice_qualite_secteur_inconnu"),
        ("Nombre de points Résidentiel", "pdl_residentiel"),
        ("Nombre de mailles secretisées (résidentiel)", "secret_residentiel"),
        ("\ufeffOpérateur", "operateur"),
        ("ANNÉE", "annee"),
        ("Code_postal", "code_postal"),
        ("Consommation totale (MWh)", "conso_totale_mwh"),
        ("Thermosensibilité (MWh/degré-jour)", "thermosensibilite_mwh_par_dj"),
        ("Libellé EPCI", "Libellé EPCI"),  # not read: the COG gives the EPCI
    ],
)
def test_column_names_are_matched_by_key(header: str, expected: str) -> None:
    assert column_name(header) == expected


def test_real_excerpt_report() -> None:
    raw = rows()
    header, body = raw[0], raw[1:]
    loaded = load(ORE)
    report = loaded.report.to_dict()
    assert len(body) == 1575
    assert (report["rows_read"], report["rows_kept"], report["rows_rejected"]) == (1575, 1575, 0)
    consumption = [i for i, name in enumerate(header) if name.startswith("Consommation")]
    assert len(consumption) == 6  # five sectors and the total
    artefacts = sum(any(len(row[i].partition(".")[2]) >= 4 for i in consumption) for row in body)
    postal = sum(len(row[35].split("/")) != len(set(row[35].split("/"))) for row in body)
    assert (artefacts, postal) == (252, 79)
    assert report["repairs"] == {
        "arrondi_artefact_flottant": artefacts,
        "code_insee_ancien": 5,  # Lyon 3e/8e/9e arrondissements, two merged communes
        "codes_postaux_dedoublonnes": postal,
        "secret_statistique": 1,  # Casterets, line 711
    }
    assert report["warnings"] == []
    frame = loaded.frame
    assert list(frame.columns) == [*OUTPUT_COLUMNS, "geometry"]
    assert header[11] == "Consommation Tertiaire  (MWh)" and header[6].startswith("Indique")
    assert frame["annee"].eq(2012).all() and frame["filiere"].eq("électricité").all()
    assert frame["operateur"].eq("Enedis").all()
    assert frame["code_departement"].value_counts().to_dict() == {
        code: sum(row[29] == code for row in body) for code in {row[29] for row in body}
    }
    # Sums match the file (the secret Casterets total excluded), artefacts rounded away.
    published = sum(float(row[34]) for row in body if row[25] != "65134")
    assert frame["conso_totale_mwh"].sum() == pytest.approx(published, abs=1e-6)


def test_real_values() -> None:
    frame = load(ORE).frame.set_index("ligne")
    assert frame.loc[9, "conso_totale_mwh"] == 2437.91  # published 2437.9100000000003
    assert frame.loc[1165, "conso_totale_mwh"] == 624043.03  # 624043.0300000001
    lyon = frame[frame["code_commune"] == "69123"]
    assert sorted(lyon["code_insee_commune"]) == ["69383", "69388", "69389"]
    assert frame.loc[14, "codes_postaux"] == "61260/61340/61130"  # published with repeats
    assert frame.loc[250, "codes_postaux"] == "62129/62120"
    # Casterets: its residential meshes are secret, 0 MWh on 0 points is no figure.
    casterets = frame.loc[711]
    assert casterets["code_commune"] == "65134" and casterets["mailles_secretisees"] == 1
    assert pd.isna(casterets["conso_residentiel_mwh"]) and pd.isna(casterets["pdl_residentiel"])
    assert pd.isna(casterets["conso_totale_mwh"])
    assert casterets["conso_tertiaire_mwh"] == 0.0  # not secret: a real 0
    # Blendecques: one secret mesh but a published figure, kept (a lower bound).
    assert frame.loc[76, "conso_residentiel_mwh"] == 12456.6
    assert frame.loc[76, "mailles_secretisees"] == 1
    first = frame.loc[2]
    assert (first["pdl_residentiel"], first["pdl_total"]) == (301, 303)
    assert first["indice_qualite_agriculture"] == 0.955
    assert (first["code_epci"], first["code_region"]) == ("200036069", "28")
    assert first.geometry is None  # Orne: no outline in the mirror


HEADER = (
    "Opérateur;Année;Filière;Consommation Agriculture (MWh);Nombre de points Agriculture;"
    "Nombre de mailles secretisées (agriculture);Consommation Résidentiel  (MWh);"
    "Nombre de points Résidentiel;Nombre de mailles secretisées (résidentiel);"
    "Code Commune;Libellé Commune;id_filiere;Consommation totale (MWh);Code_postal"
)
FAULTY_ROWS = [
    # line 2: float artefact, two postal codes
    "GRDF;2022;Gaz;12.5;3;0;2437.9100000000003;500;0;38185;Grenoble;200;2450.41;38000/38100",
    # line 3: a commune name with a newline inside its quotes (lines 3–4), Lyon arrondissement
    'Enedis;2022;Electricité;0.0;0;0;100;10;0;69381;"Lyon\n1er";100;100.0;69001',
    # line 5: secret cells written "secret" and left empty
    "Enedis;2022;Electricité;secret;;1;0.0;0;1;38527;Vaujany;100;0.0;38114",
    # line 6: a code the COG does not know
    "Enedis;2022;Electricité;1;1;0;1;1;0;99999;Nulle part;100;2;",
    # line 7: no year
    "Enedis;;Electricité;1;1;0;1;1;0;38185;Grenoble;100;2;",
    # line 8: neither id_filiere nor a known energy label
    "Enedis;2022;Chaleur;1;1;0;1;1;0;38185;Grenoble;;2;",
    # line 9: energy from the label only, old code of a merged commune, lost leading zero
    "Enedis;2021;électricité;1;1;0;2;1;0;1053;Bourg-en-Bresse;;3;01000",
]


def faulty_file(tmp_path: Path, *, encoding: str, newline: str) -> Path:
    path = tmp_path / f"ore-{encoding}-{len(newline)}.csv"
    return write_lines(path, [HEADER, *FAULTY_ROWS], encoding=encoding, newline=newline)


@pytest.mark.parametrize(
    ("encoding", "newline"), [("utf-8-sig", "\r\n"), ("utf-8", "\n"), ("cp1252", "\r\n")]
)
def test_file_with_every_fault(tmp_path: Path, encoding: str, newline: str) -> None:
    loaded = load(faulty_file(tmp_path, encoding=encoding, newline=newline))
    report = loaded.report.to_dict()
    assert (report["rows_read"], report["rows_kept"], report["rows_rejected"]) == (7, 4, 3)
    assert report["rejections"] == [
        {"line": 6, "reason": "code commune inconnu du COG : « 99999 »"},
        {"line": 7, "reason": "année absente ou illisible"},
        {
            "line": 8,
            "reason": "énergie inconnue (ni id_filiere 100/200 ni Filière électricité/gaz)",
        },
    ]
    assert report["repairs"] == {
        "arrondi_artefact_flottant": 1,
        "code_insee_ancien": 1,
        "code_insee_zero_initial": 1,
        "secret_statistique": 1,
    }
    frame = loaded.frame.set_index("ligne")
    gas = frame.loc[2]
    assert (gas["filiere"], gas["operateur"], gas["annee"]) == ("gaz", "GRDF", 2022)
    assert gas["conso_residentiel_mwh"] == 2437.91 and gas["codes_postaux"] == "38000/38100"
    assert gas["code_commune"] == "38185" and gas["code_epci"] == "200040715"
    assert gas.geometry.within(territories().outline("commune", "38185"))
    lyon = frame.loc[3]
    assert lyon["nom_commune"].splitlines() == ["Lyon", "1er"]
    assert lyon["code_commune"] == "69123" and lyon["code_insee_commune"] == "69381"
    secret = frame.loc[5]
    assert pd.isna(secret["conso_agriculture_mwh"]) and pd.isna(secret["pdl_agriculture"])
    assert pd.isna(secret["conso_residentiel_mwh"]) and pd.isna(secret["conso_totale_mwh"])
    assert secret["mailles_secretisees"] == 2
    old = frame.loc[9]
    assert (old["filiere"], old["code_commune"], old["annee"]) == ("électricité", "01053", 2021)


def test_a_json_file_is_named_as_such() -> None:
    # The production register's JSON export loaded as the ORE CSV: said, not parsed as CSV.
    with pytest.raises(DatasetFormatError) as info:
        load(REGISTER)
    assert "n'est pas un fichier CSV : c'est un fichier JSON" in str(info.value)


def test_not_an_ore_file_names_the_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "autre.csv"
    path.write_text("commune;valeur\n38185;1\n", encoding="utf-8")
    with pytest.raises(DatasetFormatError) as info:
        load(path)
    message = str(info.value)
    assert "Année, Code Commune, Consommation totale (MWh), Filière ou id_filiere" in message


def comparable(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(frame.drop(columns=["ligne", "geometry"]))
    keys = ["code_insee_commune", "annee", "filiere", "operateur"]
    return out.sort_values(keys).reset_index(drop=True).astype(str)


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10_000), sep=st.sampled_from([";", ",", "\t"]))
def test_shuffled_rows_and_other_separators_change_nothing(
    tmp_path: Path, seed: int, sep: str
) -> None:
    raw = rows()
    header, body = raw[0], raw[1:]
    random.Random(seed).shuffle(body)
    path = tmp_path / f"ore-{seed}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=sep, lineterminator="\r\n").writerows([header, *body])
    reference = loaded_excerpt()
    loaded = load(path)
    assert loaded.report.repairs == reference.report.repairs
    pd.testing.assert_frame_equal(comparable(loaded.frame), comparable(reference.frame))
