"""What the mission and the joint commission decide about an incident, stored and ledgered.

An incident that is not verified asks for an investigation (a patrol sent to
the place, `investigation = requested`). The team's result is recorded here:
found, and the incident is verified (the mission ruled on it after
investigation); not found, and it keeps its grade, since a breach that has
ended leaves nothing to find, and the record says the place was seen without it.

A party may dispute an incident; the joint commission's ruling settles it:
upheld (verified, resolved) or dismissed (closed, and no longer counted in
any party's compliance). Each decision is a workflow step with who, when and
why, and the incident's new values go to the ledger with it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select, update

from accord.store import Store
from accord.store.database import WRITE
from accord.store.verification import StoredIncident, incident_ref
from accord.verify.compliance import DISMISSED
from accord.verify.evidence import Grade
from accord.verify.workflow import IllegalTransition, State, TransitionLog

FOUND, NOT_FOUND = "found", "not_found"
UPHELD = "upheld"


def _row(connection: Connection, incident_id: int) -> Any:
    row = connection.execute(
        select(StoredIncident.__table__).where(StoredIncident.id == incident_id)
    ).one_or_none()
    if row is None:
        raise LookupError(f"no incident {incident_ref(incident_id)}")
    return row


Decision = Callable[[Any], tuple[dict[str, Any], str]]  # row -> (new values, history text)


def _decide(
    store: Store, incident_id: int, actor: str, reason: str, at: datetime | None, decide: Decision
) -> dict[str, Any]:
    """Apply one decision to an incident in one transaction, as a step of its history
    (who, when, why) with the incident's new values in the ledger; returns the row as
    it now stands."""
    if not actor.strip() or not reason.strip():
        raise IllegalTransition(
            f"{incident_ref(incident_id)}: a decision needs who (--actor) and why (--reason)"
        )
    actor = actor.strip()
    with store.engine.connect() as connection:
        connection = connection.execution_options(**WRITE)
        with connection.begin():
            row = _row(connection, incident_id)
            values, text = decide(row)
            values = {"state": row.state, **values, "updated_at": datetime.now(UTC)}
            connection.execute(
                update(StoredIncident).where(StoredIncident.id == incident_id).values(**values)
            )
            log = TransitionLog()
            why = f"{text}: {reason.strip()}"
            log.add(incident_id, row.state, values["state"], why, at or datetime.now(UTC), actor)
            log.flush(connection)
            return dict(row._mapping) | values


def record_investigation(
    store: Store,
    incident_id: int,
    *,
    found: bool,
    actor: str,
    reason: str,
    at: datetime | None = None,
) -> str:
    """Record what the team sent to an incident found there; returns the incident's grade."""

    def decide(row: Any) -> tuple[dict[str, Any], str]:
        if row.state == State.closed:
            raise IllegalTransition(f"{incident_ref(incident_id)} is closed")
        if not found:
            return {"investigation": NOT_FOUND}, "investigation not found on arrival"
        state = State.confirmed.value if row.state == State.detected else row.state
        values = {"investigation": FOUND, "grade": Grade.verified.name, "confirmed": True}
        return values | {"state": state}, "investigation found: verified on the spot"

    return str(_decide(store, incident_id, actor, reason, at, decide)["grade"])


def rule_on_dispute(
    store: Store,
    incident_id: int,
    *,
    upheld: bool,
    actor: str,
    reason: str,
    at: datetime | None = None,
) -> str:
    """The joint commission's ruling on a disputed incident; returns its new state."""

    def decide(row: Any) -> tuple[dict[str, Any], str]:
        if row.state != State.disputed:
            raise IllegalTransition(
                f"{incident_ref(incident_id)} is {row.state}; the commission rules on "
                "disputed incidents only (a party disputes it first)"
            )
        if not upheld:
            return {"ruling": DISMISSED, "state": State.closed.value}, "ruling: dismissed"
        values = {"ruling": UPHELD, "state": State.resolved.value, "grade": Grade.verified.name}
        return values | {"confirmed": True}, "ruling: upheld"

    return str(_decide(store, incident_id, actor, reason, at, decide)["state"])
