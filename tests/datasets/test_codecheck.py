"""Real BNLC findings, reproduced on small excerpts written in the file's own layouts.

Older BNLC editions (the 2020-12 file of etalab/transport-base-nationale-covoiturage, lines
2341-2355) hold a run of Pyrénées-Orientales places whose coordinates are those of the
Charente places above them, and every edition holds homonyms geocoded in another département
(Bias, Landes, placed in Bias, Lot-et-Garonne; Romagne, Gironde, in Romagné, Ille-et-Vilaine)
and old commune codes (25620, 44160, 61310, 79260) in ``insee``. The rows below are written
for these tests in the same shape — the real communes and codes, made-up places and points
chosen in the mirror's communes (Isère + Paris) or outside them — never copied from the file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from reference import territories

from geo.datasets import CATALOGUE, load_dataset
from geo.datasets.codecheck import CODE_KEPT, MISMATCH_NEAR

#: The 2020 editions: every field quoted, no ``id_local``.
OLD_HEADER = (
    '"id_lieu","nom_lieu","ad_lieu","com_lieu","insee","type","date_maj","ouvert","source",'
    '"Xlong","Ylat","nbre_pl","nbre_pmr","duree","horaires","proprio","lumiere","comm"'
)
#: Today's edition.
HEADER = (
    "id_lieu,id_local,nom_lieu,ad_lieu,com_lieu,insee,type,date_maj,ouvert,source,Xlong,Ylat,"
    "nbre_pl,nbre_pmr,duree,horaires,proprio,lumiere,comm"
)


def old_row(id_lieu: str, name: str, commune: str, insee: str, lon: float, lat: float) -> str:
    values = [
        id_lieu, name, "Giratoire de la RD 1", commune, insee, "Aire de covoiturage",
        "2020-03-09", "true", "226600013", str(lon), str(lat), "20", "1", "", "24-24",
        "Conseil départemental", "false", "",
    ]  # fmt: skip
    return ",".join(f'"{value}"' for value in values)


def row(id_lieu: str, commune: str, insee: str, lon: float, lat: float) -> str:
    return (
        f"{id_lieu},,Parking relais,Place de la Gare,{commune},{insee},Parking,2023-05-02,true,"
        f"213801855,{lon},{lat},12,1,,,Commune,true,"
    )


def load(tmp_path: Path, header: str, rows: list[str]):
    path = tmp_path / "bnlc.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return load_dataset(CATALOGUE["covoiturage"], path, territories=territories(), schema=None)


# Points written for the tests (lon, lat).
COGNAC = (-0.3290, 45.6950)
CHARENTE = [(-0.1426, 45.4816), (0.4670, 45.8321), (0.2778, 45.5576), (-0.1620, 45.4762)]
GRENOBLE = (5.7245, 45.1885)
VOIRON = (5.5916, 45.3642)
VIENNE = (4.8742, 45.5253)
NEAR_GRENOBLE_IN_SAINT_MARTIN = (5.7530, 45.1860)  # Saint-Martin-d'Hères, ~1 km from Grenoble
CLAIX_ISERE = (5.6730, 45.1230)
ROUSSILLON_VAUCLUSE = (5.2930, 43.9020)


def by_line(loaded) -> dict[int, str]:
    return {item["line"]: item["warning"] for item in loaded.report.line_warnings}


def test_coordinates_shifted_by_one_line_keep_the_code_their_name_confirms(
    tmp_path: Path,
) -> None:
    rows = [
        old_row("16102-C-001", "Crouin", "Cognac", "16102", *COGNAC),
        # A run of Pyrénées-Orientales places carrying the Charente points of other lines.
        old_row("66088-C-002", "Aire de la gare", "ILLE SUR TET", "66088", *CHARENTE[0]),
        old_row("66024-C-002", "Aire du giratoire", "LE BOULOU", "66024", *CHARENTE[1]),
        old_row("66164-C-001", "Aire du péage", "RIVESALTES", "66164", *CHARENTE[2]),
        old_row("66136-C-001", "Aire de la rocade", "PERPIGNAN", "66136", *CHARENTE[3]),
        # The same fault inside the loaded communes: each place has the point of the line above.
        old_row("38185-C-010", "Parking des Alpes", "GRENOBLE", "38185", *GRENOBLE),
        old_row("38563-C-010", "Parking de la gare", "VOIRON", "38563", *GRENOBLE),
        old_row("38544-C-010", "Parking du Rhône", "VIENNE", "38544", *VOIRON),
        old_row("38053-C-010", "Parking du lycée", "BOURGOIN JALLIEU", "38053", *VIENNE),
    ]
    loaded = load(tmp_path, OLD_HEADER, rows)
    frame = loaded.frame.set_index("ligne")
    report = loaded.report
    assert report.rows_kept == 9 and report.rows_rejected == 0
    assert report.repairs[CODE_KEPT] == 7
    warnings = by_line(loaded)
    assert sorted(warnings) == [3, 4, 5, 6, 8, 9, 10]
    # Outside the loaded communes, the Charente points are hundreds of km from their
    # département: the rows go to the communes their code and name designate, without a point.
    assert frame.loc[3:6, "code_commune"].tolist() == ["66088", "66024", "66164", "66136"]
    assert frame.loc[3:6, "code_departement"].eq("66").all()
    assert frame.loc[3:6, "geometry"].isna().all()
    assert warnings[4].startswith("point à plus de ")
    assert "son code INSEE « 66024 » et son nom « LE BOULOU »" in warnings[4]
    assert (
        "coordonnées publiées : lon 0.467, lat 45.8321, hors des communes chargées" in (warnings[4])
    )
    # Inside them, each row is counted in its own commune and drawn at a point of it.
    assert frame.loc[8:10, "code_commune"].tolist() == ["38563", "38544", "38053"]
    for line in (8, 9, 10):
        point = frame.loc[line, "geometry"]
        assert (
            territories().locate([point.y], [point.x])["code_commune"].iloc[0]
            == (frame.loc[line, "code_commune"])
        )
    assert warnings[8].startswith("point à ") and "de Voiron (38563)" in warnings[8]
    assert "lieu rangé dans Voiron (38563)" in warnings[8]
    assert "Grenoble (38185))" in warnings[8]  # where the published point fell
    assert frame.loc[7, "code_commune"] == "38185" and 7 not in warnings  # the right one
    assert frame.loc[2, "code_commune"] is None  # Cognac: outside, where its point is
    assert loaded.rows_outside == 5


def test_near_disagreements_are_grouped_apart_from_far_ones(tmp_path: Path) -> None:
    rows = [
        row("38185-C-020", "Grenoble", "38185", *NEAR_GRENOBLE_IN_SAINT_MARTIN),
        # Voiron's code on a place the name and the point put in Grenoble: the code is wrong.
        row("38563-C-020", "GRENOBLE", "38563", *GRENOBLE),
        # A far point and no commune name: nothing says the code is right.
        row("38563-C-021", "", "38563", *VIENNE),
    ]
    loaded = load(tmp_path, HEADER, rows)
    frame = loaded.frame.set_index("ligne")
    assert loaded.report.warnings == [f"{MISMATCH_NEAR} : 1 ligne(s), par ex. ligne 2"]
    assert frame.loc[2, "code_commune"] == "38421"  # the point decides, near
    warnings = by_line(loaded)
    assert sorted(warnings) == [3, 4]
    assert warnings[3].startswith("code INSEE « 38563 » (Voiron (38563)) à ")
    assert warnings[3].endswith(
        "du point, qui tombe dans Grenoble (38185) comme le dit son nom « GRENOBLE » : le "
        "point fait foi"
    )
    assert frame.loc[3, "code_commune"] == "38185"
    assert "aucun nom de commune ne le confirme : le point fait foi" in warnings[4]
    assert frame.loc[4, "code_commune"] == "38544"
    assert CODE_KEPT not in loaded.report.repairs


def test_homonyms_geocoded_in_another_departement_keep_their_code(tmp_path: Path) -> None:
    rows = [
        # Claix of Charente (16101), geocoded in Claix of Isère (38111).
        row("16101-C-001", "CLAIX", "16101", *CLAIX_ISERE),
        # Roussillon of Isère (38344), geocoded in Roussillon of Vaucluse.
        row("38344-C-001", "Roussillon", "38344", *ROUSSILLON_VAUCLUSE),
    ]
    loaded = load(tmp_path, HEADER, rows)
    frame = loaded.frame.set_index("ligne")
    assert frame.loc[2, ["code_commune", "code_departement"]].tolist() == ["16101", "16"]
    assert frame.loc[2, "geometry"] is None  # Charente's outlines are not loaded
    assert frame.loc[3, ["code_commune", "code_departement"]].tolist() == ["38344", "38"]
    point = frame.loc[3, "geometry"]
    assert territories().locate([point.y], [point.x])["code_commune"].iloc[0] == "38344"
    warnings = by_line(loaded)
    assert "(homonyme de Claix (38111), où tombe le point)" in warnings[2]
    assert loaded.report.repairs[CODE_KEPT] == 2
    assert loaded.rows_outside == 1


def test_old_commune_codes_that_are_postal_codes_too_agree_with_their_commune(
    tmp_path: Path,
) -> None:
    # 38142 (Curtin) is now Vézeronce-Curtin and a postal code of five Oisans communes;
    # 38121 (Bonnevaux) is now Porte-des-Bonnevaux and a postal code of two others.
    rows = [
        row("38142-C-001", "CURTIN", "38142", 5.4690, 45.6540),
        row("38121-C-001", "BONNEVAUX", "38121", 5.2220, 45.4320),
    ]
    loaded = load(tmp_path, HEADER, rows)
    frame = loaded.frame.set_index("ligne")
    assert frame["code_commune"].tolist() == ["38543", "38479"]
    assert loaded.report.warnings == [] and loaded.report.line_warnings == []
    assert loaded.report.repairs == {"code_insee_ancien": 2}


def test_a_file_outside_every_loaded_commune_is_counted(tmp_path: Path) -> None:
    rows = [
        row("16102-C-001", "Cognac", "16102", *COGNAC),
        row("66136-C-001", "PERPIGNAN", "66136", 2.8950, 42.6990),
    ]
    loaded = load(tmp_path, HEADER, rows)
    assert loaded.frame["code_commune"].isna().all()
    assert loaded.rows_outside == 2 == loaded.report.to_dict()["rows_outside"]
    assert loaded.report.line_warnings == []


@pytest.mark.parametrize(
    ("commune_name", "expected"),
    [("LE BOULOU", "66024"), ("Boulou", "66024"), ("", None), ("Cognac", None)],
)
def test_the_name_decides_for_a_far_point(
    tmp_path: Path, commune_name: str, expected: str | None
) -> None:
    # Le Boulou's code on a point in Cognac's département.
    loaded = load(tmp_path, HEADER, [row("66024-C-002", commune_name, "66024", *COGNAC)])
    assert loaded.frame["code_commune"].iloc[0] == expected
    assert [item["line"] for item in loaded.report.line_warnings] == [2]


def test_a_distance_unknown_for_one_homonym_is_unknown() -> None:
    from geo.datasets.codecheck import distances_to_communes

    # Saint-Pierre of the Alpes-de-Haute-Provence (04194) and of La Réunion (97416): the
    # mirror loads neither outline nor La Réunion's département, so a point on La Réunion may
    # be in the second one — no distance can be given.
    km, _, _ = distances_to_communes(
        [55.478, 55.478], [-21.339, -21.339], [{"04194", "97416"}, {"04194"}], territories()
    )
    assert np.isnan(km[0])
    assert km[1] > 8000  # only the one of the Alpes: at least the distance to its département
