"""The one spherical geodesy the hot paths share, held to the WGS84 ellipsoid."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from accord.geo.geodesy import GEOD, destination, great_circle_km, great_circle_km_one

lon = st.floats(22.0, 41.0)
lat = st.floats(44.0, 53.0)


@given(lon, lat, lon, lat)
def test_sphere_stays_within_half_a_percent_of_the_ellipsoid(x1, y1, x2, y2):
    km = float(great_circle_km(x1, y1, x2, y2))
    true_km = GEOD.inv(x1, y1, x2, y2)[2] / 1000.0
    assert abs(km - true_km) <= 0.005 * true_km + 1e-9


@given(lon, lat, lon, lat)
def test_compiled_pair_is_the_array_formula(x1, y1, x2, y2):
    # Equal to the last few bits: the compiled loop may fuse the arithmetic.
    expected = float(great_circle_km(x1, y1, x2, y2))
    assert great_circle_km_one(x1, y1, x2, y2) == pytest.approx(expected, rel=1e-12, abs=1e-9)


@given(lon, lat, st.floats(0.0, 360.0), st.floats(1.0, 50_000.0))
def test_destination_lies_at_its_distance(x, y, bearing, metres):
    x2, y2 = destination(np.array([x]), np.array([y]), np.array([bearing]), np.array([metres]))
    back_m = float(great_circle_km(x, y, x2[0], y2[0])) * 1000
    assert abs(back_m - metres) < 1e-6 * metres + 1e-6


def test_distance_broadcasts_over_arrays():
    here = np.array([36.0, 37.0])
    km = great_circle_km(here[:, None], 48.0, here[None, :], 48.0)
    assert km.shape == (2, 2) and km[0, 0] == 0.0 and km[0, 1] == km[1, 0] > 70
