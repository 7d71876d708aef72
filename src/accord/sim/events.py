"""Ground truth: every true violation and every lawful activity a run contains, drawn at once.

Which violations a run holds comes from the plan's compiled rules, never from
its id: a process runs for a party only where a rule it breaches binds that
party (`BREACHES`), and is seen as the kinds that rule is about. Presence,
fire and exercises play along the line; forces in a zone a rule restricts
(band, region, exclusion; caps, foreign forces and deadlines too) are placed
inside that rule's zone, on the party's own side of the line for the two
parties on it. A party the scenario does not list, or a process kind it
gives a party none of, follows the scenario's `others`.
Each party's violation processes are Poisson in time with a rate per day,
raised on burst days, spread along the line by sector weights (hot spots),
and moved to the night or under drone jamming in the share the scenario
gives (deliberate evasion). Lawful activity near the DMZ and notified
exercises are drawn too: sensors see them, and a verifier that calls them
violations is wrong. All draws come from one NumPy Generator in a fixed
order, so a seed fixes the whole table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import shapely
from numpy.typing import NDArray

from accord.columns import ColumnTable
from accord.geo.classify import SIDE_OF_RU, SIDE_OF_UA
from accord.sim.scenario import Scenario, Violation, ViolationKind
from accord.sim.world import World, daylight, to_metres
from accord.verify.rules import Rule, RuleKind

NS_PER_HOUR = 3_600_000_000_000
NS_PER_DAY = 24 * NS_PER_HOUR
PARTY_SIGN = {"RU": 1.0, "UA": -1.0}  # offsets are positive on Russia's side
# What each process is seen as when the scenario does not say.
OBSERVED_AS = {
    ViolationKind.dmz_patrol: ("personnel", "vehicle"),
    ViolationKind.heavy_weapons: ("armour", "artillery"),
    ViolationKind.firing: ("firing",),
    ViolationKind.fortification: ("fortification",),
    ViolationKind.restricted_band: ("armour", "personnel", "vehicle"),
    ViolationKind.exercise: ("personnel",),
}
# The rule kinds each process breaches; one in a zone runs once per rule, in its zone.
BREACHES: dict[ViolationKind, frozenset[RuleKind]] = {
    ViolationKind.dmz_patrol: frozenset({RuleKind.presence}),
    ViolationKind.heavy_weapons: frozenset({RuleKind.presence}),
    ViolationKind.fortification: frozenset({RuleKind.presence}),
    ViolationKind.firing: frozenset({RuleKind.firing}),
    ViolationKind.exercise: frozenset({RuleKind.exercise}),
    ViolationKind.restricted_band: frozenset(
        {RuleKind.restricted, RuleKind.cap, RuleKind.foreign_forces, RuleKind.deadline}
    ),
}
CRATER_HOURS = 72.0  # an impact's crater can be examined by a patrol this long afterwards
WORKS_HOURS = 24.0 * 14  # fortification work stays visible this long after it stops
LAWFUL = "lawful"
NOTIFIED_EXERCISE = "notified_exercise"


@dataclass(frozen=True)
class Events(ColumnTable):
    """One row per true event; `violation` is False for lawful activity."""

    event_id: NDArray[np.str_]
    party: NDArray[np.str_]
    kind: NDArray[np.str_]  # a ViolationKind value, "lawful" or "notified_exercise"
    observed_kind: NDArray[np.str_]
    violation: NDArray[np.bool_]
    start_ns: NDArray[np.int64]
    end_ns: NDArray[np.int64]
    visible_until_ns: NDArray[np.int64]  # craters and works outlast the act
    along_km: NDArray[np.float64]  # NaN away from the line
    offset_km: NDArray[np.float64]
    x_m: NDArray[np.float64]
    y_m: NDArray[np.float64]
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    target_lon: NDArray[np.float64]  # where fire landed; the event's place otherwise
    target_lat: NDArray[np.float64]
    count: NDArray[np.int64]
    night: NDArray[np.bool_]
    jammed: NDArray[np.bool_]  # done while drones were jammed


Place = tuple[NDArray[np.float64], ...]  # along_km, offset_km, x_m, y_m, lon, lat


def _events(
    party: str | NDArray[np.str_],
    kind: str,
    observed: str | NDArray[np.str_],
    violation: bool,
    times: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]],
    place: Place,
    target: tuple[NDArray[np.float64], NDArray[np.float64]],
    count: NDArray[np.int64],
    night: NDArray[np.bool_],
    jammed: NDArray[np.bool_],
) -> Events:
    """Events with their columns named; ids are given once all are made. `times` are
    start, end and visible-until."""
    n = len(count)
    along, offset, x, y, lon, lat = place
    return Events(
        event_id=np.full(n, ""),
        party=np.full(n, party),
        kind=np.full(n, kind),
        observed_kind=np.full(n, observed),
        violation=np.full(n, violation),
        start_ns=times[0],
        end_ns=times[1],
        visible_until_ns=times[2],
        along_km=along,
        offset_km=offset,
        x_m=x,
        y_m=y,
        lon=lon,
        lat=lat,
        target_lon=target[0],
        target_lat=target[1],
        count=count,
        night=night,
        jammed=jammed,
    )


def generate_events(
    world: World, scenario: Scenario, days: int, rng: np.random.Generator
) -> Events:
    """Violations of the plan's rules by the parties they bind, then lawful activity,
    numbered in that order."""
    start_ns = int(scenario.start.timestamp()) * 1_000_000_000
    parts: list[Events] = []
    bound = {p for rule in world.ruleset.rules for p in world.binds(rule)}
    for party in sorted(bound | set(scenario.parties)):
        for process in processes(scenario, party):
            for rules, kinds in breached(world, party, process):
                parts.append(
                    _violations(world, scenario, party, process, rules, kinds, days, start_ns, rng)
                )
        if party in scenario.parties:
            rate = scenario.parties[party].notified_exercises_per_month * days / 30.0
            parts.append(_exercises(world, party, int(rng.poisson(rate)), days, start_ns, rng))
    parts.append(_lawful(world, scenario, days, start_ns, rng))
    events = Events.concat(parts)
    names = [f"{'V' if v else 'L'}{n:06d}" for n, v in enumerate(events.violation.tolist(), 1)]
    return replace(events, event_id=np.array(names, dtype=str))


def processes(scenario: Scenario, party: str) -> list[Violation]:
    """The party's own violation processes, and `others`' of each kind it has none of."""
    own = scenario.parties[party].violations if party in scenario.parties else []
    kinds = {v.kind for v in own}
    others = scenario.others.violations if scenario.others else []
    return own + [v for v in others if v.kind not in kinds]


def breached(
    world: World, party: str, process: Violation
) -> list[tuple[tuple[Rule, ...], tuple[str, ...]]]:
    """The rules binding `party` that `process` breaches, with the kinds it is seen as:
    along the line one draw for all of them, in a zone one draw per rule."""
    mine = [
        r
        for r in world.ruleset.rules
        if r.kind in BREACHES[process.kind] and party in world.binds(r)
    ]
    wanted = [str(k) for k in process.observed_as] or list(OBSERVED_AS[process.kind])
    draws = [(r,) for r in mine] if process.kind is ViolationKind.restricted_band else [tuple(mine)]
    found = []
    for rules in draws:
        seen = frozenset().union(*(r.kinds for r in rules))
        kinds = tuple(k for k in wanted if k in seen)
        if rules and kinds:
            found.append((rules, kinds))
    return found


SIDE_CODE = {"UA": SIDE_OF_UA, "RU": SIDE_OF_RU}
OTHER_SIDE = {"UA": "RU", "RU": "UA"}
SETTLE_TRIES = 12


def settle(
    world: World,
    along_km: NDArray[np.float64],
    party: NDArray[np.str_],
    draw_offset: Callable[[int], NDArray[np.float64]],
    in_dmz: bool | None,
    rng: np.random.Generator,
) -> tuple[NDArray[np.float64], ...]:
    """Positions on the party's side, inside (or outside) the DMZ by the zone index itself.

    The line is jagged and has several parts, so a point drawn at an offset from the main
    line can fall on the wrong side of the DMZ's edge; such draws are drawn again nearby
    (up to SETTLE_TRIES times), so the truth agrees with the map verification uses.
    Returns along, offset, x, y, lon, lat and whether each row settled."""
    n = len(along_km)
    out = [np.full(n, np.nan) for _ in range(6)]
    todo = np.arange(n)
    sign = np.array([PARTY_SIGN.get(p, 1.0) for p in party.tolist()])
    want = np.array([SIDE_CODE.get(p, 0) for p in party.tolist()])
    for attempt in range(SETTLE_TRIES):
        along = along_km[todo]
        if attempt:
            along = np.clip(along + rng.normal(0.0, 2.0, len(todo)), 0.0, world.length_km)
        offset = sign[todo] * draw_offset(len(todo))
        x, y, lon, lat = world.place(along, offset)
        where = world.index.classify(lon, lat)
        ok = where.side == want[todo]
        if in_dmz is not None and world.dmz_id is not None:
            ok &= where.contains(world.dmz_id) == in_dmz
        for column, values in zip(out, (along, offset, x, y, lon, lat), strict=True):
            column[todo[ok]] = values[ok]
        todo = todo[~ok]
        if not len(todo):
            break
    settled = np.ones(n, dtype=bool)
    settled[todo] = False
    return (*out, settled)


def _daily_counts(process: Violation, days: int, rng: np.random.Generator) -> NDArray[np.int64]:
    rate = np.full(days, process.per_day)
    if process.bursts is not None:
        for _ in range(int(rng.poisson(process.bursts.per_month * days / 30.0))):
            first = int(rng.integers(0, days))
            last = min(days, first + int(np.ceil(process.bursts.days)))
            rate[first:last] *= process.bursts.factor
    return rng.poisson(rate)


def _along(
    world: World, scenario: Scenario, process: Violation, n: int, rng: np.random.Generator
) -> NDArray[np.float64]:
    """Positions along the line, each sector weighted 1 unless it is a hot spot."""
    names = world.sector_names(scenario.sector_km)
    weight = np.ones(len(names))
    for spot in process.hot_spots:
        if spot.sector not in names:
            raise ValueError(
                f"hot spot sector {spot.sector!r} is not on the line; sectors are "
                f"{names[0]}-{names[-1]} ({scenario.sector_km:g} km each)"
            )
        weight[names.index(spot.sector)] = spot.weight
    sector = rng.choice(len(names), size=n, p=weight / weight.sum())
    along = (sector + rng.random(n)) * scenario.sector_km
    return np.minimum(along, world.length_km - 0.01)


def _times(
    start_ns: int,
    day: NDArray[np.int64],
    night_share: float,
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    rng: np.random.Generator,
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Start times on the given days; the evasive share is moved to a dark hour."""
    n = len(day)
    tries = 12
    offsets = (rng.random((tries, n)) * NS_PER_DAY).astype(np.int64)
    when = start_ns + day * NS_PER_DAY + offsets
    dark = ~daylight(when, np.broadcast_to(lon, when.shape), np.broadcast_to(lat, when.shape))
    wants_night = rng.random(n) < night_share
    first_dark = np.argmax(dark, axis=0)
    pick = np.where(wants_night & dark.any(axis=0), first_dark, 0)
    chosen = when[pick, np.arange(n)]
    return chosen, dark[pick, np.arange(n)]


def _violations(
    world: World,
    scenario: Scenario,
    party: str,
    process: Violation,
    rules: tuple[Rule, ...],
    kinds: tuple[str, ...],
    days: int,
    start_ns: int,
    rng: np.random.Generator,
) -> Events:
    per_day = _daily_counts(process, days, rng)
    n = int(per_day.sum())
    day = np.repeat(np.arange(days), per_day)
    half = world.dmz_half_width_km
    kind = process.kind
    settled = np.ones(n, dtype=bool)
    if kind is ViolationKind.restricted_band:
        zone_id = rules[0].zone_id or ""
        lon, lat = _inside(world, zone_id, party, n, rng)
        settled = np.isfinite(lon)
        x, y = to_metres(lon, lat)
        along, offset = np.full(n, np.nan), np.full(n, np.nan)
    else:
        parties = np.full(n, party)
        if kind in (ViolationKind.firing, ViolationKind.exercise):
            default = (1.0, 10.0) if kind is ViolationKind.firing else (3.0, 12.0)
            low, high = process.depth_km or default
            along, offset, x, y, lon, lat, settled = settle(
                world,
                _along(world, scenario, process, n, rng),
                parties,
                lambda k: half + rng.uniform(low, high, k),
                False,
                rng,
            )
        else:
            along, offset, x, y, lon, lat, settled = settle(
                world,
                _along(world, scenario, process, n, rng),
                parties,
                lambda k: half * rng.uniform(0.05, 0.95, k),
                True,
                rng,
            )
    target_lon, target_lat = lon.copy(), lat.copy()
    if kind is ViolationKind.firing:
        other = np.full(n, "UA" if party == "RU" else "RU")
        near = np.nan_to_num(along) + rng.normal(0, 1.5, n)
        *_, target_lon, target_lat, landed = settle(
            world,
            np.clip(near, 0, world.length_km),
            other,
            lambda k: rng.uniform(0.5, half + 6.0, k),
            None,
            rng,
        )
        settled = np.logical_and(settled, landed)
    start, night = _times(start_ns, day, process.night_share, lon, lat, rng)
    hours = rng.uniform(*process.duration_hours, n)
    end = start + (hours * NS_PER_HOUR).astype(np.int64)
    visible = end.copy()
    if kind is ViolationKind.firing:
        visible = start + int(CRATER_HOURS * NS_PER_HOUR)
    elif kind is ViolationKind.fortification:
        visible = end + int(WORKS_HOURS * NS_PER_HOUR)
    observed = np.array(kinds)[rng.integers(0, len(kinds), n)]
    count = rng.integers(process.count[0], process.count[1] + 1, n)
    if rules[0].kind is RuleKind.cap:
        count += rules[0].limit or 0  # the process's count is what exceeds the cap
    jammed = rng.random(n) < process.jamming_share
    due = rules[0].active_from
    if due is not None:  # a deadline is breached only once it has fallen due
        settled = np.logical_and(settled, start >= int(due.timestamp() * 1e9))
    place = (along, offset, x, y, lon, lat)
    return _events(
        party, kind.value, observed, True, (start, end, visible), place,
        (target_lon, target_lat), count, night, jammed,
    ).take(np.flatnonzero(settled))  # fmt: skip


def _exercises(
    world: World, party: str, n: int, days: int, start_ns: int, rng: np.random.Generator
) -> Events:
    """Notified exercises: lawful, with a notification the party sends beforehand."""
    along, offset, x, y, lon, lat, settled = settle(
        world,
        rng.uniform(0, world.length_km, n),
        np.full(n, party),
        lambda k: world.dmz_half_width_km + rng.uniform(5.0, 15.0, k),
        False,
        rng,
    )
    day = rng.integers(0, max(days, 1), n)
    start = start_ns + day * NS_PER_DAY + int(6 * NS_PER_HOUR)
    end = start + rng.integers(2, 5, n) * NS_PER_DAY
    count = rng.integers(9_000, 15_000, n)
    never = np.zeros(n, dtype=bool)
    place = (along, offset, x, y, lon, lat)
    return _events(
        party, NOTIFIED_EXERCISE, "personnel", False, (start, end, end), place, (lon, lat),
        count, never, never,
    ).take(np.flatnonzero(settled))  # fmt: skip


def _lawful(
    world: World, scenario: Scenario, days: int, start_ns: int, rng: np.random.Generator
) -> Events:
    """Lawful movements on each side just beyond the DMZ, which sensors also see."""
    n = int(rng.poisson(scenario.background.per_day * days))
    party = np.where(rng.random(n) < 0.5, "RU", "UA")
    low, high = scenario.background.depth_km
    along, offset, x, y, lon, lat, settled = settle(
        world,
        rng.uniform(0, world.length_km, n),
        party,
        lambda k: world.dmz_half_width_km + rng.uniform(low, high, k),
        False,
        rng,
    )
    start = start_ns + (rng.random(n) * days * NS_PER_DAY).astype(np.int64)
    end = start + (rng.uniform(1.0, 12.0, n) * NS_PER_HOUR).astype(np.int64)
    observed = np.array(["personnel", "vehicle", "armour"])[rng.integers(0, 3, n)]
    night = ~daylight(start, lon, lat)
    place = (along, offset, x, y, lon, lat)
    return _events(
        party, LAWFUL, observed, False, (start, end, end), place, (lon, lat),
        rng.integers(1, 20, n), night, np.zeros(n, dtype=bool),
    ).take(np.flatnonzero(settled))  # fmt: skip


def _inside(
    world: World, zone_id: str, party: str, n: int, rng: np.random.Generator
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Uniform points (in degrees) inside a zone, by rejection from its bounding box, on
    the party's own side of the line (never the other's) when it is one of the two on it."""
    geometry = world.zone(zone_id).geometry
    shapely.prepare(geometry)
    west, south, east, north = geometry.bounds
    other = SIDE_CODE.get(OTHER_SIDE.get(party, ""))
    lon, lat = np.zeros(0), np.zeros(0)
    for _ in range(SETTLE_TRIES * 4):
        if len(lon) >= n:
            break
        cand_lon = rng.uniform(west, east, 4 * n + 16)
        cand_lat = rng.uniform(south, north, 4 * n + 16)
        keep = shapely.contains_xy(geometry, cand_lon, cand_lat)
        if other is not None:
            keep &= world.index.classify(cand_lon, cand_lat).side != other
        lon, lat = np.concatenate([lon, cand_lon[keep]]), np.concatenate([lat, cand_lat[keep]])
    missing = np.full(max(n - len(lon), 0), np.nan)  # no ground there: those rows are dropped
    return np.concatenate([lon, missing])[:n], np.concatenate([lat, missing])[:n]
