"""The line of contact and change over time, checked against independent computations."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import Transformer

from accord.geo import ControlMap, change, line_of_contact, load_borders, load_control
from accord.geo.line import ImplausibleLineWarning, LineOfContact

EARTH_RADIUS_KM = 6371.0088
LAEA = "+proj=laea +lat_0=48.5 +lon_0=34 +ellps=WGS84"


def _haversine_km(xy: np.ndarray) -> float:
    lon, lat = np.radians(xy[:, 0]), np.radians(xy[:, 1])
    a = (np.sin(np.diff(lat) / 2) ** 2
         + np.cos(lat[:-1]) * np.cos(lat[1:]) * np.sin(np.diff(lon) / 2) ** 2)  # fmt: skip
    return float(np.sum(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))))


def _independent_length_km(line: LineOfContact) -> float:
    """Edges of the controlled area whose both ends lie farther than the tolerance from
    Ukraine's border and coast (planar distance in an equal-area projection), summed on a
    sphere: no buffers, no geodesics, no line merging."""
    t = Transformer.from_crs("EPSG:4326", LAEA, always_xy=True)
    edge = load_borders().country("UKR").boundary
    edge_m = shapely.transform(edge, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))
    total = 0.0
    for ring in shapely.get_rings(shapely.get_parts(line.control.area)):
        xy = shapely.segmentize(ring, 0.002).coords
        xy = np.asarray(xy)
        px, py = t.transform(xy[:, 0], xy[:, 1])
        far = shapely.distance(shapely.points(px, py), edge_m) > line.tolerance_km * 1000
        both = far[:-1] & far[1:]
        for i in np.flatnonzero(both):
            total += _haversine_km(xy[i : i + 2])
    return total


def test_shipped_line_length_matches_an_independent_measure(shipped_line: LineOfContact) -> None:
    assert shipped_line.length_km == pytest.approx(_independent_length_km(shipped_line), rel=0.02)
    # accord's own derivative of the 2026-08-22 map: ~1,010 km main line, 5 km tolerance.
    assert 950 < shipped_line.main_length_km < 1060
    assert shipped_line.main_length_miles == pytest.approx(shipped_line.main_length_km / 1.609344)
    assert shipped_line.main.geom_type == "LineString"


def test_sides_areas_add_up_to_ukraine(shipped_line: LineOfContact) -> None:
    # Ukraine in its 2013 borders is about 603,500 km2; Natural Earth 1:50m gives a bit less.
    total = shipped_line.area_ru_km2 + shipped_line.area_ua_km2
    assert total == pytest.approx(600_000, rel=0.01)
    assert 100_000 < shipped_line.area_ru_km2 < 130_000
    assert "2013" in shipped_line.basis


def test_implausible_line_warns_with_the_figure() -> None:
    pocket = shapely.Point(37.5, 48.5).buffer(0.2)
    with pytest.warns(ImplausibleLineWarning, match=r"1?\d\d km long"):
        line_of_contact(ControlMap(pocket, None, "pocket.geojson"))


def test_change_between_identical_maps_is_nothing(shipped_line: LineOfContact) -> None:
    moved = change(shipped_line, shipped_line)
    assert moved.gained_by_ru_km2 == moved.gained_by_ua_km2 == 0
    assert moved.max_shift_km == 0


def test_change_counts_an_advance(shipped_line: LineOfContact) -> None:
    bulge = shapely.intersection(shipped_line.main.buffer(0.05), load_borders().country("UKR"))
    advanced = ControlMap(shapely.union_all([shipped_line.control.area, bulge]), None, "x")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ImplausibleLineWarning)
        moved = change(shipped_line, line_of_contact(advanced))
    assert moved.gained_by_ru_km2 > 1000 and moved.gained_by_ua_km2 == pytest.approx(0, abs=1)
    assert 2 < moved.max_shift_km < 20


@pytest.mark.shared_data
def test_raw_map_main_line_is_about_1045_km(control_dir: Path) -> None:
    line = line_of_contact(load_control(control_dir / "deepstatemap_data_20260822.geojson"))
    assert line.main_length_km == pytest.approx(1045, abs=15)
    assert line.length_km == pytest.approx(_independent_length_km(line), rel=0.02)
