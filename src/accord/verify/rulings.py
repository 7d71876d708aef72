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

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select, update

from accord.store import Store
from accord.store.database import WRITE
from accord.store.verification import StoredIncident, incident_ref
from accord.verify.compliance import DISMISSED
from accord.verify.evidence import Grade
from accord.verify.workflow import IllegalTransition, State, TransitionLog

FOUND, NOT_FOUND, REQUESTED = "found", "not_found", "requested"
UPHELD = "upheld"


def _row(connection: Connection, incident_id: int) -> Any:
    row = connection.execute(
        select(StoredIncident.__table__).where(StoredIncident.id == incident_id)
    ).one_or_none()
    if row is None:
        raise LookupError(f"no incident {incident_ref(incident_id)}")
    return row


def _who_and_why(incident_id: int, actor: str, reason: str) -> tuple[str, str]:
    if not actor.strip() or not reason.strip():
        raise IllegalTransition(
            f"{incident_ref(incident_id)}: a decision needs who (--actor) and why (--reason)"
        )
    return actor.strip(), reason.strip()


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
    actor, reason = _who_and_why(incident_id, actor, reason)
    at = at or datetime.now(UTC)
    with store.engine.connect() as connection:
        connection = connection.execution_options(**WRITE)
        with connection.begin():
            row = _row(connection, incident_id)
            if row.state == State.closed:
                raise IllegalTransition(f"{incident_ref(incident_id)} is closed")
            values: dict[str, Any] = {"investigation": FOUND if found else NOT_FOUND}
            state = row.state
            if found:
                values |= {"grade": Grade.verified.name, "confirmed": True}
                if state == State.detected:
                    state = State.confirmed.value
            values |= {"state": state, "updated_at": datetime.now(UTC)}
            connection.execute(
                update(StoredIncident).where(StoredIncident.id == incident_id).values(**values)
            )
            result = "found: verified on the spot" if found else "not found on arrival"
            log = TransitionLog()
            log.add(incident_id, row.state, state, f"investigation {result}: {reason}", at, actor)
            log.flush(connection)
            return str(values.get("grade", row.grade))


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
    actor, reason = _who_and_why(incident_id, actor, reason)
    at = at or datetime.now(UTC)
    with store.engine.connect() as connection:
        connection = connection.execution_options(**WRITE)
        with connection.begin():
            row = _row(connection, incident_id)
            if row.state != State.disputed:
                raise IllegalTransition(
                    f"{incident_ref(incident_id)} is {row.state}; the commission rules on "
                    "disputed incidents only (a party disputes it first)"
                )
            values: dict[str, Any] = {"ruling": UPHELD if upheld else DISMISSED}
            if upheld:
                values |= {"state": State.resolved.value, "grade": Grade.verified.name}
                values["confirmed"] = True
            else:
                values["state"] = State.closed.value
            values["updated_at"] = datetime.now(UTC)
            connection.execute(
                update(StoredIncident).where(StoredIncident.id == incident_id).values(**values)
            )
            verdict = "upheld" if upheld else "dismissed"
            log = TransitionLog()
            log.add(
                incident_id, row.state, values["state"], f"ruling: {verdict}: {reason}", at, actor
            )
            log.flush(connection)
            return str(values["state"])
