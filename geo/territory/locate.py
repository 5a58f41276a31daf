"""Vectorised point-in-polygon on a set of polygons (the communes), through a grid of cells.

Why a grid and not ``geopandas.sjoin``: the commune outlines are static and locating is done
on millions of points. The plane is cut into square cells once. A cell that no polygon
boundary crosses lies wholly inside one polygon (or none): every point falling in it is
answered by one array read. Only points in the cells that a boundary crosses (boundary cells)
need an exact test, and that test needs no polygon object, only the edges crossing the cell:

- each boundary cell has a reference point ``r`` whose polygons are known (computed once with
  shapely), its candidate polygons (those with an edge in the cell, plus those holding ``r``)
  and the polygon edges that cross it;
- a point ``p`` of the cell is inside candidate ``P`` iff ``r`` is, flipped once per edge of
  ``P`` that the segment ``r → p`` crosses (both lie in the cell, so no other edge can be
  crossed), or when ``p`` lies on an edge of ``P`` (boundaries belong to the polygon, as in
  ``intersects``). Crossings use the half-open rule, so a vertex on the segment counts once.

So the whole index is a few flat arrays (grids, candidates, edge ids, vertex coordinates):
it is built once per edition of the outlines, saved as ``.npy`` files and loaded again with
``numpy.load(mmap_mode="r")`` in milliseconds (:meth:`GridLocator.save`, :meth:`load`).
Points on a boundary shared by two polygons are covered by both; the lowest polygon index
wins, so each point gets exactly one answer. Distant groups of polygons (metropolitan France,
each overseas département) get grids of their own so the empty sea between them costs nothing.

Interior cells are filled by scanline: on each row of cell centres, the crossings of every
polygon's edges are sorted and paired into the intervals the polygon covers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from numpy.typing import NDArray

OUTSIDE = -1
#: Cell size in degrees; ~0.3 km × 0.45 km in metropolitan France. A trade-off between the
#: grid's memory (cells) and the share of points needing an exact test (boundary cells).
DEFAULT_CELL_DEG = 0.004
#: Bounding boxes closer than this (degrees) share one grid.
_ZONE_GAP_DEG = 1.0
#: Where a boundary cell's reference point sits, as a fraction of the cell: far from its
#: centre and its sides, where outlines drawn on round coordinates are unlikely to pass.
_REFERENCE_OFFSETS = ((0.6180339887, 0.5772156649), (0.4142135623, 0.7320508075),
                      (0.2360679774, 0.3166247903))  # fmt: skip
#: Points located per batch (bounded memory for the edge tests).
_BATCH = 1 << 20
_ARRAYS = ("cand_start", "cand", "ref_inside", "ref_x", "ref_y", "edge_start", "edge",
           "edge_slot", "vertices")  # fmt: skip


@dataclass
class _Zone:
    x0: float
    y0: float
    nx: int
    ny: int
    grid: NDArray[np.int32]  # polygon index, OUTSIDE, or -(k + 2) for boundary cell k
    bounds: tuple[float, float, float, float]  # of its polygons; zones' bounds never overlap


class GridLocator:
    """Locates points in a set of polygons (lon/lat, any CRS in degrees)."""

    def __init__(self, polygons: NDArray[np.object_], *, cell: float = DEFAULT_CELL_DEG) -> None:
        polygons = np.asarray(polygons, dtype=object)
        self.cell = float(cell)
        self.count = len(polygons)
        vertices, owners, edge_ok = _rings(polygons)
        self.vertices = vertices
        self._zones: list[_Zone] = []
        parts: list[dict[str, NDArray]] = []
        boundary_total = 0
        for members in _zones_of(shapely.bounds(polygons)):
            zone, part = _build_zone(
                polygons, members, vertices, owners, edge_ok, self.cell, boundary_total
            )
            self._zones.append(zone)
            parts.append(part)
            boundary_total += len(part["ref_x"])
        _join(self, parts)

    # --- persistence ---------------------------------------------------------------------------

    def save(self, folder: Path) -> list[Path]:
        """Write the index as ``.npy`` files and ``zones.json`` in ``folder``; the paths."""
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for name in _ARRAYS:
            path = folder / f"{name}.npy"
            np.save(path, np.ascontiguousarray(getattr(self, name)))
            written.append(path)
        for number, zone in enumerate(self._zones):
            path = folder / f"grid-{number}.npy"
            np.save(path, zone.grid)
            written.append(path)
        meta = {
            "cell": self.cell,
            "count": self.count,
            "zones": [
                {"x0": z.x0, "y0": z.y0, "nx": z.nx, "ny": z.ny, "bounds": list(z.bounds)}
                for z in self._zones
            ],
        }
        path = folder / "zones.json"
        path.write_text(json.dumps(meta), encoding="utf-8")
        written.append(path)
        return written

    @classmethod
    def load(cls, folder: Path) -> GridLocator:
        """The index saved by :meth:`save`, memory-mapped (pages are read when used)."""
        meta = json.loads((folder / "zones.json").read_text(encoding="utf-8"))
        locator = cls.__new__(cls)
        locator.cell = float(meta["cell"])
        locator.count = int(meta["count"])
        for name in _ARRAYS:
            setattr(locator, name, np.load(folder / f"{name}.npy", mmap_mode="r"))
        locator._zones = [
            _Zone(
                z["x0"], z["y0"], z["nx"], z["ny"],
                np.load(folder / f"grid-{number}.npy", mmap_mode="r"),
                tuple(z["bounds"]),
            )
            for number, z in enumerate(meta["zones"])
        ]  # fmt: skip
        return locator

    # --- figures -------------------------------------------------------------------------------

    @property
    def cells(self) -> int:
        return sum(zone.grid.size for zone in self._zones)

    @property
    def boundary_cells(self) -> int:
        return len(self.ref_x)

    # --- locating ------------------------------------------------------------------------------

    def locate(self, x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.int64]:
        """Index of the polygon covering each point (x = longitude, y = latitude), or -1."""
        x = np.asarray(x, dtype=np.float64).ravel()
        y = np.asarray(y, dtype=np.float64).ravel()
        result = np.full(x.shape, OUTSIDE, dtype=np.int64)
        for start in range(0, len(x), _BATCH):
            stop = start + _BATCH
            result[start:stop] = self._locate(x[start:stop], y[start:stop])
        return result

    def _locate(self, x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.int64]:
        cell_value = np.full(x.shape, OUTSIDE, dtype=np.int64)
        for zone in self._zones:
            # The zone's bounds, not its grid's extent: with large cells the grids of two
            # zones may overlap, and one zone's empty cells must not hide the other's polygons.
            bx0, by0, bx1, by1 = zone.bounds
            inside = np.flatnonzero((x >= bx0) & (x <= bx1) & (y >= by0) & (y <= by1))
            if inside.size == 0:
                continue
            ix = _cell_index(x[inside], zone.x0, self.cell)
            iy = _cell_index(y[inside], zone.y0, self.cell)
            keep = (ix >= 0) & (ix < zone.nx) & (iy >= 0) & (iy < zone.ny)
            inside, ix, iy = inside[keep], ix[keep], iy[keep]
            cell_value[inside] = zone.grid[iy, ix]
        result = np.where(cell_value >= 0, cell_value, OUTSIDE)
        points = np.flatnonzero(cell_value <= -2)
        if points.size:
            result[points] = self._exact(points, -cell_value[points] - 2, x, y)
        return result

    def _exact(
        self, points: NDArray[np.int64], k: NDArray[np.int64], x: NDArray, y: NDArray
    ) -> NDArray[np.int64]:
        """The answer for points in boundary cells ``k``, from the cells' edges."""
        px, py = x[points], y[points]
        rx, ry = self.ref_x[k], self.ref_y[k]
        # One row per (point, candidate): the reference point's state, flipped below.
        c_start, c_count = self.cand_start[k], self.cand_start[k + 1] - self.cand_start[k]
        c_rows = _expand(c_start, c_count)
        inside = self.ref_inside[c_rows].astype(bool)
        # One row per (point, edge of its cell).
        e_start, e_count = self.edge_start[k], self.edge_start[k + 1] - self.edge_start[k]
        e_rows = _expand(e_start, e_count)
        owner = np.repeat(np.arange(len(points)), e_count)
        edge = self.edge[e_rows]
        ax, ay = self.vertices[edge, 0], self.vertices[edge, 1]
        bx, by = self.vertices[edge + 1, 0], self.vertices[edge + 1, 1]
        qx, qy, sx, sy = px[owner], py[owner], rx[owner], ry[owner]
        # Orientation of p and r against the edge, and of the edge's ends against r → p.
        side_p = (bx - ax) * (qy - ay) - (by - ay) * (qx - ax)
        side_r = (bx - ax) * (sy - ay) - (by - ay) * (sx - ax)
        side_a = (qx - sx) * (ay - sy) - (qy - sy) * (ax - sx)
        side_b = (qx - sx) * (by - sy) - (qy - sy) * (bx - sx)
        crossed = ((side_p > 0) != (side_r > 0)) & ((side_a > 0) != (side_b > 0))
        on_edge = (
            (side_p == 0)
            & (np.minimum(ax, bx) <= qx) & (qx <= np.maximum(ax, bx))
            & (np.minimum(ay, by) <= qy) & (qy <= np.maximum(ay, by))
        )  # fmt: skip
        slot_row = np.repeat(np.cumsum(c_count) - c_count, e_count) + self.edge_slot[e_rows]
        flips = np.bincount(slot_row[crossed], minlength=len(c_rows)) & 1
        inside ^= flips.astype(bool)
        inside[slot_row[on_edge]] = True
        # Candidates are sorted per cell: the first one inside is the lowest index.
        polygon = np.where(inside, self.cand[c_rows], np.iinfo(np.int32).max)
        best = np.minimum.reduceat(polygon, np.cumsum(c_count) - c_count)
        return np.where(best == np.iinfo(np.int32).max, OUTSIDE, best).astype(np.int64)


# --- building ------------------------------------------------------------------------------------


def _rings(polygons: NDArray[np.object_]) -> tuple[NDArray, NDArray, NDArray]:
    """Every ring's vertices in one array, the polygon owning each vertex, and whether vertex
    ``i`` starts an edge (``i → i + 1`` in the same ring)."""
    parts, part_owner = shapely.get_parts(polygons, return_index=True)
    rings = shapely.get_rings(parts)
    ring_owner = np.repeat(part_owner, shapely.get_num_interior_rings(parts) + 1)
    vertices, ring_index = shapely.get_coordinates(rings, return_index=True)
    owners = ring_owner[ring_index].astype(np.int32)
    edge_ok = np.zeros(len(vertices), dtype=bool)
    edge_ok[:-1] = ring_index[1:] == ring_index[:-1]
    return np.ascontiguousarray(vertices, dtype=np.float64), owners, edge_ok


def _build_zone(
    polygons: NDArray[np.object_],
    members: NDArray[np.int64],
    vertices: NDArray,
    owners: NDArray,
    edge_ok: NDArray,
    cell: float,
    first_boundary: int,
) -> tuple[_Zone, dict[str, NDArray]]:
    bounds = shapely.bounds(polygons[members])
    x0 = float(np.floor(bounds[:, 0].min() / cell) * cell) - cell
    y0 = float(np.floor(bounds[:, 1].min() / cell) * cell) - cell
    nx = int(np.ceil((bounds[:, 2].max() - x0) / cell)) + 2
    ny = int(np.ceil((bounds[:, 3].max() - y0) / cell)) + 2
    in_zone = np.zeros(len(polygons), dtype=bool)
    in_zone[members] = True
    edges = np.flatnonzero(edge_ok & in_zone[owners])
    grid = _scanline_fill(vertices, owners, edges, x0, y0, nx, ny, cell)

    keys = _edge_cells(vertices, edges, x0, y0, nx, cell)
    cell_of, edge_of = keys // len(vertices), keys % len(vertices)
    edge_start = np.flatnonzero(np.r_[True, cell_of[1:] != cell_of[:-1]])
    boundary = cell_of[edge_start]
    edge_start = np.append(edge_start, len(cell_of)).astype(np.int64)

    ref_x, ref_y = _reference_points(boundary, vertices, edge_of, edge_start, x0, y0, nx, cell)
    # Candidates: the owners of the cell's edges and the polygons holding the reference point
    # (a polygon holding the whole cell has no edge in it).
    tree = shapely.STRtree(polygons[members])
    hits = [
        tree.query(shapely.points(ref_x[chunk], ref_y[chunk]), predicate="intersects")
        + np.array([[chunk[0]], [0]])
        for chunk in np.array_split(np.arange(len(ref_x)), max(1, len(ref_x) // (_BATCH // 4)))
        if len(chunk)
    ]
    ref_hit = np.concatenate([h[0] for h in hits]) if hits else np.empty(0, dtype=np.int64)
    poly_hit = members[np.concatenate([h[1] for h in hits])] if hits else ref_hit
    n_poly = len(polygons)
    owner_of = owners[edge_of].astype(np.int64)
    edge_cell = np.repeat(np.arange(len(boundary)), np.diff(edge_start))
    held = _sorted_unique(ref_hit * n_poly + poly_hit)
    slots = _sorted_unique(np.concatenate([edge_cell * n_poly + owner_of, held]))
    slot_cell, slot_poly = slots // n_poly, slots % n_poly
    cand_start = np.append(np.searchsorted(slot_cell, np.arange(len(boundary))), len(slots))
    ref_inside = np.isin(slots, held, assume_unique=True)
    # Each edge row points to its polygon's slot in its cell's candidate list.
    edge_slot = np.searchsorted(slots, edge_cell * n_poly + owner_of) - cand_start[edge_cell]

    grid.ravel()[boundary] = -(np.arange(len(boundary), dtype=np.int64) + first_boundary + 2)
    box = (
        float(bounds[:, 0].min()),
        float(bounds[:, 1].min()),
        float(bounds[:, 2].max()),
        float(bounds[:, 3].max()),
    )
    part = {
        "cand_start": cand_start,
        "cand": slot_poly.astype(np.int32),
        "ref_inside": ref_inside.astype(np.int8),
        "ref_x": ref_x,
        "ref_y": ref_y,
        "edge_start": edge_start,
        "edge": edge_of.astype(np.int32),
        "edge_slot": edge_slot.astype(np.int16),
    }
    return _Zone(x0, y0, nx, ny, grid, box), part


def _edge_cells(
    vertices: NDArray, edges: NDArray, x0: float, y0: float, nx: int, cell: float
) -> NDArray[np.int64]:
    """Sorted ``cell * len(vertices) + edge`` keys of every (cell, edge) the edges cross.

    Each edge is cut in pieces at most half a cell long per axis, so a piece spans at most two
    cells per axis and the cell box of its two ends covers it. Done in chunks of edges (an
    edge's keys never meet another chunk's) to keep the memory bounded.
    """
    chunks = []
    for start in range(0, len(edges), _BATCH // 2):
        part = edges[start : start + _BATCH // 2]
        ax, ay = vertices[part, 0], vertices[part, 1]
        dx, dy = vertices[part + 1, 0] - ax, vertices[part + 1, 1] - ay
        longest = np.maximum(np.abs(dx), np.abs(dy))
        pieces = np.maximum(np.ceil(longest / (cell / 2)), 1).astype(np.int64)
        rep = np.repeat(np.arange(len(part)), pieces)
        step = np.arange(len(rep)) - np.repeat(np.cumsum(pieces) - pieces, pieces)
        t0 = step / pieces[rep]
        t1 = (step + 1) / pieces[rep]
        # The ends of the first and last pieces are the edge's own vertices, exactly: an edge
        # lying on a cell side stays in the cell that side belongs to.
        t0[step == 0] = 0.0
        t1[step == pieces[rep] - 1] = 1.0
        ends = []
        for fraction in (t0, t1):
            px = np.where(fraction == 1.0, ax[rep] + dx[rep], ax[rep] + fraction * dx[rep])
            py = np.where(fraction == 1.0, ay[rep] + dy[rep], ay[rep] + fraction * dy[rep])
            ends.append((_cell_index(px, x0, cell), _cell_index(py, y0, cell)))
        (ixa, iya), (ixb, iyb) = ends
        edge_id = part[rep]
        keys = np.concatenate(
            [(iy * nx + ix) * len(vertices) + edge_id for ix in (ixa, ixb) for iy in (iya, iyb)]
        )
        chunks.append(_sorted_unique(keys))
    return np.sort(np.concatenate(chunks)) if chunks else np.empty(0, dtype=np.int64)


def _scanline_fill(
    vertices: NDArray,
    owners: NDArray,
    edges: NDArray,
    x0: float,
    y0: float,
    nx: int,
    ny: int,
    cell: float,
) -> NDArray[np.int32]:
    """The grid of the polygon holding each cell centre (lowest index), -1 where none does."""
    ax, ay = vertices[edges, 0], vertices[edges, 1]
    bx, by = vertices[edges + 1, 0], vertices[edges + 1, 1]
    # Rows whose centre line y_c = y0 + (row + 0.5) * cell the edge crosses, half-open:
    # an edge crosses y_c when exactly one of its ends is above it (y > y_c).
    low, high = np.minimum(ay, by), np.maximum(ay, by)
    first = np.floor((low - y0) / cell - 0.5).astype(np.int64) + 1
    last = np.floor((high - y0) / cell - 0.5).astype(np.int64)
    first = np.maximum(first, 0)
    last = np.minimum(last, ny - 1)
    # Guard the rounding of the row formula with the exact test below.
    first -= 1
    last += 1
    count = np.maximum(last - first + 1, 0)
    rep = np.repeat(np.arange(len(edges)), count)
    row = np.repeat(first, count) + (
        np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    )
    yc = y0 + (row + 0.5) * cell
    crosses = (ay[rep] > yc) != (by[rep] > yc)
    rep, row, yc = rep[crosses], row[crosses], yc[crosses]
    keep = (row >= 0) & (row < ny)
    rep, row, yc = rep[keep], row[keep], yc[keep]
    xc = ax[rep] + (yc - ay[rep]) * (bx[rep] - ax[rep]) / (by[rep] - ay[rep])
    poly = owners[edges[rep]].astype(np.int64)
    order = np.lexsort((xc, poly, row))
    row, poly, xc = row[order], poly[order], xc[order]
    # Each polygon's crossings on a row pair up: (1st, 2nd), (3rd, 4th)… are inside spans.
    group = row * (int(poly.max(initial=0)) + 1) + poly
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    rank = np.arange(len(group)) - np.repeat(starts, np.diff(np.r_[starts, len(group)]))
    opening = np.flatnonzero(rank % 2 == 0)
    opening = opening[opening + 1 < len(group)]
    opening = opening[group[opening + 1] == group[opening]]
    span_row, span_poly = row[opening], poly[opening]
    # Cells whose centre x_c = x0 + (col + 0.5) * cell lies in [x_open, x_close).
    col_from = np.ceil((xc[opening] - x0) / cell - 0.5).astype(np.int64)
    col_to = np.ceil((xc[opening + 1] - x0) / cell - 0.5).astype(np.int64) - 1
    col_from, col_to = np.maximum(col_from, 0), np.minimum(col_to, nx - 1)
    width = np.maximum(col_to - col_from + 1, 0)
    flat = np.repeat(span_row * nx + col_from, width) + (
        np.arange(width.sum()) - np.repeat(np.cumsum(width) - width, width)
    )
    grid = np.full(ny * nx, np.iinfo(np.int32).max, dtype=np.int32)
    np.minimum.at(grid, flat, np.repeat(span_poly, width).astype(np.int32))
    grid[grid == np.iinfo(np.int32).max] = OUTSIDE
    return grid.reshape(ny, nx)


def _reference_points(
    boundary: NDArray, vertices: NDArray, edge_of: NDArray, edge_start: NDArray,
    x0: float, y0: float, nx: int, cell: float,
) -> tuple[NDArray, NDArray]:  # fmt: skip
    """A point in each boundary cell that lies on none of its edges."""
    ix, iy = boundary % nx, boundary // nx
    ref_x = np.empty(len(boundary))
    ref_y = np.empty(len(boundary))
    todo = np.arange(len(boundary))
    for fx, fy in _REFERENCE_OFFSETS:
        ref_x[todo] = x0 + (ix[todo] + fx) * cell
        ref_y[todo] = y0 + (iy[todo] + fy) * cell
        again = [
            chunk[_on_an_edge(chunk, ref_x, ref_y, vertices, edge_of, edge_start)]
            for chunk in np.array_split(todo, max(1, len(todo) // (_BATCH // 4)))
        ]
        todo = np.concatenate(again) if again else todo[:0]
        if todo.size == 0:
            break
    return ref_x, ref_y


def _on_an_edge(
    cells: NDArray, ref_x: NDArray, ref_y: NDArray, vertices: NDArray, edge_of: NDArray,
    edge_start: NDArray,
) -> NDArray[np.bool_]:  # fmt: skip
    """Whether each cell's reference point lies on one of the cell's edges."""
    counts = edge_start[cells + 1] - edge_start[cells]
    rows = _expand(edge_start[cells], counts)
    owner = np.repeat(np.arange(len(cells)), counts)
    edge = edge_of[rows]
    ax, ay = vertices[edge, 0], vertices[edge, 1]
    bx, by = vertices[edge + 1, 0], vertices[edge + 1, 1]
    qx, qy = ref_x[cells][owner], ref_y[cells][owner]
    on = ((bx - ax) * (qy - ay) - (by - ay) * (qx - ax)) == 0
    on &= (np.minimum(ax, bx) <= qx) & (qx <= np.maximum(ax, bx))
    on &= (np.minimum(ay, by) <= qy) & (qy <= np.maximum(ay, by))
    return np.bincount(owner[on], minlength=len(cells)) > 0


def _join(locator: GridLocator, parts: list[dict[str, NDArray]]) -> None:
    """Concatenate the zones' boundary cells, offsetting their start arrays."""
    cand_starts, edge_starts = [], []
    cand_total = edge_total = 0
    for part in parts:
        cand_starts.append(part["cand_start"][:-1] + cand_total)
        edge_starts.append(part["edge_start"][:-1] + edge_total)
        cand_total += len(part["cand"])
        edge_total += len(part["edge"])
    locator.cand_start = np.concatenate([*cand_starts, [cand_total]]).astype(np.int64)
    locator.edge_start = np.concatenate([*edge_starts, [edge_total]]).astype(np.int64)
    dtypes = {"cand": np.int32, "ref_inside": np.int8, "ref_x": np.float64,
              "ref_y": np.float64, "edge": np.int32, "edge_slot": np.int16}  # fmt: skip
    for name, dtype in dtypes.items():
        values = [part[name] for part in parts]
        setattr(
            locator, name, np.concatenate(values).astype(dtype) if values else np.empty(0, dtype)
        )


def _sorted_unique(values: NDArray[np.int64]) -> NDArray[np.int64]:
    """``np.unique`` by sorting, several times faster than its hash table on ~10⁷ keys."""
    values = np.sort(values)
    return values[np.r_[True, values[1:] != values[:-1]]] if values.size else values


def _expand(starts: NDArray, counts: NDArray) -> NDArray[np.int64]:
    """``[starts[0], …, starts[0] + counts[0] - 1, starts[1], …]``."""
    total = int(counts.sum())
    offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(starts, counts) + offsets


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
