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

from sqlalchemy import ColumnElement, true

from accord.service.auth import Actor, Role
from accord.service.errors import Forbidden, Unauthorized
from accord.store.service import edition_scope
from accord.store.verification import StoredIncident

STAFF = frozenset({Role.admin, Role.analyst})
EVERYONE = frozenset(Role)
SIGNED_IN = EVERYONE - {Role.public}

ALLOWED: dict[str, frozenset[Role]] = {
    "observations.submit": STAFF | {Role.observer},
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
    "reports.public": EVERYONE,
    "reports.party": STAFF | {Role.liaison},
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


def may_transition(actor: Actor, target: str) -> None:
    """Staff move incidents anywhere the workflow allows; a liaison may only dispute."""
    require(actor, "incidents.transition")
    if actor.role is Role.liaison and target != "disputed":
        raise Forbidden(
            f"a party's liaison may only dispute an incident (state disputed), not {target!r}"
        )


def party_edition(actor: Actor, party: str | None) -> None:
    """A party's edition of a report goes to that party's liaison and to mission staff."""
    if party is None:
        require(actor, "reports.public")
        return
    require(actor, "reports.party")
    if actor.role is Role.liaison and actor.party != party:
        raise Forbidden(f"liaison:{actor.party} may not read the {party} edition")
