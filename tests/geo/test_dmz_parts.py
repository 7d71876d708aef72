"""A DMZ along the line of contact follows the main line, not the pieces the line
keeps along coasts and borders, unless its term says line_parts: all."""

from __future__ import annotations

import pytest
import shapely
from pydantic import ValidationError

from accord.agreement import parse_agreement
from accord.agreement.model import ZoneSpec
from accord.geo import LineOfContact, load_borders, zones_from_agreement
from accord.geo.control import ControlMap
from accord.geo.line import line_of_contact
from accord.geo.projection import geodesic_buffer

from .test_zones import _plan_with


def _disk(lon: float, lat: float, radius_km: float) -> shapely.Geometry:
    return geodesic_buffer(shapely.LineString([(lon, lat), (lon + 1e-4, lat)]), radius_km)


@pytest.fixture(scope="module")
def synthetic() -> tuple[LineOfContact, shapely.Geometry, shapely.Geometry]:
    """A front across eastern Ukraine, a held spit offshore that the coarse coast lacks,
    and a small salient astride the northern border."""
    borders = load_borders()
    ukraine = borders.country("UKR")
    front = shapely.intersection(shapely.box(36.5, 46.0, 41.0, 49.6), ukraine)
    spit = _disk(31.2, 45.9, 6.0)  # ~50 km off the coast
    near = shapely.get_point(shapely.shortest_line(ukraine.boundary, shapely.Point(33.9, 52.4)), 0)
    salient = shapely.intersection(_disk(near.x, near.y, 15.0), ukraine)
    control = ControlMap(shapely.union_all([front, spit, salient]), None, "synthetic")
    return line_of_contact(control, borders), spit, salient


def _dmz(line: LineOfContact, extra: str = "") -> shapely.Geometry:
    plan = parse_agreement(
        _plan_with(f"{{type: dmz, along: line_of_contact, width: 4 km, regime: full{extra}}}"),
        "t.yaml",
    )
    zones, notes = zones_from_agreement(plan, line)
    assert not notes
    return next(z for z in zones if z.kind == "dmz")


def test_the_line_has_fragments_off_its_main_part(
    synthetic: tuple[LineOfContact, shapely.Geometry, shapely.Geometry],
) -> None:
    line, spit, salient = synthetic
    fragments = [p for p in shapely.get_parts(line.lines) if not p.equals(line.main)]
    assert any(shapely.intersects(f, spit.buffer(0.01)) for f in fragments)
    assert any(shapely.intersects(f, salient.buffer(0.01)) for f in fragments)


def test_dmz_has_one_part_per_main_line_piece(
    synthetic: tuple[LineOfContact, shapely.Geometry, shapely.Geometry],
) -> None:
    line, spit, salient = synthetic
    dmz = _dmz(line)
    assert len(shapely.get_parts(dmz.geometry)) == len(shapely.get_parts(line.main)) == 1
    assert not shapely.intersects(dmz.geometry, spit)
    assert not shapely.intersects(dmz.geometry, salient)
    assert dmz.properties["line_parts"] == "main"


def test_line_parts_all_brings_the_fragments_back(
    synthetic: tuple[LineOfContact, shapely.Geometry, shapely.Geometry],
) -> None:
    line, spit, salient = synthetic
    dmz = _dmz(line, ", line_parts: all")
    assert len(shapely.get_parts(dmz.geometry)) >= 3
    assert shapely.intersects(dmz.geometry, spit) and shapely.intersects(dmz.geometry, salient)
    assert dmz.area_km2 > _dmz(line).area_km2


def test_line_parts_is_refused_where_it_means_nothing() -> None:
    with pytest.raises(ValidationError, match="line_parts"):
        ZoneSpec.model_validate({"type": "band", "along": "NATO-RU", "line_parts": "all"})
    with pytest.raises(ValidationError, match="line_parts"):
        ZoneSpec.model_validate(
            {"type": "dmz", "along": "line_of_contact", "width": "2 km", "regime": "full",
             "line_parts": "some"}
        )  # fmt: skip
