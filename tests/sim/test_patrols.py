"""Patrol plans respect duty hours and cover risk; the responding team is the soonest there."""

from __future__ import annotations

from datetime import UTC, date, datetime

from accord.ops import Incident, responding_team
from accord.sim.patrols import scenario_plan
from accord.sim.scenario import load_scenario
from accord.sim.world import build_world, mission_teams


def test_plan_within_duty_hours_and_reaches_incidents():
    scenario = load_scenario("default")
    world = build_world(scenario)
    day = date(2026, 9, 3)
    incident = Incident("INC-000007", 37.8, 48.6, datetime(2026, 9, 3, 7, 0, tzinfo=UTC))
    plan = scenario_plan(world, scenario, day, incidents=[incident])
    assert 0 < plan.patrols <= sum(mission_teams(world, scenario.teams).patrols_per_team())
    assert plan.missed_incidents == ()
    visits = [s for r in plan.routes for s in r.stops if s.kind == "incident"]
    assert [s.name for s in visits] == ["INC-000007"]
    assert visits[0].arrive >= incident.detected_at
    for route in plan.routes:
        team = plan.team_ids.index(route.team)
        assert plan.duty_start[team] <= route.stops[0].leave
        assert route.stops[-1].arrive <= plan.duty_end[team]
        assert route.stops[0].name == route.stops[-1].name == route.team
    assert 0 < plan.covered_risk <= 1
    features = plan.geojson()["features"]
    assert {f["geometry"]["type"] for f in features} == {"LineString", "Point"}
    again = scenario_plan(world, scenario, day, incidents=[incident])
    assert again.geojson() == plan.geojson()  # no time limit: the same plan every time


def test_responding_team_is_the_soonest_there():
    scenario = load_scenario("default")
    plan = scenario_plan(build_world(scenario), scenario, date(2026, 9, 3))
    base = 4
    lon, lat = float(plan.team_lon[base]), float(plan.team_lat[base])
    night = datetime(2026, 9, 3, 23, 0, tzinfo=UTC)  # no patrol is out: the nearest base
    answer = responding_team(plan, lon + 0.01, lat, night)
    assert answer.team == plan.team_ids[base] and answer.patrol == ""
    assert answer.arrive.date() == date(2026, 9, 4)  # daylight only: next morning
    assert answer.distance_km < 1.5
