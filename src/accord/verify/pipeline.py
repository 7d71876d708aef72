"""The stored live path: verification over what has been ingested, batch by batch.

`run_verification` applies the pure batch stage (`accord.verify.batch`) to the
store incrementally: it reads observations after the agreement's checkpoint,
and writes findings, incidents, their first steps and the new checkpoint in
one transaction per batch, so a re-run starts where the last commit ended and
verifying twice stores nothing twice. A finding joins an incident still open
from an earlier batch when it lies within its rule's episode link of that
incident's last sighting, and late evidence raises the incident's grade
whatever its state (a referred incident can still be corroborated).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import numpy as np
from sqlalchemy import Connection, Table, bindparam, insert, select, update

from accord.geo.geodesy import great_circle_km
from accord.store import Store
from accord.store.columns import Batch, load_columns, load_details
from accord.store.database import WRITE
from accord.store.schema import StoredObservation as Obs
from accord.store.sources import source_networks
from accord.store.verification import (
    StoredFinding,
    StoredIncident,
    VerifyCheckpoint,
    VerifyTally,
    latest_observed,
)
from accord.verify.batch import Verifier
from accord.verify.evidence import Grade, Networks, grade_of, registered
from accord.verify.findings import (
    Findings,
    Notices,
    Tallies,
    detect,
    evaluate_tallies,
)
from accord.verify.incidents import Draft, correlate, fuse, place
from accord.verify.linkage import Clears
from accord.verify.rules import RuleSet
from accord.verify.workflow import ACTIVE_STATES, State, TransitionLog, escalate

DEFAULT_BATCH_SIZE = 200_000


@dataclass
class RunSummary:
    """What one run of the stored pipeline did."""

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
    # A poll that verified nothing new leaves the data's clock where it was, so escalation
    # would pick what it picked last time: it is skipped (a live verifier polls often).
    clock = now or (latest_observed(store, summary.last_seq) if summary.batches else None)
    if clock is not None:
        agreement = verifier.ruleset.agreement_id
        summary.escalated = escalate(store, agreement, verifier.escalation, clock)
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
    aggregates = evaluate_tallies(rules, merged, _stored_notices(connection))
    findings = Findings.concat([point, aggregates])
    findings = _only_new(connection, rules, findings)
    if len(findings):
        anchors = _open_anchors(connection, rules, findings, verifier.correlation.window_s)
        rule = np.concatenate([findings.rule, anchors["rule"]])
        when = np.concatenate([findings.time_ns, anchors["time_ns"]])
        lon = np.concatenate([findings.lon, anchors["lon"]])
        lat = np.concatenate([findings.lat, anchors["lat"]])
        # An incident cleared earlier still takes a late sighting from before its clearing.
        cleared = np.flatnonzero(anchors["cleared_ns"] >= 0)
        earlier = Clears(
            anchors["rule"][cleared],
            anchors["cleared_ns"][cleared],
            anchors["lon"][cleared],
            anchors["lat"][cleared],
            np.full(cleared.size, "", dtype=str),
        )
        clears = Clears.concat([findings.clears, earlier])
        labels = correlate(rule, when, lon, lat, verifier.links, clears)
        joins = dict(zip(labels[len(findings) :].tolist(), anchors["id"].tolist(), strict=True))
        own = np.unique(labels[: len(findings)], return_inverse=True)[1]
        drafts = fuse(findings, own, _networks(connection, verifier, findings))
        place(drafts, verifier.sectors, verifier.teams)
        first_labels = {int(labels[d.members[0]]): d for d in drafts}
        log = TransitionLog()
        stored: list[dict[str, Any]] = []
        new = [draft for label, draft in first_labels.items() if label not in joins]
        created = iter(_new_incidents(connection, rules, new))
        extended: list[tuple[int, Draft]] = []
        for label, draft in first_labels.items():
            incident = joins.get(label)
            if incident is None:
                incident = next(created)
                _log_new(log, rules, draft, incident)
                summary.incidents_new += 1
                if on_incident is not None:
                    on_incident(incident, datetime.now(UTC))
            else:
                extended.append((incident, draft))
                summary.incidents_updated += 1
            stored.extend(_finding_rows(rules, findings, draft.members, incident))
        _extend_incidents(connection, extended, log)
        connection.execute(insert(StoredFinding), stored)
        log.flush(connection)
        summary.findings += len(findings)
    if len(point.clears):
        _clear_incidents(connection, verifier, point.clears)
    _set_checkpoint(connection, rules.agreement_id, int(batch.columns.seq[-1]))


def _clear_incidents(connection: Connection, verifier: Verifier, clears: Clears) -> None:
    """End the episodes these sightings saw the place without: each open incident of the
    rule last seen before one and within its rule's link of it, as `correlate` cuts."""
    rules = verifier.ruleset
    number = {r.id: i for i, r in enumerate(rules.rules)}
    reach_us = int(verifier.correlation.window_s * 1e6)
    table = cast(Table, StoredIncident.__table__)
    query = select(
        table.c.id, table.c.rule_id, table.c.state, table.c.last_seen_us, table.c.lon,
        table.c.lat,
    ).where(
        table.c.agreement_id == rules.agreement_id,
        table.c.rule_id.in_(sorted({rules.rules[int(r)].id for r in clears.rule})),
        table.c.cleared_us.is_(None),
        table.c.last_seen_us >= int(clears.time_ns.min()) // 1000 - reach_us,
        table.c.last_seen_us < int(clears.time_ns.max()) // 1000,
        table.c.state.in_([s.value for s in ACTIVE_STATES]),
    )  # fmt: skip
    log, changes = TransitionLog(), list[dict[str, Any]]()
    for row in connection.execute(query):
        rule = number[row.rule_id]
        link = verifier.links[rule]
        mine = np.flatnonzero(
            (clears.rule == rule)
            & (clears.time_ns // 1000 > row.last_seen_us)
            & (clears.time_ns // 1000 <= row.last_seen_us + int(link.window_s * 1e6))
        )
        near = great_circle_km(clears.lon[mine], clears.lat[mine], row.lon, row.lat)
        mine = mine[near <= link.distance_km]
        if not mine.size:
            continue
        first = mine[np.argmin(clears.time_ns[mine])]
        at_ns, by = int(clears.time_ns[first]), str(clears.key[first])
        changes.append({"incident": row.id, "cleared_us": at_ns // 1000, "cleared_by": by})
        at = datetime.fromtimestamp(at_ns / 1e9, UTC)
        log.add(row.id, row.state, row.state, f"cleared: the place seen without it ({by})", at)
    if changes:
        by_id = update(table).where(table.c.id == bindparam("incident"))
        connection.execute(
            by_id.values(cleared_us=bindparam("cleared_us"), cleared_by=bindparam("cleared_by")),
            changes,
        )
        log.flush(connection)


def _networks(connection: Connection, verifier: Verifier, findings: Findings) -> Networks:
    """Which sources are independent: the store's source registry where it names them,
    the verifier's own reading (one network per type) for the rest."""
    known = source_networks(connection, set(findings.source_id.tolist()))
    return registered(known) if known else verifier.networks


def _merge_tallies(connection: Connection, rules: RuleSet, tallies: Tallies) -> Tallies:
    """Keep each source's largest count per window and cell in the store; return the
    touched windows with everything stored for them (earlier batches included). The
    stored rows of the touched windows are read once, not one query per tally, and
    what the batch changes is written in two statements."""
    rule_ids = [rules.rules[number].id for number in tallies.rule.tolist()]
    windows = (tallies.window_start_ns // 1000).tolist()
    keys = list(zip(rule_ids, tallies.party.tolist(), windows, strict=True))
    touched = sorted(set(keys))
    merged = {
        (row["rule_id"], row["party"], row["window_start_us"], row["source_id"], row["cell"]): {
            **row
        }
        for row in _stored_tallies(connection, touched)
    }
    fresh: list[dict[str, Any]] = []
    raised: list[dict[str, Any]] = []
    where = zip(keys, tallies.source_id.tolist(), tallies.cell.tolist(), strict=True)
    for i, (key, source, cell) in enumerate(where):
        values = {
            "declared": bool(tallies.declared[i]),
            "count": int(tallies.count[i]),
            "observation_id": str(tallies.observation_id[i]),
            "observed_at_us": int(tallies.time_ns[i]) // 1000,
            "lon": _located(tallies.lon[i]),
            "lat": _located(tallies.lat[i]),
            "zones": str(tallies.zones[i]),
        }
        found = merged.get((*key, source, cell))
        if found is None:
            row = {"rule_id": key[0], "party": key[1], "window_start_us": key[2]}
            merged[(*key, source, cell)] = row | {"source_id": source, "cell": cell, **values}
            fresh.append(merged[(*key, source, cell)])
        elif found["count"] < values["count"]:
            found.update(values)
            raised.append({"tally": found["id"], **values})
    if fresh:
        connection.execute(insert(VerifyTally), fresh)
    if raised:
        table = cast(Table, VerifyTally.__table__)
        by_id = update(table).where(table.c.id == bindparam("tally"))
        changed: dict[str, Any] = {name: bindparam(name) for name in raised[0] if name != "tally"}
        connection.execute(by_id.values(changed), raised)
    stored = list(merged.values())
    number = {r.id: i for i, r in enumerate(rules.rules)}

    def column(name: str, dtype: Any, scale: int = 1) -> np.ndarray:
        return np.array([row[name] * scale if scale != 1 else row[name] for row in stored], dtype)

    return Tallies(
        rule=np.array([number[row["rule_id"]] for row in stored], dtype=np.int32),
        party=column("party", np.str_),
        window_start_ns=column("window_start_us", np.int64, 1000),
        source_id=column("source_id", np.str_),
        cell=column("cell", np.int64),
        declared=column("declared", bool),
        count=column("count", np.int64),
        observation_id=column("observation_id", np.str_),
        time_ns=column("observed_at_us", np.int64, 1000),
        lon=np.array([np.nan if row["lon"] is None else row["lon"] for row in stored]),
        lat=np.array([np.nan if row["lat"] is None else row["lat"] for row in stored]),
        zones=column("zones", np.str_),
    )


def _located(degrees: float) -> float | None:
    """A coordinate as stored: none for holdings declared by zone, which have no place."""
    return float(degrees) if np.isfinite(degrees) else None


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
    """Every exercise notification stored so far (few: one per exercise), with its place."""
    rows = connection.execute(
        select(
            Obs.observation_id,
            Obs.notification_party,
            Obs.starts_at_us,
            Obs.ends_at_us,
            Obs.zone,
            Obs.lon,
            Obs.lat,
            Obs.radius_km,
        ).where(Obs.notification_subject == "exercise")
    ).all()

    def number(value: float | None) -> float:
        return np.nan if value is None else value

    return Notices(
        np.array([r.observation_id for r in rows], dtype=np.str_),
        np.array([r.notification_party or "" for r in rows], dtype=np.str_),
        np.array([-1 if r.starts_at_us is None else r.starts_at_us * 1000 for r in rows], np.int64),
        np.array([-1 if r.ends_at_us is None else r.ends_at_us * 1000 for r in rows], np.int64),
        np.array([r.zone or "" for r in rows], dtype=np.str_),
        np.array([number(r.lon) for r in rows], dtype=np.float64),
        np.array([number(r.lat) for r in rows], dtype=np.float64),
        np.array([number(r.radius_km) for r in rows], dtype=np.float64),
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
    return findings.take(np.flatnonzero(keep))


def _open_anchors(
    connection: Connection, rules: RuleSet, findings: Findings, reach_s: float
) -> dict[str, np.ndarray]:
    """Unresolved incidents of these rules last seen within reach of the new findings."""
    since_us = int(findings.time_ns.min()) // 1000 - int(reach_s * 1e6)
    number = {r.id: i for i, r in enumerate(rules.rules)}
    query = select(
        StoredIncident.id,
        StoredIncident.rule_id,
        StoredIncident.last_seen_us,
        StoredIncident.lon,
        StoredIncident.lat,
        StoredIncident.cleared_us,
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
        "cleared_ns": np.array(
            [-1 if r.cleared_us is None else r.cleared_us * 1000 for r in rows], dtype=np.int64
        ),
    }


def batch_time(draft: Draft) -> datetime:
    """When a step taken on a batch's evidence happened: at its latest sighting (the data's
    clock), so a replay and a live feed record the same history."""
    return datetime.fromtimestamp(draft.last_ns / 1e9, UTC)


def _new_incidents(connection: Connection, rules: RuleSet, drafts: list[Draft]) -> list[int]:
    """Store a batch's new incidents in one statement; their ids, in the drafts' order."""
    if not drafts:
        return []
    now = datetime.now(UTC)
    values = []
    for draft in drafts:
        rule = rules.rules[draft.rule]
        established = draft.grade >= Grade.corroborated
        values.append(
            {
                "agreement_id": rules.agreement_id,
                "rule_id": rule.id,
                "term_id": rule.term_id,
                "kind": rule.kind.value,
                "state": (State.confirmed if established else State.detected).value,
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
                "networks": json.dumps(draft.networks),
                "grade": Grade(draft.grade).name,
                "investigation": "" if draft.grade >= Grade.verified else INVESTIGATE,
                "kinds": ",".join(draft.kinds),
                "findings": len(draft.members),
                "count": draft.count,
                "team": draft.team,
                "team_distance_km": draft.team_distance_km,
                "escalation": "",
                "confirmed": established,
                "created_at": now,
                "updated_at": now,
            }
        )
    statement = insert(StoredIncident).returning(StoredIncident.id, sort_by_parameter_order=True)
    return [int(i) for i in connection.execute(statement, values).scalars()]


INVESTIGATE = "requested"  # a reported or corroborated incident asks for a patrol to verify it


def _log_new(log: TransitionLog, rules: RuleSet, draft: Draft, incident: int) -> None:
    rule = rules.rules[draft.rule]
    at = datetime.fromtimestamp(draft.first_ns / 1e9, UTC)
    log.add(incident, "", State.detected, f"detected: breach of {rule.term_id}", at)
    if draft.grade >= Grade.corroborated:
        log.add(incident, State.detected, State.confirmed, _evidence(draft.grade, draft), at)


def _evidence(grade: int, draft: Draft) -> str:
    if grade >= Grade.verified:
        seen = [t for t in draft.source_types if t in ("patrol", "notification", "data_exchange")]
        by = "an observer patrol" if "patrol" in seen else "the party's own declaration"
        return f"verified: seen by {by}"
    return (
        f"corroborated by {len(draft.networks)} independent networks: {', '.join(draft.networks)}"
    )


_EXTENDED = (
    "last_seen_us", "first_seen_us", "severity", "sources", "source_types", "networks", "grade",
    "kinds", "findings", "count", "party", "party_confidence", "attribution", "confidence",
    "confirmed", "investigation", "state", "updated_at",
)  # fmt: skip


def _extend_incidents(
    connection: Connection, extended: list[tuple[int, Draft]], log: TransitionLog
) -> None:
    """Add a batch's findings to incidents from earlier batches, read and written in a
    few statements (one query and one update per incident held a live poll's write lock
    for most of its time once episodes joined most findings); raise each one's grade
    when the new evidence is independent of the old, whatever state it is in."""
    if not extended:
        return
    table = cast(Table, StoredIncident.__table__)
    ids = [incident for incident, _ in extended]
    rows = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows.update(
            {r.id: r for r in connection.execute(select(table).where(table.c.id.in_(chunk)))}
        )
    changes = []
    for incident, draft in extended:
        values = _extended(rows[incident], draft, log, batch_time(draft))
        changes.append({"incident": incident, **values})
        log.touch(incident)
    by_id = update(table).where(table.c.id == bindparam("incident"))
    connection.execute(by_id.values({name: bindparam(name) for name in _EXTENDED}), changes)


def _extended(row: Any, draft: Draft, log: TransitionLog, at: datetime) -> dict[str, Any]:
    """An incident's row with a batch's findings added, and the steps that go with it."""
    sources = sorted(set(json.loads(row.sources)) | set(draft.sources))
    types = sorted(set(json.loads(row.source_types)) | set(draft.source_types))
    networks = sorted(set(json.loads(row.networks)) | set(draft.networks))
    new_source = len(sources) > len(json.loads(row.sources))
    was = Grade.named(row.grade)
    grade = max(was, grade_of(len(networks), draft.grade >= Grade.verified))
    # Positive evidence of whose forces that arrives late attributes the incident now.
    late_party = not row.party and draft.party
    values: dict[str, Any] = {
        "last_seen_us": max(row.last_seen_us, draft.last_ns // 1000),
        "first_seen_us": min(row.first_seen_us, draft.first_ns // 1000),
        "severity": max(row.severity, draft.severity),
        "sources": json.dumps(sources),
        "source_types": json.dumps(types),
        "networks": json.dumps(networks),
        "grade": grade.name,
        "kinds": ",".join(sorted(set(filter(None, row.kinds.split(","))) | set(draft.kinds))),
        "findings": row.findings + len(draft.members),
        "count": max(row._mapping["count"], draft.count),
        "party": draft.party if late_party else row.party,
        "party_confidence": draft.party_confidence if late_party else row.party_confidence,
        "attribution": draft.attribution if late_party else row.attribution,
        "confidence": 1 - (1 - row.confidence) * (1 - draft.confidence)
        if new_source
        else row.confidence,
        "confirmed": row.confirmed or grade > was,
        "investigation": row.investigation,
        "state": row.state,
        "updated_at": datetime.now(UTC),
    }
    if grade > was:
        whole = Draft(**{**draft.__dict__, "source_types": types, "networks": networks})
        if grade >= Grade.verified and row.investigation == INVESTIGATE:
            values["investigation"] = "found"
        if row.state == State.detected:
            values["state"] = State.confirmed.value
            log.add(row.id, State.detected, State.confirmed, _evidence(grade, whole), at)
        else:
            # The state stays (a referred incident stays referred); the history says why
            # its grade rose, as a step that changes nothing but the evidence.
            log.add(row.id, row.state, row.state, f"evidence raised: {_evidence(grade, whole)}", at)
    return values


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
