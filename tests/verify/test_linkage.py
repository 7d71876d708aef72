"""The grid's components against every pair checked and scipy's connected components."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from accord.geo.geodesy import great_circle_km
from accord.verify.linkage import components

MINUTE_NS = 60 * 10**9


def every_pair(group, time_ns, lon, lat, distance_km, window_s):
    """The reference: all n^2 pairs checked, then scipy's labelling."""
    n = len(group)
    i, j = np.triu_indices(n, 1)
    near = group[i] == group[j]
    near &= np.abs(time_ns[i] - time_ns[j]) <= window_s * 1e9
    with np.errstate(invalid="ignore"):
        near &= great_circle_km(lon[i], lat[i], lon[j], lat[j]) <= distance_km
    graph = coo_matrix((np.ones(int(near.sum()), dtype=np.int8), (i[near], j[near])), (n, n))
    return connected_components(graph, directed=False)[1]


def clustered(seed: int, n: int):
    """Findings bunched around a few places and times, so links chain across cells."""
    rng = np.random.default_rng(seed)
    centres = rng.integers(0, 6, n)
    lon = 36.0 + centres * 0.05 + rng.normal(0, 0.02, n)
    lat = 48.0 + centres * 0.03 + rng.normal(0, 0.015, n)
    time_ns = 1_780_000_000 * 10**9 + rng.integers(0, 240, n) * MINUTE_NS
    group = rng.integers(0, 3, n).astype(np.int32)
    return group, time_ns, lon, lat


@pytest.mark.parametrize("seed", range(8))
def test_same_labels_as_every_pair(seed: int) -> None:
    group, time_ns, lon, lat = clustered(seed, 600)
    got = components(group, time_ns, lon, lat, 2.0, 900.0)
    expected = every_pair(group, time_ns, lon, lat, 2.0, 900.0)
    assert (got == expected).all()
    assert 1 < got.max() + 1 < len(group)  # some links, and more than one incident


def test_rows_without_location_stand_alone() -> None:
    group, time_ns, lon, lat = clustered(3, 300)
    lon[::7] = np.nan
    lat[::11] = np.nan
    got = components(group, time_ns, lon, lat, 2.0, 900.0)
    assert (got == every_pair(group, time_ns, lon, lat, 2.0, 900.0)).all()
    alone = ~(np.isfinite(lon) & np.isfinite(lat))
    assert all((got == label).sum() == 1 for label in got[alone])


def test_links_chain_and_stop_at_the_window() -> None:
    # Three points 1.5 km apart in a row: the ends are 3 km apart but one incident.
    lat = np.full(4, 48.0)
    lon = 37.0 + np.array([0.0, 1.5, 3.0, 4.5]) / (111.195 * np.cos(np.radians(48.0)))
    time_ns = np.array([0, 10, 20, 20 + 16]) * MINUTE_NS  # the last is 16 minutes on
    group = np.zeros(4, dtype=np.int32)
    assert components(group, time_ns, lon, lat, 2.0, 900.0).tolist() == [0, 0, 0, 1]
    assert components(np.array([0, 1, 0, 1]), time_ns, lon, lat, 2.0, 900.0).tolist() == [
        0,
        1,
        2,
        3,
    ]


def test_empty_and_too_many_cells() -> None:
    none = np.zeros(0)
    assert components(none.astype(np.int32), none.astype(np.int64), none, none, 2, 900).size == 0
    lon, lat = np.array([-179.0, 179.0]), np.array([0.0, 0.0])
    time_ns = np.array([0, 10**18], dtype=np.int64)
    with pytest.raises(ValueError, match="too many correlation cells"):
        components(np.array([0, 1]), time_ns, lon, lat, 1e-9, 1e-6)
