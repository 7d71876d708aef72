"""Russia's side of the line follows Russia's borders and coasts, not a box."""

from __future__ import annotations

import pytest
import shapely

from accord.geo import LineOfContact, load_borders
from accord.geo.projection import area_km2
from accord.geo.regions import load_regions
from accord.geo.zones import sides


@pytest.fixture(scope="module")
def ru_side(shipped_line: LineOfContact) -> shapely.Geometry:
    return sides(shipped_line, load_borders())[1].geometry


@pytest.mark.parametrize(
    ("where", "lon", "lat"),
    [
        ("Belarus, near Gomel", 31.0, 52.4),
        ("Belarus, north of Chernihiv", 31.3, 51.9),
        ("the Black Sea off Novorossiysk", 37.2, 44.3),
        ("the Sea of Azov's open water", 36.6, 46.2),
        ("Georgia", 43.5, 42.2),
        ("Ukraine's side, Kharkiv", 36.23, 49.99),
    ],
)
def test_points_off_russia_are_not_on_its_side(
    ru_side: shapely.Geometry, where: str, lon: float, lat: float
) -> None:
    assert not shapely.contains_xy(ru_side, lon, lat), where


@pytest.mark.parametrize("oblast", ["Belgorod", "Kursk", "Bryansk", "Voronezh", "Rostov"])
def test_russian_border_oblasts_are_on_its_side(ru_side: shapely.Geometry, oblast: str) -> None:
    centre = load_regions()[oblast].geometry.representative_point()
    assert shapely.contains(ru_side, centre)


def test_side_edge_is_russia_s_border_not_a_box(
    ru_side: shapely.Geometry, shipped_line: LineOfContact
) -> None:
    russia = load_borders().country("RUS")
    # Everything on the side outside the controlled area is Russia's own land.
    beyond = shapely.difference(shapely.difference(ru_side, shipped_line.control.area), russia)
    assert area_km2(beyond) < 1.0
    # The old box cut Russia at 41.5 E and 54 N; the side now reaches past both.
    _, _, east, north = ru_side.bounds
    assert east > 42.0 and north > 54.0


def test_reach_bounds_the_side(shipped_line: LineOfContact) -> None:
    near = sides(shipped_line, load_borders(), reach_km=50.0)[1]
    assert not shapely.contains_xy(near.geometry, 39.2, 51.7)  # Voronezh, ~150 km in
    assert near.properties["reach_km"] == 50.0
    with pytest.raises(ValueError, match="reach_km"):
        sides(shipped_line, load_borders(), reach_km=0.0)
