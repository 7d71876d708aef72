"""Maps shade the zones a reader can see, and list the ones covering whole countries."""

from __future__ import annotations

from accord.geo import line_of_contact, shipped_control, zones_from_agreement
from accord.geo.zones import borders_for
from accord.plans import load_plan
from accord.report.maps import MAX_SHADED_KM2, draw_zones, shaded, to_png


def test_map_of_the_shipped_plan() -> None:
    plan = load_plan("defense-priorities-2025")
    line = line_of_contact(shipped_control())
    zones, _ = zones_from_agreement(plan, line)
    kept = shaded(zones)
    assert [z.id for z in kept][:2] == ["side.UA", "side.RU"]
    assert "ceasefire.dmz" in {z.id for z in kept}
    assert all(z.area_km2 <= MAX_SHADED_KM2 for z in kept if not z.id.startswith("side."))
    assert "assurances.foreign_forces" not in {z.id for z in kept}
    png = to_png(draw_zones(line, zones, borders_for(plan), "test"), dpi=40)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
