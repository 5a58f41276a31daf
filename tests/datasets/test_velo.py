"""Bike parking (schema stationnement-cyclable) and cycle lanes (schema aménagements
cyclables): the schemas' official examples, then files with the faults producers make."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Transformer
from reference import MIRROR, territories

from geo.datasets import CATALOGUE, load_dataset
from geo.datasets.amenagements_cyclables import OUTPUT_COLUMNS as LANE_COLUMNS
from geo.datasets.amenagements_cyclables import geodesic_length
from geo.datasets.csvfile import DatasetFormatError
from geo.datasets.stationnement_velo import OUTPUT_COLUMNS as PARKING_COLUMNS

ETALAB = MIRROR / "raw.githubusercontent.com/etalab"
PARKING_DIR = ETALAB / "schema-stationnement-cyclable/v1.1.2"
PARKING_SCHEMA = PARKING_DIR / "schema.json"
LANES_DIR = ETALAB / "amenagements-cyclables/v0.3.5"
LANES_SCHEMA = LANES_DIR / "schema_amenagements_cyclables.json"
LANES_EXAMPLE = LANES_DIR / "exemple-valide.json"


def load(dataset: str, path: Path, schema: Path | None = None):
    return load_dataset(CATALOGUE[dataset], path, territories=territories(), schema=schema)


# --- stationnement cyclable ----------------------------------------------------------------------


def test_parking_example_with_a_newline_inside_its_coordinates() -> None:
    raw = (PARKING_DIR / "exemple-valide.csv").read_text(encoding="utf-8")
    assert '"[5.7145295,45.191463]\n"' in raw  # the published quirk
    loaded = load("stationnement_velo", PARKING_DIR / "exemple-valide.csv", PARKING_SCHEMA)
    report = loaded.report.to_dict()
    assert (report["rows_read"], report["rows_kept"], report["rows_rejected"]) == (1, 1, 0)
    assert report["repairs"] == {"booleen_orthographe": 1}  # booleans written 1/0
    assert report["warnings"] == []
    frame = loaded.frame
    assert list(frame.columns) == [*PARKING_COLUMNS, "geometry"]
    row = frame.iloc[0]
    assert (row.geometry.x, row.geometry.y) == pytest.approx((5.7145295, 45.191463))
    assert row["capacite"] == 8 and row["capacite_cargo"] == 3
    assert row["gratuit"] and row["couverture"] and row["surveillance"] and row["lumiere"]
    assert (row["code_commune"], row["code_epci"]) == ("38185", "200040715")
    assert row["mobilier"] == "ARCEAU" and row["d_service"] == 2017


PARKING_HEADER = (
    "id_local,id_osm,code_com,coordonneesxy,capacite,capacite_cargo,type_accroche,mobilier,"
    "acces,gratuit,protection,couverture,surveillance,lumiere,url_info,d_service,source,"
    "proprietaire,gestionnaire,date_maj,commentaires"
)
PARKING_ROWS = [
    # line 2: lat first, spaces, booleans in French, list values in lower case
    'P1,,38185,"[45.1885, 5.7245]",10,,cadre et roue,Arceau,libre accès,oui,,non,Vrai,0,,,'
    ",,,2021-05-01,",
    # line 3: the same id updated later (kept), coordinates with a newline inside the quotes
    'P1,,38185,"[5.7245,45.1885]\n",12,,ROUE,ARCEAU,LIBRE ACCES,true,,false,false,false,,,,,,'
    "2023-01-15,",
    # line 5: [0,0]
    'P2,,38185,"[0,0]",4,,ROUE,,,,,,,,,,,,,,',
    # line 6: outside France in both orders
    'P3,,38185,"[-73.98,40.75]",4,,ROUE,,,,,,,,,,,,,,',
    # line 7: no coordinates
    "P4,,38185,,4,,ROUE,,,,,,,,,,,,,,",
    # line 8: a postal code as code_com, a negative capacity
    'P5,,38000,"[5.7245,45.1885]",-2,,ROUE,,,,,,,,,,,,,,',
    # line 9: Paris, a value outside the schema's list (kept, reported by the schema)
    'P6,,75056,"[2.3522,48.8566]",6,,ROUE,BANC,,,,,,,,,,,,,',
]


def parking_file(
    tmp_path: Path, rows: list[str], *, encoding: str = "utf-8", sep: str = ","
) -> Path:
    text = "\n".join([PARKING_HEADER, *rows]) + "\n"
    if sep != ",":
        frame = pd.read_csv(pd.io.common.StringIO(text), dtype=str, keep_default_na=False)
        text = frame.to_csv(sep=sep, index=False)
    path = tmp_path / f"parking-{encoding}-{sep == ','}.csv"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_parking_faults(tmp_path: Path, encoding: str) -> None:
    loaded = load(
        "stationnement_velo",
        parking_file(tmp_path, PARKING_ROWS, encoding=encoding),
        PARKING_SCHEMA,
    )
    report = loaded.report.to_dict()
    assert (report["rows_read"], report["rows_kept"], report["rows_rejected"]) == (7, 3, 3)
    assert report["duplicates_removed"] == 1
    assert report["rejections"] == [
        {"line": 5, "reason": "coordonnées [0, 0] (valeur par défaut, pas un lieu)"},
        {
            "line": 6,
            "reason": "coordonnées hors de France dans les deux ordres (lon -73.98, lat 40.75)",
        },
        {"line": 7, "reason": "coordonnées absentes"},
    ]
    # The duplicate P1 (line 2) is dropped before its swapped pair is looked at.
    assert report["repairs"] == {
        "booleen_orthographe": 1,
        "code_insee_code_postal": 1,
        "valeur_liste_orthographe": 1,
    }
    warnings = report["warnings"]
    assert any("« mobilier »" in w and w.endswith("lignes 2, 9") for w in warnings)
    assert any("capacite n'est pas un entier ≥ 0" in w and "ligne 8" in w for w in warnings)
    frame = loaded.frame.set_index("id_local")
    assert frame.loc["P1", "capacite"] == 12 and frame.loc["P1", "ligne"] == 3
    assert frame.loc["P5", "code_commune"] == "38185" and pd.isna(frame.loc["P5", "capacite"])
    assert frame.loc["P6", "code_commune"] == "75056" and frame.loc["P6", "mobilier"] == "BANC"


def test_parking_swapped_pair_and_spellings_are_repaired(tmp_path: Path) -> None:
    loaded = load("stationnement_velo", parking_file(tmp_path, PARKING_ROWS[:1]))
    assert loaded.report.repairs == {
        "booleen_orthographe": 1,
        "coordonnees_inversees": 1,
        "valeur_liste_orthographe": 1,
    }
    row = loaded.frame.iloc[0]
    assert (row.geometry.x, row.geometry.y) == pytest.approx((5.7245, 45.1885))
    assert (row["type_accroche"], row["mobilier"], row["acces"]) == (
        "CADRE ET ROUE",
        "ARCEAU",
        "LIBRE ACCES",
    )
    assert (row["gratuit"], row["couverture"], row["surveillance"], row["lumiere"]) == (
        True,
        False,
        True,
        False,
    )


def test_not_a_parking_file(tmp_path: Path) -> None:
    bnlc = ETALAB / "transport-base-nationale-covoiturage/main/bnlc-.csv"
    with pytest.raises(DatasetFormatError, match="absente\\(s\\) : coordonneesxy, capacite"):
        load("stationnement_velo", bnlc)


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10_000), sep=st.sampled_from([",", ";", "\t"]))
def test_parking_shuffled_rows_and_other_separators_change_nothing(
    tmp_path: Path, seed: int, sep: str
) -> None:
    rows = PARKING_ROWS.copy()
    random.Random(seed).shuffle(rows)
    reference = load("stationnement_velo", parking_file(tmp_path, PARKING_ROWS)).frame
    shuffled = load("stationnement_velo", parking_file(tmp_path, rows, sep=sep)).frame

    def comparable(frame: gpd.GeoDataFrame) -> pd.DataFrame:
        out = pd.DataFrame(frame.drop(columns=["ligne"]))
        out["geometry"] = frame.geometry.to_wkt()
        return out.sort_values("id_local").reset_index(drop=True).astype(str)

    pd.testing.assert_frame_equal(comparable(shuffled), comparable(reference))


# --- aménagements cyclables ----------------------------------------------------------------------


def example() -> dict:
    return json.loads(LANES_EXAMPLE.read_text(encoding="utf-8"))


def feature(coordinates: object, kind: str = "LineString", **properties: object) -> dict:
    base = copy.deepcopy(example()["features"][0])
    base["geometry"] = None if kind is None else {"type": kind, "coordinates": coordinates}
    base["properties"].update(properties)
    return base


def write_lanes(tmp_path: Path, features: list[dict], **extra: object) -> Path:
    path = tmp_path / "amenagements.geojson"
    path.write_text(
        json.dumps({"type": "FeatureCollection", **extra, "features": features}), encoding="utf-8"
    )
    return path


def test_lanes_example() -> None:
    loaded = load("amenagements_cyclables", LANES_EXAMPLE, LANES_SCHEMA)
    report = loaded.report.to_dict()
    assert (report["rows_read"], report["rows_kept"], report["rows_rejected"]) == (1, 1, 0)
    # Right side 75107 is Paris 7e (an arrondissement code), left side 75017 a postal code.
    assert report["repairs"] == {"code_insee_ancien": 1, "code_insee_code_postal": 1}
    assert report["warnings"] == []
    frame = loaded.frame
    assert list(frame.columns) == [*LANE_COLUMNS, "geometry"] and frame.crs.to_epsg() == 4326
    row = frame.iloc[0]
    assert row.geometry.geom_type == "LineString"
    assert row["nom_loc"] == "V1:V6:V13" and row["ligne"] == 0
    assert (row["ame_d"], row["ame_g"]) == ("PISTE CYCLABLE", "VOIE VERTE")
    assert (row["largeur_d"], row["largeur_g"], row["trafic_vit"]) == (3.0, 4.0, 80)
    assert row["lumiere"] and row["d_service"] == 2015
    assert (row["code_commune"], row["code_departement"], row["code_region"]) == (
        "75056",
        "75",
        "11",
    )
    lambert = gpd.GeoSeries([row.geometry], crs=4326).to_crs(2154).length.iloc[0]
    assert row["longueur_m"] == pytest.approx(lambert, rel=3e-3)
    assert row["longueur_m"] == pytest.approx(124.88, abs=0.01)


def test_lane_faults_are_rejected_with_their_feature_index(tmp_path: Path) -> None:
    grenoble = [[5.7200, 45.1880], [5.7250, 45.1890], [5.7300, 45.1885]]
    features = [
        feature(grenoble, code_com_d="38185", code_com_g="38185"),  # 0: fine
        feature(None, kind=None),  # 1: no geometry
        feature([], code_com_d="38185"),  # 2: empty
        feature([5.72, 45.18], kind="Point"),  # 3: a point
        feature([["a", "b"], [5.7, 45.1]]),  # 4: not numbers
        feature([[5.72, 45.18], [5.72, 45.18]]),  # 5: both points the same
        feature([[lat, lon] for lon, lat in grenoble], code_com_d="38185"),  # 6: lat/lon
        feature(grenoble, code_com_d="38185", code_com_g="38185"),  # 7: 0 published twice
        feature(
            [[[5.72, 45.188], [5.725, 45.189]], [[5.73, 45.19], [5.735, 45.191]]],
            kind="MultiLineString",
            ame_d="piste cyclable",  # 8: lower case, a multiline
            nom_loc="V63",
        ),
        feature([[-73.98, 40.75], [-73.97, 40.76]]),  # 9: New York
        feature([[5.72, 45.18], [5.73, 45.19]], code_com_d="38000", code_com_g="69123"),  # 10
    ]
    features.append({"type": "Feature", "properties": {"ame_d": "AUCUN"}})  # 11: no key
    loaded = load("amenagements_cyclables", write_lanes(tmp_path, features), LANES_SCHEMA)
    report = loaded.report.to_dict()
    assert (report["rows_read"], report["rows_kept"], report["rows_rejected"]) == (12, 4, 7)
    assert report["duplicates_removed"] == 1
    assert report["rejections"] == [
        {"line": 1, "reason": "géométrie absente"},
        {"line": 2, "reason": "géométrie vide"},
        {"line": 3, "reason": "géométrie de type Point au lieu d'une ligne"},
        {"line": 4, "reason": "géométrie illisible (coordonnées non numériques)"},
        {"line": 5, "reason": "géométrie invalide (tous les points sont confondus)"},
        {"line": 9, "reason": "ligne hors de France dans les deux ordres de coordonnées"},
        {"line": 11, "reason": "géométrie absente"},
    ]
    assert report["repairs"]["coordonnees_inversees"] == 1
    assert report["repairs"]["valeur_liste_orthographe"] == 1
    # Feature 11 lacks the schema's required properties: a warning, not a rejection.
    assert any("« id_local »" in w and "obligatoire" in w for w in report["warnings"])
    frame = loaded.frame.set_index("ligne")
    assert sorted(frame.index) == [0, 6, 8, 10]
    assert frame.loc[6].geometry.equals(frame.loc[0].geometry)  # swapped back
    assert frame.loc[6, "longueur_m"] == frame.loc[0, "longueur_m"]
    assert frame.loc[8].geometry.geom_type == "MultiLineString"
    assert (frame.loc[8, "ame_d"], frame.loc[8, "nom_loc"]) == ("PISTE CYCLABLE", "V63")
    assert frame["code_commune"].eq("38185").all()
    # Feature 10: 38000 (a Grenoble postal code) confirms the commune on its right side;
    # feature 8 kept the example's Paris codes on both sides.
    assert (
        "code INSEE du fichier ≠ commune localisée : 1 ligne(s), par ex. ligne 8"
        in (report["warnings"])
    )


def test_lane_length_is_geodesic_and_agrees_with_lambert_93() -> None:
    line = shapely.LineString([(5.72, 45.18), (5.73, 45.19), (5.75, 45.19)])
    multi = shapely.MultiLineString(
        [[(5.72, 45.18), (5.73, 45.19)], [(5.74, 45.19), (5.75, 45.19)]]
    )
    assert geodesic_length(np.array([], dtype=object)).size == 0
    lengths = geodesic_length(pd.Series([line, multi]).to_numpy())
    lambert = gpd.GeoSeries([line, multi], crs=4326).to_crs(2154).length.to_numpy()
    assert lengths == pytest.approx(lambert, rel=3e-3)
    # The gap between the two parts of the multiline is not cycle lane.
    part = gpd.GeoSeries([shapely.LineString([(5.73, 45.19), (5.74, 45.19)])], crs=4326)
    assert lengths[0] - lengths[1] == pytest.approx(part.to_crs(2154).length.iloc[0], rel=3e-3)


def test_lanes_in_lambert_93_are_reprojected(tmp_path: Path) -> None:
    to_l93 = Transformer.from_crs(4326, 2154, always_xy=True)
    grenoble = [list(to_l93.transform(lon, lat)) for lon, lat in [(5.72, 45.188), (5.73, 45.19)]]
    declared = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2154"}}
    path = write_lanes(tmp_path, [feature(grenoble)], crs=declared)
    loaded = load("amenagements_cyclables", path)
    assert loaded.report.repairs["reprojection_epsg_2154"] == 1
    first = loaded.frame.geometry.iloc[0].coords[0]
    assert first == pytest.approx((5.72, 45.188), abs=1e-7)
    assert loaded.frame["code_commune"].iloc[0] == "38185"
    undeclared = write_lanes(tmp_path, [feature(grenoble)])
    loaded = load("amenagements_cyclables", undeclared)
    assert loaded.report.repairs["reprojection_epsg_2154"] == 1
    assert any("Lambert-93" in w for w in loaded.report.warnings)


def test_lanes_from_the_geoparquet_of_data_fetch(tmp_path: Path) -> None:
    frame = gpd.read_file(LANES_EXAMPLE)
    path = tmp_path / "amenagements_cyclables.parquet"
    frame.to_parquet(path)
    from_parquet = load("amenagements_cyclables", path).frame
    from_json = load("amenagements_cyclables", LANES_EXAMPLE).frame
    assert from_parquet.iloc[0]["nom_loc"] == "V1:V6:V13"
    pd.testing.assert_frame_equal(
        pd.DataFrame(from_parquet.drop(columns="geometry")).astype(str),
        pd.DataFrame(from_json.drop(columns="geometry")).astype(str),
    )
    assert from_parquet.geometry.iloc[0].equals(from_json.geometry.iloc[0])


def test_not_a_lanes_file(tmp_path: Path) -> None:
    path = tmp_path / "x.geojson"
    path.write_text('{"type": "Feature"}', encoding="utf-8")
    with pytest.raises(DatasetFormatError, match="FeatureCollection"):
        load("amenagements_cyclables", path)
    points = {"type": "Feature", "geometry": None, "properties": {"nom": "x"}}
    path = write_lanes(tmp_path, [points])
    with pytest.raises(DatasetFormatError, match="ame_d, ame_g"):
        load("amenagements_cyclables", path)
