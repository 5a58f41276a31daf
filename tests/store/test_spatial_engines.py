"""PostGIS answers the box and "near" filters as the portable path does: same projects, same
kilometres, on points all over France (antimeridian included), and from its GiST indexes."""

from __future__ import annotations

import numpy as np
import pytest
import sqlalchemy as sa
from pg_server import PostgresServer
from store_helpers import fake_locate

from geo.projects.model import FRANCE_BOXES
from geo.store import spatial
from geo.store.db import projects
from geo.store.identity import Operator
from geo.store.project_store import ProjectFilter, ProjectStore
from geo.store.query import haversine_km


def random_points(rng: np.random.Generator, count: int) -> np.ndarray:
    """Half in metropolitan France, half spread over the overseas boxes."""
    boxes = [FRANCE_BOXES[0]] * (len(FRANCE_BOXES) - 1) + list(FRANCE_BOXES[1:])
    picks = rng.integers(len(boxes), size=count)
    rows = []
    for pick in picks:
        _, lat0, lat1, lon0, lon1 = boxes[pick]
        rows.append((rng.uniform(lat0, lat1), rng.uniform(lon0, lon1)))
    return np.array(rows)


@pytest.fixture(scope="module")
def spread(postgres_server: PostgresServer) -> tuple[ProjectStore, np.ndarray, np.ndarray]:
    url = postgres_server.new_database()
    store = ProjectStore(url, locate=fake_locate)
    points = random_points(np.random.default_rng(15), 1500)
    rows = [
        {"title": f"Projet {i}", "themes": ["energie"], "lat": lat, "lon": lon}
        for i, (lat, lon) in enumerate(points)
    ]
    results = store.add_many(rows, actor=Operator("test"), status="publie")
    ids = np.array([r.id for r in results])
    yield store, points, ids
    store.close()
    postgres_server.drop_database(url)


def both_paths(store: ProjectStore, action):  # noqa: ANN001, ANN202 - a small test helper
    store._spatial_index = True
    indexed = action()
    store._spatial_index = False
    try:
        plain = action()
    finally:
        store._spatial_index = True
    return indexed, plain


def test_near_selects_the_same_projects_at_the_same_distance(spread) -> None:  # noqa: ANN001
    store, points, ids = spread
    rng = np.random.default_rng(7)
    for _ in range(40):
        lat, lon = points[rng.integers(len(points))] + rng.normal(0, 0.05, 2)
        radius = float(rng.choice([0.5, 5.0, 30.0, 120.0, 600.0]))
        criteria = ProjectFilter(near=(float(lat), float(lon), radius))
        indexed, plain = both_paths(store, lambda c=criteria: store.query(c, limit=10**6))
        exact = haversine_km(float(lat), float(lon), points[:, 0], points[:, 1])
        # A point within a micrometre of the circle may fall either side of it.
        sure = {int(i) for i, d in zip(ids, exact, strict=True) if d <= radius - 1e-9}
        found = {p.id for p in indexed.items}
        assert sure <= found and {p.id for p in plain.items} >= sure
        assert found <= {int(i) for i, d in zip(ids, exact, strict=True) if d <= radius + 1e-9}
        # Kilometres rounded to the metre: the sphere is the same, so at most one rounding apart.
        for pid, km in indexed.distances_km.items():
            assert abs(km - plain.distances_km[pid]) <= 0.0011


def test_boxes_select_the_same_projects(spread) -> None:  # noqa: ANN001
    store, points, ids = spread
    rng = np.random.default_rng(8)
    boxes = [
        (158.0, -30.0, -134.0, -5.0),  # across the antimeridian: Nouvelle-Calédonie → Polynésie
        (-178.3, -14.4, -176.0, -13.1),  # Wallis-et-Futuna
        (-5.3, 41.2, 9.7, 51.2),  # metropolitan France
    ]
    for _ in range(30):
        lat0, lon0 = points[rng.integers(len(points))]
        size = rng.uniform(0.1, 4.0)
        boxes.append((lon0 - size, lat0 - size / 2, lon0 + size, lat0 + size / 2))
    for box in boxes:
        criteria = ProjectFilter(bbox=box)
        indexed, plain = both_paths(store, lambda c=criteria: store.all_frame(c))
        assert sorted(indexed["id"]) == sorted(plain["id"])
        west, south, east, north = box
        lat, lon = points[:, 0], points[:, 1]
        in_lon = (lon >= west) & (lon <= east) if west <= east else (lon >= west) | (lon <= east)
        expected = ids[(lat >= south) & (lat <= north) & in_lon]
        assert sorted(indexed["id"]) == sorted(expected.tolist())
    assert len(store.all_frame(ProjectFilter(bbox=boxes[0]))) > 0


def test_the_planner_uses_the_gist_indexes(spread) -> None:  # noqa: ANN001
    store, _, _ = spread
    with store.engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE projects")
        connection.exec_driver_sql("SET enable_seqscan = off")  # a tiny table: force the choice

        def plan(*where: object) -> str:
            query = sa.select(projects.c.id).where(*where)
            compiled = query.compile(store.engine, compile_kwargs={"literal_binds": True})
            return "\n".join(connection.exec_driver_sql(f"EXPLAIN {compiled}").scalars())

        box = store._where(ProjectFilter(bbox=(5.0, 45.0, 6.0, 46.0)))
        assert "ix_projects_geom" in plan(*box)
        assert "ix_projects_geog" in plan(spatial.near(45.19, 5.72, 10.0))
