"""Who may do what, and who may see which incident.

One table names, for every action of the API, the roles allowed to take it
(a liaison as `liaison`, whichever party). Row-level rules come after it:

- mission staff (administrator, analysts) see everything, internal notes too;
- a party's liaison sees the incidents attributed to its party and every
  published incident, its own party's notifications, never the other party's
  notifications, unpublished incidents about the other party or any note;
- a field observer submits observations and field reports and sees the
  incidents routed to the observer's team (its tasks) and its team's patrols;
- the public sees zones and the public edition of published daily reports.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from sqlalchemy import ColumnElement, Connection, exists, or_, select, true

from accord.service.auth import Actor, Role
from accord.service.errors import Forbidden, Unauthorized
from accord.store.schema import StoredObservation
from accord.store.service import edition_scope
from accord.store.verification import StoredFinding, StoredIncident
from accord.verify.observation import PARTY_DECLARATIONS
from accord.verify.workflow import TRANSITIONS, State, parse_ref

# Ledger entries whose content every reader of the ledger may already read
# through the API (compliance figures, incentive decisions, the key registry).
OPEN_LEDGER_KINDS = frozenset({"compliance", "condition", "key"})

STAFF = frozenset({Role.admin, Role.analyst})
EVERYONE = frozenset(Role)
SIGNED_IN = EVERYONE - {Role.public}

ALLOWED: dict[str, frozenset[Role]] = {
    "observations.submit": STAFF | {Role.observer, Role.liaison},
    "field_reports.submit": STAFF | {Role.observer},
    "field_reports.read": STAFF | {Role.observer},
    "notifications.read": STAFF | {Role.liaison},
    "incidents.read": STAFF | {Role.observer, Role.liaison},
    "incidents.transition": STAFF | {Role.liaison},  # a liaison may only dispute
    "incidents.publish": STAFF,
    "incidents.notes": STAFF,
    "alerts.read": STAFF,
    "compliance.read": STAFF | {Role.liaison},
    "conditions.read": STAFF | {Role.liaison},
    "plans.read": STAFF | {Role.liaison},
    "negotiation.read": STAFF | {Role.liaison},
    "ledger.read": STAFF | {Role.liaison},
    "patrols.read": STAFF | {Role.observer},
    "zones.read": EVERYONE,
    "span.read": EVERYONE,  # the data's first and last time, of what the caller may see
    "reports.public": EVERYONE,
    "reports.party": STAFF | {Role.liaison},
    "reports.mission": STAFF,  # every incident, unpublished counts and internal notes
    "me.read": SIGNED_IN,
}


def may(actor: Actor) -> list[str]:
    """Every action the actor's role may take, so a client offers only those."""
    return sorted(action for action, roles in ALLOWED.items() if actor.role in roles)


def require(actor: Actor, action: str) -> None:
    """Refuse the action unless the actor's role may take it (401 for the public)."""
    if actor.role in ALLOWED[action]:
        return
    if actor.role is Role.public:
        raise Unauthorized(f"{action} needs a token: send `Authorization: Bearer <token>`")
    allowed = ", ".join(sorted(r.value for r in ALLOWED[action]))
    raise Forbidden(f"{action} is not open to {actor.label}; it is for {allowed}")


def incident_scope(actor: Actor) -> ColumnElement[bool]:
    """The SQL condition that keeps only the incidents the actor may see."""
    if actor.role in STAFF:
        return true()
    if actor.role is Role.observer:
        return StoredIncident.team == actor.team
    return edition_scope(actor.party if actor.role is Role.liaison else None)


def team_patrol(team: str) -> ColumnElement[bool]:
    """A team's patrols are named by the team itself or `<team>-<patrol>`: an exact
    match of the team part, so team OT-0 is not OT-01 (no LIKE wildcards either)."""
    return or_(
        StoredObservation.source_id == team,
        StoredObservation.source_id.startswith(f"{team}-", autoescape=True),
    )


def is_team_patrol(team: str | None, source_id: object) -> bool:
    """The Python form of `team_patrol`, for records not yet stored."""
    if not team or not isinstance(source_id, str):
        return False
    return source_id == team or source_id.startswith(f"{team}-")


def submission_refusal(actor: Actor, record: object) -> str | None:
    """Why the actor may not submit this record as its source, or None when it may.

    An observer reports for its own team (its patrol) and the mission's sensors,
    never a party's declaration; a liaison declares for its own party only."""
    if actor.role in STAFF or not isinstance(record, Mapping):
        return None
    source_type, source_id = record.get("source_type"), record.get("source_id")
    notification = record.get("notification")
    party = notification.get("party") if isinstance(notification, Mapping) else None
    declared = source_type in {t.value for t in PARTY_DECLARATIONS}
    if actor.role is Role.observer:
        if declared:
            return (
                f"source_type: {source_type} is a party's declaration; an observer "
                "submits its team's patrol reports and sensor readings"
            )
        if source_type == "patrol" and not is_team_patrol(actor.team, source_id):
            return (
                f"source_id: {source_id!r} is not a patrol of team {actor.team}; "
                f"name it {actor.team} or {actor.team}-<patrol>"
            )
        return None
    if not declared:
        return (
            f"source_type: {source_type!r}: {actor.label} submits its party's "
            "notifications and data exchanges only"
        )
    if party != actor.party:
        return f"notification.party: {party!r}: {actor.label} declares for {actor.party} only"
    return None


# Entries about one incident: its steps, its snapshots and its publication.
INCIDENT_LEDGER_KINDS = frozenset({"incident_transition", "incident", "publication"})


def may_see_entry(connection: Connection, actor: Actor, kind: str, ref: str) -> bool:
    """Whether the actor may see a ledger entry: the incident rules decide for an
    incident's workflow steps, and an observation is a party's only when it is that
    party's declaration or evidence of an incident the party may see."""
    if actor.role in STAFF:
        return True
    if kind in OPEN_LEDGER_KINDS:
        return True
    if kind in INCIDENT_LEDGER_KINDS:
        number = parse_ref(ref)
        query = select(StoredIncident.id).where(StoredIncident.id == number, incident_scope(actor))
        return connection.execute(query).first() is not None
    if kind != "observation" or actor.role is not Role.liaison:
        return False
    declared = select(StoredObservation.seq).where(
        StoredObservation.observation_id == ref, StoredObservation.notification_party == actor.party
    )
    evidence = select(StoredFinding.id).where(
        StoredFinding.evidence.contains(json.dumps(ref), autoescape=True),
        exists().where(StoredIncident.id == StoredFinding.incident_id, incident_scope(actor)),
    )
    return (
        connection.execute(declared).first() is not None
        or connection.execute(evidence).first() is not None
    )


def may_transition(actor: Actor, target: str) -> None:
    """Staff move incidents anywhere the workflow allows; a liaison may only dispute."""
    require(actor, "incidents.transition")
    if actor.role is Role.liaison and target != "disputed":
        raise Forbidden(
            f"a party's liaison may only dispute an incident (state disputed), not {target!r}"
        )


def transitions_for(actor: Actor) -> dict[str, list[str]]:
    """Each state, with the states the actor may move an incident in it to (the
    workflow's steps that `may_transition` lets the role take), for a client's buttons."""
    if actor.role not in ALLOWED["incidents.transition"]:
        return {}
    steps = {
        state.value: sorted(
            t.value for t in targets if actor.role is not Role.liaison or t is State.disputed
        )
        for state, targets in TRANSITIONS.items()
    }
    return {state: targets for state, targets in steps.items() if targets}


def party_edition(actor: Actor, party: str | None, edition: str | None = None) -> None:
    """A party's edition of a report goes to that party's liaison and to mission staff;
    the mission's own edition to mission staff only; the public one to anyone."""
    if edition == "mission":
        require(actor, "reports.mission")
        return
    if party is None:
        require(actor, "reports.public")
        return
    require(actor, "reports.party")
    if actor.role is Role.liaison and actor.party != party:
        raise Forbidden(f"liaison:{actor.party} may not read the {party} edition")
