"""Shared fixtures: the shipped map's line and zones, built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.geo import ZoneIndex, line_of_contact, load_borders, shipped_control
from accord.geo.line import LineOfContact
from accord.geo.zones import Zone, band_geometry, dmz_geometry, sides

SHARED = Path(__file__).parents[2] / ".." / "shared" / "data"
CONTROL_DIR = SHARED / "control"
FIVE_MILES_KM = 5 * 1.609344
HUNDRED_MILES_KM = 100 * 1.609344


@pytest.fixture(scope="session")
def control_dir() -> Path:
    if not CONTROL_DIR.is_dir():
        pytest.skip("../shared/data/control is absent")
    return CONTROL_DIR


@pytest.fixture(scope="session")
def shipped_line() -> LineOfContact:
    return line_of_contact(shipped_control())


@pytest.fixture(scope="session")
def shipped_zones(shipped_line: LineOfContact) -> list[Zone]:
    """Both sides, a 5-mile DMZ and a 100-mile band on Russia's side of NATO's borders."""
    borders = load_borders()
    ua, ru = sides(shipped_line, borders)
    dmz = Zone(
        "ceasefire.dmz",
        "dmz",
        ("UA", "RU"),
        dmz_geometry(shipped_line, ru, FIVE_MILES_KM, {"UA": 0.5, "RU": 0.5}),
    )
    band = Zone(
        "relations.band", "band", ("RU",), band_geometry(borders, "NATO-RU", HUNDRED_MILES_KM, "RU")
    )
    return [ua, ru, dmz, band]


@pytest.fixture(scope="session")
def shipped_index(shipped_zones: list[Zone]) -> ZoneIndex:
    return ZoneIndex.build(shipped_zones)
