"""A run: draw the truth, observe it, feed the stream through the real ingest and verification,
send patrols to what is unconfirmed, verify again, and score against the truth.

The stream goes through `accord.verify.ingest.ingest_file` into a SQLite store
in a temporary folder and through `accord.verify.pipeline.run_verification`,
exactly as field data would. It is verified in two passes: first what the
sensors, drones and scheduled patrols reported; then the reports of patrols
sent to the incidents still unconfirmed, routed by `responding_team` on the
day's patrol plan. Everything comes from one seeded NumPy Generator, the
plan is solved deterministically, and files are written with fixed
formatting, so a seed fixes the output files byte for byte.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from scipy.spatial import cKDTree
from sqlalchemy import select

from accord.agreement import Agreement
from accord.book import writing
from accord.geo.geodesy import great_circle_km
from accord.ops import Plan, PlanRouting, respond_any_day
from accord.sim.clock import SimClock, simulated_days
from accord.sim.events import NS_PER_DAY, Events, generate_events
from accord.sim.output import records, write_outputs
from accord.sim.patrols import scenario_plan
from accord.sim.scenario import Scenario, load_scenario
from accord.sim.score import IncidentRecord, Scores, TrueEvent, score
from accord.sim.sources import (
    Observations,
    crater_dated,
    drone_sorties,
    fixed_sensors,
    layout,
    notifications,
    numbered,
    patrol_visits,
    placement_notes,
    registry,
    report,
)
from accord.sim.world import World, build_world, mission_teams, to_metres
from accord.store import open_store
from accord.store.sources import Source, register, set_monitoring_start
from accord.store.verification import StoredFinding, StoredIncident
from accord.verify.evidence import Grade, Networks, established_at
from accord.verify.ingest import ingest_file
from accord.verify.pipeline import run_verification
from accord.verify.rulings import record_investigation

Progress = Callable[[str], None]
STEPS = ("truth", "observe", "verify", "respond", "re-verify", "score")
DUPLICATE_RESPONSE_KM = 2.0  # one patrol answers incidents this close...
DUPLICATE_RESPONSE_HOURS = 6.0  # ...and this near in time


@dataclass(frozen=True)
class RunResult:
    """A scenario run: its scores and the sizes and timings behind them."""

    scenario: str
    seed: int
    days: int
    scores: Scores
    observations: int
    events: int
    violations: int
    patrols_per_day: int
    responses: int
    seconds: dict[str, float]
    notes: tuple[str, ...] = ()  # sensor groups the plan's zones leave no place for

    def summary(self) -> dict[str, Any]:
        """The run's figures as JSON."""
        return {
            "scenario": self.scenario,
            "seed": self.seed,
            "days": self.days,
            "events": self.events,
            "violations": self.violations,
            "observations": self.observations,
            "patrols_per_day": self.patrols_per_day,
            "responses": self.responses,
            "scores": self.scores.summary(),
            "notes": list(self.notes),
        }


def simulate(
    scenario: Scenario | str,
    days: int,
    seed: int,
    out_dir: Path | None = None,
    progress: Progress | None = None,
    database_url: str | None = None,
    agreement: Agreement | None = None,
    mission_key: Ed25519PrivateKey | None = None,
) -> RunResult:
    """Run the scenario for `days` from its start on `agreement`'s rules (by default the
    plan the scenario names); write the stream, truth and scores to `out_dir` when given
    (observations.jsonl, truth.jsonl, scores.json). The stream goes into the store at
    `database_url` when given (the main job keeps it for the reports and the server),
    else into a throw-away one, day by day on the simulated clock; with `mission_key`
    each day the run recorded on is then closed and signed (`accord.sim.clock`)."""
    if isinstance(scenario, str):
        scenario = load_scenario(scenario)
    if days < 1:
        raise ValueError(f"--days is {days}; a run needs at least one day")
    step = progress or (lambda _: None)
    clock: dict[str, float] = {}
    began = time.perf_counter()
    world = build_world(scenario, agreement)
    rng = np.random.default_rng(seed)
    start_ns = int(scenario.start.timestamp()) * 1_000_000_000
    events = generate_events(world, scenario, days, rng)
    clock["truth"] = _lap(began)
    step("truth")
    began = time.perf_counter()
    plan = scenario_plan(world, scenario, scenario.start.date())
    # Incidents are routed by the day's patrol plan, as the mission would route them.
    verifier = replace(world.verifier, teams=PlanRouting(plan))
    sensors = layout(world, scenario)
    parts = fixed_sensors(world, scenario, sensors, events, days, start_ns, rng)
    if scenario.drones is not None:
        parts += drone_sorties(world, scenario, scenario.drones, events, days, start_ns, rng)
    parts.append(notifications(events, np.flatnonzero(events.kind == "notified_exercise")))
    parts.append(_scheduled_patrols(world, scenario, plan, events, days, rng))
    first = _ordered(Observations.concat(parts), 0)
    clock["observe"] = _lap(began)
    step("observe")
    end = scenario.start + timedelta(days=days)
    with tempfile.TemporaryDirectory(prefix="accord-sim-") as folder:
        work = Path(folder)
        began = time.perf_counter()
        store = open_store(database_url or f"sqlite:///{work / 'sim.db'}")
        try:
            with simulated_days(store, scenario.start, end, mission_key) as ledger:
                with writing(store) as connection:
                    set_monitoring_start(connection, scenario.start)
                sources = registry(scenario, sensors, *_ids(first))
                _feed(store, work / "stream-1", first, sources, ledger)
                if ledger is not None:  # verified as the run's last day ends
                    ledger.advance(end - timedelta(microseconds=1))
                run_verification(store, verifier, now=end)
                clock["verify"] = _lap(began)
                step("verify")
                began = time.perf_counter()
                second, visits = _respond(
                    world, scenario, plan, events, store, rng, len(first["id"])
                )
                clock["respond"] = _lap(began)
                step("respond")
                began = time.perf_counter()
                if len(second):
                    sources = registry(scenario, sensors, *_ids(second))
                    _feed(store, work / "stream-2", second, sources, ledger)
                    run_verification(store, verifier, now=end)
                _not_found(store, visits)
                clock["re-verify"] = _lap(began)
                step("re-verify")
                began = time.perf_counter()
            incidents = _incidents(store, world.verifier.ruleset.agreement_id, verifier.networks)
        finally:
            store.close()
        stream = _join_ordered(first, second)
        truth = [
            TrueEvent(str(e), str(k), str(p), int(s), bool(v))
            for e, k, p, s, v in zip(
                events.event_id,
                events.kind,
                events.party,
                events.start_ns,
                events.violation,
                strict=True,
            )
        ]
        ids = stream["id"].tolist()
        scores = score(
            truth,
            dict(zip(ids, stream["truth"].tolist(), strict=True)),
            dict(zip(ids, stream["time_ns"].tolist(), strict=True)),
            incidents,
            days,
        )
        clock["score"] = _lap(began)
        step("score")
    result = RunResult(
        scenario.name,
        seed,
        days,
        scores,
        len(ids),
        len(events),
        int(events.violation.sum()),
        plan.patrols,
        len(second.get("id", ())),
        clock,
        tuple(placement_notes(world, scenario)),
    )
    if out_dir is not None:
        write_outputs(out_dir, result, stream, events)
    return result


def _lap(began: float) -> float:
    return round(time.perf_counter() - began, 3)


def _scheduled_patrols(
    world: World,
    scenario: Scenario,
    plan: Plan,
    events: Events,
    days: int,
    rng: np.random.Generator,
) -> Observations:
    """The plan's sector visits, repeated every day of the run."""
    names = world.sector_names(scenario.sector_km)
    patrol, low, high, when = [], [], [], []
    for route in plan.routes:
        for stop in route.stops:
            if stop.kind != "sector":
                continue
            number = names.index(stop.name)
            for day in range(days):
                patrol.append(route.patrol)
                low.append(number * scenario.sector_km)
                high.append((number + 1) * scenario.sector_km)
                arrive = stop.arrive + timedelta(days=day)
                when.append(int(arrive.timestamp()) * 1_000_000_000)
    span = rng.uniform(0, 1, len(when)) * _visit_ns(plan)
    return patrol_visits(
        world,
        scenario,
        events,
        np.array(patrol, dtype=str),
        np.array(low),
        np.array(high),
        np.array(when, dtype=np.int64) + span.astype(np.int64),
        rng,
    )


def _visit_ns(plan: Plan) -> int:
    stops = [s for r in plan.routes for s in r.stops if s.kind == "sector"]
    return int((stops[0].leave - stops[0].arrive).total_seconds() * 1e9) if stops else 0


def _ordered(obs: Observations, first_number: int) -> dict[str, np.ndarray]:
    """Observations in time order (then source, then truth), numbered; false alarms named."""
    order = np.lexsort((obs.truth, obs.source_id, obs.time_ns))
    columns = obs.take(order).columns()
    numbers = np.arange(first_number + 1, first_number + len(order) + 1)
    columns["id"] = numbered("sim-", numbers, 7)
    false = columns["truth"] == "F"
    columns["truth"] = np.where(false, numbered("F", numbers, 7), columns["truth"])
    return columns


def _join_ordered(
    first: dict[str, np.ndarray], second: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    if not len(second):
        return first
    return {name: np.concatenate([first[name], second[name]]) for name in first}


def _ids(columns: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    return columns["source_id"], columns["source_type"]


def _feed(
    store: Any,
    stem: Path,
    columns: dict[str, np.ndarray],
    sources: list[Source],
    ledger: SimClock | None,
) -> None:
    """Register the stream's sources (as the mission would before they report), then
    ingest it: on a simulated clock one UTC day at a time, each when its last record
    has arrived, so the ledger records every observation on its own day."""
    with writing(store) as connection:
        register(connection, sources)
    times = columns["time_ns"]
    days = times // NS_PER_DAY if ledger is not None else np.zeros(len(times), np.int64)
    bounds = np.flatnonzero(np.diff(days)) + 1
    for low, high in zip([0, *bounds], [*bounds, len(times)], strict=True):
        if low == high:
            continue
        if ledger is not None:
            ledger.advance(datetime.fromtimestamp(int(times[high - 1]) / 1e9, UTC))
        path = stem.with_name(f"{stem.name}-{int(days[low])}.jsonl")
        path.write_text("".join(records({k: v[low:high] for k, v in columns.items()})), "utf-8")
        ingest_file(store, path, batch_size=20_000)


def _respond(
    world: World,
    scenario: Scenario,
    plan: Plan,
    events: Events,
    store: Any,
    rng: np.random.Generator,
    numbered: int,
) -> tuple[dict[str, np.ndarray], list[tuple[int, str, datetime]]]:
    """Patrols sent to investigate every incident not yet verified; what they find on
    arrival, and which incident each one went to."""
    if not scenario.teams.respond:
        return {}, []
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(
                StoredIncident.id,
                StoredIncident.lon,
                StoredIncident.lat,
                StoredIncident.first_seen_us,
            )
            .where(StoredIncident.grade != Grade.verified.name)
            .order_by(StoredIncident.first_seen_us, StoredIncident.id)
        ).all()
    teams = mission_teams(world, scenario.teams)
    capacity = dict(zip(plan.team_ids, teams.patrols_per_team(), strict=True))
    used: dict[tuple[str, int], int] = {}
    sent: list[tuple[float, float, int]] = []
    patrol, at, lon, lat, visited = [], [], [], [], []
    for row in rows:
        if any(
            abs(row.first_seen_us - t) <= DUPLICATE_RESPONSE_HOURS * 3.6e9
            and float(great_circle_km(row.lon, row.lat, x, y)) <= DUPLICATE_RESPONSE_KM
            for x, y, t in sent
        ):
            continue
        sent.append((row.lon, row.lat, row.first_seen_us))
        seen = datetime.fromtimestamp(row.first_seen_us / 1e6, UTC)
        answer = respond_any_day(plan, row.lon, row.lat, seen)
        arrive = answer.arrive
        while used.get((answer.team, arrive.toordinal()), 0) >= capacity[answer.team]:
            arrive = datetime.combine(
                arrive.date() + timedelta(days=1), plan.duty_start[0].timetz()
            )
        used[(answer.team, arrive.toordinal())] = used.get((answer.team, arrive.toordinal()), 0) + 1
        patrol.append(answer.patrol or f"{answer.team}-R")
        at.append(int(arrive.timestamp() * 1e9))
        lon.append(row.lon)
        lat.append(row.lat)
        visited.append(row.id)
    if not at:
        return {}, []
    found = _on_arrival(
        scenario,
        events,
        np.array(patrol, dtype=str),
        np.array(at, dtype=np.int64),
        np.array(lon),
        np.array(lat),
        rng,
    )
    visits = [
        (incident, str(team), datetime.fromtimestamp(when / 1e9, UTC))
        for incident, team, when in zip(visited, patrol, at, strict=True)
    ]
    return _ordered(found, numbered), visits


def _not_found(store: Any, visits: list[tuple[int, str, datetime]]) -> None:
    """Each investigation whose patrol saw nothing is recorded so: the incident keeps its
    grade, and its history says the place was seen without it."""
    with store.engine.connect() as connection:
        rows = connection.execute(select(StoredIncident.id, StoredIncident.grade)).all()
    graded = {incident: grade for incident, grade in rows}
    for incident, patrol, at in visits:
        if graded.get(incident) != Grade.verified.name:
            record_investigation(
                store,
                incident,
                found=False,
                actor=patrol,
                reason="the patrol saw nothing there on arrival",
                at=at,
            )


def _on_arrival(
    scenario: Scenario,
    events: Events,
    patrol: np.ndarray,
    at: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    rng: np.random.Generator,
) -> Observations:
    """Events within sight of where a patrol arrives, still there (or their craters)."""
    ex, ey = to_metres(events.target_lon, events.target_lat)
    px, py = to_metres(lon, lat)
    pairs = cKDTree(np.column_stack([ex, ey])).query_ball_point(
        np.column_stack([px, py]), scenario.teams.sight_km * 1000
    )
    visit = np.repeat(np.arange(len(at)), [len(p) for p in pairs])
    event = np.concatenate([np.asarray(sorted(p), dtype=np.int64) for p in pairs])
    when = at[visit]
    there = (when >= events.start_ns[event]) & (when <= events.visible_until_ns[event])
    table = {str(k): p for k, p in scenario.teams.detect.items()}
    p = np.array([table.get(k, 0.0) for k in events.observed_kind[event].tolist()])
    hit = there & (rng.random(len(event)) < p)
    event, visit, when = event[hit], visit[hit], when[hit]
    when = crater_dated(events, event, when, rng)
    return report(
        events,
        event,
        patrol[visit],
        "patrol",
        events.lon[event],
        events.lat[event],
        when,
        100.0,
        True,
        rng,
    )


def _incidents(store: Any, agreement_id: str, networks: Networks) -> list[IncidentRecord]:
    """Incidents with their evidence and the moment each became confirmed."""
    with store.engine.connect() as connection:
        incidents = connection.execute(
            select(
                StoredIncident.id,
                StoredIncident.party,
                StoredIncident.confirmed,
                StoredIncident.grade,
            )
            .where(StoredIncident.agreement_id == agreement_id)
            .order_by(StoredIncident.id)
        ).all()
        findings = connection.execute(
            select(
                StoredFinding.incident_id,
                StoredFinding.observed_at_us,
                StoredFinding.source_id,
                StoredFinding.source_type,
                StoredFinding.evidence,
            ).order_by(StoredFinding.incident_id, StoredFinding.observed_at_us, StoredFinding.id)
        ).all()
    evidence: dict[int, list[Any]] = {}
    for finding in findings:
        evidence.setdefault(finding.incident_id, []).append(finding)
    records = []
    for incident in incidents:
        mine = evidence.get(incident.id, [])
        confirmed_ns, by_patrol = None, False
        if incident.confirmed:
            at = established_at(
                np.array([f.source_id for f in mine], dtype=np.str_),
                np.array([f.source_type for f in mine], dtype=np.str_),
                networks,
            )
            if at is not None:
                confirmed_ns = mine[at].observed_at_us * 1000
                by_patrol = mine[at].source_type == "patrol"
        observations = tuple(o for f in mine for o in json.loads(f.evidence))
        records.append(
            IncidentRecord(
                incident.id,
                incident.party,
                observations,
                confirmed_ns,
                by_patrol,
                Grade.named(incident.grade) >= Grade.corroborated,
            )
        )
    return records


def week_summary(seed: int = 0, scenario: str = "default") -> dict[str, Any]:
    """A week of the default scenario through ingest and verification, scored: the figures the
    main job reports (detection, confirmation, false incidents, against ground truth)."""
    result = simulate(scenario, 7, seed)
    total = result.scores.total()
    return {
        "scenario": result.scenario,
        "seed": seed,
        "days": 7,
        "violations": total.violations,
        "detection_rate": round(total.detection_rate, 4),
        "confirmation_rate": round(total.confirmation_rate, 4),
        "false_incidents_per_day": round(result.scores.false_incidents_per_day, 2),
        "attribution_accuracy": round(result.scores.attribution_accuracy, 4),
        "by_kind": {
            k: {
                "violations": v.violations,
                "detection_rate": round(v.detection_rate, 4),
                "confirmation_rate": round(v.confirmation_rate, 4),
            }
            for k, v in sorted(result.scores.by_kind.items())
        },
        "observations": result.observations,
    }
