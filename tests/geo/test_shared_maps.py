"""Every monthly control map in ../shared/data/control: load, line of contact, zones."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.geo import change, line_of_contact, load_borders, load_control
from accord.geo.zones import dmz_geometry, sides

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
