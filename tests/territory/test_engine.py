"""The territory hierarchy, old codes, outlines and outline formats, on the real mirror files.

Expected figures come from the COG files of the mirror (``@etalab/decoupage-administratif``
6.0.0, INSEE COG 2026) and are re-derived from them where a test can do so.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from reference import COG_FILES, COMMUNE_OUTLINES, GRENOBLE, cog_rows, territories
from shapely.geometry import Point

from geo.errors import DataUnavailableError, UnknownTerritoryError
from geo.territory import TERRITORY_COLUMNS, Territories
from geo.territory.loading import from_files
from geo.territory.reference import read_cog, read_outlines


@pytest.fixture(scope="module")
def terr() -> Territories:
    return territories()


def _current_communes() -> dict[str, dict]:
    return {r["code"]: r for r in cog_rows("communes") if r["type"] == "commune-actuelle"}


def _sum_population(codes: list[str]) -> int:
    current = _current_communes()
    return sum(current[code]["population"] for code in codes)


# --- old codes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "current"),
    [
        ("38293", "38560"),  # Panissage, merged into Val-de-Virieu (anciensCodes)
        ("38021", "38225"),  # Autrans, commune déléguée of Autrans-Méaudre en Vercors
        ("75101", "75056"),  # arrondissements municipaux
        ("75120", "75056"),
        ("69381", "69123"),
        ("13201", "13055"),
        ("38185", "38185"),  # a current code is itself
        (38185, "38185"),
        ("1001", "01001"),  # lost its leading zero
        (" 38185 ", "38185"),
        ("2A004", "2A004"),
        ("99999", None),
        ("38000", None),  # a postal code is not a commune code
        ("", None),
        (None, None),
    ],
)
def test_hierarchy_of_old_and_odd_codes(
    terr: Territories, given: object, current: str | None
) -> None:
    assert terr.hierarchy_of_communes([given])["code_commune"].tolist() == [current]


def test_hierarchy_columns_of_an_arrondissement(terr: Territories) -> None:
    table = terr.hierarchy_of_communes(["75101", "99999", "38293"])
    assert list(table.columns) == list(TERRITORY_COLUMNS)
    assert table.to_dict(orient="records") == [
        {
            "code_commune": "75056",
            "code_epci": "200054781",
            "code_departement": "75",
            "code_region": "11",
        },
        dict.fromkeys(TERRITORY_COLUMNS),
        {
            "code_commune": "38560",
            "code_epci": "200068567",
            "code_departement": "38",
            "code_region": "84",
        },
    ]
    assert table.loc[1].map(lambda v: v is None).all()  # None, never NaN


def test_every_delegated_associated_and_arrondissement_code_of_the_cog(terr: Territories) -> None:
    rows = [
        r
        for r in cog_rows("communes")
        if r["type"] in ("commune-deleguee", "commune-associee", "arrondissement-municipal")
    ]
    current = _current_communes()
    expected = [
        r["code"]
        if r["code"] in current
        else r.get("chefLieu") or r.get("commune")  # a chef-lieu déléguée keeps its code
        for r in rows
    ]
    assert len(rows) > 2_500
    assert any(r["type"] == "commune-deleguee" and r["chefLieu"] != r["code"] for r in rows)
    found = terr.hierarchy_of_communes([r["code"] for r in rows])["code_commune"].tolist()
    assert found == expected
    assert set(found) <= set(current)


def test_every_current_commune_maps_to_itself(terr: Territories) -> None:
    codes = sorted(_current_communes())
    assert len(codes) == 34_969
    table = terr.hierarchy_of_communes(codes)
    assert table["code_commune"].tolist() == codes
    assert table["code_departement"].notna().all()
    assert table["code_region"].notna().all()


# --- hierarchy --------------------------------------------------------------------------------


def test_chain_of_grenoble(terr: Territories) -> None:
    assert terr.chain("commune", "38185") == [
        ("commune", "38185", "Grenoble"),
        ("epci", "200040715", "Grenoble-Alpes-Métropole"),
        ("departement", "38", "Isère"),
        ("region", "84", "Auvergne-Rhône-Alpes"),
    ]


def test_the_departement_of_a_commune_is_its_own_not_its_epcis(terr: Territories) -> None:
    # Paris belongs to the Métropole du Grand Paris, whose "main" département is another.
    assert terr.chain("commune", "75056") == [
        ("commune", "75056", "Paris"),
        ("epci", "200054781", "Métropole du Grand Paris"),
        ("departement", "75", "Paris"),
        ("region", "11", "Île-de-France"),
    ]
    assert [level for level, _, _ in terr.chain("region", "84")] == ["region"]
    assert [level for level, _, _ in terr.chain("departement", "38")] == ["departement", "region"]
    assert [c for _, c, _ in terr.chain("epci", "200040715")] == ["200040715", "38", "84"]


def test_chain_of_a_commune_without_epci(terr: Territories) -> None:
    # Island communes belong to no EPCI: the chain goes straight to the département.
    assert [level for level, _, _ in terr.chain("commune", "22016")] == [
        "commune",
        "departement",
        "region",
    ]
    assert terr.chain("commune", "22016")[1:] == [
        ("departement", "22", "Côtes-d'Armor"),
        ("region", "53", "Bretagne"),
    ]


@pytest.mark.parametrize(
    ("level", "code", "parent"),
    [
        ("commune", "38185", ("epci", "200040715")),
        ("commune", "38293", ("epci", "200068567")),  # an old code answers for its commune
        ("commune", "22016", ("departement", "22")),
        ("epci", "200040715", ("departement", "38")),
        # The département holding most members: Métropole du Grand Paris → Val-de-Marne.
        ("epci", "200054781", ("departement", "94")),
        ("departement", "38", ("region", "84")),
        ("departement", "2A", ("region", "94")),
        ("region", "84", None),
    ],
)
def test_parent(terr: Territories, level: str, code: str, parent: tuple[str, str] | None) -> None:
    assert terr.parent(level, code) == parent


def test_children_of_a_region_are_its_departements(terr: Territories) -> None:
    expected = sorted(d["code"] for d in cog_rows("departements") if d["region"] == "84")
    assert "38" in expected
    assert terr.children("region", "84") == expected


def test_children_of_grenoble_alpes_metropole(terr: Territories) -> None:
    [epci] = [e for e in cog_rows("epci") if e["code"] == "200040715"]
    members = sorted(m["code"] for m in epci["membres"])
    assert len(members) == 49
    children = terr.children("epci", "200040715")
    assert children == members
    assert "38185" in children
    assert "38421" in children
    assert terr.communes_in("epci", "200040715") == members


def test_children_of_a_departement_are_epcis_whose_parent_it_is(terr: Territories) -> None:
    children = terr.children("departement", "38")
    assert "200040715" in children
    assert all(terr.parent("epci", code) == ("departement", "38") for code in children)
    assert terr.children("commune", "38185") == []


def test_communes_in(terr: Territories) -> None:
    isere = sorted(c for c, r in _current_communes().items() if r["departement"] == "38")
    assert len(isere) == 512
    assert terr.communes_in("departement", "38") == isere
    assert terr.communes_in("commune", "38293") == ["38560"]
    assert set(isere) < set(terr.communes_in("region", "84"))


@pytest.mark.parametrize(
    ("level", "code"),
    [("epci", "200040715"), ("epci", "200054781"), ("departement", "38"), ("region", "84")],
)
def test_population_is_the_sum_of_the_communes(terr: Territories, level: str, code: str) -> None:
    total = terr.population(level, code)
    assert total == _sum_population(terr.communes_in(level, code))
    assert total > terr.population("commune", "38185")


def test_population_of_grenoble(terr: Territories) -> None:
    assert terr.population("commune", "38185") == 156_140


def test_neighbours_of_grenoble(terr: Territories) -> None:
    neighbours = terr.neighbours("commune", "38185")
    assert "38421" in neighbours  # Saint-Martin-d'Hères
    assert "38185" not in neighbours
    assert "38001" not in neighbours  # Les Abrets en Dauphiné, 50 km away
    assert "75056" not in neighbours
    assert 5 <= len(neighbours) <= 15
    # Neighbourhood is symmetric.
    assert all("38185" in terr.neighbours("commune", code) for code in neighbours)


def test_neighbours_of_paris_are_not_loaded(terr: Territories) -> None:
    assert terr.neighbours("commune", "75056") == []


def test_neighbours_of_other_levels(terr: Territories) -> None:
    assert "200018166" in terr.neighbours("epci", "200040715")  # CC Le Grésivaudan
    departements = terr.neighbours("departement", "38")
    assert {"73", "26", "69", "01", "05", "07", "42"} <= set(departements)
    assert "38" not in departements
    assert "75" not in departements


@pytest.mark.parametrize(
    ("level", "code", "words"),
    [
        ("commune", "99999", "Aucun territoire de niveau commune"),
        ("commune", "38000", "Aucun territoire de niveau commune"),
        ("epci", "123456789", "Aucun territoire de niveau EPCI"),
        ("departement", "00", "Aucun territoire de niveau département"),
        ("region", "99", "Aucun territoire de niveau région"),
        ("pays", "FR", "Niveau de territoire inconnu"),
    ],
)
def test_unknown_territory(terr: Territories, level: str, code: str, words: str) -> None:
    calls = (terr.chain, terr.parent, terr.children, terr.population, terr.outline)
    for call in (*calls, terr.neighbours, terr.communes_in, terr.nom):
        with pytest.raises(UnknownTerritoryError) as caught:
            call(level, code)
        assert words in str(caught.value)
        assert not str(caught.value).startswith(("'", '"'))  # not KeyError's quoting
    assert terr.exists(level, code) is False


def test_unknown_level_of_outlines(terr: Territories) -> None:
    with pytest.raises(UnknownTerritoryError, match="Niveau de territoire inconnu"):
        terr.display_outlines("canton")


def test_names(terr: Territories) -> None:
    names = terr.names("commune", ["38185", None, "99999", "75056"])
    assert names.tolist() == ["Grenoble", None, None, "Paris"]
    assert terr.names("departement", ["2A", "38"]).tolist() == ["Corse-du-Sud", "Isère"]
    assert terr.nom("epci", "200040715") == "Grenoble-Alpes-Métropole"
    assert terr.nom("commune", "38293") == "Val-de-Virieu"
    assert terr.exists("region", "84") is True


# --- outlines ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "rows"), [("commune", 513), ("epci", 16), ("departement", 96), ("region", 13)]
)
def test_display_outlines(terr: Territories, level: str, rows: int) -> None:
    frame = terr.display_outlines(level)
    assert len(frame) == rows
    assert frame.crs.to_epsg() == 4326
    assert frame["code"].is_unique
    assert frame["nom"].notna().all()
    assert frame.geometry.is_valid.all()
    assert not frame.geometry.is_empty.any()


def test_display_outlines_of_communes_cover_the_right_places(terr: Territories) -> None:
    frame = terr.display_outlines("commune")
    assert frame.loc[frame["code"] == "38185", "nom"].tolist() == ["Grenoble"]
    grenoble = frame.loc[frame["code"] == "38185", "geometry"].iloc[0]
    assert grenoble.contains(Point(GRENOBLE[1], GRENOBLE[0]))
    # Simplified, not rebuilt: same area within 2 %.
    exact = read_outlines(COMMUNE_OUTLINES, "commune")
    exact_area = exact.loc[exact["code"] == "38185", "geometry"].iloc[0].area
    assert grenoble.area == pytest.approx(exact_area, rel=0.02)


def test_display_outlines_leave_no_gap_between_neighbours(terr: Territories) -> None:
    geometries = terr.display_outlines("commune").geometry.to_numpy()
    assert shapely.coverage_is_valid(geometries)  # shared edges match exactly, no overlap
    union = shapely.union_all(geometries)
    assert union.area == pytest.approx(shapely.area(geometries).sum(), rel=1e-9)
    holes = shapely.get_num_interior_rings(shapely.get_parts(union)).sum()
    assert holes == 0  # a gap between neighbours would be a hole in Isère
    frame = terr.display_outlines("commune").set_index("code")
    a, b = frame.loc["38185", "geometry"], frame.loc["38421", "geometry"]
    shared = shapely.intersection(a.boundary, b.boundary)
    assert shared.length > 0.001
    assert shapely.intersection(a, b).area == pytest.approx(0, abs=1e-12)


def test_outline_lookups(terr: Territories) -> None:
    isere = terr.outline("departement", "38")
    assert isere is not None
    assert isere.contains(Point(GRENOBLE[1], GRENOBLE[0]))
    assert terr.outline("epci", "200040715") is not None
    assert terr.outline("commune", "38293") is not None  # old code → Val-de-Virieu
    # Métropole du Grand Paris: only Paris is loaded, so no outline rather than a wrong one.
    assert terr.outline("epci", "200054781") is None
    assert terr.outline("commune", "69123") is None  # Lyon: in the COG, not in the subset


# --- outline files in other formats -----------------------------------------------------------


def _admin_express_like(communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"INSEE_COM": communes["code"], "NOM": communes["nom"], "POPULATION": 0},
        geometry=communes.geometry,
        crs=communes.crs,
    ).to_crs(2154)


@pytest.mark.parametrize("suffix", [".gpkg", ".shp", ".parquet"])
def test_admin_express_formats_in_lambert_93(tmp_path: Path, suffix: str) -> None:
    reference = territories()
    communes = gpd.read_file(COMMUNE_OUTLINES)
    frame = _admin_express_like(communes)
    path = tmp_path / f"COMMUNE{suffix}"
    if suffix == ".parquet":
        frame.to_parquet(path)
    else:
        frame.to_file(path, engine="pyogrio")
    written = gpd.read_parquet(path) if suffix == ".parquet" else gpd.read_file(path)
    assert written.crs.to_epsg() == 2154

    if suffix == ".gpkg":  # the whole path once; the other formats share the COG already read
        loaded = from_files(commune_outlines=path, **COG_FILES)
    else:
        loaded = Territories(reference.cog, {"commune": read_outlines(path, "commune")})
    assert loaded.unknown_outline_codes == []
    assert loaded.locate([GRENOBLE[0]], [GRENOBLE[1]]).loc[0, "code_commune"] == "38185"
    # Every commune is found again at a point inside it, after the trip through Lambert-93.
    inside = communes.geometry.representative_point()
    located = loaded.locate(inside.y.to_numpy(), inside.x.to_numpy())
    assert located["code_commune"].tolist() == communes["code"].tolist()
    assert (
        located["code_epci"].tolist() == reference.locate(inside.y, inside.x)["code_epci"].tolist()
    )


def test_former_communes_are_dissolved_and_unknown_codes_reported(tmp_path: Path) -> None:
    territories()
    communes = gpd.read_file(COMMUNE_OUTLINES)
    around = communes.loc[communes["code"] == "38560", "geometry"].iloc[0].buffer(0.1)
    communes = communes[communes.intersects(around)].reset_index(drop=True)
    # Cut Val-de-Virieu in two and give the west half Panissage's old code, as an outline
    # file older than the merger would; add an outline the COG does not know.
    row = communes.index[communes["code"] == "38560"][0]
    whole = communes.geometry[row]
    x0, y0, x1, y1 = whole.bounds
    middle = (x0 + x1) / 2
    west = shapely.intersection(whole, shapely.box(x0 - 1, y0 - 1, middle, y1 + 1))
    east = shapely.intersection(whole, shapely.box(middle, y0 - 1, x1 + 1, y1 + 1))
    communes.loc[row, "geometry"] = east
    extra = gpd.GeoDataFrame(
        {"code": ["38293", "99999"], "nom": ["Panissage", "Nulle part"]},
        geometry=[west, shapely.box(10, 10, 10.1, 10.1)],
        crs=communes.crs,
    )
    path = tmp_path / "communes.geojson"
    pd.concat([communes, extra], ignore_index=True).to_file(path, engine="pyogrio")

    loaded = Territories(territories().cog, {"commune": read_outlines(path, "commune")})
    assert loaded.unknown_outline_codes == ["99999"]
    display = loaded.display_outlines("commune")
    assert display["code"].tolist().count("38560") == 1
    assert "38293" not in set(display["code"])
    inside = whole.representative_point()
    west_point, east_point = west.representative_point(), east.representative_point()
    located = loaded.locate(
        [west_point.y, east_point.y, inside.y], [west_point.x, east_point.x, inside.x]
    )
    assert located["code_commune"].tolist() == ["38560"] * 3
    assert loaded.locate([10.05], [10.05])["code_commune"].tolist() == [None]


def test_outline_file_without_a_code_column(tmp_path: Path) -> None:
    path = tmp_path / "sans_code.geojson"
    gpd.GeoDataFrame(
        {"libelle_inconnu": ["x"]}, geometry=[shapely.box(5, 45, 6, 46)], crs=4326
    ).to_file(path)
    with pytest.raises(DataUnavailableError) as caught:
        read_outlines(path, "commune")
    message = str(caught.value)
    assert "sans colonne de code" in message
    assert "INSEE_COM" in message
    assert path.name in message and str(tmp_path) not in message  # the file, not the server
    territories()
    with pytest.raises(DataUnavailableError, match="sans colonne de code"):
        from_files(commune_outlines=path, **COG_FILES)


@pytest.mark.parametrize(
    ("content", "words"),
    [(None, "Contours illisibles"), (b"{not json", "Contours illisibles")],
    ids=["missing", "broken"],
)
def test_unreadable_outline_file(tmp_path: Path, content: bytes | None, words: str) -> None:
    path = tmp_path / "communes.geojson"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DataUnavailableError, match=words):
        read_outlines(path, "commune")


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "Fichier de référence illisible"),
        ("[{", "Fichier de référence illisible"),
        (json.dumps({"code": "84"}), "une liste JSON était attendue"),
    ],
    ids=["missing", "broken", "not-a-list"],
)
def test_unreadable_cog_file(tmp_path: Path, content: str | None, words: str) -> None:
    territories()
    path = tmp_path / "communes.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    files = {**COG_FILES, "cog_communes": path}
    with pytest.raises(DataUnavailableError, match=words):
        read_cog(*files.values())


def test_codes_of_outlines_keep_leading_zeros(tmp_path: Path) -> None:
    # A code column read as numbers (a shapefile from a spreadsheet) lost its leading zero.
    path = tmp_path / "ain.geojson"
    gpd.GeoDataFrame(
        {"INSEE_COM": np.array([1001], dtype=np.int64), "NOM": ["L'Abergement-Clémenciat"]},
        geometry=[shapely.box(4.9, 46.1, 5.0, 46.2)],
        crs=4326,
    ).to_file(path)
    assert read_outlines(path, "commune")["code"].tolist() == ["01001"]


@pytest.mark.parametrize(
    ("published", "expected"),
    [("2a004", "2A004"), ("78 575", "78575"), ("6084", "06084"), (" 38185 ", "38185")],
)
def test_published_commune_code_spellings(published: str, expected: str) -> None:
    assert territories().hierarchy_of_communes([published])["code_commune"].tolist() == [expected]


def test_outlines_of_merged_communes_are_dissolved(tmp_path: Path) -> None:
    """An outline file older than a merger holds the former communes: they become one."""
    communes = gpd.read_file(COMMUNE_OUTLINES)
    val_de_virieu = communes.loc[communes["code"] == "38560"].iloc[0]
    west, south, east, north = val_de_virieu.geometry.bounds
    middle = (west + east) / 2
    halves = [
        val_de_virieu.geometry.intersection(shapely.box(west, south, middle, north)),
        val_de_virieu.geometry.intersection(shapely.box(middle, south, east, north)),
    ]
    # 38293 is Panissage, merged into Val-de-Virieu (38560).
    older = pd.concat(
        [
            communes[communes["code"] != "38560"],
            gpd.GeoDataFrame(
                {"code": ["38560", "38293"], "nom": ["Val-de-Virieu", "Panissage"]},
                geometry=halves,
                crs=communes.crs,
            ),
        ]
    )
    path = tmp_path / "communes-2018.geojson"
    older.to_file(path, driver="GeoJSON")
    loaded = from_files(commune_outlines=path, **COG_FILES)
    outlines = loaded.display_outlines("commune")
    assert (outlines["code"] == "38560").sum() == 1
    assert "38293" not in set(outlines["code"])
    assert len(outlines) == len(communes)
    point = val_de_virieu.geometry.representative_point()
    assert loaded.locate([point.y], [point.x])["code_commune"].tolist() == ["38560"]
