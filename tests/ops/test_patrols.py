"""Planning a real mission's day from its own teams file: routes leave and return to their
bases within duty hours, cover risk, reach incidents in time, and more teams cover more."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
import shapely

from accord.ops import Incident, Sectors, parse_teams, plan_patrols, responding_team
from accord.ops.patrols import duty_window
from accord.ops.theatre import daylight

LINE = shapely.LineString([(37.0, 47.0), (37.0, 49.0), (38.1, 49.0)])
SECTORS = Sectors(LINE, length_km=40.0)
DAY = date(2026, 11, 20)
# Three bases back from the line, one fielding two patrols; round the clock from 06:00.
MISSION = """\
daylight_only: false
duty_hours: 8
speed_kmh: 45
dwell_minutes: 20
response_deadline_hours: 6
bases:
  - {id: BLUE, name: Pokrovsk, lon: 36.7, lat: 47.4}
  - {id: GREEN, name: Izium, lon: 36.75, lat: 48.4, patrols: 2}
  - {id: RED, name: Svatove, lon: 37.8, lat: 49.25}
"""
TEAMS = parse_teams(MISSION, "mission.yaml")
START = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)


def test_routes_leave_and_return_to_their_base_within_duty_hours() -> None:
    plan = plan_patrols(TEAMS, SECTORS, DAY)
    assert 0 < plan.patrols <= sum(TEAMS.patrols_per_team()) == 4
    bases = {b.id: (b.lon, b.lat) for b in TEAMS.bases}
    names = SECTORS.names()
    visits = 0
    for route in plan.routes:
        first, last = route.stops[0], route.stops[-1]
        assert first.kind == last.kind == "base" and first.name == last.name == route.team
        assert (first.lon, first.lat) == (last.lon, last.lat) == pytest.approx(bases[route.team])
        assert first.leave >= START and last.arrive <= START + timedelta(hours=8)
        times = [t for s in route.stops for t in (s.arrive, s.leave)]
        assert times == sorted(times)
        assert set(route.sectors) <= set(names)
        visits += len(route.sectors)
    # Every sector weighs the same: each visit (of two a day) is half a sector's share.
    assert 0 < plan.covered_risk <= 1
    assert plan.covered_risk == pytest.approx(visits / (2 * len(names)))


def test_more_teams_cover_at_least_as_much_risk() -> None:
    covered = [
        plan_patrols(TEAMS.model_copy(update={"bases": TEAMS.bases[:k]}), SECTORS, DAY).covered_risk
        for k in (1, 2, 3)
    ]
    assert covered == sorted(covered) and covered[2] > covered[0]


def test_risk_sends_patrols_where_it_is() -> None:
    last = SECTORS.names()[-1]
    plan = plan_patrols(TEAMS, SECTORS, DAY, risk={"S01": 5.0, last: 1.0})
    visited = {s for r in plan.routes for s in r.sectors}
    assert {"S01", last} <= visited
    assert plan.covered_risk == pytest.approx(1.0)
    with pytest.raises(ValueError, match="S99"):
        plan_patrols(TEAMS, SECTORS, DAY, risk={"S99": 1.0})


def test_incidents_are_reached_in_time_or_reported_missed() -> None:
    near = Incident("INC-1", 36.9, 48.3, START + timedelta(hours=1))
    late = Incident("INC-2", 38.0, 49.0, START + timedelta(hours=7, minutes=55))
    plan = plan_patrols(TEAMS, SECTORS, DAY, incidents=[near, late])
    stops = [s for r in plan.routes for s in r.stops if s.kind == "incident"]
    assert [s.name for s in stops] == ["INC-1"]
    assert near.detected_at <= stops[0].arrive <= near.detected_at + timedelta(hours=6)
    assert plan.missed_incidents == ("INC-2",)  # no patrol gets there and home by 14:00


def test_daylight_only_teams_patrol_between_sunrise_and_sunset() -> None:
    teams = TEAMS.model_copy(update={"daylight_only": True, "duty_hours": 12})
    base = TEAMS.bases[1]
    start, end = duty_window(teams, DAY, base.lon, base.lat)
    assert timedelta(hours=7) < end - start < timedelta(hours=12)  # a November day at 48 N
    moments = [start, end, start - timedelta(minutes=10), end + timedelta(minutes=10)]
    when = np.array([int(m.timestamp() * 1e9) for m in moments], dtype=np.int64)
    lit = daylight(when, np.full(4, base.lon), np.full(4, base.lat))
    assert lit.tolist() == [True, True, False, False]


def test_at_night_the_nearest_base_answers_next_morning() -> None:
    plan = plan_patrols(TEAMS, SECTORS, DAY)
    red = TEAMS.bases[2]
    answer = responding_team(plan, red.lon + 0.05, red.lat, START + timedelta(hours=14))
    assert answer.team == "RED" and answer.patrol == ""
    travel = timedelta(hours=answer.distance_km * TEAMS.road_factor / TEAMS.speed_kmh)
    assert answer.arrive == START + timedelta(days=1) + travel
