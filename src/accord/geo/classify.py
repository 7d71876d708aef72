"""Which zones millions of points fall in, exactly as shapely's `contains_xy` says.

A two-level raster over the zones' extent resolves most points by lookup:
tiles of 32 x 32 cells of about 50 m; a tile that no zone boundary crosses
holds one code for all its cells, the others hold a code per cell. A code
says which zones contain the whole cell and which zones' boundaries cross it.
Only in crossed cells does a point go to an exact test, and that test is
GEOS's own ray-crossing rule (RayCrossingCounter with its filtered
double-double orientation predicate) re-written for numba, so the answer is
shapely's bit for bit, including points on a boundary (outside) and vertices.
shapely's prepared `contains_xy` does about 2 M points/s; this does tens of
millions on one core, which is why it is written by hand.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from numba import njit
from numpy.typing import ArrayLike
from shapely.geometry.base import BaseGeometry

from accord.geo.edges import near_many
from accord.geo.geodesy import KM_PER_DEGREE
from accord.geo.zones import SIDE_RU, SIDE_UA, Zone

FORMAT = "accord-zone-index/1"
TILE = 32  # cells per tile side
BAND_ROWS = 8  # cell rows per bucket of the exact test's edge index
_EPS_CELLS = 1e-3  # margin by which a boundary's cells are widened, in cells
_SPLIT = 134217729.0  # 2**27 + 1, Dekker's split for double-double products
SIDE_OF_UA, SIDE_OF_RU = 1, 2  # and 0 for neither
MARGIN_STEP_M = 5.0  # points' own uncertainties are rounded up to this for edge margins
MAX_ZONES = 64


# --- GEOS's predicates, operation for operation ---------------------------------


@njit(cache=True, inline="always")
def _dd_add(ahi: float, alo: float, bhi: float, blo: float) -> tuple[float, float]:
    s = ahi + bhi
    t = alo + blo
    e = s - ahi
    f = t - alo
    s2 = s - e
    t2 = t - f
    s2 = (bhi - e) + (ahi - s2)
    t2 = (blo - f) + (alo - t2)
    e = s2 + t
    h_ = s + e
    h = e + (s - h_)
    e = t2 + h
    zhi = h_ + e
    return zhi, e + (h_ - zhi)


@njit(cache=True, inline="always")
def _dd_mul(ahi: float, alo: float, bhi: float, blo: float) -> tuple[float, float]:
    c_big = _SPLIT * ahi
    hx = c_big - ahi
    c = _SPLIT * bhi
    hx = c_big - hx
    tx = ahi - hx
    hy = c - bhi
    c_big = ahi * bhi
    hy = c - hy
    ty = bhi - hy
    c = ((((hx * hy - c_big) + hx * ty) + tx * hy) + tx * ty) + (ahi * blo + alo * bhi)
    zhi = c_big + c
    hx = c_big - zhi
    return zhi, c + hx


@njit(cache=True, inline="always")
def _sign(x: float) -> int:
    return 1 if x > 0.0 else (-1 if x < 0.0 else 0)


@njit(cache=True)
def _orientation(p1x: float, p1y: float, p2x: float, p2y: float, qx: float, qy: float) -> int:
    """CGAlgorithmsDD::orientationIndex: a fast filter, then double-double."""
    detleft = (p1x - qx) * (p2y - qy)
    detright = (p1y - qy) * (p2x - qx)
    det = detleft - detright
    if detleft > 0.0:
        if detright <= 0.0:
            return _sign(det)
        detsum = detleft + detright
    elif detleft < 0.0:
        if detright >= 0.0:
            return _sign(det)
        detsum = -detleft - detright
    else:
        return _sign(det)
    errbound = 1e-15 * detsum
    if det >= errbound or -det >= errbound:
        return _sign(det)
    dx1h, dx1l = _dd_add(p2x, 0.0, -p1x, 0.0)
    dy1h, dy1l = _dd_add(p2y, 0.0, -p1y, 0.0)
    dx2h, dx2l = _dd_add(qx, 0.0, -p2x, 0.0)
    dy2h, dy2l = _dd_add(qy, 0.0, -p2y, 0.0)
    m1h, m1l = _dd_mul(dx1h, dx1l, dy2h, dy2l)
    m2h, m2l = _dd_mul(dy1h, dy1l, dx2h, dx2l)
    dh, dl = _dd_add(m1h, m1l, -m2h, -m2l)
    if dh > 0.0 or (dh == 0.0 and dl > 0.0):
        return 1
    if dh < 0.0 or (dh == 0.0 and dl < 0.0):
        return -1
    return 0


@njit(cache=True)
def _contains(edges: np.ndarray, lo: int, hi: int, px: float, py: float) -> bool:
    """RayCrossingCounter over edges[lo:hi]: interior is True, boundary and exterior False."""
    crossings = 0
    for i in range(lo, hi):
        x1, y1, x2, y2 = edges[i, 0], edges[i, 1], edges[i, 2], edges[i, 3]
        if x1 < px and x2 < px:
            continue
        if px == x2 and py == y2:
            return False
        if y1 == py and y2 == py:
            if min(x1, x2) <= px <= max(x1, x2):
                return False
            continue
        if (y1 > py and y2 <= py) or (y2 > py and y1 <= py):
            sign = _orientation(x1, y1, x2, y2, px, py)
            if sign == 0:
                return False
            if y2 < y1:
                sign = -sign
            if sign > 0:
                crossings += 1
    return crossings % 2 == 1


# --- the index ------------------------------------------------------------------
# grid = [x0, y0, dx, dy, band_height]; shape = [tiles_x, tiles_y, bands, zones]


@njit(cache=True, inline="always")
def _zone_contains(
    grid: np.ndarray, shape: np.ndarray, band_start: np.ndarray, edges: np.ndarray,
    zone: int, px: float, py: float,
) -> bool:  # fmt: skip
    band = math.floor((py - grid[1]) / grid[4])
    if band < 0 or band >= shape[2]:
        return False
    k = zone * shape[2] + band
    return _contains(edges, band_start[k], band_start[k + 1], px, py)


@njit(cache=True)
def _classify_many(
    grid: np.ndarray, shape: np.ndarray, top: np.ndarray, fine: np.ndarray, codes: np.ndarray,
    band_start: np.ndarray, edges: np.ndarray, lon: np.ndarray, lat: np.ndarray,
    out: np.ndarray,
) -> None:  # fmt: skip
    # One loop with the lookup written out: moving the body into a function of
    # its own, even one numba inlines, made it ten times slower.
    ncols, nrows = shape[0] * TILE, shape[1] * TILE
    for i in range(lon.shape[0]):
        px, py = lon[i], lat[i]
        fx = (px - grid[0]) / grid[2]
        fy = (py - grid[1]) / grid[3]
        if not (fx >= 0.0 and fy >= 0.0 and fx < ncols and fy < nrows):
            out[i] = 0  # outside the grid, which covers every zone; NaN lands here too
            continue
        col = int(fx)
        row = int(fy)
        slot = top[row // TILE, col // TILE]
        code = -slot - 1 if slot < 0 else fine[slot, row % TILE, col % TILE]
        mask = codes[code, 0]
        unsure = codes[code, 1]
        if unsure:
            zone = 0
            while unsure:
                if unsure & np.uint64(1) and _zone_contains(
                    grid, shape, band_start, edges, zone, px, py
                ):
                    mask |= np.uint64(1) << np.uint64(zone)
                unsure >>= np.uint64(1)
                zone += 1
        out[i] = mask


# --- building -------------------------------------------------------------------


@njit(cache=True)
def _boundary_cells(
    edges: np.ndarray, zone_of: np.ndarray, grid: np.ndarray, out_cells: np.ndarray,
    out_zone: np.ndarray, ncols: int,
) -> int:  # fmt: skip
    """Every cell (widened by a margin) that an edge touches; returns how many were written,
    or minus the number needed when the output is too small."""
    x0, y0, dx, dy = grid[0], grid[1], grid[2], grid[3]
    n = 0
    cap = out_cells.shape[0]
    for i in range(edges.shape[0]):
        xa, ya, xb, yb = edges[i, 0], edges[i, 1], edges[i, 2], edges[i, 3]
        if xb < xa:
            xa, ya, xb, yb = xb, yb, xa, ya
        c0 = math.floor((xa - x0) / dx - _EPS_CELLS)
        c1 = math.floor((xb - x0) / dx + _EPS_CELLS)
        for c in range(c0, c1 + 1):
            lo_x = max(xa, x0 + (c - _EPS_CELLS) * dx)
            hi_x = min(xb, x0 + (c + 1 + _EPS_CELLS) * dx)
            if xb > xa:
                ylo_t = ya + (yb - ya) * ((lo_x - xa) / (xb - xa))
                yhi_t = ya + (yb - ya) * ((hi_x - xa) / (xb - xa))
            else:
                ylo_t, yhi_t = ya, yb
            ylo, yhi = min(ylo_t, yhi_t), max(ylo_t, yhi_t)
            r0 = math.floor((ylo - y0) / dy - _EPS_CELLS)
            r1 = math.floor((yhi - y0) / dy + _EPS_CELLS)
            for r in range(r0, r1 + 1):
                if n < cap:
                    out_cells[n] = r * ncols + c
                    out_zone[n] = zone_of[i]
                n += 1
    return n if n <= cap else -n


@njit(cache=True)
def _fill_tiles(
    grid: np.ndarray, shape: np.ndarray, top: np.ndarray, unsure: np.ndarray,
    inside: np.ndarray, tile_inside: np.ndarray, band_start: np.ndarray, edges: np.ndarray,
) -> None:  # fmt: skip
    """Zones containing each cell no boundary crosses, tested once per run of such cells."""
    x0, y0, dx, dy = grid[0], grid[1], grid[2], grid[3]
    nzones = shape[3]
    for ty in range(shape[1]):
        for tx in range(shape[0]):
            slot = top[ty, tx]
            if slot < 0:
                cx = x0 + (tx * TILE + TILE / 2 + 0.5) * dx
                cy = y0 + (ty * TILE + TILE / 2 + 0.5) * dy
                m = np.uint64(0)
                for z in range(nzones):
                    if _zone_contains(grid, shape, band_start, edges, z, cx, cy):
                        m |= np.uint64(1) << np.uint64(z)
                tile_inside[ty, tx] = m
                continue
            for z in range(nzones):
                bit = np.uint64(1) << np.uint64(z)
                for r in range(TILE):
                    cy = y0 + (ty * TILE + r + 0.5) * dy
                    known = False
                    status = False
                    for c in range(TILE):
                        if unsure[slot, r, c] & bit:
                            known = False
                            continue
                        if not known:
                            cx = x0 + (tx * TILE + c + 0.5) * dx
                            status = _zone_contains(grid, shape, band_start, edges, z, cx, cy)
                            known = True
                        if status:
                            inside[slot, r, c] |= bit


@njit(cache=True)
def _number_pairs(inside: np.ndarray, unsure: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Number distinct (inside, unsure) pairs in order of appearance (np.unique on rows
    sorts all of them, which takes seconds for ten million cells)."""
    seen = {(inside[0], unsure[0]): 0}
    code_of = np.empty(inside.shape[0], dtype=np.int64)
    for i in range(inside.shape[0]):
        key = (inside[i], unsure[i])
        code = seen.get(key, -1)
        if code < 0:
            code = len(seen)
            seen[key] = code
        code_of[i] = code
    codes = np.empty((len(seen), 2), dtype=np.uint64)
    for key, code in seen.items():
        codes[code, 0] = key[0]
        codes[code, 1] = key[1]
    return codes, code_of


def _zone_edges(geometries: Sequence[BaseGeometry]) -> tuple[np.ndarray, np.ndarray]:
    """Each ring's segments in ring order, as (x1, y1, x2, y2), with their zone number."""
    all_edges, zone_of = [], []
    for z, geom in enumerate(geometries):
        rings = shapely.get_rings(shapely.get_parts(geom))
        for ring in rings:
            xy = shapely.get_coordinates(ring)
            if len(xy) < 2:
                continue
            all_edges.append(np.column_stack([xy[:-1], xy[1:]]))
            zone_of.append(np.full(len(xy) - 1, z, dtype=np.int64))
    if not all_edges:
        return np.zeros((0, 4)), np.zeros(0, dtype=np.int64)
    return np.concatenate(all_edges), np.concatenate(zone_of)


def _edge_bands(
    edges: np.ndarray, zone_of: np.ndarray, y0: float, band_h: float, nbands: int, nzones: int
) -> tuple[np.ndarray, np.ndarray]:
    """Edges bucketed by horizontal band and zone (CSR), each in every band its y-range meets."""
    ymin = np.minimum(edges[:, 1], edges[:, 3])
    ymax = np.maximum(edges[:, 1], edges[:, 3])
    b0 = np.clip(np.floor((ymin - y0) / band_h - 1e-6).astype(np.int64), 0, nbands - 1)
    b1 = np.clip(np.floor((ymax - y0) / band_h + 1e-6).astype(np.int64), 0, nbands - 1)
    counts = b1 - b0 + 1
    owner = np.repeat(np.arange(len(edges)), counts)
    offset = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    key = zone_of[owner] * nbands + b0[owner] + offset
    order = np.argsort(key, kind="stable")
    band_start = np.searchsorted(key[order], np.arange(nzones * nbands + 1)).astype(np.int64)
    return band_start, np.ascontiguousarray(edges[owner[order]])


@dataclass(frozen=True)
class Classification:
    """Per point: a bitmask of the zones containing it (bit i is zone_ids[i]) and its side."""

    mask: np.ndarray
    side: np.ndarray
    zone_ids: tuple[str, ...]

    def contains(self, zone_id: str) -> np.ndarray:
        """Per point, whether it lies in the zone `zone_id`."""
        bit = np.uint64(1) << np.uint64(self.zone_ids.index(zone_id))
        return (self.mask & bit) != 0


@dataclass(frozen=True)
class ZoneIndex:
    """A compiled set of zones; build once with `build`, keep with `save` and `load`."""

    zone_ids: tuple[str, ...]
    zone_kinds: tuple[str, ...]
    grid: np.ndarray
    shape: np.ndarray
    top: np.ndarray
    fine: np.ndarray
    codes: np.ndarray
    band_start: np.ndarray
    edges: np.ndarray
    # How far each zone's edge may lie from where it truly is, in metres (Zone's).
    edge_uncertainty_m: tuple[float, ...] = ()

    @classmethod
    def build(cls, zones: Sequence[Zone], cell_m: float = 50.0) -> ZoneIndex:
        """Compile zones (lon/lat polygons) into the raster and the exact test's edge index."""
        if not zones or len(zones) > MAX_ZONES:
            raise ValueError(f"an index holds 1 to {MAX_ZONES} zones, not {len(zones)}")
        geoms = [z.geometry for z in zones]
        minx, miny, maxx, maxy = shapely.total_bounds(geoms)
        mid_lat = math.radians((miny + maxy) / 2)
        metres_per_degree = KM_PER_DEGREE * 1000.0
        dy = cell_m / metres_per_degree
        dx = cell_m / (metres_per_degree * max(math.cos(mid_lat), 0.2))
        x0, y0 = minx - 2 * dx, miny - 2 * dy
        tiles_x = int((maxx + 2 * dx - x0) / (dx * TILE)) + 1
        tiles_y = int((maxy + 2 * dy - y0) / (dy * TILE)) + 1
        band_h = BAND_ROWS * dy
        nbands = tiles_y * TILE // BAND_ROWS
        grid = np.array([x0, y0, dx, dy, band_h])
        shape = np.array([tiles_x, tiles_y, nbands, len(zones)], dtype=np.int64)
        edges, zone_of = _zone_edges(geoms)
        band_start, banded = _edge_bands(edges, zone_of, y0, band_h, nbands, len(zones))

        ncols = tiles_x * TILE
        cells = np.empty(len(edges) * 4 + 1024, dtype=np.int64)
        cell_zone = np.empty_like(cells)
        n = _boundary_cells(edges, zone_of, grid, cells, cell_zone, ncols)
        if n < 0:
            cells = np.empty(-n, dtype=np.int64)
            cell_zone = np.empty_like(cells)
            n = _boundary_cells(edges, zone_of, grid, cells, cell_zone, ncols)
        rows, cols = np.divmod(cells[:n], ncols)
        tile_ids = (rows // TILE) * tiles_x + cols // TILE
        mixed = np.unique(tile_ids)
        slots = np.full(tiles_x * tiles_y, -1, dtype=np.int64)
        slots[mixed] = np.arange(len(mixed))
        top = slots.reshape(tiles_y, tiles_x)
        unsure = np.zeros((len(mixed), TILE, TILE), dtype=np.uint64)
        np.bitwise_or.at(
            unsure,
            (top.ravel()[tile_ids], rows % TILE, cols % TILE),
            np.left_shift(np.uint64(1), cell_zone[:n].astype(np.uint64)),
        )
        inside = np.zeros_like(unsure)
        tile_inside = np.zeros((tiles_y, tiles_x), dtype=np.uint64)
        _fill_tiles(grid, shape, top, unsure, inside, tile_inside, band_start, banded)

        # Number the distinct (inside, unsure) pairs; uniform tiles store -(code + 1).
        uniform = top < 0
        codes, code_of = _number_pairs(
            np.concatenate([inside.ravel(), tile_inside[uniform]]),
            np.concatenate([unsure.ravel(), np.zeros(int(uniform.sum()), np.uint64)]),
        )
        dtype = np.uint8 if len(codes) <= 256 else np.uint16 if len(codes) <= 65536 else np.int32
        fine = code_of[: inside.size].reshape(inside.shape).astype(dtype)
        top_codes = top.astype(np.int32)
        top_codes[uniform] = -(code_of[inside.size :].astype(np.int32)) - 1
        return cls(
            tuple(z.id for z in zones),
            tuple(z.kind for z in zones),
            grid,
            shape,
            top_codes,
            fine,
            np.ascontiguousarray(codes, dtype=np.uint64),
            band_start,
            banded,
            tuple(float(z.edge_uncertainty_m) for z in zones),
        )

    @property
    def nbytes(self) -> int:
        """The memory the index's arrays take."""
        return sum(a.nbytes for a in (self.top, self.fine, self.codes, self.band_start, self.edges))

    def _args(self) -> tuple[np.ndarray, ...]:
        return (
            self.grid, self.shape, self.top, self.fine, self.codes, self.band_start, self.edges
        )  # fmt: skip

    def masks(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """The zone bitmask of each point; points outside every zone (or not finite) get 0."""
        lon = np.ascontiguousarray(lon, dtype=np.float64)
        lat = np.ascontiguousarray(lat, dtype=np.float64)
        if lon.shape != lat.shape or lon.ndim != 1:
            raise ValueError(f"lon and lat must be 1-D and alike, not {lon.shape}, {lat.shape}")
        out = np.empty(lon.shape[0], dtype=np.uint64)
        _classify_many(*self._args(), lon, lat, out)  # type: ignore[call-arg]
        return out

    def side_of(self, mask: np.ndarray) -> np.ndarray:
        """1 on Ukraine's side of the line, 2 on Russia's, 0 elsewhere (needs the side zones)."""
        side = np.zeros(mask.shape, dtype=np.int8)
        for zone_id, value in ((SIDE_UA, SIDE_OF_UA), (SIDE_RU, SIDE_OF_RU)):
            if zone_id in self.zone_ids:
                bit = np.uint64(1) << np.uint64(self.zone_ids.index(zone_id))
                side[(mask & bit) != 0] = value
        return side

    def classify(self, lon: np.ndarray, lat: np.ndarray) -> Classification:
        """The zones each point lies in, and its side of the line."""
        mask = self.masks(lon, lat)
        return Classification(mask, self.side_of(mask), self.zone_ids)

    def classify_one(self, lon: float, lat: float) -> int:
        """The zone bitmask of one point, for streaming use."""
        out = np.empty(1, dtype=np.uint64)
        point = np.array([lon], float), np.array([lat], float)
        _classify_many(*self._args(), *point, out)  # type: ignore[call-arg]
        return int(out[0])

    def near_edge(
        self, lon: np.ndarray, lat: np.ndarray, margin_m: ArrayLike | None = None
    ) -> np.ndarray:
        """Per point, the bitmask of zones whose edge lies within `margin_m` metres of it:
        one margin for every zone, one per zone (0 leaves a zone out), or by default each
        zone's own `edge_uncertainty_m`. Points that are not finite get 0."""
        lon = np.ascontiguousarray(lon, dtype=np.float64)
        lat = np.ascontiguousarray(lat, dtype=np.float64)
        if lon.shape != lat.shape or lon.ndim != 1:
            raise ValueError(f"lon and lat must be 1-D and alike, not {lon.shape}, {lat.shape}")
        wanted = self.edge_uncertainty_m if margin_m is None else margin_m
        given = np.broadcast_to(np.asarray(wanted, dtype=np.float64), (len(self.zone_ids),))
        margin = np.where(given > 0, given, 0.0)  # NaN and negatives leave a zone out
        out = np.zeros(lon.shape[0], dtype=np.uint64)
        levels = np.unique(margin[margin > 0])[::-1].copy()
        if levels.size:
            bits = np.left_shift(np.uint64(1), np.arange(len(margin), dtype=np.uint64))
            level_zones = np.array([np.bitwise_or.reduce(bits[margin >= m]) for m in levels])
            args = (TILE, margin, levels, level_zones.astype(np.uint64), lon, lat, out)
            near_many(*self._args(), *args)  # type: ignore[call-arg, arg-type]
        return out

    def near_own_edge(
        self,
        zone_id: str,
        lon: np.ndarray,
        lat: np.ndarray,
        plus_m: np.ndarray | None = None,
    ) -> np.ndarray:
        """Whether each point lies within the zone's own edge uncertainty of its edge, or
        within that plus the point's own uncertainty `plus_m` (rounded up to
        `MARGIN_STEP_M`, so a batch asks for a few margins, not one per point)."""
        zone = self.zone_ids.index(zone_id)
        bit = np.uint64(1) << np.uint64(zone)
        own = float(self.edge_uncertainty_m[zone])
        extra = np.zeros(len(lon)) if plus_m is None else np.nan_to_num(plus_m)
        steps = np.ceil(np.maximum(extra, 0.0) / MARGIN_STEP_M) * MARGIN_STEP_M
        out = np.zeros(len(lon), dtype=bool)
        for step in np.unique(steps).tolist():
            rows = np.flatnonzero(steps == step)
            margin = np.zeros(len(self.zone_ids))
            margin[zone] = own + step
            out[rows] = (self.near_edge(lon[rows], lat[rows], margin) & bit) != 0
        return out

    def save(self, path: str | Path) -> None:
        """Write the compiled index to a .npz file, so verification need not compile it again."""
        meta = {
            "format": FORMAT,
            "zone_ids": self.zone_ids,
            "zone_kinds": self.zone_kinds,
            "edge_uncertainty_m": self.edge_uncertainty_m,
        }
        with open(path, "wb") as handle:
            np.savez(
                handle,
                meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
                grid=self.grid,
                shape=self.shape,
                top=self.top,
                fine=self.fine,
                codes=self.codes,
                band_start=self.band_start,
                edges=self.edges,
            )

    @classmethod
    def load(cls, path: str | Path) -> ZoneIndex:
        """Read an index `save` wrote, refusing a file of another format."""
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(data["meta"].tobytes())
            if meta.get("format") != FORMAT:
                raise ValueError(f"{path}: not a compiled zone index ({FORMAT})")
            names = ("grid", "shape", "top", "fine", "codes", "band_start", "edges")
            grid, shape, top, fine, codes, band_start, edges = (data[k] for k in names)
            # Indexes saved before edges carried an uncertainty stated none.
            stated = meta.get("edge_uncertainty_m", (0.0,) * len(meta["zone_ids"]))
            ids, kinds = tuple(meta["zone_ids"]), tuple(meta["zone_kinds"])
            return cls(ids, kinds, grid, shape, top, fine, codes, band_start, edges, tuple(stated))
