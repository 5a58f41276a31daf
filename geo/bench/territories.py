"""``python -m geo bench territories``: ``locate`` against a plain ``geopandas.sjoin``."""

from __future__ import annotations

import time

import geopandas as gpd
import numpy as np

from geo.bench.common import best_of, sample_points
from geo.territory import Territories


def bench_territories(territories: Territories, *, points: int, repeat: int) -> dict[str, object]:
    """`locate` against a plain `geopandas.sjoin` on the same points and commune outlines."""
    coords = sample_points(territories, points)
    lat, lon = coords[:, 0], coords[:, 1]

    start = time.perf_counter()
    territories.locate(lat[:1], lon[:1])  # builds the grid index once, reported apart
    index_seconds = time.perf_counter() - start
    locate_seconds, located = best_of(repeat, lambda: territories.locate(lat, lon))

    communes = territories.exact_outlines("commune")[["code", "geometry"]]
    communes.sindex  # noqa: B018 - build the tree outside the timing, as locate's grid is
    # Building the point geometries is not timed: it favours sjoin, never us.
    point_frame = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326)
    sjoin_seconds, joined = best_of(
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
