"""Vectorised point-in-polygon on a coverage of polygons (the communes), through a grid index.

Why a grid and not ``geopandas.sjoin``: a commune coverage is static and locating is done on
millions of points (dataset rows, projects). The plane is cut into square cells once. A cell
that no polygon boundary crosses lies wholly inside one polygon (or none), so every point
falling in it is answered by one array read. Only points in the few cells that a boundary
crosses are tested exactly, against the polygons listed for that cell.

Exactness of the candidate lists: for a point p in cell c inside polygon P, either P's boundary
crosses c (P is listed from its edges) or c lies wholly in P, so c's centre is in P (P is
listed as the centre's polygon). Points on a boundary shared by two polygons are covered by
both; the lowest polygon index wins, so each point gets exactly one answer.

Distant groups of polygons (metropolitan France, each overseas département) get grids of their
own so the empty sea between them costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

OUTSIDE = -1
#: Cell size in degrees; ~0.4 km × 0.55 km in metropolitan France. A trade-off between the
#: grid's memory (cells) and the share of points needing an exact test (boundary cells).
DEFAULT_CELL_DEG = 0.004
#: Bounding boxes closer than this (degrees) share one grid.
_ZONE_GAP_DEG = 1.0


@dataclass
class _Zone:
    x0: float
    y0: float
    nx: int
    ny: int
    grid: NDArray[np.int32]  # polygon index, OUTSIDE, or -(k + 2) for boundary cell k
    bounds: tuple[float, float, float, float]  # of its polygons; zones' bounds never overlap


class GridLocator:
    """Locates points in a set of non-overlapping polygons (lon/lat, any CRS in degrees)."""

    def __init__(self, polygons: NDArray[np.object_], *, cell: float = DEFAULT_CELL_DEG) -> None:
        self.polygons = np.asarray(polygons, dtype=object)
        self.cell = float(cell)
        shapely.prepare(self.polygons)
        self._zones: list[_Zone] = []
        candidate_lists: list[NDArray[np.int32]] = []
        for members in _zones_of(shapely.bounds(self.polygons)):
            zone, lists = self._build_zone(members, first_boundary=len(candidate_lists))
            self._zones.append(zone)
            candidate_lists.extend(lists)
        lengths = np.fromiter((len(c) for c in candidate_lists), dtype=np.int64)
        self._cand_start = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        self._cand = (
            np.concatenate(candidate_lists).astype(np.int32)
            if candidate_lists
            else np.empty(0, dtype=np.int32)
        )

    @property
    def cells(self) -> int:
        return sum(zone.grid.size for zone in self._zones)

    @property
    def boundary_cells(self) -> int:
        return len(self._cand_start) - 1

    def _build_zone(
        self, members: NDArray[np.int64], *, first_boundary: int
    ) -> tuple[_Zone, list[NDArray[np.int32]]]:
        cell = self.cell
        bounds = shapely.bounds(self.polygons[members])
        x0 = float(np.floor(bounds[:, 0].min() / cell) * cell) - cell
        y0 = float(np.floor(bounds[:, 1].min() / cell) * cell) - cell
        nx = int(np.ceil((bounds[:, 2].max() - x0) / cell)) + 2
        ny = int(np.ceil((bounds[:, 3].max() - y0) / cell)) + 2
        grid = np.full((ny, nx), OUTSIDE, dtype=np.int32)

        # 1. Every cell whose centre lies in a polygon takes that polygon.
        for index, (bx0, by0, bx1, by1) in zip(members, bounds, strict=True):
            ix0, ix1 = _cell_index(np.array([bx0, bx1]), x0, cell)
            iy0, iy1 = _cell_index(np.array([by0, by1]), y0, cell)
            iy, ix = np.mgrid[iy0 : iy1 + 1, ix0 : ix1 + 1]
            cx, cy = x0 + (ix + 0.5) * cell, y0 + (iy + 0.5) * cell
            inside = shapely.contains_xy(self.polygons[index], cx, cy)
            grid[iy[inside], ix[inside]] = index

        # 2. Cells crossed by a polygon's edges. Edges are cut to at most half a cell, so each
        # spans at most two cells per axis: marking the cell box of its two ends covers it.
        rings = shapely.get_rings(shapely.get_parts(self.polygons[members]))
        ring_owner = np.repeat(
            members, shapely.get_num_geometries(self.polygons[members])
        )  # polygon of each part
        parts_rings = shapely.get_num_interior_rings(shapely.get_parts(self.polygons[members])) + 1
        ring_owner = np.repeat(ring_owner, parts_rings)
        rings = shapely.segmentize(rings, cell / 2)
        coords, ring_index = shapely.get_coordinates(rings, return_index=True)
        same_ring = ring_index[1:] == ring_index[:-1]
        start, end = coords[:-1][same_ring], coords[1:][same_ring]
        owner = ring_owner[ring_index[:-1][same_ring]]
        ix_a, iy_a = _cell_index(start[:, 0], x0, cell), _cell_index(start[:, 1], y0, cell)
        ix_b, iy_b = _cell_index(end[:, 0], x0, cell), _cell_index(end[:, 1], y0, cell)
        cell_ids = np.concatenate(
            [iy_a * nx + ix_a, iy_a * nx + ix_b, iy_b * nx + ix_a, iy_b * nx + ix_b]
        )
        owners = np.tile(owner, 4)
        pairs = np.unique(np.stack([cell_ids, owners], axis=1), axis=0)

        # 3. Boundary cells list their edge polygons plus their centre's polygon.
        boundary_ids, first = np.unique(pairs[:, 0], return_index=True)
        centre_poly = grid.ravel()[boundary_ids]
        groups = np.split(pairs[:, 1], first[1:])
        lists = [
            np.unique(np.append(g, c)).astype(np.int32) if c >= 0 else g.astype(np.int32)
            for g, c in zip(groups, centre_poly, strict=True)
        ]
        codes = -(np.arange(len(boundary_ids), dtype=np.int64) + first_boundary + 2)
        grid.ravel()[boundary_ids] = codes.astype(np.int32)
        box = (
            float(bounds[:, 0].min()),
            float(bounds[:, 1].min()),
            float(bounds[:, 2].max()),
            float(bounds[:, 3].max()),
        )
        return _Zone(x0, y0, nx, ny, grid, box), lists

    def locate(self, x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.int64]:
        """Index of the polygon covering each point (x = longitude, y = latitude), or -1."""
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        result = np.full(x.shape, OUTSIDE, dtype=np.int64)
        cell_value = np.full(x.shape, OUTSIDE, dtype=np.int64)
        for zone in self._zones:
            ix = _cell_index(x, zone.x0, self.cell)
            iy = _cell_index(y, zone.y0, self.cell)
            # The zone's bounds, not its grid's extent: with large cells the grids of two
            # zones may overlap, and one zone's empty cells must not hide the other's polygons.
            bx0, by0, bx1, by1 = zone.bounds
            inside = (x >= bx0) & (x <= bx1) & (y >= by0) & (y <= by1)
            inside &= (ix >= 0) & (ix < zone.nx) & (iy >= 0) & (iy < zone.ny)
            cell_value[inside] = zone.grid[iy[inside], ix[inside]]
        direct = cell_value >= 0
        result[direct] = cell_value[direct]

        # Exact tests for points in boundary cells, against that cell's candidates only.
        points = np.flatnonzero(cell_value <= -2)
        if points.size:
            k = -cell_value[points] - 2
            starts, stops = self._cand_start[k], self._cand_start[k + 1]
            counts = stops - starts
            pair_point = np.repeat(points, counts)
            offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
            pair_poly = self._cand[np.repeat(starts, counts) + offsets]
            hit = shapely.intersects_xy(self.polygons[pair_poly], x[pair_point], y[pair_point])
            # Candidates are sorted per cell, so the first hit of a point is its lowest index.
            hit_point, hit_poly = pair_point[hit], pair_poly[hit]
            first_hit = np.unique(hit_point, return_index=True)[1]
            result[hit_point[first_hit]] = hit_poly[first_hit]
        return result


def _cell_index(values: NDArray[np.float64], origin: float, cell: float) -> NDArray[np.int64]:
    """The one formula mapping coordinates to cells, shared by building and locating."""
    with np.errstate(invalid="ignore"):
        return np.floor((values - origin) / cell).astype(np.int64)


def _zones_of(bounds: NDArray[np.float64]) -> list[NDArray[np.int64]]:
    """Groups of polygon indices whose bounding boxes (grown by the gap) overlap transitively."""
    zones: list[tuple[list[int], list[float]]] = []
    for index in np.argsort(bounds[:, 0], kind="stable"):
        members, box = [int(index)], [float(v) for v in bounds[index]]
        # A grown box may reach zones it did not touch before: merge until nothing overlaps.
        while overlapping := [z for z in zones if _overlap(z[1], box)]:
            for zone in overlapping:
                zones.remove(zone)
                members += zone[0]
                box = [
                    min(box[0], zone[1][0]),
                    min(box[1], zone[1][1]),
                    max(box[2], zone[1][2]),
                    max(box[3], zone[1][3]),
                ]
        zones.append((members, box))
    return [np.sort(np.array(members, dtype=np.int64)) for members, _ in zones]


def _overlap(a: list[float], b: list[float]) -> bool:
    gap = _ZONE_GAP_DEG
    return a[0] - gap <= b[2] and b[0] - gap <= a[2] and a[1] - gap <= b[3] and b[1] - gap <= a[3]
