"""Which zones' edges lie within a margin of points: the test behind "near the edge".

A zone's edge is only as good as the map it was drawn from (a simplified map
is off by up to its tolerance), so a point that close to an edge cannot be
said to be inside or outside. The search runs on the compiled `ZoneIndex`:
only cells its raster marks as crossed by a zone's boundary can hold an edge,
so the cells in the margin's box around the point (tiles no boundary crosses
skipped whole) give the candidate zones; for those, the edges of the index's
horizontal bands that the box meets are measured exactly. Distances are in
metres on the WGS84 ellipsoid's local tangent plane at the point (the
meridian and prime vertical radii of curvature): within a kilometre that is
true to a few millimetres.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

WGS84_A = 6_378_137.0
WGS84_E2 = 6.694379990141317e-3  # first eccentricity squared


@njit(cache=True, inline="always")
def metres_per_degree(lat: float) -> tuple[float, float]:
    """Metres per degree of longitude and of latitude at a latitude, on WGS84."""
    phi = math.radians(lat)
    w = math.sqrt(1.0 - WGS84_E2 * math.sin(phi) ** 2)
    per_radian_lat = WGS84_A * (1.0 - WGS84_E2) / w**3
    per_radian_lon = WGS84_A / w * math.cos(phi)
    return math.radians(per_radian_lon), math.radians(per_radian_lat)


@njit(cache=True, inline="always")
def _segment_within(
    x1: float, y1: float, x2: float, y2: float, reach2: float
) -> bool:  # fmt: skip
    """Whether the segment comes within sqrt(reach2) of the origin (metric coordinates)."""
    ex, ey = x2 - x1, y2 - y1
    length2 = ex * ex + ey * ey
    t = 0.0 if length2 == 0.0 else min(1.0, max(0.0, -(x1 * ex + y1 * ey) / length2))
    cx, cy = x1 + t * ex, y1 + t * ey
    return cx * cx + cy * cy <= reach2


@njit(cache=True)
def _candidates(
    grid: np.ndarray, shape: np.ndarray, top: np.ndarray, fine: np.ndarray, codes: np.ndarray,
    tile: int, px: float, py: float, per_lon: float, per_lat: float, levels: np.ndarray,
    level_zones: np.ndarray,
) -> np.uint64:  # fmt: skip
    """The zones whose boundary crosses a cell that lies within their margin of the point.
    `levels` are the distinct margins, largest first; `level_zones[k]` the zones whose
    margin is at least `levels[k]`."""
    x0, y0, dx, dy = grid[0], grid[1], grid[2], grid[3]
    ncols, nrows = shape[0] * tile, shape[1] * tile
    mx, my = levels[0] / per_lon, levels[0] / per_lat
    c0 = max(math.floor((px - mx - x0) / dx), 0)
    c1 = min(math.floor((px + mx - x0) / dx), ncols - 1)
    r0 = max(math.floor((py - my - y0) / dy), 0)
    r1 = min(math.floor((py + my - y0) / dy), nrows - 1)
    wanted = level_zones[-1]
    found = np.uint64(0)
    for ty in range(r0 // tile, r1 // tile + 1):
        for tx in range(c0 // tile, c1 // tile + 1):
            slot = top[ty, tx]
            if slot < 0:
                continue  # a tile no boundary crosses
            for r in range(max(r0, ty * tile), min(r1, ty * tile + tile - 1) + 1):
                low = y0 + r * dy
                gap_y = max(0.0, low - py, py - low - dy) * per_lat
                for c in range(max(c0, tx * tile), min(c1, tx * tile + tile - 1) + 1):
                    crossing = codes[fine[slot, r % tile, c % tile], 1] & wanted & ~found
                    if not crossing:
                        continue
                    left = x0 + c * dx
                    gap = math.hypot(max(0.0, left - px, px - left - dx) * per_lon, gap_y)
                    k = levels.shape[0] - 1
                    while k >= 0 and levels[k] < gap:
                        k -= 1
                    if k >= 0:
                        found |= crossing & level_zones[k]
                if found == wanted:
                    return found
    return found


@njit(cache=True)
def near_many(
    grid: np.ndarray, shape: np.ndarray, top: np.ndarray, fine: np.ndarray, codes: np.ndarray,
    band_start: np.ndarray, edges: np.ndarray, tile: int, margin: np.ndarray,
    levels: np.ndarray, level_zones: np.ndarray, lon: np.ndarray, lat: np.ndarray,
    out: np.ndarray,
) -> None:  # fmt: skip
    """Per point, the bitmask of zones z whose edge lies within margin[z] metres (levels
    and level_zones as `_candidates` takes them). The arrays are a `ZoneIndex`'s."""
    nbands, nzones = shape[2], shape[3]
    y0, band_h = grid[1], grid[4]
    for i in range(lon.shape[0]):
        px, py = lon[i], lat[i]
        out[i] = 0
        if not (math.isfinite(px) and math.isfinite(py)):
            continue
        per_lon, per_lat = metres_per_degree(py)
        maybe = _candidates(
            grid, shape, top, fine, codes, tile, px, py, per_lon, per_lat, levels, level_zones
        )
        for zone in range(nzones):
            bit = np.uint64(1) << np.uint64(zone)
            if not maybe & bit:
                continue
            reach = margin[zone]
            mx, my = reach / per_lon, reach / per_lat
            b0 = max(math.floor((py - my - y0) / band_h), 0)
            b1 = min(math.floor((py + my - y0) / band_h), nbands - 1)
            near = False
            for band in range(b0, b1 + 1):
                k = zone * nbands + band
                for e in range(band_start[k], band_start[k + 1]):
                    x1, y1, x2, y2 = edges[e, 0], edges[e, 1], edges[e, 2], edges[e, 3]
                    if max(x1, x2) < px - mx or min(x1, x2) > px + mx:
                        continue
                    if max(y1, y2) < py - my or min(y1, y2) > py + my:
                        continue
                    if _segment_within(
                        (x1 - px) * per_lon, (y1 - py) * per_lat,
                        (x2 - px) * per_lon, (y2 - py) * per_lat, reach * reach,
                    ):  # fmt: skip
                        near = True
                        break
                if near:
                    break
            if near:
                out[i] |= bit
