"""Benchmarks behind ``python -m geo bench …``: figures for the notes, never timed unit tests."""

from __future__ import annotations

import time
from collections.abc import Callable

import geopandas as gpd
import numpy as np

from geo.territories import Territories, load_territories


def run(
    target: str,
    *,
    points: int | None,
    repeat: int,
    rows: int = 150_000,
    projects: int = 100_000,
) -> dict[str, object]:
    if target == "territories":
        return bench_territories(load_territories(), points=points or 1_000_000, repeat=repeat)
    if target == "explorer":
        from geo.explorer_bench import EXPLORER_ROWS, bench_explorer

        return bench_explorer(load_territories(), points=points or EXPLORER_ROWS, repeat=repeat)
    if target == "datasets":
        from geo.datasets.bench import bench_datasets

        return bench_datasets(rows=rows)
    if target == "projects":
        from geo.projects_bench import bench_projects

        return bench_projects(load_territories(), count=projects, repeat=repeat)
    msg = f"Benchmark inconnu : {target}"
    raise ValueError(msg)


def sample_points(territories: Territories, count: int, *, seed: int = 0) -> np.ndarray:
    """Points spread like real data: a commune drawn by its bounding-box area, then a point
    uniform in that box, so most points fall inside communes and many near their borders."""
    bounds = territories.display_outlines("commune").geometry.bounds.to_numpy()
    area = (bounds[:, 2] - bounds[:, 0]) * (bounds[:, 3] - bounds[:, 1])
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(bounds), size=count, p=area / area.sum())
    lon = rng.uniform(bounds[pick, 0], bounds[pick, 2])
    lat = rng.uniform(bounds[pick, 1], bounds[pick, 3])
    return np.column_stack([lat, lon])


def _best_of(repeat: int, action: Callable[[], object]) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(max(repeat, 1)):
        start = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - start)
    return best, result


def bench_territories(territories: Territories, *, points: int, repeat: int) -> dict[str, object]:
    """`locate` against a plain `geopandas.sjoin` on the same points and commune outlines."""
    coords = sample_points(territories, points)
    lat, lon = coords[:, 0], coords[:, 1]

    start = time.perf_counter()
    territories.locate(lat[:1], lon[:1])  # builds the grid index once, reported apart
    index_seconds = time.perf_counter() - start
    locate_seconds, located = _best_of(repeat, lambda: territories.locate(lat, lon))

    communes = territories._exact_outlines("commune")[["code", "geometry"]]
    communes.sindex  # noqa: B018 - build the tree outside the timing, as locate's grid is
    # Building the point geometries is not timed: it favours sjoin, never us.
    point_frame = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326)
    sjoin_seconds, joined = _best_of(
        repeat, lambda: gpd.sjoin(point_frame, communes, predicate="intersects", how="left")
    )

    # Both must give the same answer where sjoin found exactly one commune.
    joined = joined[~joined.index.duplicated(keep=False)]
    expected = joined["code"].fillna("").to_numpy(dtype=str)
    ours = located["code_commune"].fillna("").to_numpy(dtype=str)[joined.index.to_numpy()]
    agree = float(np.mean(ours == expected))
    return {
        "points": points,
        "locate_points_per_s": round(points / locate_seconds),
        "sjoin_points_per_s": round(points / sjoin_seconds),
        "locate_seconds": round(locate_seconds, 4),
        "sjoin_seconds": round(sjoin_seconds, 4),
        "index_build_seconds": round(index_seconds, 3),
        "communes": len(communes),
        "share_located": round(float(located["code_commune"].notna().mean()), 4),
        "agreement_with_sjoin": round(agree, 6),
    }
