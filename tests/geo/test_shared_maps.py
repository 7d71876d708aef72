"""Every monthly control map in ../shared/data/control: load, line of contact, zones."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely

from accord.geo import (
    Zone,
    change,
    line_of_contact,
    load_borders,
    load_control,
    shipped_control,
    zones_from_agreement,
)
from accord.geo.derive import edge_offsets
from accord.geo.projection import from_theatre, to_theatre
from accord.geo.zones import dmz_geometry, sides
from accord.plans import load_plan

from .conftest import CONTROL_DIR, FIVE_MILES_KM

MAPS = sorted(CONTROL_DIR.glob("deepstatemap_data_*.geojson")) if CONTROL_DIR.is_dir() else []

pytestmark = pytest.mark.shared_data


@pytest.mark.parametrize("path", MAPS, ids=[p.stem[-8:] for p in MAPS])
def test_each_map_gives_a_line_and_zones(path: Path) -> None:
    cmap = load_control(path)
    assert cmap.date is not None and cmap.repairs == ()
    line = line_of_contact(cmap)  # warns (and so fails under -W error) if implausible
    assert 900 < line.main_length_km < 1_300
    ua, ru = sides(line, load_borders())
    dmz = dmz_geometry(line, ru, FIVE_MILES_KM, {"UA": 0.5, "RU": 0.5})
    assert dmz.is_valid and not dmz.is_empty
    assert 95_000 < line.area_ru_km2 < 125_000 and ua.area_km2 > 450_000


def test_change_over_two_years(control_dir: Path) -> None:
    first = line_of_contact(load_control(control_dir / "deepstatemap_data_20240708.geojson"))
    last = line_of_contact(load_control(control_dir / "deepstatemap_data_20260822.geojson"))
    moved = change(first, last)
    assert moved.gained_by_ru_km2 > moved.gained_by_ua_km2 > 0
    assert moved.max_shift_km > moved.mean_shift_km > 0


def _plan_dmz(cmap_line: object) -> Zone:
    zones, _ = zones_from_agreement(load_plan("defense-priorities-2025"), cmap_line)  # type: ignore[arg-type]
    return next(z for z in zones if z.kind == "dmz")


@pytest.fixture(scope="module")
def dmz_pair(control_dir: Path) -> tuple[Zone, Zone]:
    """The Defense Priorities DMZ on the shipped map and on the raw map it came from."""
    raw = load_control(control_dir / "deepstatemap_data_20260822.geojson")
    return _plan_dmz(line_of_contact(shipped_control())), _plan_dmz(line_of_contact(raw))


def test_shipped_dmz_edge_lies_within_50_m_of_the_raw_maps(dmz_pair: tuple[Zone, Zone]) -> None:
    shipped, raw = dmz_pair
    offsets = edge_offsets(shipped.geometry, raw.geometry, step_m=100.0)
    assert offsets.size > 15_000  # the main line's DMZ edge is some 1,600 km long
    assert np.percentile(offsets, 95) <= 50.0
    # The uncertainty the shipped zone states bounds every offset measured.
    assert offsets.max() <= shipped.edge_uncertainty_m


def test_a_vehicle_50_m_outside_the_true_dmz_is_outside_the_shipped_one(
    dmz_pair: tuple[Zone, Zone],
) -> None:
    shipped, raw = dmz_pair
    # Every 500 m along the line 50 m outside the raw map's DMZ (holes included).
    rings = shapely.get_parts(to_theatre(raw.geometry).buffer(50.0, quad_segs=16).boundary)
    points = np.concatenate(
        [shapely.line_interpolate_point(r, np.arange(0.0, r.length, 500.0)) for r in rings]
    )
    lon, lat = shapely.get_coordinates(from_theatre(shapely.multipoints(points))).T
    assert len(lon) > 3_000  # the main line's DMZ edge, both sides
    assert not shapely.contains_xy(shipped.geometry, lon, lat).any()
