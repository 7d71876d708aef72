"""The simulated truth comes from the plan's own rules: each violation breaches a rule the
plan has, by a party that rule binds, where the rule checks; a plan with no rule has none."""

from __future__ import annotations

import numpy as np
import shapely

from accord.plans import load_plan
from accord.sim.events import generate_events
from accord.sim.scenario import load_scenario
from accord.sim.sources import layout, placement_notes
from accord.sim.world import build_world


def truth(plan_id: str, days: int = 30):
    scenario = load_scenario("default")
    world = build_world(scenario, load_plan(plan_id))
    return world, generate_events(world, scenario, days, np.random.default_rng(3))


def test_us_troops_in_ukraine_are_the_only_violations_of_the_us_framework() -> None:
    world, events = truth("us-framework-2025")
    violations = events.take(np.flatnonzero(events.violation))
    assert len(violations) > 0
    assert set(violations.party.tolist()) == {"US"}  # the rule binds the US alone
    assert set(violations.kind.tolist()) == {"restricted_band"}
    ukraine = world.zone("security.foreign_troops").geometry
    assert shapely.contains_xy(ukraine, violations.lon, violations.lat).all()


def test_a_ban_on_foreign_troops_is_breached_by_foreigners_and_a_cap_by_the_host() -> None:
    world, events = truth("russia-plan")
    violations = events.take(np.flatnonzero(events.violation))
    # Ukraine's forces break its zero cap; the US and Europe the foreign-troops ban; never RU.
    assert set(violations.party.tolist()) == {"UA", "US", "EUR"}
    ukrainian = violations.take(np.flatnonzero(violations.party == "UA"))
    assert (world.index.classify(ukrainian.lon, ukrainian.lat).side != 2).all()


def test_the_defense_priorities_week_keeps_its_dmz_and_band() -> None:
    world, events = truth("defense-priorities-2025")
    kinds = set(events.kind[events.violation].tolist())
    assert {"dmz_patrol", "firing", "restricted_band"} <= kinds
    assert set(events.party[events.violation].tolist()) <= {"RU", "UA"}
    scenario = load_scenario("default")
    radar = [n for n, s in enumerate(scenario.sensors) if s.type == "radar"]
    sensors = layout(world, scenario)
    # The radar goes over every zone the rules check away from the line: the band, and
    # Ukraine itself, where the aid limits ban intermediate-range missiles.
    band = world.zone("relations.russian_posture").geometry
    covered = shapely.union_all([world.zone(z).geometry for z in world.rule_zones()])
    placed = np.isin(sensors.group, radar)
    lon, lat = sensors.lon[placed], sensors.lat[placed]
    assert placed.any() and shapely.contains_xy(covered, lon, lat).all()
    assert shapely.contains_xy(band, lon, lat).any()


def test_a_plan_with_no_rule_has_no_violation_and_no_zone_sensors() -> None:
    world, events = truth("ukraine-plan")
    assert not events.violation.any()
    notes = placement_notes(world, load_scenario("default"))
    assert any(n.startswith("radar sensors over the rules' zones") for n in notes)


def test_a_sensor_group_on_a_zone_the_plan_lacks_is_left_out_with_a_note() -> None:
    scenario = load_scenario("default")
    radar = scenario.sensors[3].model_copy(
        update={"over_rules": False, "zone": "relations.russian_posture"}
    )
    named = scenario.model_copy(update={"sensors": [*scenario.sensors[:3], radar]})
    world = build_world(named, load_plan("us-framework-2025"))
    sensors = layout(world, named)
    assert len(sensors.sensor_id) > 0 and not (sensors.group == 3).any()
    assert placement_notes(world, named) == [
        "radar sensors over zone 'relations.russian_posture': us-framework-2025 has no such "
        "checked zone; left out"
    ]
