"""The incident workflow: states, legal steps, escalation rules, and the steps as
stored, each appended to the ledger with who, when and why."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.orm import Session

from accord.store import Store
from accord.store.database import WRITE
from accord.store.ledger import Draft as LedgerDraft
from accord.store.ledger import append as append_to_ledger
from accord.store.verification import (
    IncidentTransition,
    StoredFinding,
    StoredIncident,
    incident_ref,
    incident_snapshots,
)
from accord.verify.incidents import data_file
from accord.verify.rules import Severity

# --- workflow ----------------------------------------------------------------------


class State(StrEnum):
    """Where an incident stands in the mission's workflow."""

    detected = "detected"
    confirmed = "confirmed"  # by a second independent source or a patrol
    handled_locally = "handled_locally"
    referred = "referred"  # to headquarters
    disputed = "disputed"  # by a party
    resolved = "resolved"
    closed = "closed"


TRANSITIONS: dict[State, frozenset[State]] = {
    State.detected: frozenset({State.confirmed, State.referred, State.disputed, State.closed}),
    State.confirmed: frozenset({State.handled_locally, State.referred, State.disputed}),
    State.handled_locally: frozenset({State.resolved, State.referred, State.disputed}),
    State.referred: frozenset({State.resolved, State.disputed}),
    State.disputed: frozenset({State.referred, State.resolved}),
    State.resolved: frozenset({State.closed, State.referred}),
    State.closed: frozenset(),
}
OPEN_STATES = frozenset({State.detected, State.confirmed, State.handled_locally})
# New evidence joins an incident until it is resolved.
ACTIVE_STATES = frozenset(State) - {State.resolved, State.closed}


class IllegalTransition(ValueError):
    """A workflow step the state machine does not allow."""


def check_transition(incident: str, current: str, target: str) -> State:
    """The target state, if an incident in `current` may go there; else say where it may."""
    try:
        to = State(target)
    except ValueError:
        states = ", ".join(s.value for s in State)
        raise IllegalTransition(
            f"{incident}: unknown state {target!r}; use one of {states}"
        ) from None
    now = State(current)
    if to not in TRANSITIONS[now]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[now])) or "nothing (final)"
        raise IllegalTransition(
            f"{incident} is {now.value}; it can go to {allowed}, not {to.value}"
        )
    return to


# --- escalation --------------------------------------------------------------------


@dataclass(frozen=True)
class EscalationRule:
    """When an incident goes to headquarters; conditions are ANDed, absent ones ignored."""

    name: str
    reason: str
    kinds_any: frozenset[str] = frozenset()
    severity_at_least: int | None = None
    repeated: int | None = None  # this many incidents of the party in the sector...
    within_hours: float = 24.0  # ...within this many hours
    unresolved_hours: float | None = None  # still open this long after it was seen


@dataclass(frozen=True)
class IncidentView:
    """What escalation looks at in an incident."""

    id: int
    state: str
    kinds: frozenset[str]
    severity: int
    party: str
    sector: str
    first_seen: datetime


@dataclass(frozen=True)
class Escalation:
    """The escalation rules: when an incident moves on by itself, on data time."""

    rules: tuple[EscalationRule, ...] = field(default=())

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Escalation:
        """Escalation rules from the incidents settings, each checked with its number."""
        rules = []
        for number, item in enumerate(data.get("escalation", []), 1):
            known = set(EscalationRule.__dataclass_fields__)
            unknown = set(item) - known
            if unknown or "name" not in item or "reason" not in item:
                raise ValueError(
                    f"escalation rule {number}: needs name and reason, may have "
                    f"{', '.join(sorted(known - {'name', 'reason'}))}; got {sorted(item)}"
                )
            severity = item.get("severity_at_least")
            rules.append(
                EscalationRule(
                    **{
                        **item,
                        "kinds_any": frozenset(item.get("kinds_any", ())),
                        "severity_at_least": Severity[severity] if severity else None,
                    }
                )
            )
        return cls(tuple(rules))

    @classmethod
    def shipped(cls) -> Escalation:
        """The escalation shipped in verify/data/incidents.yaml."""
        return cls.from_data(data_file("incidents.yaml"))

    @property
    def reach(self) -> timedelta:
        """How far apart two incidents' first sightings can be and still count together."""
        spans = [r.within_hours for r in self.rules if r.repeated is not None]
        return timedelta(hours=max(spans, default=0.0))

    def reasons(
        self, incident: IncidentView, others: Sequence[IncidentView], now: datetime
    ) -> list[str]:
        """Why this open incident goes to headquarters now (empty: it stays local)."""
        return self._reasons(incident, _Seen(others), now)

    def referrals(
        self, incidents: Sequence[IncidentView], now: datetime
    ) -> list[tuple[IncidentView, list[str]]]:
        """The open incidents that go to headquarters now, and why: `reasons` for each,
        with the others indexed once (a scan of every pair took seconds per poll of the
        live verifier once a few thousand incidents were stored)."""
        seen = _Seen(incidents)
        out = []
        for incident in incidents:
            reasons = self._reasons(incident, seen, now)
            if reasons:
                out.append((incident, reasons))
        return out

    def _reasons(self, incident: IncidentView, seen: _Seen, now: datetime) -> list[str]:
        if State(incident.state) not in OPEN_STATES:
            return []
        found = []
        for rule in self.rules:
            if rule.kinds_any and not (rule.kinds_any & incident.kinds):
                continue
            if rule.severity_at_least and incident.severity < rule.severity_at_least:
                continue
            if rule.repeated is not None:
                alike = seen.within(incident, timedelta(hours=rule.within_hours))
                if not incident.party or alike < rule.repeated:
                    continue
            if rule.unresolved_hours is not None and now - incident.first_seen < timedelta(
                hours=rule.unresolved_hours
            ):
                continue
            found.append(rule.reason)
        return found


class _Seen:
    """When each party's incidents in each sector were first seen, sorted, for counting
    the ones within a span of a moment by two binary searches."""

    def __init__(self, incidents: Sequence[IncidentView]):
        self._times: dict[tuple[str, str], list[datetime]] = {}
        for incident in incidents:
            self._times.setdefault((incident.party, incident.sector), []).append(
                incident.first_seen
            )
        for times in self._times.values():
            times.sort()

    def within(self, incident: IncidentView, span: timedelta) -> int:
        """Incidents of its party and sector first seen within `span` of it, either side."""
        times = self._times.get((incident.party, incident.sector), [])
        return bisect_right(times, incident.first_seen + span) - bisect_left(
            times, incident.first_seen - span
        )


# --- the workflow in the store -------------------------------------------------------


def escalate(store: Store, agreement_id: str, escalation: Escalation, now: datetime) -> int:
    """Refer to headquarters every open incident an escalation rule picks; returns how many.
    The open incidents, and those near them in time, are read before the write
    transaction begins, so ingest is not held up while they are weighed; an incident
    whose state changed meanwhile is left alone."""
    table = StoredIncident.__table__
    columns = [table.c[name] for name in _VIEW_COLUMNS]
    mine = table.c.agreement_id == agreement_id
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
        reach = int(escalation.reach.total_seconds() * 1_000_000)
        near = table.c.first_seen_us.between(first - reach, last + reach)
        rows = connection.execute(select(*columns).where(mine, near)).all()
    due = escalation.referrals([_view(r) for r in rows], now)
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


SYSTEM_ACTOR = "accord"


@dataclass
class TransitionLog:
    """The workflow steps of one transaction: stored, and appended to the ledger,
    together, so a party can check every decision on an incident."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    touched: set[int] = field(default_factory=set)  # incidents whose row changed

    def touch(self, incident: int) -> None:
        """An incident's row changed without a step; its new values still go to the ledger."""
        self.touched.add(incident)

    def add(
        self,
        incident: int,
        old: str,
        new: str,
        reason: str,
        at: datetime,
        actor: str = SYSTEM_ACTOR,
    ) -> dict[str, Any]:
        """Record one step of an incident, returning its ledger snapshot fields."""
        row = {
            "incident_id": incident,
            "from_state": str(old),
            "to_state": str(new),
            "actor": actor,
            "at": at,
            "reason": reason,
            "recorded_at": datetime.now(UTC),
        }
        self.rows.append(row)
        return row

    def flush(self, connection: Connection) -> None:
        """Store the steps, and append them to the ledger with a snapshot of each incident
        they (or a change without a step) touched: attribution, severity and state are
        then as checkable as the steps themselves."""
        changed = self.touched | {row["incident_id"] for row in self.rows}
        if not changed:
            return
        if self.rows:
            connection.execute(insert(IncidentTransition), self.rows)
        # The ledger entry carries its own recording time; `recorded_at` stays out of
        # the payload, so the same data gives the same steps in the ledger.
        drafts = [
            LedgerDraft(
                "incident_transition",
                incident_ref(row["incident_id"]),
                {k: v for k, v in row.items() if k != "recorded_at"}
                | {"at": row["at"].astimezone(UTC).isoformat()},
            )
            for row in self.rows
        ]
        drafts += [
            LedgerDraft("incident", ref, values)
            for ref, values in incident_snapshots(connection, changed)
        ]
        append_to_ledger(connection, drafts)
        self.rows.clear()
        self.touched.clear()


def parse_ref(text: str) -> int:
    """`INC-000012` or `12` to 12."""
    digits = text.upper().removeprefix("INC-")
    if not digits.isdigit():
        raise ValueError(f"incident {text!r}: write its number, e.g. INC-000012 or 12")
    return int(digits)


def transition(
    store: Store,
    incident_id: int,
    target: str,
    *,
    actor: str,
    reason: str,
    at: datetime | None = None,
) -> IncidentTransition:
    """Move an incident to `target`, recording who, when and why; refuse illegal steps."""
    ref = incident_ref(incident_id)
    if not actor.strip() or not reason.strip():
        raise IllegalTransition(f"{ref}: a transition needs who (--actor) and why (--reason)")
    at = at or datetime.now(UTC)
    with store.engine.connect() as connection:
        connection = connection.execution_options(**WRITE)
        with connection.begin():
            state = connection.execute(
                select(StoredIncident.state).where(StoredIncident.id == incident_id)
            ).scalar()
            if state is None:
                raise LookupError(f"no incident {ref}")
            to = check_transition(ref, state, target)
            values: dict[str, Any] = {"state": to.value, "updated_at": at}
            if to is State.confirmed:
                values["confirmed"] = True
            connection.execute(
                update(StoredIncident).where(StoredIncident.id == incident_id).values(**values)
            )
            log = TransitionLog()
            row = log.add(incident_id, state, to.value, reason.strip(), at, actor.strip())
            log.flush(connection)
    return IncidentTransition(**row)


def list_incidents(
    store: Store,
    *,
    state: str | None = None,
    party: str | None = None,
    agreement_id: str | None = None,
    limit: int = 50,
) -> list[StoredIncident]:
    """Newest first."""
    query = select(StoredIncident).order_by(StoredIncident.first_seen_us.desc()).limit(limit)
    if state:
        query = query.where(StoredIncident.state == State(state).value)
    if party:
        query = query.where(StoredIncident.party == party)
    if agreement_id:
        query = query.where(StoredIncident.agreement_id == agreement_id)
    with Session(store.engine) as session:
        return list(session.scalars(query))


def clocks(step: IncidentTransition) -> tuple[datetime | None, datetime | None]:
    """A step's two times, kept apart: the data's time it is about (verification's own
    steps only) and the wall-clock time it was taken (a person's step is stamped with
    it; for verification's steps written before migration 0014 it is not known)."""
    data = step.at if step.actor == SYSTEM_ACTOR else None
    taken = step.recorded_at or (None if data is not None else step.at)
    return data, taken


def incident_detail(
    store: Store, incident_id: int
) -> tuple[StoredIncident, list[StoredFinding], list[IncidentTransition]]:
    """The incident, its findings (evidence) and its history in the order it was written."""
    with Session(store.engine) as session:
        incident = session.get(StoredIncident, incident_id)
        if incident is None:
            raise LookupError(f"no incident {incident_ref(incident_id)}")
        findings = list(
            session.scalars(
                select(StoredFinding)
                .where(StoredFinding.incident_id == incident_id)
                .order_by(StoredFinding.observed_at_us)
            )
        )
        history = list(
            session.scalars(
                select(IncidentTransition)
                .where(IncidentTransition.incident_id == incident_id)
                .order_by(IncidentTransition.id)
            )
        )
        return incident, findings, history
