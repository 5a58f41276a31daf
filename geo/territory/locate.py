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
import math
import mmap
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from numpy.typing import NDArray

OUTSIDE = -1
#: Cell size in degrees; ~0.2 km × 0.28 km in metropolitan France. A trade-off between the
#: grid's memory (25 M cells nationally, memory-mapped) and the share of points needing an
#: exact test (boundary cells: a quarter of the points at 0.004°, a seventh at 0.0025°).
DEFAULT_CELL_DEG = 0.0025
#: Bounding boxes closer than this (degrees) share one grid.
_ZONE_GAP_DEG = 1.0
#: Where a boundary cell's reference point sits, as a fraction of the cell: far from its
#: centre and its sides, where outlines drawn on round coordinates are unlikely to pass.
_REFERENCE_OFFSETS = ((0.6180339887, 0.5772156649), (0.4142135623, 0.7320508075),
                      (0.2360679774, 0.3166247903))  # fmt: skip
#: Points located per batch (bounded memory for the edge tests).
_BATCH = 1 << 20
_ARRAYS = ("cand_start", "cand", "ref_inside", "ref_x", "ref_y", "edge_start", "edge",
           "edge_slot", "edge_ref_above", "vertex_x", "vertex_y")  # fmt: skip


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
        self._maps: list[mmap.mmap] = []  # built in memory: no file mapped
        self.cell = float(cell)
        self.count = len(polygons)
        vertices, owners, edge_ok = _rings(polygons)
        self.vertex_x = np.ascontiguousarray(vertices[:, 0], dtype=np.float64)
        self.vertex_y = np.ascontiguousarray(vertices[:, 1], dtype=np.float64)
        del vertices
        self._zones: list[_Zone] = []
        parts: list[dict[str, NDArray]] = []
        boundary_total = 0
        for members in _zones_of(shapely.bounds(polygons)):
            zone, part = _build_zone(
                polygons,
                members,
                self.vertex_x,
                self.vertex_y,
                owners,
                edge_ok,
                self.cell,
                boundary_total,
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
        locator._maps = []
        for name in _ARRAYS:
            setattr(locator, name, _mapped(folder / f"{name}.npy", locator._maps))
        locator._zones = [
            _Zone(
                z["x0"], z["y0"], z["nx"], z["ny"],
                _mapped(folder / f"grid-{number}.npy", locator._maps),
                tuple(z["bounds"]),
            )
            for number, z in enumerate(meta["zones"])
        ]  # fmt: skip
        return locator

    def release_pages(self) -> None:
        """Give back the pages of a loaded index that locating read (nothing for a built one).

        A few thousand points spread over France read nearly all of the national index (210
        MB: the kernel maps 64 kB around each page read), which then counts in the process's
        resident memory for good although nothing reads it again. They are clean pages of the
        files: dropped from the process, they stay in the system's file cache, and the next
        locate maps them again (a fraction of a millisecond per megabyte)."""
        for pages in self._maps:
            pages.madvise(mmap.MADV_DONTNEED)

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
        ax, ay = self.vertex_x[edge], self.vertex_y[edge]
        bx, by = self.vertex_x[edge + 1], self.vertex_y[edge + 1]
        qx, qy = px[owner], py[owner]
        # Side of p against each edge; r's side was computed when the index was built.
        side_p = (bx - ax) * (qy - ay) - (by - ay) * (qx - ax)
        apart = np.flatnonzero((side_p > 0) != self.edge_ref_above[e_rows].astype(bool))
        # Where p and r are apart, does the edge cross the segment r → p itself?
        sx, sy = rx[owner[apart]], ry[owner[apart]]
        dx, dy = qx[apart] - sx, qy[apart] - sy
        side_a = dx * (ay[apart] - sy) - dy * (ax[apart] - sx)
        side_b = dx * (by[apart] - sy) - dy * (bx[apart] - sx)
        crossed = apart[(side_a > 0) != (side_b > 0)]
        # p on an edge (collinear and within its box): boundaries belong to the polygon.
        zero = np.flatnonzero(side_p == 0)
        zx, zy = qx[zero], qy[zero]
        on_edge = zero[
            (np.minimum(ax[zero], bx[zero]) <= zx) & (zx <= np.maximum(ax[zero], bx[zero]))
            & (np.minimum(ay[zero], by[zero]) <= zy) & (zy <= np.maximum(ay[zero], by[zero]))
        ]  # fmt: skip
        # Each crossing flips its polygon's row among the point's candidates.
        block = np.cumsum(c_count) - c_count
        flipped = block[owner[crossed]] + self.edge_slot[e_rows[crossed]]
        inside ^= (np.bincount(flipped, minlength=len(c_rows)) & 1).astype(bool)
        inside[block[owner[on_edge]] + self.edge_slot[e_rows[on_edge]]] = True
        # Candidates are sorted per cell: the first one inside is the lowest index.
        polygon = np.where(inside, self.cand[c_rows], np.iinfo(np.int32).max)
        best = np.minimum.reduceat(polygon, block)
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
    return vertices, owners, edge_ok


def _build_zone(
    polygons: NDArray[np.object_],
    members: NDArray[np.int64],
    vx: NDArray,
    vy: NDArray,
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
    keys = _edge_cells(vx, vy, edges, x0, y0, nx, cell)
    n_vertices = len(vx)
    edge_of = (keys % n_vertices).astype(np.int32)
    keys //= n_vertices  # now the cell of each row
    edge_start = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    boundary = keys[edge_start]
    del keys
    counts = np.diff(np.append(edge_start, len(edge_of)))
    edge_start = np.append(edge_start, len(edge_of)).astype(np.int64)

    ref_x, ref_y = _reference_points(boundary, vx, vy, edge_of, edge_start, x0, y0, nx, cell)
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
    del hits, tree
    n_poly = len(polygons)
    edge_cell = np.repeat(np.arange(len(boundary), dtype=np.int32), counts)
    # Slot keys (cell, polygon) of the edges' owners, then of the polygons holding r.
    row_key = edge_cell.astype(np.int64) * n_poly + owners[edge_of]
    held = _sorted_unique(ref_hit * n_poly + poly_hit)
    del ref_hit, poly_hit
    slots = _sorted_unique(np.concatenate([row_key, held]))
    cand_start = np.append(
        np.searchsorted(slots, np.arange(len(boundary), dtype=np.int64) * n_poly), len(slots)
    )
    ref_inside = np.isin(slots, held, assume_unique=True).astype(np.int8)
    del held
    # Each edge row points to its polygon's slot in its cell's candidate list.
    edge_slot = np.empty(len(row_key), dtype=np.int16)
    for start in range(0, len(row_key), _BATCH):
        chunk = slice(start, start + _BATCH)
        edge_slot[chunk] = np.searchsorted(slots, row_key[chunk]) - cand_start[edge_cell[chunk]]
    del row_key
    slot_poly = (slots % n_poly).astype(np.int32)
    del slots
    # And says on which side of it the cell's reference point lies (the same for every point).
    edge_ref_above = np.empty(len(edge_of), dtype=np.int8)
    for start in range(0, len(edge_of), _BATCH):
        e, c = edge_of[start : start + _BATCH], edge_cell[start : start + _BATCH]
        ax, ay, bx, by = vx[e], vy[e], vx[e + 1], vy[e + 1]
        side = (bx - ax) * (ref_y[c] - ay) - (by - ay) * (ref_x[c] - ax)
        edge_ref_above[start : start + _BATCH] = side > 0
    del edge_cell

    # The interior cells last: the grid is the largest array of a national build.
    grid = _scanline_fill(vx, vy, owners, edges, x0, y0, nx, ny, cell)
    grid.ravel()[boundary] = -(np.arange(len(boundary), dtype=np.int64) + first_boundary + 2)
    box = (
        float(bounds[:, 0].min()),
        float(bounds[:, 1].min()),
        float(bounds[:, 2].max()),
        float(bounds[:, 3].max()),
    )
    part = {
        "cand_start": cand_start,
        "cand": slot_poly,
        "ref_inside": ref_inside,
        "ref_x": ref_x,
        "ref_y": ref_y,
        "edge_start": edge_start,
        "edge": edge_of,
        "edge_slot": edge_slot,
        "edge_ref_above": edge_ref_above,
    }
    return _Zone(x0, y0, nx, ny, grid, box), part


def _edge_cells(
    vx: NDArray, vy: NDArray, edges: NDArray, x0: float, y0: float, nx: int, cell: float
) -> NDArray[np.int64]:
    """Sorted ``cell * len(vx) + edge`` keys of every (cell, edge) the edges cross.

    Each edge is cut in pieces at most half a cell long per axis, so a piece spans at most two
    cells per axis and the cell box of its two ends covers it. Done in chunks of edges (an
    edge's keys never meet another chunk's) to keep the memory bounded.
    """
    chunks = []
    for start in range(0, len(edges), _BATCH // 8):
        part = edges[start : start + _BATCH // 8]
        ax, ay = vx[part], vy[part]
        dx, dy = vx[part + 1] - ax, vy[part + 1] - ay
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
            [(iy * nx + ix) * len(vx) + edge_id for ix in (ixa, ixb) for iy in (iya, iyb)]
        )
        chunks.append(_sorted_unique(keys))
    return np.sort(np.concatenate(chunks)) if chunks else np.empty(0, dtype=np.int64)


def _scanline_fill(
    vx: NDArray,
    vy: NDArray,
    owners: NDArray,
    edges: NDArray,
    x0: float,
    y0: float,
    nx: int,
    ny: int,
    cell: float,
) -> NDArray[np.int32]:
    """The grid of the polygon holding each cell centre (lowest index), -1 where none does.

    Done by bands of rows, so that the crossings held at once stay few."""
    grid = np.full(ny * nx, np.iinfo(np.int32).max, dtype=np.int32)
    low = np.minimum(vy[edges], vy[edges + 1])
    high = np.maximum(vy[edges], vy[edges + 1])
    band = max(1, (1 << 22) // max(nx, 1))  # ~4 M cells per band
    for row0 in range(0, ny, band):
        row1 = min(row0 + band, ny)
        # Edges reaching the band (one row of margin: the exact test is in _row_crossings).
        near = (high >= y0 + (row0 - 1) * cell) & (low <= y0 + (row1 + 1) * cell)
        row, poly, xc = _row_crossings(vx, vy, owners, edges[near], y0, row0, row1, cell)
        _paint(grid, row, poly, xc, x0, nx, cell)
    grid[grid == np.iinfo(np.int32).max] = OUTSIDE
    return grid.reshape(ny, nx)


def _paint(
    grid: NDArray[np.int32], row: NDArray, poly: NDArray, xc: NDArray, x0: float, nx: int,
    cell: float,
) -> None:  # fmt: skip
    """Paint each polygon's inside spans of its rows' crossings (lowest index wins)."""
    order = np.lexsort((xc, poly, row))
    row, poly, xc = row[order], poly[order], xc[order]
    # Each polygon's crossings on a row pair up: (1st, 2nd), (3rd, 4th)… are inside spans.
    group = row * (int(poly.max(initial=0)) + 1) + poly
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    rank = np.arange(len(group)) - np.repeat(starts, np.diff(np.r_[starts, len(group)]))
    opening = np.flatnonzero(rank % 2 == 0)
    opening = opening[opening + 1 < len(group)]
    opening = opening[group[opening + 1] == group[opening]]
    # Cells whose centre x_c = x0 + (col + 0.5) * cell lies in [x_open, x_close).
    col_from = np.maximum(np.ceil((xc[opening] - x0) / cell - 0.5).astype(np.int64), 0)
    col_to = np.minimum(np.ceil((xc[opening + 1] - x0) / cell - 0.5).astype(np.int64) - 1, nx - 1)
    width = np.maximum(col_to - col_from + 1, 0)
    flat = np.repeat(row[opening] * nx + col_from, width) + (
        np.arange(width.sum()) - np.repeat(np.cumsum(width) - width, width)
    )
    np.minimum.at(grid, flat, np.repeat(poly[opening], width).astype(np.int32))


def _row_crossings(
    vx: NDArray, vy: NDArray, owners: NDArray, edges: NDArray, y0: float, row0: int, row1: int,
    cell: float,
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:  # fmt: skip
    """``(row, polygon, x)`` where the edges cross the centre lines of rows ``row0`` to
    ``row1 - 1``, ``y_c = y0 + (row + 0.5) * cell``, half-open: an edge crosses y_c when
    exactly one of its ends is above it (y > y_c)."""
    ax, ay = vx[edges], vy[edges]
    bx, by = vx[edges + 1], vy[edges + 1]
    low, high = np.minimum(ay, by), np.maximum(ay, by)
    # One row more on each side guards the rounding of the row formula: the exact test
    # below keeps only the real crossings.
    first = np.maximum(np.floor((low - y0) / cell - 0.5).astype(np.int64) + 1, row0) - 1
    last = np.minimum(np.floor((high - y0) / cell - 0.5).astype(np.int64), row1 - 1) + 1
    count = np.maximum(last - first + 1, 0)
    rep = np.repeat(np.arange(len(edges)), count)
    row = np.repeat(first, count) + (
        np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    )
    yc = y0 + (row + 0.5) * cell
    keep = ((ay[rep] > yc) != (by[rep] > yc)) & (row >= row0) & (row < row1)
    rep, row, yc = rep[keep], row[keep], yc[keep]
    xc = ax[rep] + (yc - ay[rep]) * (bx[rep] - ax[rep]) / (by[rep] - ay[rep])
    return row, owners[edges[rep]].astype(np.int64), xc


def _reference_points(
    boundary: NDArray, vx: NDArray, vy: NDArray, edge_of: NDArray, edge_start: NDArray,
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
            chunk[_on_an_edge(chunk, ref_x, ref_y, vx, vy, edge_of, edge_start)]
            for chunk in np.array_split(todo, max(1, len(todo) // (_BATCH // 4)))
        ]
        todo = np.concatenate(again) if again else todo[:0]
        if todo.size == 0:
            break
    return ref_x, ref_y


def _on_an_edge(
    cells: NDArray, ref_x: NDArray, ref_y: NDArray, vx: NDArray, vy: NDArray, edge_of: NDArray,
    edge_start: NDArray,
) -> NDArray[np.bool_]:  # fmt: skip
    """Whether each cell's reference point lies on one of the cell's edges."""
    counts = edge_start[cells + 1] - edge_start[cells]
    rows = _expand(edge_start[cells], counts)
    owner = np.repeat(np.arange(len(cells)), counts)
    edge = edge_of[rows]
    ax, ay = vx[edge], vy[edge]
    bx, by = vx[edge + 1], vy[edge + 1]
    qx, qy = ref_x[cells][owner], ref_y[cells][owner]
    on = ((bx - ax) * (qy - ay) - (by - ay) * (qx - ax)) == 0
    on &= (np.minimum(ax, bx) <= qx) & (qx <= np.maximum(ax, bx))
    on &= (np.minimum(ay, by) <= qy) & (qy <= np.maximum(ay, by))
    return np.bincount(owner[on], minlength=len(cells)) > 0


def _join(locator: GridLocator, parts: list[dict[str, NDArray]]) -> None:
    """Concatenate the zones' boundary cells, offsetting their start arrays; each zone's
    array is released once copied (the metropolitan zone's are hundreds of MB)."""
    cand_total = edge_total = 0
    for part in parts:
        part["cand_start"] = part["cand_start"][:-1] + cand_total
        part["edge_start"] = part["edge_start"][:-1] + edge_total
        cand_total += len(part["cand"])
        edge_total += len(part["edge"])
    ends = {"cand_start": cand_total, "edge_start": edge_total}
    dtypes = {"cand_start": np.int64, "edge_start": np.int64, "cand": np.int32,
              "ref_inside": np.int8, "ref_x": np.float64, "ref_y": np.float64,
              "edge": np.int32, "edge_slot": np.int16, "edge_ref_above": np.int8}  # fmt: skip
    for name, dtype in dtypes.items():
        values = [part.pop(name).astype(dtype, copy=False) for part in parts]
        if name in ends:
            values.append(np.array([ends[name]], dtype=dtype))
        setattr(locator, name, np.concatenate(values) if values else np.empty(0, dtype))
        del values


def _mapped(path: Path, maps: list[mmap.mmap]) -> NDArray:
    """A ``.npy`` file memory-mapped read-only, as a plain array (``np.memmap`` slows every
    indexing); its mapping is added to ``maps``, for :meth:`GridLocator.release_pages`."""
    with path.open("rb") as file:
        version = np.lib.format.read_magic(file)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(file)
        else:
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(file)
        offset = file.tell()
        count = math.prod(shape)
        if count == 0:  # an empty array: nothing to map (mmap refuses a zero-length range)
            return np.empty(shape, dtype=dtype)
        pages = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    maps.append(pages)
    flat = np.frombuffer(pages, dtype=dtype, count=count, offset=offset)
    return flat.reshape(shape, order="F" if fortran else "C")


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
