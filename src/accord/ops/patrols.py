"""Patrol planning: each observer team's routes for a day, and who answers an incident.

The day's plan is a vehicle routing problem with prizes (OR-Tools routing):
every patrol a team can field that day is a vehicle that leaves its base and
returns within the duty hours (daylight only when the teams say so); each
sector of the line is offered twice (morning and afternoon) with a prize
equal to its share of the risk, and each unconfirmed incident once, with a
time window ending at its response deadline and a prize large enough that
it is skipped only when it cannot be reached in time. The solver drops a
node by paying its prize, so minimising cost maximises risk-weighted
coverage. Travel time is great-circle distance times a road factor over the
teams' speed; a sector visit takes the dwell time plus the time to drive
half the sector.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from accord.geo.geodesy import great_circle_km
from accord.ops.sectors import Sectors
from accord.ops.teams import Teams
from accord.ops.theatre import daylight

SECONDS_PER_HOUR = 3600
INCIDENT_PRIZE = 10_000_000_000  # skipping an unconfirmed incident costs more than any sector
RISK_SCALE = 10_000_000  # risks are shares; prizes are integers far above travel seconds
SLOTS = 2  # each sector offered in the morning and in the afternoon


@dataclass(frozen=True)
class Incident:
    """An unconfirmed incident a patrol should reach."""

    ref: str
    lon: float
    lat: float
    detected_at: datetime


@dataclass(frozen=True)
class Stop:
    """A place on a team's route, and when it arrives and leaves."""

    kind: str  # base, sector or incident
    name: str
    lon: float
    lat: float
    arrive: datetime
    leave: datetime


@dataclass(frozen=True)
class Route:
    """One patrol of one team: its stops from base and back."""

    team: str
    patrol: str
    stops: tuple[Stop, ...]

    @property
    def sectors(self) -> list[str]:
        """The sectors the patrol visits, in order."""
        return [s.name for s in self.stops if s.kind == "sector"]


@dataclass(frozen=True)
class Plan:
    """A day's routes, with what `responding_team` needs to answer the call."""

    day: date
    team_ids: tuple[str, ...]
    team_lon: NDArray[np.float64]
    team_lat: NDArray[np.float64]
    duty_start: tuple[datetime, ...]  # per team
    duty_end: tuple[datetime, ...]
    speed_kmh: float
    road_factor: float
    routes: tuple[Route, ...]
    covered_risk: float  # share of the day's sector risk visited
    missed_incidents: tuple[str, ...] = field(default=())

    @property
    def patrols(self) -> int:
        """How many patrols the day's plan sends out."""
        return len(self.routes)

    def table(self) -> list[dict[str, Any]]:
        """One row per patrol, for people."""
        return [
            {
                "team": r.team,
                "patrol": r.patrol,
                "leaves": r.stops[0].leave.strftime("%H:%M"),
                "returns": r.stops[-1].arrive.strftime("%H:%M"),
                "sectors": " ".join(r.sectors),
                "incidents": " ".join(s.name for s in r.stops if s.kind == "incident"),
            }
            for r in self.routes
        ]

    def geojson(self) -> dict[str, Any]:
        """Routes as LineStrings and stops as Points, times in UTC."""
        features: list[dict[str, Any]] = []
        for route in self.routes:
            coordinates = [[round(s.lon, 6), round(s.lat, 6)] for s in route.stops]
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "LineString", "coordinates": coordinates},
                    "properties": {
                        "team": route.team,
                        "patrol": route.patrol,
                        "leaves": _iso(route.stops[0].leave),
                        "returns": _iso(route.stops[-1].arrive),
                        "sectors": route.sectors,
                    },
                }
            )
            for stop in route.stops[1:-1]:
                features.append(
                    {
                        "type": "Feature",
                        "geometry": {
                            "type": "Point",
                            "coordinates": [round(stop.lon, 6), round(stop.lat, 6)],
                        },
                        "properties": {
                            "team": route.team,
                            "patrol": route.patrol,
                            "kind": stop.kind,
                            "name": stop.name,
                            "arrive": _iso(stop.arrive),
                            "leave": _iso(stop.leave),
                        },
                    }
                )
        meta = {
            "day": self.day.isoformat(),
            "patrols": self.patrols,
            "covered_risk": round(self.covered_risk, 4),
            "missed_incidents": list(self.missed_incidents),
        }
        return {"type": "FeatureCollection", "properties": meta, "features": features}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Response:
    """Who answers an incident and when they can be there."""

    team: str
    patrol: str  # the patrol diverted from its route, or "" for one sent from the base
    arrive: datetime
    distance_km: float


def duty_window(teams: Teams, day: date, lon: float, lat: float) -> tuple[datetime, datetime]:
    """When a team may patrol: daylight (by the sun at its base) or its duty hours from 06:00."""
    midnight = datetime.combine(day, time(0), tzinfo=UTC)
    hours = teams.duty_hours
    if not teams.daylight_only:
        start = midnight + timedelta(hours=6)
        return start, start + timedelta(hours=hours)
    minutes = np.arange(0, 24 * 60, 5)
    when = (
        np.datetime64(midnight.replace(tzinfo=None), "ns").astype(np.int64)
        + minutes * 60_000_000_000
    )
    light = daylight(when, np.full(len(when), lon), np.full(len(when), lat))
    lit = np.flatnonzero(light)
    if not lit.size:
        raise ValueError(f"no daylight at ({lon}, {lat}) on {day}: set daylight_only: false")
    rise = midnight + timedelta(minutes=int(minutes[lit[0]]))
    set_ = midnight + timedelta(minutes=int(minutes[lit[-1]]))
    return rise, min(set_, rise + timedelta(hours=hours))


def risk_shares(names: list[str], risk: Mapping[str, float] | None) -> NDArray[np.float64]:
    """Each sector's share of the risk (summing to 1) from weights by sector name; sectors
    the weights leave out weigh nothing, and with no weights every sector weighs the same."""
    if risk is None:
        return np.full(len(names), 1.0 / len(names))
    unknown = sorted(set(risk) - set(names))
    if unknown:
        span = f"{names[0]}-{names[-1]}" if names else "none"
        raise ValueError(
            f"risk names sectors the line does not have ({', '.join(unknown)}; it has {span})"
        )
    weights = np.array([float(risk.get(name, 0.0)) for name in names])
    if not np.all(np.isfinite(weights)) or np.any(weights < 0):
        raise ValueError("risk: every sector's weight must be a number 0 or more")
    total = weights.sum()
    return weights / total if total > 0 else np.full(len(names), 1.0 / len(names))


def plan_patrols(
    teams: Teams,
    sectors: Sectors,
    day: date,
    *,
    risk: Mapping[str, float] | None = None,
    incidents: list[Incident] | None = None,
    seconds: float | None = None,
) -> Plan:
    """The day's routes for every team over the line's sectors, covering as much of the
    risk as they can (see the module's note); `risk` weighs sectors by name (`risk_shares`).
    Without `seconds` the search stops at its first local optimum, so the plan is the
    same on any machine; with it, guided local search improves the plan for that long."""
    names = sectors.names()
    shares = risk_shares(names, risk)
    s_lon, s_lat = sectors.middles()
    windows = [
        duty_window(teams, day, float(lo), float(la))
        for lo, la in zip(teams.lon, teams.lat, strict=True)
    ]
    origin = min(w[0] for w in windows)
    horizon = int((max(w[1] for w in windows) - origin).total_seconds())
    incidents = incidents or []
    # Nodes: team bases, then sector slots, then incidents.
    ids = teams.ids
    n_teams = len(ids)
    lon = [*teams.lon, *np.repeat(s_lon, SLOTS), *(i.lon for i in incidents)]
    lat = [*teams.lat, *np.repeat(s_lat, SLOTS), *(i.lat for i in incidents)]
    lon_a, lat_a = np.array(lon, dtype=float), np.array(lat, dtype=float)
    km = great_circle_km(lon_a[:, None], lat_a[:, None], lon_a[None, :], lat_a[None, :])
    travel_s = (km * teams.road_factor / teams.speed_kmh * SECONDS_PER_HOUR).astype(np.int64)
    visit_s = int(
        (teams.dwell_minutes / 60 + sectors.length_km / 2 / teams.speed_kmh) * SECONDS_PER_HOUR
    )
    service = np.array(
        [0] * n_teams
        + [visit_s] * (SLOTS * len(names))
        + [int(teams.dwell_minutes * 60)] * len(incidents)
    )
    per_team = teams.patrols_per_team()
    starts = [t for t, k in enumerate(per_team) for _ in range(k)]
    manager = pywrapcp.RoutingIndexManager(len(lon), len(starts), starts, starts)
    routing = pywrapcp.RoutingModel(manager)

    def transit(i: int, j: int) -> int:
        a, b = manager.IndexToNode(i), manager.IndexToNode(j)
        return int(travel_s[a, b] + service[a])

    callback = routing.RegisterTransitCallback(transit)
    routing.SetArcCostEvaluatorOfAllVehicles(callback)
    routing.AddDimension(callback, horizon, horizon, False, "time")
    clock = routing.GetDimensionOrDie("time")
    for vehicle, team in enumerate(starts):
        begin = int((windows[team][0] - origin).total_seconds())
        end = int((windows[team][1] - origin).total_seconds())
        clock.CumulVar(routing.Start(vehicle)).SetRange(begin, end)
        clock.CumulVar(routing.End(vehicle)).SetRange(begin, end)
    half = horizon // 2
    for s in range(len(names)):
        for slot in range(SLOTS):
            node = n_teams + s * SLOTS + slot
            index = manager.NodeToIndex(node)
            clock.CumulVar(index).SetRange(0 if slot == 0 else half, half if slot == 0 else horizon)
            routing.AddDisjunction([index], int(shares[s] * RISK_SCALE / SLOTS) + 1)
    for k, incident in enumerate(incidents):
        index = manager.NodeToIndex(n_teams + SLOTS * len(names) + k)
        seen = int((incident.detected_at - origin).total_seconds())
        due = seen + int(teams.response_deadline_hours * SECONDS_PER_HOUR)
        clock.CumulVar(index).SetRange(min(max(0, seen), horizon), max(0, min(due, horizon)))
        routing.AddDisjunction([index], INCIDENT_PRIZE)
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    if seconds is not None:
        parameters.local_search_metaheuristic = (
            routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
        )
        parameters.time_limit.FromMilliseconds(int(seconds * 1000))
    parameters.log_search = False
    solution = routing.SolveWithParameters(parameters)
    if solution is None:
        raise RuntimeError(f"no patrol plan for {day}: check teams, duty hours and speed")
    routes: list[Route] = []
    covered = 0.0
    served: set[int] = set()
    counters = dict.fromkeys(range(n_teams), 0)
    for vehicle, team in enumerate(starts):
        index = routing.Start(vehicle)
        if routing.IsEnd(solution.Value(routing.NextVar(index))):
            continue
        counters[team] += 1
        stops = []
        while True:
            node = manager.IndexToNode(index)
            arrive = origin + timedelta(seconds=solution.Value(clock.CumulVar(index)))
            kind, name = _node(node, n_teams, names, incidents, ids)
            if kind == "sector":
                covered += shares[(node - n_teams) // SLOTS] / SLOTS
            elif kind == "incident":
                served.add(node)
            leave = arrive + timedelta(seconds=int(service[node]))
            stops.append(Stop(kind, name, float(lon_a[node]), float(lat_a[node]), arrive, leave))
            if routing.IsEnd(index):
                break
            index = solution.Value(routing.NextVar(index))
        routes.append(Route(ids[team], f"{ids[team]}-P{counters[team]:02d}", tuple(stops)))
    first_incident = n_teams + SLOTS * len(names)
    missed = tuple(i.ref for k, i in enumerate(incidents) if first_incident + k not in served)
    return Plan(
        day,
        ids,
        teams.lon,
        teams.lat,
        tuple(w[0] for w in windows),
        tuple(w[1] for w in windows),
        teams.speed_kmh,
        teams.road_factor,
        tuple(routes),
        min(1.0, float(covered)),
        missed,
    )


def _node(
    node: int, n_teams: int, names: list[str], incidents: list[Incident], team_ids: tuple[str, ...]
) -> tuple[str, str]:
    if node < n_teams:
        return "base", team_ids[node]
    slot = node - n_teams
    if slot < SLOTS * len(names):
        return "sector", names[slot // SLOTS]
    return "incident", incidents[slot - SLOTS * len(names)].ref


def responding_team(plan: Plan, lon: float, lat: float, when: datetime) -> Response:
    """The team (and patrol) that can reach (lon, lat) soonest after `when`: a patrol out on
    its route diverts from where it is, or a patrol leaves a base within its duty hours."""
    best: Response | None = None
    hours_per_km = plan.road_factor / plan.speed_kmh
    for t, team in enumerate(plan.team_ids):
        km = float(
            great_circle_km(np.array(lon), np.array(lat), plan.team_lon[t], plan.team_lat[t])
        )
        leave = _next_duty(when, plan.duty_start[t], plan.duty_end[t])
        option = Response(team, "", leave + timedelta(hours=km * hours_per_km), km)
        best = option if best is None or option.arrive < best.arrive else best
    for route in plan.routes:
        here = _position(route, when)
        if here is None:
            continue
        km = float(
            great_circle_km(np.array(lon), np.array(lat), np.array(here[0]), np.array(here[1]))
        )
        option = Response(route.team, route.patrol, when + timedelta(hours=km * hours_per_km), km)
        if best is None or option.arrive < best.arrive:
            best = option
    if best is None:
        raise ValueError("the plan has no teams")
    return best


def respond_any_day(plan: Plan, lon: float, lat: float, when: datetime) -> Response:
    """`responding_team` with the day's plan repeated on every day: the call is answered
    as on the plan's day at the same time, then shifted back to the real date."""
    shift = timedelta(days=(when.date() - plan.day).days)
    answer = responding_team(plan, lon, lat, when - shift)
    return replace(answer, arrive=answer.arrive + shift)


@dataclass(frozen=True)
class PlanRouting:
    """Verification's routing (`accord.verify.incidents.Routing`) from a patrol plan:
    an incident goes to the team that can be there soonest, not the nearest base."""

    plan: Plan

    def route(
        self, lon: NDArray[np.float64], lat: NDArray[np.float64], when_ns: NDArray[np.int64]
    ) -> tuple[list[str], NDArray[np.float64]]:
        """Per incident: the team that can be there soonest, and its distance in km."""
        answers = [
            respond_any_day(self.plan, x, y, datetime.fromtimestamp(t / 1e9, UTC))
            for x, y, t in zip(lon.tolist(), lat.tolist(), when_ns.tolist(), strict=True)
        ]
        return [a.team for a in answers], np.array([a.distance_km for a in answers])


def _next_duty(when: datetime, start: datetime, end: datetime) -> datetime:
    """The first moment at or after `when` inside the daily duty window [start, end)."""
    offset = timedelta(days=(when.date() - start.date()).days)
    start, end = start + offset, end + offset
    if when < start:
        return start
    if when < end:
        return when
    return start + timedelta(days=1)


def _position(route: Route, when: datetime) -> tuple[float, float] | None:
    """Where a patrol is at `when` (its last stop), or None when it is not out."""
    if not route.stops or when < route.stops[0].leave or when >= route.stops[-1].arrive:
        return None
    last = route.stops[0]
    for stop in route.stops:
        if stop.arrive <= when:
            last = stop
    return last.lon, last.lat
