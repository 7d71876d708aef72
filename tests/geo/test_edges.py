"""`ZoneIndex.near_edge`: which zones' edges lie within a margin of points, in metres."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from accord.geo import Zone, ZoneIndex
from accord.geo.projection import from_theatre, theatre_xy, to_theatre

GEOD = Geod(ellps="WGS84")
BOX = (37.0, 48.0, 37.2, 48.1)  # about 15 x 11 km


def _boxes() -> list[Zone]:
    return [
        Zone("box", "dmz", ("UA",), shapely.box(*BOX), edge_uncertainty_m=50.0),
        Zone("wide", "band", ("UA",), shapely.box(36.9, 47.9, 37.3, 48.2)),
    ]


@pytest.fixture(scope="module")
def boxes() -> ZoneIndex:
    return ZoneIndex.build(_boxes())


def _from(lon: float, lat: float, azimuth: float, metres: float) -> tuple[float, float]:
    x, y, _ = GEOD.fwd(lon, lat, azimuth, metres)
    return x, y


def test_points_just_within_the_margin_are_near_and_just_beyond_are_not(
    boxes: ZoneIndex,
) -> None:
    # The box's east edge at 48.05 N, and points due east (outside) and west (inside).
    east = [_from(37.2, 48.05, 90.0, d) for d in (49.0, 51.0)]
    west = [_from(37.2, 48.05, 270.0, d) for d in (49.0, 51.0)]
    # Its south-west corner: near within 50 m as the crow flies, not along each axis.
    corner = [_from(37.0, 48.0, 225.0, d) for d in (49.0, 51.0)]
    lon, lat = np.array(east + west + corner).T
    near = boxes.near_edge(lon, lat) & np.uint64(1)
    assert near.tolist() == [1, 0, 1, 0, 1, 0]


def test_one_margin_for_all_zones_or_one_each(boxes: ZoneIndex) -> None:
    lon, lat = np.array([_from(37.3, 48.0, 270.0, 30.0), _from(37.2, 48.05, 90.0, 30.0)]).T
    assert boxes.near_edge(lon, lat).tolist() == [0, 1]  # the band states no uncertainty
    assert boxes.near_edge(lon, lat, 40.0).tolist() == [2, 1]
    assert boxes.near_edge(lon, lat, [0.0, 40.0]).tolist() == [2, 0]  # 0 leaves a zone out
    assert boxes.near_edge(lon, lat, [-5.0, float("nan")]).tolist() == [0, 0]
    assert boxes.near_own_edge("box", lon, lat).tolist() == [False, True]


def test_points_off_the_grid_and_not_finite(boxes: ZoneIndex) -> None:
    # 300 m east of the band, beyond the grid's two cells of padding.
    lon, lat = np.array([_from(37.3, 48.1, 90.0, 300.0), (np.nan, 48.0), (37.1, np.inf)]).T
    assert boxes.near_edge(lon, lat, 310.0).tolist() == [2, 0, 0]
    assert boxes.near_edge(lon, lat, 290.0).tolist() == [0, 0, 0]


def test_a_margin_of_many_tiles_finds_edges_across_them(boxes: ZoneIndex) -> None:
    # The middle of the box is 5.5 km from its north and south edges, 7.4 km from the others.
    lon, lat = np.array([[37.1], [48.05]])
    assert boxes.near_edge(lon, lat, [5_600.0, 0.0]).tolist() == [1]
    assert boxes.near_edge(lon, lat, [5_400.0, 0.0]).tolist() == [0]


def _edge_distances(
    zones: list[Zone], lon: np.ndarray, lat: np.ndarray, window: shapely.Geometry
) -> np.ndarray:
    """Each point's geodesic distance to the nearest point of each zone's edge within
    `window`, found in the theatre's conformal conic: the oracle. Edges are straight in
    lon/lat (as for shapely and the index), so they are cut to 50 m pieces first."""
    points = shapely.points(*theatre_xy(lon, lat))
    out = []
    for zone in zones:
        edge = shapely.intersection(zone.geometry.boundary, window)
        if edge.is_empty:  # this zone's edge does not come near the place
            out.append(np.full(len(lon), np.inf))
            continue
        line = shapely.shortest_line(points, to_theatre(shapely.segmentize(edge, 5e-4)))
        nearest = shapely.get_coordinates(from_theatre(line))[1::2]
        out.append(GEOD.inv(lon, lat, nearest[:, 0], nearest[:, 1])[2])
    return np.array(out)


@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    where=st.floats(0, 1, exclude_max=True),
    margin=st.sampled_from([5.0, 22.0, 60.0, 400.0]),
)
def test_near_the_shipped_zones_agrees_with_a_geodesic_oracle(
    shipped_index: ZoneIndex, shipped_zones: list[Zone], seed: int, where: float, margin: float
) -> None:
    rng = np.random.default_rng(seed)
    # Points scattered up to two margins about the DMZ's edge (the sides' edges run there
    # too) within 10 km of one place on it.
    xy = shapely.get_coordinates(shapely.segmentize(shipped_zones[2].geometry.boundary, 2e-3))
    centre = xy[int(where * len(xy))]
    local = xy[np.abs(xy - centre).max(axis=1) < 0.1]
    base = local[rng.integers(0, len(local), 1_000)]
    deg = 2 * margin / 111_320
    lon = base[:, 0] + rng.uniform(-deg, deg, len(base)) * 1.5
    lat = base[:, 1] + rng.uniform(-deg, deg, len(base))
    got = shipped_index.near_edge(lon, lat, margin)
    assert not (got >> np.uint64(3)).any()  # the band lies hundreds of km away
    window = shapely.box(*(centre - 0.2), *(centre + 0.2))
    distance = _edge_distances(shipped_zones[:3], lon, lat, window)
    for i, zone in enumerate(shipped_zones[:3]):
        mine = (got >> np.uint64(i)) & np.uint64(1) == 1
        # Within 0.1% of the margin the two metrics may fall either way.
        sure = np.abs(distance[i] - margin) > margin * 1e-3 + 0.01
        bad = np.flatnonzero((mine != (distance[i] <= margin)) & sure)
        assert bad.size == 0, f"{zone.id}: {bad.size} differ, first at {lon[bad[0]]}, {lat[bad[0]]}"
    assert (got != 0).any()


def test_save_and_load_keep_the_uncertainty(boxes: ZoneIndex, tmp_path: Path) -> None:
    boxes.save(tmp_path / "index.npz")
    again = ZoneIndex.load(tmp_path / "index.npz")
    assert again.edge_uncertainty_m == (50.0, 0.0)
    lon, lat = np.array([_from(37.2, 48.05, 90.0, 30.0)]).T
    assert again.near_edge(lon, lat).tolist() == [1]
