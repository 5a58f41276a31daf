"""Locating points: ``Territories.locate`` and the ``GridLocator`` behind it.

The real commune outlines of the mirror (Isère + Paris) are checked against
``geopandas.sjoin`` and a brute-force ``shapely.intersects_xy``; a tiny synthetic coverage
with hand-checked answers covers shared edges, holes, multipolygons and separate zones.
"""

from __future__ import annotations

import json
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from reference import COMMUNE_OUTLINES, GRENOBLE, LYON, MEDITERRANEAN, PARIS, territories
from shapely.geometry import MultiPolygon, Polygon, box

from geo.errors import InvalidCoordinatesError
from geo.territory import TERRITORY_COLUMNS, Territories
from geo.territory.locate import GridLocator
from geo.territory.reference import read_outlines

GRENOBLE_ROW = {
    "code_commune": "38185",
    "code_epci": "200040715",
    "code_departement": "38",
    "code_region": "84",
}
PARIS_ROW = {
    "code_commune": "75056",
    "code_epci": "200054781",
    "code_departement": "75",
    "code_region": "11",
}
NOWHERE = dict.fromkeys(TERRITORY_COLUMNS)


@pytest.fixture(scope="module")
def terr() -> Territories:
    return territories()


@pytest.fixture(scope="module")
def communes() -> gpd.GeoDataFrame:
    """The mirror's commune outlines as the engine reads them (EPSG:4326)."""
    territories()  # skips when the mirror is absent
    return read_outlines(COMMUNE_OUTLINES, "commune")


@pytest.fixture(scope="module")
def locator(communes: gpd.GeoDataFrame) -> GridLocator:
    return GridLocator(communes.geometry.to_numpy())


def _codes(communes: gpd.GeoDataFrame, *codes: str) -> list[int]:
    index = {code: i for i, code in enumerate(communes["code"])}
    return [index[code] for code in codes]


# --- Territories.locate: known answers -------------------------------------------------------


@pytest.mark.parametrize(
    ("point", "expected"),
    [
        (GRENOBLE, GRENOBLE_ROW),
        (PARIS, PARIS_ROW),
        (MEDITERRANEAN, NOWHERE),
        (LYON, NOWHERE),
    ],
    ids=["grenoble", "paris", "mediterranean", "lyon-not-loaded"],
)
def test_locate_known_points(
    terr: Territories, point: tuple[float, float], expected: dict[str, str | None]
) -> None:
    located = terr.locate([point[0]], [point[1]])
    assert list(located.columns) == list(TERRITORY_COLUMNS)
    assert located.to_dict(orient="records") == [expected]


def test_outside_points_are_none_not_nan(terr: Territories) -> None:
    located = terr.locate([MEDITERRANEAN[0], LYON[0]], [MEDITERRANEAN[1], LYON[1]])
    for value in located.to_numpy().ravel():
        assert value is None
    text = json.dumps(located.to_dict(orient="records"))
    assert "NaN" not in text
    assert json.loads(text)[0] == NOWHERE


def test_many_points_keep_their_order(terr: Territories) -> None:
    points = [GRENOBLE, MEDITERRANEAN, PARIS, LYON, GRENOBLE, PARIS]
    expected = [GRENOBLE_ROW, NOWHERE, PARIS_ROW, NOWHERE, GRENOBLE_ROW, PARIS_ROW]
    lat, lon = zip(*points, strict=True)
    assert terr.locate(list(lat), list(lon)).to_dict(orient="records") == expected
    backwards = terr.locate(list(lat[::-1]), list(lon[::-1]))
    assert backwards.to_dict(orient="records") == expected[::-1]


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        (["45.1885"], ["5.7245"]),
        (["45,1885"], ["5,7245"]),
        ([" 45.1885 "], ["5.7245\t"]),
        ([45.1885], ["5,7245"]),
        (np.array([45.1885], dtype=np.float32), np.array([5.7245], dtype=np.float32)),
        (pd.Series([45.1885], index=[7]), pd.Series([5.7245], index=[3])),
        (pd.Series(["45,1885"], dtype="string"), pd.Series(["5,7245"], dtype="string")),
    ],
    ids=["dot", "comma", "spaces", "mixed", "float32", "series-index", "string-dtype"],
)
def test_coordinates_in_other_types(terr: Territories, lat: object, lon: object) -> None:
    assert terr.locate(lat, lon).to_dict(orient="records") == [GRENOBLE_ROW]


def test_no_points(terr: Territories) -> None:
    located = terr.locate([], [])
    assert list(located.columns) == list(TERRITORY_COLUMNS)
    assert len(located) == 0


# --- bad coordinates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lat", "lon", "bad_rows"),
    [
        ([45.1885, math.nan], [5.7245, 5.7245], [1]),
        ([None, 45.1885], [5.7245, 5.7245], [0]),
        ([45.1885, 45.1885, "abc"], [5.7245, 5.7245, 5.7245], [2]),
        ([95.0, 45.1885], [5.7245, 5.7245], [0]),
        ([45.1885, 45.1885], [5.7245, -200.0], [1]),
        ([45.1885, -90.5, 45.1885, 45.1885], [5.7245, 0.0, 181.0, 5.7245], [1, 2]),
        (["", "45,1885", "4 5"], ["5.7", "5.7", "5.7"], [0, 2]),
        ([math.inf, 45.1885], [5.7245, 5.7245], [0]),
    ],
    ids=["nan", "none", "text", "lat-95", "lon-200", "several", "empty-and-space", "inf"],
)
def test_bad_coordinates_name_their_rows(
    terr: Territories, lat: list[object], lon: list[object], bad_rows: list[int]
) -> None:
    with pytest.raises(InvalidCoordinatesError) as caught:
        terr.locate(lat, lon)
    assert caught.value.rows == bad_rows
    message = str(caught.value)
    assert "Coordonnées invalides" in message
    assert f"positions : {', '.join(map(str, bad_rows))}." in message


def test_limits_are_inclusive(terr: Territories) -> None:
    located = terr.locate([90, -90, 0], [180, -180, 0])
    assert located["code_commune"].tolist() == [None, None, None]


def test_many_bad_rows_are_counted_and_cut_short(terr: Territories) -> None:
    with pytest.raises(InvalidCoordinatesError) as caught:
        terr.locate(["x"] * 12, [0.0] * 12)
    assert caught.value.rows == list(range(12))
    assert "12 point(s)" in str(caught.value)
    assert str(caught.value).endswith("….")


def test_mismatched_lengths(terr: Territories) -> None:
    with pytest.raises(InvalidCoordinatesError, match="Autant de latitudes que de longitudes"):
        terr.locate([45.1885, 45.2], [5.7245])


# --- border points on the real outlines -------------------------------------------------------


def _shared_border(communes: gpd.GeoDataFrame, a: str, b: str) -> shapely.Geometry:
    geom_a, geom_b = communes.geometry.iloc[_codes(communes, a, b)]
    return shapely.intersection(geom_a.boundary, geom_b.boundary)


@pytest.mark.parametrize(("a", "b"), [("38185", "38421"), ("38185", "38151")])
def test_points_on_a_shared_border_get_exactly_one_commune(
    terr: Territories, communes: gpd.GeoDataFrame, a: str, b: str
) -> None:
    border = _shared_border(communes, a, b)
    assert border.length > 0.001  # the two communes really share a stretch of border
    vertices = shapely.get_coordinates(border)
    pieces = shapely.get_parts(shapely.line_merge(border))
    halfway = shapely.get_coordinates(shapely.line_interpolate_point(pieces, 0.5, normalized=True))
    geometries = communes.geometry.to_numpy()
    # The vertices are exactly on both outlines: the case where a naive join answers twice.
    on_both = shapely.intersects_xy(geometries[_codes(communes, a, b), None], *vertices.T)
    assert on_both.all()

    x = np.concatenate([vertices[:, 0], halfway[:, 0]])
    y = np.concatenate([vertices[:, 1], halfway[:, 1]])
    located = terr.locate(y, x)["code_commune"].tolist()
    assert len(located) == len(x)
    assert None not in located
    # Each answer is a commune whose outline covers the point; where the border ends, a third
    # commune may touch it too, elsewhere only the two neighbours do.
    codes = communes["code"].to_numpy()
    owners = shapely.intersects_xy(geometries[:, None], x[None, :], y[None, :])
    for point, code in enumerate(located):
        covering = set(codes[owners[:, point]])
        assert code in covering
        assert {a, b} <= covering or point >= len(vertices)
    only_two = [c for i, c in enumerate(located) if set(codes[owners[:, i]]) == {a, b}]
    assert len(only_two) > len(located) / 2
    assert set(only_two) <= {a, b}


def test_vertex_shared_by_three_communes(
    terr: Territories, communes: gpd.GeoDataFrame, locator: GridLocator
) -> None:
    geometries = communes.geometry.to_numpy()
    grenoble = geometries[_codes(communes, "38185")[0]]
    xy = np.unique(shapely.get_coordinates(grenoble), axis=0)
    hits = shapely.intersects_xy(geometries[:, None], xy[None, :, 0], xy[None, :, 1])
    triple = np.flatnonzero(hits.sum(axis=0) == 3)
    assert triple.size > 0
    found = locator.locate(xy[triple, 0], xy[triple, 1])
    for point, index in zip(triple, found, strict=True):
        owners = np.flatnonzero(hits[:, point])
        assert index == owners.min()  # documented rule: the lowest polygon index wins
    codes = terr.locate(xy[triple, 1], xy[triple, 0])["code_commune"]
    assert codes.notna().all()
    assert codes.tolist() == communes["code"].to_numpy()[found].tolist()


# --- GridLocator against geopandas and brute force --------------------------------------------


def _sample_points(communes: gpd.GeoDataFrame, count: int, seed: int) -> tuple[np.ndarray, ...]:
    """Uniform points over Isère and Paris plus points within ~10 m of outline vertices."""
    rng = np.random.default_rng(seed)
    isere = communes[communes["code"].str.startswith("38")].total_bounds
    paris = communes[communes["code"] == "75056"].total_bounds
    vertices = shapely.get_coordinates(communes.geometry.to_numpy())
    n_isere, n_paris = count // 2, count // 10
    n_near = count - n_isere - n_paris
    near = vertices[rng.integers(0, len(vertices), n_near)] + rng.uniform(-1e-4, 1e-4, (n_near, 2))
    x = np.concatenate(
        [
            rng.uniform(isere[0] - 0.05, isere[2] + 0.05, n_isere),
            rng.uniform(paris[0] - 0.02, paris[2] + 0.02, n_paris),
            near[:, 0],
        ]
    )
    y = np.concatenate(
        [
            rng.uniform(isere[1] - 0.05, isere[3] + 0.05, n_isere),
            rng.uniform(paris[1] - 0.02, paris[3] + 0.02, n_paris),
            near[:, 1],
        ]
    )
    return x, y


def test_grid_locator_matches_sjoin(communes: gpd.GeoDataFrame, locator: GridLocator) -> None:
    x, y = _sample_points(communes, 50_000, seed=20260)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=4326)
    joined = gpd.sjoin(points, communes, predicate="intersects", how="left")
    matches = joined.groupby(level=0)["index_right"].agg(["count", "min"])
    ours = locator.locate(x, y)

    single = (matches["count"] == 1).to_numpy()
    assert single.sum() > 30_000
    assert (ours[single] == matches["min"].to_numpy()[single]).all()
    none = (matches["count"] == 0).to_numpy()
    assert none.sum() > 1_000
    assert (ours[none] == -1).all()
    several = ~single & ~none  # on a shared border: the lowest index, never nothing
    assert (ours[several] == matches["min"].to_numpy()[several]).all()


def test_territories_locate_matches_sjoin_codes(
    terr: Territories, communes: gpd.GeoDataFrame
) -> None:
    x, y = _sample_points(communes, 20_000, seed=7)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=4326)
    joined = gpd.sjoin(points, communes[["code", "geometry"]], predicate="intersects", how="left")
    joined = joined[~joined.index.duplicated(keep=False)]
    expected = joined["code"].to_numpy(dtype=object)
    expected = np.where(pd.isna(expected), None, expected)
    ours = terr.locate(y, x)["code_commune"].to_numpy()[joined.index.to_numpy()]
    assert ours.tolist() == expected.tolist()


def test_grid_locator_matches_brute_force(communes: gpd.GeoDataFrame, locator: GridLocator) -> None:
    x, y = _sample_points(communes, 4_000, seed=3)
    geometries = communes.geometry.to_numpy()
    hits = shapely.intersects_xy(geometries[:, None], x[None, :], y[None, :])
    expected = np.where(hits.any(axis=0), hits.argmax(axis=0), -1)
    assert (locator.locate(x, y) == expected).all()


@pytest.mark.parametrize("cell", [0.002, 0.01, 0.05, 0.3])
def test_cell_size_does_not_change_answers(
    communes: gpd.GeoDataFrame, locator: GridLocator, cell: float
) -> None:
    x, y = _sample_points(communes, 5_000, seed=11)
    other = GridLocator(communes.geometry.to_numpy(), cell=cell)
    assert (other.locate(x, y) == locator.locate(x, y)).all()


def test_grid_has_few_boundary_cells(locator: GridLocator) -> None:
    # The point of the grid: most cells are answered by one read, without an exact test.
    assert 0 < locator.boundary_cells < locator.cells / 3


# --- a tiny synthetic coverage, answers checked by hand ---------------------------------------

#: 0 and 1 are adjacent unit squares; 2 is a 2×2 square above them with a hole holding 3;
#: 4 is a multipolygon of two squares around 5, 10 degrees away (a second zone).
SYNTHETIC = np.array(
    [
        box(0, 0, 1, 1),
        box(1, 0, 2, 1),
        Polygon(box(0, 1, 2, 3).exterior.coords, [box(0.5, 1.5, 1.5, 2.5).exterior.coords]),
        box(0.75, 1.75, 1.25, 2.25),
        MultiPolygon([box(10, 10, 11, 11), box(12, 10, 13, 11)]),
        box(11, 10, 12, 11),
    ],
    dtype=object,
)
SYNTHETIC_POINTS = [
    # (x, y, expected polygon index)
    (0.5, 0.5, 0),
    (1.5, 0.5, 1),
    (1.0, 0.5, 0),  # shared edge of 0 and 1: the lowest index
    (1.0, 0.0, 0),  # end of that edge, on the outer boundary
    (1.0, 1.0, 0),  # vertex of 0, 1 and 2
    (1.5, 1.0, 1),  # shared edge of 1 and 2
    (0.25, 2.0, 2),  # in the ring
    (0.5, 2.0, 2),  # on the hole's edge: still the ring's boundary
    (0.6, 1.6, -1),  # in the hole, outside the inner square
    (1.0, 2.0, 3),  # inner square
    (0.75, 2.0, 3),  # inner square's edge (the hole is wider, so only 3 covers it)
    (1.4999, 2.4999, -1),
    (2.0, 3.0, 2),  # outer corner
    (2.0000001, 2.0, -1),
    (10.5, 10.5, 4),  # first part of the multipolygon
    (12.5, 10.5, 4),  # second part
    (11.5, 10.5, 5),  # between the two parts
    (11.0, 10.5, 4),  # shared edge of 4 and 5
    (12.0, 11.0, 4),
    (5.0, 5.0, -1),  # between the two zones
    (-1.0, -1.0, -1),
    (100.0, -80.0, -1),
]


@pytest.mark.parametrize("cell", [0.01, 0.07, 0.25, 0.5, 1.0, 3.0])
def test_synthetic_coverage(cell: float) -> None:
    locator = GridLocator(SYNTHETIC, cell=cell)
    x, y, expected = (np.array(v) for v in zip(*SYNTHETIC_POINTS, strict=True))
    assert locator.locate(x, y).tolist() == expected.tolist()
    # And one by one: no answer depends on the other points of the batch.
    assert [int(locator.locate(x[i : i + 1], y[i : i + 1])[0]) for i in range(len(x))] == (
        expected.tolist()
    )


def test_synthetic_groups_make_two_zones() -> None:
    locator = GridLocator(SYNTHETIC, cell=0.1)
    assert len(locator._zones) == 2
    # The empty sea between the groups costs no cells: far fewer than one grid over both.
    assert locator.cells < (13 / 0.1) * (11 / 0.1) / 10


@pytest.mark.parametrize("cell", [0.05, 0.5, 2.0])
def test_zones_closer_than_a_few_cells(cell: float) -> None:
    # Two groups 1.5 degrees apart make two zones; with large cells their grids overlap and
    # one zone's empty cells must not hide the other zone's polygons.
    polygons = np.array([box(0, 0, 1, 1), box(1, 0, 2, 1), box(3.5, 0, 4.5, 1)], dtype=object)
    locator = GridLocator(polygons, cell=cell)
    x = np.array([0.5, 1.5, 4.0, 3.0, 1.0])
    y = np.array([0.5, 0.5, 0.5, 0.5, 1.0])
    assert locator.locate(x, y).tolist() == [0, 1, 2, -1, 0]


def test_synthetic_matches_brute_force_on_random_points() -> None:
    rng = np.random.default_rng(5)
    x = np.concatenate([rng.uniform(-0.5, 2.5, 3000), rng.uniform(9.5, 13.5, 2000)])
    y = np.concatenate([rng.uniform(-0.5, 3.5, 3000), rng.uniform(9.5, 11.5, 2000)])
    # Snap a third of them to a 0.25 grid: many land exactly on edges and vertices.
    snap = rng.random(len(x)) < 0.33
    x[snap], y[snap] = np.round(x[snap] * 4) / 4, np.round(y[snap] * 4) / 4
    hits = shapely.intersects_xy(SYNTHETIC[:, None], x[None, :], y[None, :])
    expected = np.where(hits.any(axis=0), hits.argmax(axis=0), -1)
    for cell in (0.25, 0.1, 0.033):
        assert (GridLocator(SYNTHETIC, cell=cell).locate(x, y) == expected).all()
