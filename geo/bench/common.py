"""What the benchmarks share: best-of timing, points spread like real data, and the host's
speed at the time of a run."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import numpy as np

from geo.territory import Territories

T = TypeVar("T")


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


def best_of(repeat: int, action: Callable[[], T]) -> tuple[float, T]:
    """The best wall time of ``repeat`` runs (at least one) and the last result."""
    best = float("inf")
    for _ in range(max(repeat, 1)):
        start = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - start)
    return best, result


def host_loop_seconds() -> float:
    """Seconds of a fixed single-thread loop (the sum of the first 30 million integers).

    The machines the benchmarks run on are shared: the same loop took 0.39 s in a quiet hour
    and up to 0.7 s in a busy one on the same host. Reported beside a benchmark's figures, it
    says whether two runs can be compared (README, "Performance")."""
    start = time.perf_counter()
    sum(range(30_000_000))
    return round(time.perf_counter() - start, 3)
