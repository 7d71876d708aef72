"""Single-linkage components of findings near in space and time, on a grid.

Written by hand rather than with a k-d tree and `scipy.sparse.csgraph`: those
found every candidate pair first (6.4 million for a million findings of a
dense replay) and then ran a graph search, 3.6 s in all; hashing each finding
to a cell of `distance` x `distance` x `window`, looking only into the
neighbouring cells and joining components as it goes (union-find) takes a
tenth of that and never holds the pairs.

A sighting of the place without the thing (a clearing) cuts links: two rows
on either side of it in time are not linked when it lies within `distance`
of the earlier one, since what was seen there has gone.

Components are numbered as `scipy.sparse.csgraph.connected_components`
numbers them, in the order of each component's first row, so the result is
the same labelling, not only the same partition (tests compare the two).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit
from numpy.typing import NDArray

from accord.columns import ColumnTable
from accord.geo.geodesy import KM_PER_DEGREE, great_circle_km_one

_BITS = 63  # a cell key is one non-negative int64


@dataclass(frozen=True)
class Clears(ColumnTable):
    """Sightings of a place without what a continuing rule forbids there (a count of
    nothing): each ends the episode of a breach seen near it before
    (`accord.verify.linkage`), so forces that left and came back are two incidents."""

    rule: NDArray[np.int32]
    time_ns: NDArray[np.int64]
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    key: NDArray[np.str_]  # the observation that saw the place empty


@njit(cache=True, inline="always")
def _root(parent: NDArray[np.int64], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]  # path halving
        i = parent[i]
    return i


@njit(cache=True)
def _cut(
    cuts: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]],
    group: int,
    t1: int,
    lon1: float,
    lat1: float,
    t2: int,
    distance_km: float,
) -> bool:
    """Whether a clearing of `group` lies after t1, before t2 and within reach of the
    earlier row at (lon1, lat1); `cuts` sorted by group, then time."""
    cut_group, cut_time, cut_lon, cut_lat = cuts
    first = np.searchsorted(cut_group, group, side="left")
    last = np.searchsorted(cut_group, group, side="right")
    times = cut_time[first:last]
    start = first + np.searchsorted(times, t1, side="right")
    end = first + np.searchsorted(times, t2, side="left")
    for k in range(start, end):
        if great_circle_km_one(lon1, lat1, cut_lon[k], cut_lat[k]) <= distance_km:
            return True
    return False


@njit(cache=True)
def _join(
    keys: NDArray[np.int64],
    time_ns: NDArray[np.int64],
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    steps: NDArray[np.int64],
    distance_km: float,
    window_ns: float,
    group: NDArray[np.int64],
    cuts: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]],
) -> NDArray[np.int64]:
    """Union-find parents over the rows sorted by cell key (all arrays in that order, so
    neighbouring cells are near in memory); `x` and `y` are in cell widths and `steps`
    are the key offsets of one cell in t, x and y."""
    step_t, step_x, step_y = steps[0], steps[1], steps[2]
    m = keys.size
    parent = np.arange(m)
    # The neighbouring cells a row looks into: this window's from x (x - 1 of this window
    # looked here), the next window's from x - 1; y - 1 to y + 1 are one run of keys.
    # As keys[p] grows, so does each run's start and end: pointers, not searches.
    offsets = np.array([0, step_x, step_t - step_x, step_t, step_t + step_x]) - step_y
    start_of = np.zeros(offsets.size, dtype=np.int64)
    end_of = np.zeros(offsets.size, dtype=np.int64)
    for p in range(m):
        for c in range(offsets.size):
            low = keys[p] + offsets[c]
            while start_of[c] < m and keys[start_of[c]] < low:
                start_of[c] += 1
            while end_of[c] < m and keys[end_of[c]] <= low + 2 * step_y:
                end_of[c] += 1
            start, end = start_of[c], end_of[c]
            if c == 0 and start <= p:
                start = p + 1  # pairs within one cell run are looked at once
            for q in range(start, end):
                if abs(x[p] - x[q]) > 1.0 or abs(y[p] - y[q]) > 1.0:
                    continue  # outside the box, which holds the circle
                if abs(float(time_ns[p] - time_ns[q])) > window_ns:
                    continue
                if great_circle_km_one(lon[p], lat[p], lon[q], lat[q]) > distance_km:
                    continue
                if cuts[0].size:
                    e, f = (p, q) if time_ns[p] <= time_ns[q] else (q, p)
                    if _cut(cuts, group[e], time_ns[e], lon[e], lat[e], time_ns[f], distance_km):
                        continue
                a, b = _root(parent, p), _root(parent, q)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    return parent


@njit(cache=True)
def _number(n: int, rows: NDArray[np.int64], parent: NDArray[np.int64]) -> NDArray[np.int64]:
    """Components numbered in the order of their first row; `rows[p]` is the row at
    sorted position p, and rows in no position are components of their own."""
    m = rows.size
    root = np.arange(n) + m
    for p in range(m):
        root[rows[p]] = _root(parent, p)
    label = np.full(n + m, -1, dtype=np.int64)
    out = np.empty(n, dtype=np.int64)
    count = 0
    for i in range(n):
        if label[root[i]] < 0:
            label[root[i]] = count
            count += 1
        out[i] = label[root[i]]
    return out


def _cells(values: NDArray[np.int64]) -> tuple[NDArray[np.int64], int]:
    """Cells from 1 (so the cell before the first is 0, still a valid key part) and the
    bits they need with one cell to spare after the last."""
    cells = values - values.min() + 1
    return cells, int(cells.max() + 2).bit_length()


def components(
    group: NDArray[np.integer],
    time_ns: NDArray[np.int64],
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    distance_km: float,
    window_s: float,
    cuts: Clears | None = None,
) -> NDArray[np.int64]:
    """A component label per row: rows of one group within `distance_km` (great circle)
    and `window_s` of each other are linked, unless a clearing of the group (its `rule`)
    in `cuts` comes between them near the earlier, and links chain. Rows without a location are
    components of their own."""
    n = len(group)
    located = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat))
    if not located.size:
        return np.arange(n, dtype=np.int64)
    # A degree of longitude is shortest at the northernmost row: scaling by it makes a
    # cell at least `distance_km` wide everywhere; the exact check is in `_join`.
    shortest = np.cos(np.radians(float(np.abs(lat[located]).max())))
    x = lon[located] * (KM_PER_DEGREE * shortest / distance_km)
    y = lat[located] * (KM_PER_DEGREE / distance_km)
    when = np.asarray(time_ns[located], dtype=np.int64)
    window_ns = window_s * 1e9
    t = (when - when.min()) // max(int(window_ns), 1)
    g = np.asarray(group[located], dtype=np.int64)
    parts = [_cells(v) for v in (g, t, np.floor(x).astype(np.int64), np.floor(y).astype(np.int64))]
    bits = [b for _, b in parts]
    if sum(bits) > _BITS:
        raise ValueError(
            f"findings span too many correlation cells to key ({sum(bits)} bits): "
            f"distance {distance_km} km and window {window_s} s over this extent"
        )
    steps = np.array([1 << (bits[2] + bits[3]), 1 << bits[3], 1], dtype=np.int64)
    keys = parts[0][0] * (steps[0] << bits[1]) + parts[1][0] * steps[0]
    keys += parts[2][0] * steps[1] + parts[3][0]
    order = np.argsort(keys, kind="stable")
    parent = _join(
        keys[order],
        when[order],
        lon[located][order],
        lat[located][order],
        x[order],
        y[order],
        steps,
        float(distance_km),
        float(window_ns),
        g[order],
        _sorted_cuts(cuts),
    )
    return _number(n, located[order], parent)


def _sorted_cuts(
    cuts: Clears | None,
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """Clearings as `_cut` reads them: sorted by rule and time, typed, located."""
    if cuts is None:
        none = np.zeros(0, dtype=np.int64)
        return none, none, np.zeros(0), np.zeros(0)
    group, when, lon, lat = cuts.rule, cuts.time_ns, cuts.lon, cuts.lat
    keep = np.isfinite(lon) & np.isfinite(lat)
    order = np.lexsort((when[keep], group[keep]))
    return (
        group[keep][order].astype(np.int64),
        when[keep][order].astype(np.int64),
        lon[keep][order].astype(np.float64),
        lat[keep][order].astype(np.float64),
    )
