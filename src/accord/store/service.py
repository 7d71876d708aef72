"""Tables of the mission's server: API tokens, publication, internal notes,
observers' field reports, alert deliveries and what alerts last acted on.

Tokens are stored as the sha256 of the secret, never the secret itself: a
copy of the database does not let anyone act as a token's holder. An incident
is public only once a row in `incident_publications` says who published it and
when; internal notes never leave the mission. Field reports carry what the
observation schema has no place for: restrictions on the observers' freedom
of movement and jamming of the mission's drones, which the daily report lists.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from accord.store.schema import Base, RowId, UtcDateTime
from accord.store.verification import StoredIncident

# The parties that have their own edition of what the mission publishes.
PARTIES = ("UA", "RU")


class ServiceToken(Base):
    """An API token: its hash, the role it grants and for whom."""

    __tablename__ = "service_tokens"

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the secret
    role: Mapped[str] = mapped_column(String(16))  # admin, analyst, observer, liaison
    party: Mapped[str | None] = mapped_column(String(8))  # a liaison's party
    team: Mapped[str | None] = mapped_column(String(64))  # an observer's team
    name: Mapped[str] = mapped_column(String(200))  # who holds it, for the audit trail
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # none: until revoked


class IncidentPublication(Base):
    """An incident released to the public and to both parties."""

    __tablename__ = "incident_publications"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    published_at: Mapped[datetime] = mapped_column(UtcDateTime)
    published_by: Mapped[str] = mapped_column(String(200))


class IncidentNote(Base):
    """A mission-internal note on an incident: never shown to a party or the public."""

    __tablename__ = "incident_notes"

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    author: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    text: Mapped[str] = mapped_column(Text)


class FieldReport(Base):
    """A restriction of movement or a jamming of drones, reported by an observer team."""

    __tablename__ = "field_reports"
    __table_args__ = (Index("ix_field_reports_at_us", "at_us"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))  # restriction or jamming
    team: Mapped[str] = mapped_column(String(64))
    at_us: Mapped[int] = mapped_column(BigInteger)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    party: Mapped[str | None] = mapped_column(String(8))  # who imposed it, when known
    description: Mapped[str] = mapped_column(Text)
    reported_by: Mapped[str] = mapped_column(String(200))


class AlertDelivery(Base):
    """One alert about one incident sent on one channel: what, where, and how it went."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (Index("ix_alert_deliveries_incident_id", "incident_id"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    channel: Mapped[str] = mapped_column(String(8))  # cap or cot
    target: Mapped[str] = mapped_column(String(1000))
    reason: Mapped[str] = mapped_column(String(200))
    # HTTP status, 0 for a sent datagram or stream event, -1 unreachable; none: skipped
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    detail: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class AlertMark(Base):
    """What alerts last acted on (sent or skipped) for one incident on one channel: its
    state, severity and latest workflow step then. A referral after that step, or a rise
    to the alert severity from below it, is a new transition; anything else is not."""

    __tablename__ = "alert_marks"

    incident_id: Mapped[int] = mapped_column(
        RowId, ForeignKey("incidents.id"), primary_key=True, autoincrement=False
    )
    channel: Mapped[str] = mapped_column(String(8), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    severity: Mapped[int] = mapped_column(Integer)
    step: Mapped[int] = mapped_column(BigInteger)  # incident_transitions.id, 0 for none
    at: Mapped[datetime] = mapped_column(UtcDateTime)


def edition_scope(party: str | None) -> ColumnElement[bool]:
    """The incidents an edition holds: every published one, and for a party's
    edition also those attributed to that party; never the other party's
    unpublished incidents. The API's row rules and the reports share it."""
    published = StoredIncident.id.in_(select(IncidentPublication.incident_id))
    return published if party is None else or_(StoredIncident.party == party, published)
