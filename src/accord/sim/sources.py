"""What monitoring sees of the true events: fixed sensors, drone sorties, patrols, false alarms.

Every source makes detection trials against the events it could see and
reports each success as an observation in the schema verification ingests.
A fixed sensor tries once when an event starts within its range (movement,
a shot), with a probability that falls with distance (`falloff`) and at
night (`night_factor`), and not while it is out of order. A drone tries at
each pass of a sortie over an event that is still there, unless the pass is
jammed. A patrol tries at each visit of an event's sector, and at each
response to an unconfirmed incident. Presence is reported at the true place
plus noise of the source's uncertainty; fire is reported as heard or seen,
from the sensor's own position with a bearing and a distance band, as
monitoring missions log it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from accord.columns import ColumnTable
from accord.geo.geodesy import great_circle_km
from accord.ops.theatre import daylight
from accord.sim.events import NS_PER_DAY, NS_PER_HOUR, Events
from accord.sim.scenario import Drones, Scenario, SensorGroup
from accord.sim.world import World, azimuth_distance, to_lonlat, to_metres
from accord.store.sources import Source

# How much farther than a sensor's range its neighbours are searched for in the
# theatre's projected metres, before the ground distance decides.
PROJECTION_SLACK = 1.6

# How often a source that names a side names the right one, and how sure it says it is.
SIDE_RIGHT = {"camera": 0.9, "radar": 0.85, "drone": 0.95, "patrol": 0.97}
SIDE_CONFIDENCE = {"camera": 0.7, "radar": 0.6, "drone": 0.8, "patrol": 0.9}
OTHER_PARTY = {"RU": "UA", "UA": "RU"}
DISTANCE_BAND = 0.2  # a fire's distance band is the distance +-20%
SENSOR_DELAY_MINUTES = 5.0  # mean lag of a fixed sensor's report after the event starts
NOTIFIED_RADIUS_KM = 20.0  # the area a party notifies around an exercise: a brigade's ground


@dataclass(frozen=True)
class Observations(ColumnTable):
    """Observation columns before ids are given; `truth` names the event (or false alarm)."""

    time_ns: NDArray[np.int64]
    source_id: NDArray[np.str_]
    source_type: NDArray[np.str_]
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    uncertainty_m: NDArray[np.float64]
    kind: NDArray[np.str_]
    count: NDArray[np.int64]
    category: NDArray[np.str_]  # firing category, "" otherwise
    bearing_deg: NDArray[np.float64]  # NaN unless fire is reported from the observer
    distance_m: NDArray[np.float64]
    side: NDArray[np.str_]
    side_confidence: NDArray[np.float64]
    notice_party: NDArray[np.str_]  # a notified exercise's party, "" otherwise
    notice_end_ns: NDArray[np.int64]
    notice_radius_km: NDArray[np.float64]  # the notified area around lon/lat, NaN otherwise
    truth: NDArray[np.str_]


def numbered(prefix: str, numbers: NDArray[np.int64], width: int) -> NDArray[np.str_]:
    """Identifiers such as drone-00012 (an empty array gives an empty column)."""
    return np.array([f"{prefix}{n:0{width}d}" for n in numbers.tolist()], dtype=str)


@dataclass(frozen=True)
class Sensors:
    """Fixed sensors, one row each."""

    sensor_id: NDArray[np.str_]
    group: NDArray[np.int64]  # index into scenario.sensors
    x_m: NDArray[np.float64]
    y_m: NDArray[np.float64]
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]


def layout(world: World, scenario: Scenario) -> Sensors:
    """Rows parallel to the line at the group's spacing, or a grid over a zone (one the
    group names, or the rules' zones away from the line); a group whose zone the plan
    does not draw is left out (`placement_notes` says so)."""
    ids, group, xs, ys = [], [], [], []
    drawn = {z.id for z in world.zones}
    for number, spec in enumerate(scenario.sensors):
        if spec.along_line:
            for row, offset in enumerate(spec.rows_km):
                stagger = spec.spacing_km / 2 if row % 2 else 0.0
                along = np.arange(stagger, world.length_km, spec.spacing_km)
                x, y, _, _ = world.place(along, np.full(len(along), offset))
                ids += [
                    f"{spec.type}-{number + 1}{chr(97 + row)}-{i + 1:04d}" for i in range(len(x))
                ]
                group += [number] * len(x)
                xs.append(x)
                ys.append(y)
        else:
            names = world.rule_zones() if spec.over_rules else [spec.zone or ""]
            geometry = shapely.union_all([world.zone(z).geometry for z in names if z in drawn])
            x, y = _grid(geometry, spec)
            ids += [f"{spec.type}-{number + 1}-{i + 1:04d}" for i in range(len(x))]
            group += [number] * len(x)
            xs.append(x)
            ys.append(y)
    x_m = np.concatenate(xs) if xs else np.zeros(0)
    y_m = np.concatenate(ys) if ys else np.zeros(0)
    lon, lat = to_lonlat(x_m, y_m)
    return Sensors(np.array(ids, dtype=str), np.array(group, dtype=np.int64), x_m, y_m, lon, lat)


def placement_notes(world: World, scenario: Scenario) -> list[str]:
    """Why a sensor group of the scenario has no place in this plan's zones."""
    drawn = {z.id for z in world.zones}
    notes = []
    for spec in scenario.sensors:
        if spec.over_rules and not world.rule_zones():
            notes.append(
                f"{spec.type} sensors over the rules' zones: no rule checks a zone away "
                "from the line; left out"
            )
        elif spec.zone is not None and spec.zone not in drawn:
            notes.append(
                f"{spec.type} sensors over zone '{spec.zone}': {world.agreement.id} has no "
                "such checked zone; left out"
            )
    return notes


def unobserved_rules(world: World, scenario: Scenario) -> list[str]:
    """The plan's rules that no source of the scenario can see breached: none of the kinds
    a rule is about is one a sensor, drone or patrol of the scenario detects."""
    detects = [s.detect for s in scenario.sensors] + [scenario.teams.detect]
    if scenario.drones is not None:
        detects.append(scenario.drones.detect)
    seen = {str(kind) for table in detects for kind, p in table.items() if p > 0}
    return [
        f"{rule.id}: no source of '{scenario.name}' reports {', '.join(sorted(rule.kinds))}"
        for rule in world.ruleset.rules
        if not rule.kinds & seen
    ]


def _grid(
    geometry: shapely.Geometry, spec: SensorGroup
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    if geometry.is_empty:
        return np.zeros(0), np.zeros(0)
    xs, ys = to_metres(*np.asarray(shapely.get_coordinates(geometry)).T)
    step = spec.spacing_km * 1000
    gx, gy = np.meshgrid(np.arange(xs.min(), xs.max(), step), np.arange(ys.min(), ys.max(), step))
    lon, lat = to_lonlat(gx.ravel(), gy.ravel())
    shapely.prepare(geometry)
    inside = shapely.contains_xy(geometry, lon, lat)
    return gx.ravel()[inside], gy.ravel()[inside]


def _outages(
    sensors: Sensors, scenario: Scenario, days: int, start_ns: int, rng: np.random.Generator
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """(sensor, from, to) of every outage: a daily chance of failing for `outage_hours`."""
    per_day = np.array([scenario.sensors[g].outage_per_day for g in sensors.group])
    hours = np.array([scenario.sensors[g].outage_hours for g in sensors.group])
    fails = rng.random((days, len(sensors.group))) < per_day
    day, sensor = np.nonzero(fails)
    begin = start_ns + day * NS_PER_DAY + (rng.random(len(day)) * NS_PER_DAY).astype(np.int64)
    return sensor, begin, begin + (hours[sensor] * NS_PER_HOUR).astype(np.int64)


def _working(
    sensor: NDArray[np.int64], when: NDArray[np.int64], outages: tuple
) -> NDArray[np.bool_]:
    down_sensor, down_from, down_to = outages
    if not len(down_sensor) or not len(sensor):
        return np.ones(len(sensor), dtype=bool)
    out = np.zeros(len(sensor), dtype=bool)
    for s, a, b in zip(down_sensor.tolist(), down_from.tolist(), down_to.tolist(), strict=True):
        out |= (sensor == s) & (when >= a) & (when < b)
    return ~out


def _probability(detect: dict, kinds: NDArray[np.str_]) -> NDArray[np.float64]:
    table = {str(k): p for k, p in detect.items()}
    return np.array([table.get(k, 0.0) for k in kinds.tolist()])


def fixed_sensors(
    world: World,
    scenario: Scenario,
    sensors: Sensors,
    events: Events,
    days: int,
    start_ns: int,
    rng: np.random.Generator,
) -> list[Observations]:
    """One trial per sensor within range when an event starts; false alarms per sensor-day."""
    outages = _outages(sensors, scenario, days, start_ns, rng)
    firing = events.observed_kind == "firing"
    # Seismic sensors feel the impact; others hear or see the origin.
    tx, ty = to_metres(events.target_lon, events.target_lat)
    parts = []
    for number, spec in enumerate(scenario.sensors):
        mine = np.flatnonzero(sensors.group == number)
        if not mine.size or not len(events):
            continue
        at_x = np.where(firing & (spec.type == "seismic"), tx, events.x_m)
        at_y = np.where(firing & (spec.type == "seismic"), ty, events.y_m)
        tree = cKDTree(np.column_stack([sensors.x_m[mine], sensors.y_m[mine]]))
        # The theatre's conic stretches distances far from Ukraine (about 1.4x at 69 N,
        # where the band along NATO's northern border runs): search wide in metres,
        # then keep what is in range on the ground.
        reach_m = spec.range_km * 1000 * PROJECTION_SLACK
        pairs = tree.query_ball_point(np.column_stack([at_x, at_y]), reach_m)
        event = np.repeat(np.arange(len(events)), [len(p) for p in pairs])
        sensor = (
            mine[np.concatenate([np.asarray(p, dtype=np.int64) for p in pairs])]
            if event.size
            else event
        )
        at_lon, at_lat = to_lonlat(at_x[event], at_y[event])
        d_km = great_circle_km(at_lon, at_lat, sensors.lon[sensor], sensors.lat[sensor])
        near = d_km <= spec.range_km
        event, sensor, d_km = event[near], sensor[near], d_km[near]
        ratio = d_km / spec.range_km
        fall = np.maximum(0.0, 1 - ratio) if spec.falloff == "linear" else np.exp(-3 * ratio**2)
        p = _probability(spec.detect, events.observed_kind[event]) * fall
        p = np.where(events.night[event], p * spec.night_factor, p)
        lag = (rng.exponential(SENSOR_DELAY_MINUTES * 60e9, len(event))).astype(np.int64)
        when = events.start_ns[event] + lag
        hit = (rng.random(len(event)) < p) & _working(sensor, when, outages)
        event, sensor, when = event[hit], sensor[hit], when[hit]
        parts.append(
            report(
                events,
                event,
                sensors.sensor_id[sensor],
                spec.type,
                sensors.lon[sensor],
                sensors.lat[sensor],
                when,
                spec.uncertainty_m,
                spec.reports_side,
                rng,
            )
        )
        parts.append(_sensor_false_alarms(sensors, mine, spec, days, start_ns, outages, rng))
    return parts


def report(
    events: Events,
    event: NDArray[np.int64],
    source_id: NDArray[np.str_],
    source_type: str,
    from_lon: NDArray[np.float64],
    from_lat: NDArray[np.float64],
    when: NDArray[np.int64],
    uncertainty_m: float,
    reports_side: bool,
    rng: np.random.Generator,
) -> Observations:
    """Detections of events by sources at (from_lon, from_lat): presence or fire."""
    n = len(event)
    kind = events.observed_kind[event]
    fire = kind == "firing"
    impact = fire & (source_type in ("seismic", "patrol"))
    at_lon = np.where(impact, events.target_lon[event], events.lon[event])
    at_lat = np.where(impact, events.target_lat[event], events.lat[event])
    lon, lat = _jitter(at_lon, at_lat, uncertainty_m, rng)
    bearing, metres = azimuth_distance(from_lon, from_lat, at_lon, at_lat)
    from_afar = fire & (source_type in ("seismic", "acoustic"))
    lon = np.where(from_afar, from_lon, lon)
    lat = np.where(from_afar, from_lat, lat)
    category = np.where(fire, np.where(impact, "explosion", "bursts_and_shots"), "")
    count = events.count[event]
    if source_type not in ("patrol",):
        count = np.maximum(1, np.round(count * rng.uniform(0.5, 1.0, n))).astype(np.int64)
    side, confidence = _sides(events.party[event], source_type, reports_side, rng)
    return Observations(
        when,
        np.asarray(source_id, dtype=str),
        np.full(n, source_type),
        lon,
        lat,
        np.full(n, uncertainty_m),
        kind,
        count,
        category,
        np.where(from_afar, bearing, np.nan),
        np.where(from_afar, metres, np.nan),
        side,
        confidence,
        np.full(n, ""),
        np.full(n, -1, dtype=np.int64),
        np.full(n, np.nan),
        events.event_id[event],
    )


def _sides(
    party: NDArray[np.str_], source_type: str, reports_side: bool, rng: np.random.Generator
) -> tuple[NDArray[np.str_], NDArray[np.float64]]:
    n = len(party)
    if not reports_side or source_type not in SIDE_RIGHT:
        return np.full(n, ""), np.full(n, np.nan)
    right = rng.random(n) < SIDE_RIGHT[source_type]
    other = np.array([OTHER_PARTY.get(p, p) for p in party.tolist()], dtype=str)
    return np.where(right, party, other), np.full(n, SIDE_CONFIDENCE[source_type])


def _jitter(
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    uncertainty_m: float,
    rng: np.random.Generator,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Positions moved by a 2-D normal error whose 95% circle is the stated uncertainty."""
    sigma = uncertainty_m / 2.45
    x, y = to_metres(lon, lat)
    return to_lonlat(x + rng.normal(0, sigma, len(x)), y + rng.normal(0, sigma, len(y)))


def _sensor_false_alarms(
    sensors: Sensors,
    mine: NDArray[np.int64],
    spec: SensorGroup,
    days: int,
    start_ns: int,
    outages: tuple,
    rng: np.random.Generator,
) -> Observations:
    counts = rng.poisson(spec.false_alarms_per_day * days, len(mine))
    sensor = np.repeat(mine, counts)
    when = start_ns + (rng.random(len(sensor)) * days * NS_PER_DAY).astype(np.int64)
    keep = _working(sensor, when, outages)
    sensor, when = sensor[keep], when[keep]
    reach = rng.uniform(0, spec.range_km * 1000, len(sensor))
    angle = rng.uniform(0, 2 * np.pi, len(sensor))
    x = sensors.x_m[sensor] + reach * np.sin(angle)
    y = sensors.y_m[sensor] + reach * np.cos(angle)
    lon, lat = to_lonlat(x, y)
    kind = _false_kinds(spec.detect, len(sensor), rng)
    return _false(
        when,
        sensors.sensor_id[sensor],
        spec.type,
        sensors.lon[sensor],
        sensors.lat[sensor],
        lon,
        lat,
        kind,
        spec.uncertainty_m,
        spec.reports_side,
        rng,
    )


def _false_kinds(detect: dict, n: int, rng: np.random.Generator) -> NDArray[np.str_]:
    kinds = sorted(str(k) for k in detect)
    weight = np.array([detect[k] for k in sorted(detect, key=str)], dtype=float)
    return np.array(kinds)[rng.choice(len(kinds), size=n, p=weight / weight.sum())]


def _false(
    when: NDArray[np.int64],
    source_id: NDArray[np.str_],
    source_type: str,
    from_lon: NDArray[np.float64],
    from_lat: NDArray[np.float64],
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    kind: NDArray[np.str_],
    uncertainty_m: float,
    reports_side: bool,
    rng: np.random.Generator,
) -> Observations:
    """False alarms: something reported where nothing happened; truth ids are filled later."""
    n = len(when)
    fire = kind == "firing"
    afar = fire & (source_type in ("seismic", "acoustic"))
    bearing, metres = azimuth_distance(from_lon, from_lat, lon, lat)
    category = np.where(
        fire, np.where(source_type == "seismic", "explosion", "bursts_and_shots"), ""
    )
    party = np.where(rng.random(n) < 0.5, "RU", "UA")
    side, confidence = _sides(party, source_type, reports_side, rng)
    return Observations(
        when,
        np.asarray(source_id, dtype=str),
        np.full(n, source_type),
        np.where(afar, from_lon, lon),
        np.where(afar, from_lat, lat),
        np.full(n, uncertainty_m),
        kind,
        rng.integers(1, 6, n),
        category,
        np.where(afar, bearing, np.nan),
        np.where(afar, metres, np.nan),
        side,
        confidence,
        np.full(n, ""),
        np.full(n, -1, dtype=np.int64),
        np.full(n, np.nan),
        np.full(n, "F"),
    )


def drone_sorties(
    world: World,
    scenario: Scenario,
    drones: Drones,
    events: Events,
    days: int,
    start_ns: int,
    rng: np.random.Generator,
) -> list[Observations]:
    """Sorties fly a stretch of the line; each pass over an event still there is a trial."""
    n = int(rng.poisson(drones.sorties_per_day * days))
    length = min(drones.line_km_per_sortie, world.length_km)
    first = rng.uniform(0, world.length_km - length, n)
    launch = start_ns + (rng.random(n) * days * NS_PER_DAY).astype(np.int64)
    if drones.daylight_only:
        _, _, lon0, lat0 = world.place(first, np.zeros(n))
        keep = daylight(launch, lon0, lat0)
        first, launch, n = first[keep], launch[keep], int(keep.sum())
    speed_km_per_ns = length / (drones.endurance_hours * NS_PER_HOUR)
    names = world.sector_names(scenario.sector_km)
    jam_by_sector = np.array([drones.jamming_by_sector.get(s, drones.jamming) for s in names])
    # Which (event, sortie) pairs pass over each other: along the stretch, within the swath.
    near = np.isfinite(events.along_km) & (np.abs(events.offset_km) <= drones.swath_km / 2)
    candidates = np.flatnonzero(near)
    ev_along = events.along_km[candidates]
    inside = (ev_along[:, None] >= first[None, :]) & (ev_along[:, None] <= first[None, :] + length)
    row, sortie = np.nonzero(inside)
    event = candidates[row]
    when = launch[sortie] + ((events.along_km[event] - first[sortie]) / speed_km_per_ns).astype(
        np.int64
    )
    there = (when >= events.start_ns[event]) & (when <= events.visible_until_ns[event])
    event, sortie, when = event[there], sortie[there], when[there]
    sector = np.minimum(
        (events.along_km[event] // scenario.sector_km).astype(np.int64), len(names) - 1
    )
    jammed = (rng.random(len(event)) < jam_by_sector[sector]) | events.jammed[event]
    dark = ~daylight(when, events.lon[event], events.lat[event])
    p = _probability(drones.detect, events.observed_kind[event])
    p = np.where(dark, p * drones.night_factor, p)
    hit = ~jammed & (rng.random(len(event)) < p)
    event, sortie, when = event[hit], sortie[hit], when[hit]
    ids = numbered("drone-", sortie + 1, 5)
    seen = report(
        events,
        event,
        ids,
        "drone",
        events.lon[event],
        events.lat[event],
        when,
        drones.uncertainty_m,
        True,
        rng,
    )
    # False alarms: something reported under the sortie's track where nothing was.
    false_n = rng.poisson(drones.false_alarms_per_sortie, n)
    fs = np.repeat(np.arange(n), false_n)
    along = first[fs] + rng.uniform(0, length, len(fs))
    offset = rng.uniform(-drones.swath_km / 2, drones.swath_km / 2, len(fs))
    _, _, lon, lat = world.place(along, offset)
    f_when = launch[fs] + ((along - first[fs]) / speed_km_per_ns).astype(np.int64)
    kinds = _false_kinds(
        {k: v for k, v in drones.detect.items() if str(k) != "firing"}, len(fs), rng
    )
    f_ids = numbered("drone-", fs + 1, 5)
    false = _false(
        f_when, f_ids, "drone", lon, lat, lon, lat, kinds, drones.uncertainty_m, True, rng
    )
    return [seen, false]


def notifications(
    events: Events,
    notified: NDArray[np.int64],
    lead_days: int = 7,
    radius_km: float = NOTIFIED_RADIUS_KM,
) -> Observations:
    """A party's notice of each notified exercise, sent a week ahead: its period, and its
    area as `radius_km` around the exercise's place (no sensor error: the party says it)."""
    n = len(notified)
    start = events.start_ns[notified]
    return Observations(
        start - lead_days * NS_PER_DAY,
        np.char.add(events.party[notified], "-mod"),
        np.full(n, "notification"),
        events.lon[notified],
        events.lat[notified],
        np.full(n, np.nan),
        np.full(n, "personnel"),
        events.count[notified],
        np.full(n, ""),
        np.full(n, np.nan),
        np.full(n, np.nan),
        events.party[notified],
        np.ones(n),
        events.party[notified],
        events.end_ns[notified],
        np.full(n, radius_km),
        events.event_id[notified],
    )


CRATER_DATING_NS = 30 * 60 * 10**9  # crater analysis dates an impact to within half an hour


def crater_dated(
    events: Events, event: NDArray[np.int64], seen_ns: NDArray[np.int64], rng: np.random.Generator
) -> NDArray[np.int64]:
    """When a patrol's report says each event happened: a presence when it was seen; an
    impact, examined after the fact, when its crater analysis dates it (an observation's
    time is the event's, not the visit's)."""
    crater = events.observed_kind[event] == "firing"
    dated = events.start_ns[event] + (rng.uniform(-1.0, 1.0, len(event)) * CRATER_DATING_NS).astype(
        np.int64
    )
    return np.where(crater, np.minimum(dated, seen_ns), seen_ns)


def patrol_visits(
    world: World,
    scenario: Scenario,
    events: Events,
    patrol: NDArray[np.str_],
    along_from_km: NDArray[np.float64],
    along_to_km: NDArray[np.float64],
    when: NDArray[np.int64],
    rng: np.random.Generator,
) -> Observations:
    """Patrol visits: each sees events on its stretch still there, within sight of the DMZ."""
    teams = scenario.teams
    reach = world.dmz_half_width_km + teams.sight_km
    near = np.isfinite(events.along_km) & (np.abs(events.offset_km) <= reach)
    candidates = np.flatnonzero(near)
    ev_along = events.along_km[candidates]
    on = (ev_along[:, None] >= along_from_km[None, :]) & (ev_along[:, None] < along_to_km[None, :])
    row, visit = np.nonzero(on)
    event = candidates[row]
    at = when[visit]
    there = (at >= events.start_ns[event]) & (at <= events.visible_until_ns[event])
    event, visit, at = event[there], visit[there], at[there]
    hit = rng.random(len(event)) < _probability(teams.detect, events.observed_kind[event])
    event, visit, at = event[hit], visit[hit], at[hit]
    return report(
        events,
        event,
        patrol[visit],
        "patrol",
        events.lon[event],
        events.lat[event],
        crater_dated(events, event, at, rng),
        100.0,
        True,
        rng,
    )


def registry(
    scenario: Scenario, sensors: Sensors, source_id: NDArray[np.str_], source_type: NDArray[np.str_]
) -> list[Source]:
    """The registry the mission keeps: every fixed sensor laid out (with its place), and
    every drone sortie, patrol and party office in the stream. Networks are what share
    failure modes: one per sensor type of the mission, the mission's drones, each observer
    team (its patrols are `<team>-P<nn>` or `<team>-R`), each party's office."""
    start = scenario.start
    rows = {
        sid: Source(sid, kind, f"mission-{kind}", "mission", lon, lat, start)
        for sid, kind, lon, lat in zip(
            sensors.sensor_id.tolist(),
            [scenario.sensors[g].type for g in sensors.group.tolist()],
            sensors.lon.tolist(),
            sensors.lat.tolist(),
            strict=True,
        )
    }
    for sid, kind in sorted(set(zip(source_id.tolist(), source_type.tolist(), strict=True))):
        if sid in rows:
            continue
        if kind == "patrol":
            network, operator = f"patrol-{sid.rsplit('-', 1)[0]}", "mission"
        elif kind in ("notification", "data_exchange"):
            network, operator = sid, sid.split("-", 1)[0]  # a party's office, e.g. RU-mod
        else:
            network, operator = f"mission-{kind}", "mission"
        rows[sid] = Source(sid, kind, network, operator, registered_at=start)
    return list(rows.values())
