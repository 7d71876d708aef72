"""Verification over what has been ingested: classify, find, correlate, store, escalate.

`verify_batch` is the pure batch stage (NumPy in, findings and incident
drafts out) that a replay or a benchmark calls directly. `run_verification`
applies it to the store incrementally: it reads observations after the
agreement's checkpoint, and writes findings, incidents, their first
transitions and the new checkpoint in one transaction per batch, so a re-run
starts where the last commit ended and verifying twice stores nothing twice.
A finding joins an incident still open from an earlier batch when it is
within the correlation windows of that incident's last finding.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Connection, func, insert, select, update

from accord.agreement import Agreement
from accord.geo.classify import ZoneIndex
from accord.geo.control import control_for
from accord.geo.line import line_of_contact
from accord.geo.zones import zones_from_agreement
from accord.store import Store, load_columns
from accord.store.columns import KIND_CODES, ObservationColumns
from accord.store.database import WRITE
from accord.store.schema import StoredObservation as Obs
from accord.store.verification import (
    ObservationDetails,
    StoredFinding,
    StoredIncident,
    VerifyCheckpoint,
    VerifyTally,
    latest_observed,
    load_details,
)
from accord.verify.findings import (
    Batch,
    Findings,
    Notices,
    Tallies,
    concat_findings,
    detect,
    evaluate_tallies,
    notices,
)
from accord.verify.incidents import (
    Correlation,
    Draft,
    Routing,
    Sectors,
    Teams,
    correlate,
    fuse,
    independently_confirmed,
    place,
)
from accord.verify.ingest import observation_row
from accord.verify.observation import Observation
from accord.verify.rules import RuleSet, compile_rules
from accord.verify.workflow import (
    ACTIVE_STATES,
    OPEN_STATES,
    Escalation,
    IncidentView,
    State,
    TransitionLog,
)

DEFAULT_BATCH_SIZE = 200_000


@dataclass(frozen=True)
class Verifier:
    """Everything a batch is checked against: rules, zones, sectors, teams, settings."""

    ruleset: RuleSet
    index: ZoneIndex
    teams: Routing
    sectors: Sectors | None = None
    correlation: Correlation = field(default_factory=Correlation.shipped)
    escalation: Escalation = field(default_factory=Escalation.shipped)

    @classmethod
    def for_agreement(
        cls,
        agreement: Agreement,
        *,
        control: str | Path | None = None,
        events: Mapping[str, datetime] | None = None,
        cache_dir: Path | None = None,
        edge_uncertainty_m: float | None = None,
    ) -> Verifier:
        """Zones of the agreement on the control map (shipped by default; its edges off by
        `edge_uncertainty_m`, default what the map states), compiled once: the index is
        kept in `cache_dir` under a hash of the agreement and the map."""
        line = line_of_contact(control_for(control, edge_uncertainty_m=edge_uncertainty_m))
        zones, notes = zones_from_agreement(agreement, line)
        ruleset = compile_rules(agreement, zones, notes, events=events)
        index = None
        if cache_dir is not None:
            key = hashlib.sha256(
                (
                    agreement.model_dump_json() + line.lines.wkb_hex + str(line.edge_uncertainty_m)
                ).encode()
            ).hexdigest()[:16]
            cached = cache_dir / f"zones-{agreement.id}-{key}.npz"
            if cached.exists():
                index = ZoneIndex.load(cached)
        if index is None:
            index = ZoneIndex.build(zones)
            if cache_dir is not None:
                cache_dir.mkdir(parents=True, exist_ok=True)
                index.save(cached)
        return cls(ruleset, index, Teams.shipped(), Sectors(line.main))


@dataclass
class BatchResult:
    """What one batch yields before storage."""

    findings: Findings
    tallies: Tallies
    drafts: list[Draft]


def batch_from_observations(observations: Sequence[Observation], first_seq: int = 1) -> Batch:
    """A batch straight from validated observations (live use and tests), no database."""
    rows = [observation_row(o, "", i) for i, o in enumerate(observations)]

    def column(name: str, dtype: Any, missing: Any = None) -> np.ndarray:
        values = [row[name] for row in rows]
        if missing is not None:
            values = [missing if v is None else v for v in values]
        return np.array(values, dtype=dtype) if values else np.array([], dtype=dtype)

    columns = ObservationColumns(
        seq=np.arange(first_seq, first_seq + len(rows), dtype=np.int64),
        observation_id=column("observation_id", np.str_),
        source_id=column("source_id", np.str_),
        source_type=column("source_type", np.str_),
        time_ns=column("observed_at_us", np.int64) * 1000,
        lon=column("lon", np.float64, np.nan),
        lat=column("lat", np.float64, np.nan),
        uncertainty_m=column("uncertainty_m", np.float64, np.nan),
        kind=np.array([KIND_CODES[row["kind"]] for row in rows], dtype=np.int16),
        count=column("count", np.int64),
        firing_category=column("firing_category", np.str_, ""),
        side=column("side", np.str_, ""),
        side_confidence=column("side_confidence", np.float64, np.nan),
    )
    details = ObservationDetails(
        bearing_deg=column("bearing_deg", np.float64, np.nan),
        distance_min_m=column("distance_min_m", np.float64, np.nan),
        distance_max_m=column("distance_max_m", np.float64, np.nan),
        notice_subject=column("notification_subject", np.str_, ""),
        notice_party=column("notification_party", np.str_, ""),
        notice_zone=column("zone", np.str_, ""),
        notice_start_ns=column("starts_at_us", np.int64, -1) * np.int64(1000),
        notice_end_ns=column("ends_at_us", np.int64, -1) * np.int64(1000),
    )
    return Batch(columns, details)


def verify_batch(verifier: Verifier, batch: Batch) -> BatchResult:
    """Classify, find and correlate one batch on its own (replay, benchmark, tests)."""
    point, tallies = detect(verifier.ruleset, verifier.index, batch)
    findings = concat_findings(point, evaluate_tallies(verifier.ruleset, tallies, notices(batch)))
    labels = correlate(
        findings.rule, findings.time_ns, findings.lon, findings.lat, verifier.correlation
    )
    drafts = fuse(findings, labels)
    place(drafts, verifier.sectors, verifier.teams)
    return BatchResult(findings, tallies, drafts)


@dataclass
class RunSummary:
    observations: int = 0
    batches: int = 0
    findings: int = 0
    incidents_new: int = 0
    incidents_updated: int = 0
    escalated: int = 0
    last_seq: int = 0
    seconds: float = 0.0


def checkpoint(store: Store, agreement_id: str) -> int:
    """The last observation seq verified for the agreement (0 if none)."""
    query = select(VerifyCheckpoint.last_seq).where(VerifyCheckpoint.agreement_id == agreement_id)
    with store.engine.connect() as connection:
        return connection.execute(query).scalar() or 0


def run_verification(
    store: Store,
    verifier: Verifier,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    now: datetime | None = None,
    on_incident: Callable[[int, datetime], None] | None = None,
) -> RunSummary:
    """Verify every observation stored after the checkpoint, batch by batch; escalate."""
    started = time.perf_counter()
    summary = RunSummary(last_seq=checkpoint(store, verifier.ruleset.agreement_id))
    while True:
        columns = load_columns(store, after_seq=summary.last_seq, limit=batch_size)
        if not len(columns):
            break
        batch = Batch(columns, load_details(store, columns))
        # Detection needs only the batch: done before the write lock is taken, so a live
        # writer waits less for it (what follows reads and writes verification's tables).
        detected = detect(verifier.ruleset, verifier.index, batch)
        with store.engine.connect() as connection:
            connection = connection.execution_options(**WRITE)
            with connection.begin():
                _store_batch(connection, verifier, batch, detected, summary, on_incident)
        summary.batches += 1
        summary.observations += len(columns)
        summary.last_seq = int(columns.seq[-1])
    # Escalation's "not resolved within 24 hours" counts on the data's clock, not the
    # wall's, so a replay, a simulation and a live feed of the same observations refer
    # the same incidents (on the wall clock a replayed week came out all referred).
    clock = now or latest_observed(store, summary.last_seq)
    summary.escalated = escalate(store, verifier, clock) if clock is not None else 0
    summary.seconds = time.perf_counter() - started
    return summary


def _store_batch(
    connection: Connection,
    verifier: Verifier,
    batch: Batch,
    detected: tuple[Findings, Tallies],
    summary: RunSummary,
    on_incident: Callable[[int, datetime], None] | None,
) -> None:
    rules = verifier.ruleset
    point, tallies = detected
    merged = _merge_tallies(connection, rules, tallies)
    findings = concat_findings(point, evaluate_tallies(rules, merged, _stored_notices(connection)))
    findings = _only_new(connection, rules, findings)
    if len(findings):
        anchors = _open_anchors(connection, rules, findings, verifier.correlation)
        rule = np.concatenate([findings.rule, anchors["rule"]])
        when = np.concatenate([findings.time_ns, anchors["time_ns"]])
        lon = np.concatenate([findings.lon, anchors["lon"]])
        lat = np.concatenate([findings.lat, anchors["lat"]])
        labels = correlate(rule, when, lon, lat, verifier.correlation)
        joins = dict(zip(labels[len(findings) :].tolist(), anchors["id"].tolist(), strict=True))
        drafts = fuse(findings, np.unique(labels[: len(findings)], return_inverse=True)[1])
        place(drafts, verifier.sectors, verifier.teams)
        first_labels = {int(labels[d.members[0]]): d for d in drafts}
        log = TransitionLog()
        stored: list[dict[str, Any]] = []
        new = [draft for label, draft in first_labels.items() if label not in joins]
        created = iter(_new_incidents(connection, rules, new))
        for label, draft in first_labels.items():
            incident = joins.get(label)
            if incident is None:
                incident = next(created)
                _log_new(log, rules, draft, incident)
                summary.incidents_new += 1
                if on_incident is not None:
                    on_incident(incident, datetime.now(UTC))
            else:
                _extend_incident(connection, incident, draft, log)
                summary.incidents_updated += 1
            stored.extend(_finding_rows(rules, findings, draft.members, incident))
        connection.execute(insert(StoredFinding), stored)
        log.flush(connection)
        summary.findings += len(findings)
    _set_checkpoint(connection, rules.agreement_id, int(batch.columns.seq[-1]))


def _merge_tallies(connection: Connection, rules: RuleSet, tallies: Tallies) -> Tallies:
    """Keep each source's largest count per window in the store; return the touched windows
    with everything stored for them (earlier batches included). The stored rows of the
    touched windows are read once, not one query per tally."""
    rule_ids = [rules.rules[number].id for number in tallies.rule.tolist()]
    windows = (tallies.window_start_ns // 1000).tolist()
    keys = list(zip(rule_ids, tallies.party.tolist(), windows, strict=True))
    touched = sorted(set(keys))
    held = {
        (row["rule_id"], row["party"], row["window_start_us"], row["source_id"]): row
        for row in _stored_tallies(connection, touched)
    }
    fresh: list[dict[str, Any]] = []
    for i, (key, source) in enumerate(zip(keys, tallies.source_id.tolist(), strict=True)):
        values = {
            "declared": bool(tallies.declared[i]),
            "count": int(tallies.count[i]),
            "observation_id": str(tallies.observation_id[i]),
            "observed_at_us": int(tallies.time_ns[i]) // 1000,
            "lon": float(tallies.lon[i]),
            "lat": float(tallies.lat[i]),
        }
        found = held.get((*key, source))
        if found is None:
            fresh.append(
                {"rule_id": key[0], "party": key[1], "window_start_us": key[2]}
                | {"source_id": source, **values}
            )
        elif found["count"] < values["count"]:
            connection.execute(
                update(VerifyTally).where(VerifyTally.id == found["id"]).values(**values)
            )
    if fresh:
        connection.execute(insert(VerifyTally), fresh)
    stored = _stored_tallies(connection, touched)
    number = {r.id: i for i, r in enumerate(rules.rules)}

    def column(name: str, dtype: Any, scale: int = 1) -> np.ndarray:
        return np.array([row[name] * scale if scale != 1 else row[name] for row in stored], dtype)

    return Tallies(
        rule=np.array([number[row["rule_id"]] for row in stored], dtype=np.int32),
        party=column("party", np.str_),
        window_start_ns=column("window_start_us", np.int64, 1000),
        source_id=column("source_id", np.str_),
        declared=column("declared", bool),
        count=column("count", np.int64),
        observation_id=column("observation_id", np.str_),
        time_ns=column("observed_at_us", np.int64, 1000),
        lon=column("lon", np.float64),
        lat=column("lat", np.float64),
    )


def _stored_tallies(connection: Connection, windows: list[tuple[str, str, int]]) -> list[Any]:
    """Every stored tally of these (rule, party, window start) windows, window by window."""
    stored: list[Any] = []
    for rule_id, party, window_us in windows:
        stored.extend(
            connection.execute(
                select(VerifyTally.__table__).where(
                    VerifyTally.rule_id == rule_id,
                    VerifyTally.party == party,
                    VerifyTally.window_start_us == window_us,
                )
            )
            .mappings()
            .all()
        )
    return stored


def _stored_notices(connection: Connection) -> Notices:
    """Every exercise notification stored so far (few: one per exercise)."""
    rows = connection.execute(
        select(Obs.notification_party, Obs.starts_at_us, Obs.ends_at_us, Obs.zone).where(
            Obs.notification_subject == "exercise"
        )
    ).all()
    return Notices(
        np.array([r[0] or "" for r in rows], dtype=np.str_),
        np.array([-1 if r[1] is None else r[1] * 1000 for r in rows], dtype=np.int64),
        np.array([-1 if r[2] is None else r[2] * 1000 for r in rows], dtype=np.int64),
        np.array([r[3] or "" for r in rows], dtype=np.str_),
    )


def _only_new(connection: Connection, rules: RuleSet, findings: Findings) -> Findings:
    """Drop findings already stored (a re-run, or an aggregate found in an earlier batch)."""
    if not len(findings):
        return findings
    rule_ids = np.array([r.id for r in rules.rules])[findings.rule]
    stored: set[tuple[str, str]] = set()
    keys = findings.key.tolist()
    for start in range(0, len(keys), 5000):
        chunk = keys[start : start + 5000]
        query = select(StoredFinding.rule_id, StoredFinding.key).where(StoredFinding.key.in_(chunk))
        stored.update((r, k) for r, k in connection.execute(query))
    keep = np.array(
        [(r, k) not in stored for r, k in zip(rule_ids.tolist(), keys, strict=True)], dtype=bool
    )
    return _subset(findings, np.flatnonzero(keep))


def _subset(findings: Findings, rows: np.ndarray) -> Findings:
    fields = {
        name: getattr(findings, name)[rows]
        for name in Findings.__dataclass_fields__
        if name not in ("evidence", "detail")
    }
    where = {int(old): new for new, old in enumerate(rows.tolist())}
    return Findings(
        **fields,
        evidence={where[i]: e for i, e in findings.evidence.items() if i in where},
        detail={where[i]: d for i, d in findings.detail.items() if i in where},
    )


def _open_anchors(
    connection: Connection, rules: RuleSet, findings: Findings, settings: Correlation
) -> dict[str, np.ndarray]:
    """Unresolved incidents of these rules seen within the time window of the new findings."""
    since_us = int(findings.time_ns.min()) // 1000 - int(settings.window_s * 1e6)
    number = {r.id: i for i, r in enumerate(rules.rules)}
    query = select(
        StoredIncident.id,
        StoredIncident.rule_id,
        StoredIncident.last_seen_us,
        StoredIncident.lon,
        StoredIncident.lat,
    ).where(
        StoredIncident.agreement_id == rules.agreement_id,
        StoredIncident.last_seen_us >= since_us,
        StoredIncident.state.in_([s.value for s in ACTIVE_STATES]),
    )
    rows = [r for r in connection.execute(query) if r.rule_id in number]
    return {
        "id": np.array([r.id for r in rows], dtype=np.int64),
        "rule": np.array([number[r.rule_id] for r in rows], dtype=np.int32),
        "time_ns": np.array([r.last_seen_us * 1000 for r in rows], dtype=np.int64),
        "lon": np.array([r.lon for r in rows], dtype=np.float64),
        "lat": np.array([r.lat for r in rows], dtype=np.float64),
    }


def _new_incidents(connection: Connection, rules: RuleSet, drafts: list[Draft]) -> list[int]:
    """Store a batch's new incidents in one statement; their ids, in the drafts' order."""
    if not drafts:
        return []
    now = datetime.now(UTC)
    values = []
    for draft in drafts:
        rule = rules.rules[draft.rule]
        confirmed = independently_confirmed(draft.sources, draft.source_types)
        values.append(
            {
                "agreement_id": rules.agreement_id,
                "rule_id": rule.id,
                "term_id": rule.term_id,
                "kind": rule.kind.value,
                "state": (State.confirmed if confirmed else State.detected).value,
                "severity": draft.severity,
                "first_seen_us": draft.first_ns // 1000,
                "last_seen_us": draft.last_ns // 1000,
                "lon": draft.lon,
                "lat": draft.lat,
                "sector": draft.sector,
                "party": draft.party,
                "party_confidence": draft.party_confidence,
                "attribution": draft.attribution,
                "confidence": draft.confidence,
                "sources": json.dumps(draft.sources),
                "source_types": json.dumps(draft.source_types),
                "kinds": ",".join(draft.kinds),
                "findings": len(draft.members),
                "count": draft.count,
                "team": draft.team,
                "team_distance_km": draft.team_distance_km,
                "escalation": "",
                "confirmed": confirmed,
                "created_at": now,
                "updated_at": now,
            }
        )
    statement = insert(StoredIncident).returning(StoredIncident.id, sort_by_parameter_order=True)
    return [int(i) for i in connection.execute(statement, values).scalars()]


def _log_new(log: TransitionLog, rules: RuleSet, draft: Draft, incident: int) -> None:
    rule = rules.rules[draft.rule]
    now = datetime.now(UTC)
    log.add(incident, "", State.detected, f"detected: breach of {rule.term_id}", now)
    if independently_confirmed(draft.sources, draft.source_types):
        log.add(incident, State.detected, State.confirmed, _confirmation(draft), now)


def _confirmation(draft: Draft) -> str:
    if "patrol" in draft.source_types:
        return "confirmed by an observer patrol"
    return f"confirmed by {len(draft.sources)} independent sources: {', '.join(draft.sources)}"


def _extend_incident(
    connection: Connection, incident: int, draft: Draft, log: TransitionLog
) -> None:
    """Add a batch's findings to an incident from an earlier batch; confirm it if due."""
    table = StoredIncident.__table__
    row = connection.execute(select(table).where(table.c.id == incident)).one()
    sources = sorted(set(json.loads(row.sources)) | set(draft.sources))
    types = sorted(set(json.loads(row.source_types)) | set(draft.source_types))
    old = len(json.loads(row.sources))
    misses = (1 - row.confidence) * (1 - draft.confidence) if len(sources) > old else None
    now = datetime.now(UTC)
    values: dict[str, Any] = {
        "last_seen_us": max(row.last_seen_us, draft.last_ns // 1000),
        "first_seen_us": min(row.first_seen_us, draft.first_ns // 1000),
        "severity": max(row.severity, draft.severity),
        "sources": json.dumps(sources),
        "source_types": json.dumps(types),
        "kinds": ",".join(sorted(set(filter(None, row.kinds.split(","))) | set(draft.kinds))),
        "findings": row.findings + len(draft.members),
        "count": max(row._mapping["count"], draft.count),
        "updated_at": now,
    }
    if misses is not None:
        values["confidence"] = 1 - misses
    if row.state == State.detected and independently_confirmed(sources, types):
        values |= {"state": State.confirmed.value, "confirmed": True}
        draft_all = Draft(**{**draft.__dict__, "sources": sources, "source_types": types})
        log.add(incident, State.detected, State.confirmed, _confirmation(draft_all), now)
    connection.execute(update(StoredIncident).where(StoredIncident.id == incident).values(**values))
    log.touch(incident)


def _finding_rows(
    rules: RuleSet, findings: Findings, rows: np.ndarray, incident: int
) -> list[dict[str, Any]]:
    """The stored rows of an incident's findings (inserted with the batch's, at once)."""
    values = []
    for i in rows.tolist():
        rule = rules.rules[int(findings.rule[i])]
        evidence = findings.evidence.get(i, (str(findings.key[i]),))
        values.append(
            {
                "rule_id": rule.id,
                "key": str(findings.key[i]),
                "term_id": rule.term_id,
                "kind": rule.kind.value,
                "observed_at_us": int(findings.time_ns[i]) // 1000,
                "lon": float(findings.lon[i]),
                "lat": float(findings.lat[i]),
                "party": str(findings.party[i]),
                "party_confidence": float(findings.party_confidence[i]),
                "attribution": str(findings.attribution[i]),
                "source_id": str(findings.source_id[i]),
                "source_type": str(findings.source_type[i]),
                "confidence": float(findings.confidence[i]),
                "severity": int(findings.severity[i]),
                "count": int(findings.count[i]),
                "observed_kind": str(findings.observed_kind[i]),
                "evidence": json.dumps(list(evidence)),
                "detail": findings.detail.get(i, f"{rule.label}: {rule.kind.value} breach"),
                "incident_id": incident,
                "near_edge": bool(findings.near_edge[i]),
            }
        )
    return values


def _set_checkpoint(connection: Connection, agreement_id: str, last_seq: int) -> None:
    now = datetime.now(UTC)
    done = connection.execute(
        update(VerifyCheckpoint)
        .where(VerifyCheckpoint.agreement_id == agreement_id)
        .values(last_seq=last_seq, updated_at=now)
    )
    if done.rowcount == 0:
        connection.execute(
            insert(VerifyCheckpoint),
            {"agreement_id": agreement_id, "last_seq": last_seq, "updated_at": now},
        )


def escalate(store: Store, verifier: Verifier, now: datetime) -> int:
    """Refer to headquarters every open incident an escalation rule picks; returns how many.
    The open incidents, and those near them in time, are read before the write
    transaction begins, so ingest is not held up while they are weighed; an incident
    whose state changed meanwhile is left alone."""
    table = StoredIncident.__table__
    columns = [table.c[name] for name in _VIEW_COLUMNS]
    mine = table.c.agreement_id == verifier.ruleset.agreement_id
    open_states = [s.value for s in OPEN_STATES]
    with store.engine.connect() as connection:
        first, last = connection.execute(
            select(func.min(table.c.first_seen_us), func.max(table.c.first_seen_us)).where(
                mine, table.c.state.in_(open_states)
            )
        ).one()
        if first is None:
            return 0  # nothing open
        # Only incidents within reach of an open one can count towards its referral; the
        # span read holds every open incident too.
        reach = int(verifier.escalation.reach.total_seconds() * 1_000_000)
        near = table.c.first_seen_us.between(first - reach, last + reach)
        rows = connection.execute(select(*columns).where(mine, near)).all()
    due = verifier.escalation.referrals([_view(r) for r in rows], now)
    if not due:
        return 0
    moved = 0
    log = TransitionLog()
    with store.engine.connect() as connection:
        connection = connection.execution_options(**WRITE)
        with connection.begin():
            for view, reasons in due:
                why = "; ".join(reasons)
                changed = connection.execute(
                    update(StoredIncident)
                    .where(StoredIncident.id == view.id, StoredIncident.state == view.state)
                    .values(state=State.referred.value, escalation=why, updated_at=now)
                ).rowcount
                if changed:
                    log.add(view.id, view.state, State.referred, f"escalated: {why}", now)
                    moved += 1
            log.flush(connection)
    return moved


_VIEW_COLUMNS = ("id", "state", "kinds", "severity", "party", "sector", "first_seen_us")


def _view(row: Any) -> IncidentView:
    return IncidentView(
        id=row.id,
        state=row.state,
        kinds=frozenset(filter(None, row.kinds.split(","))),
        severity=row.severity,
        party=row.party,
        sector=row.sector,
        first_seen=datetime.fromtimestamp(row.first_seen_us / 1e6, UTC),
    )
