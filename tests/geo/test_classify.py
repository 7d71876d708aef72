"""The classifier gives shapely's `contains_xy` answer for every point, boundaries included."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.geo import Zone, ZoneIndex
from accord.geo.classify import SIDE_OF_RU, SIDE_OF_UA

METRE_DEG = 1 / 111_320  # a metre of latitude, in degrees


def _shapely_masks(zones: list[Zone], lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    masks = np.zeros(len(lon), dtype=np.uint64)
    for i, zone in enumerate(zones):
        hit = shapely.contains_xy(zone.geometry, lon, lat)
        masks |= hit.astype(np.uint64) << np.uint64(i)
    return masks


def _assert_same(index: ZoneIndex, zones: list[Zone], lon: np.ndarray, lat: np.ndarray) -> None:
    got = index.masks(lon, lat)
    want = _shapely_masks(zones, lon, lat)
    bad = np.flatnonzero(got != want)
    assert bad.size == 0, f"{bad.size} mismatches, first at {lon[bad[0]]!r}, {lat[bad[0]]!r}"


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_random_points_agree_with_shapely(
    shipped_index: ZoneIndex, shipped_zones: list[Zone], seed: int
) -> None:
    rng = np.random.default_rng(seed)
    lon, lat = rng.uniform(18, 45, 5_000), rng.uniform(42, 72, 5_000)  # theatre and beyond
    _assert_same(shipped_index, shipped_zones, lon, lat)


@settings(max_examples=40, deadline=None)
@given(
    zone=st.integers(0, 3),
    where=st.floats(0, 1, exclude_max=True),
    along=st.floats(0, 1),
    offset_m=st.tuples(st.floats(-1, 1), st.floats(-1, 1)),
)
def test_points_within_a_metre_of_a_boundary_agree_with_shapely(
    shipped_index: ZoneIndex,
    shipped_zones: list[Zone],
    zone: int,
    where: float,
    along: float,
    offset_m: tuple[float, float],
) -> None:
    xy = shapely.get_coordinates(shipped_zones[zone].geometry.boundary)
    i = int(where * (len(xy) - 1))
    a, b = xy[i], xy[i + 1]
    on_edge = a + (b - a) * along
    lon = np.array([on_edge[0], on_edge[0] + offset_m[0] * METRE_DEG * 1.5, a[0]])
    lat = np.array([on_edge[1], on_edge[1] + offset_m[1] * METRE_DEG, a[1]])
    _assert_same(shipped_index, shipped_zones, lon, lat)


def test_every_vertex_edge_middle_and_near_point_agrees(
    shipped_index: ZoneIndex, shipped_zones: list[Zone]
) -> None:
    rng = np.random.default_rng(11)
    for zone in shipped_zones:
        xy = shapely.get_coordinates(zone.geometry.boundary)
        a, b = xy[:-1], xy[1:]
        near = a + (b - a) * rng.random((len(a), 1))
        near += rng.uniform(-1, 1, near.shape) * METRE_DEG
        pts = np.concatenate([xy, (a + b) / 2, near])
        _assert_same(shipped_index, shipped_zones, pts[:, 0], pts[:, 1])


def test_points_outside_the_theatre_and_not_finite_are_in_no_zone(
    shipped_index: ZoneIndex,
) -> None:
    lon = np.array([-170.0, 2.35, np.nan, 37.0, np.inf])
    lat = np.array([-80.0, 48.85, 48.0, np.nan, 50.0])
    assert shipped_index.masks(lon, lat).tolist() == [0] * 5


def test_side_of_the_line(shipped_index: ZoneIndex) -> None:
    kyiv, donetsk, paris = (30.52, 50.45), (37.80, 48.00), (2.35, 48.85)
    result = shipped_index.classify(*np.array([kyiv, donetsk, paris]).T)
    assert result.side.tolist() == [SIDE_OF_UA, SIDE_OF_RU, 0]
    assert result.contains("side.UA").tolist() == [True, False, False]
    assert shipped_index.classify_one(*kyiv) == int(result.mask[0])


def test_save_and_load_give_the_same_answers(
    shipped_index: ZoneIndex, shipped_zones: list[Zone], tmp_path: Path
) -> None:
    path = tmp_path / "index.npz"
    shipped_index.save(path)
    loaded = ZoneIndex.load(path)
    assert loaded.zone_ids == shipped_index.zone_ids
    rng = np.random.default_rng(5)
    lon, lat = rng.uniform(30, 41, 50_000), rng.uniform(44, 53, 50_000)
    assert np.array_equal(loaded.masks(lon, lat), shipped_index.masks(lon, lat))
    bad = tmp_path / "bad.npz"
    np.savez(bad, meta=np.frombuffer(b'{"format": "other"}', dtype=np.uint8))
    with pytest.raises(ValueError, match="not a compiled zone index"):
        ZoneIndex.load(bad)


def test_small_polygons_with_holes_and_touching_parts() -> None:
    # Shapes where shared vertices, holes and horizontal edges test the crossing rules.
    square = shapely.box(36.0, 48.0, 36.01, 48.01)
    holed = square.difference(shapely.box(36.003, 48.003, 36.006, 48.006))
    touching = shapely.MultiPolygon([shapely.box(36.02, 48.0, 36.03, 48.01),
                                     shapely.box(36.03, 48.01, 36.04, 48.02)])  # fmt: skip
    zones = [Zone("holed", "region", ("UA",), holed), Zone("two", "region", ("UA",), touching)]
    index = ZoneIndex.build(zones)
    grid = np.linspace(35.999, 36.041, 421)
    lon, lat = np.meshgrid(grid, np.linspace(47.999, 48.021, 221))
    _assert_same(index, zones, lon.ravel(), lat.ravel())
