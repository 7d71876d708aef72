"""Tables for verification's results: findings, incidents, their transitions, compliance.

Observations stay in the ingest tables; these hold what verification made of
them. `verify_checkpoints` remembers the last observation `seq` each agreement
was verified up to, and it commits in the same transaction as the batch's
findings and incidents, so a re-run picks up exactly where the last commit
ended. Findings are unique by (rule, key): verifying the same observation
twice stores one finding. `verify_tallies` keeps each source's largest count per
window and grid cell, which caps and exercise thresholds group into areas and add
up over a window, across micro-batches.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from accord.store.schema import Base, RowId, StoredObservation, UtcDateTime
from accord.store.store import Store


class VerifyCheckpoint(Base):
    """How far verification of one agreement has got, in observation `seq`."""

    __tablename__ = "verify_checkpoints"

    agreement_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class StoredIncident(Base):
    """Findings about one event, fused: where, when, whose, how sure, and its state."""

    __tablename__ = "incidents"
    __table_args__ = (
        Index("ix_incidents_last_seen_us", "last_seen_us"),
        Index("ix_incidents_party_first_seen_us", "party", "first_seen_us"),
        # Escalation, on every live poll: the open incidents, and those near them in time.
        Index("ix_incidents_agreement_state", "agreement_id", "state"),
        Index("ix_incidents_agreement_first_seen_us", "agreement_id", "first_seen_us"),
    )

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    agreement_id: Mapped[str] = mapped_column(String(64))
    rule_id: Mapped[str] = mapped_column(String(160))
    term_id: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16))
    severity: Mapped[int] = mapped_column(Integer)
    first_seen_us: Mapped[int] = mapped_column(BigInteger)
    last_seen_us: Mapped[int] = mapped_column(BigInteger)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    sector: Mapped[str] = mapped_column(String(32))
    party: Mapped[str] = mapped_column(String(8))  # "" when unattributed
    party_confidence: Mapped[float] = mapped_column(Float)
    attribution: Mapped[str] = mapped_column(Text)  # why that party
    confidence: Mapped[float] = mapped_column(Float)  # fused over independent sources
    sources: Mapped[str] = mapped_column(Text)  # JSON list of source ids
    source_types: Mapped[str] = mapped_column(Text)  # JSON list
    networks: Mapped[str] = mapped_column(Text, default="[]")  # JSON: independent networks
    grade: Mapped[str] = mapped_column(String(16), default="reported")  # evidence grade
    # "" (nothing asked), requested (a patrol to verify it), found, not_found
    investigation: Mapped[str] = mapped_column(String(16), default="")
    ruling: Mapped[str] = mapped_column(
        String(16), default=""
    )  # joint commission: upheld, dismissed
    kinds: Mapped[str] = mapped_column(Text)  # observed kinds, comma-separated
    findings: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(BigInteger)  # largest count reported
    team: Mapped[str] = mapped_column(String(64))  # nearest observer team
    team_distance_km: Mapped[float] = mapped_column(Float)
    escalation: Mapped[str] = mapped_column(Text)  # reasons it went to headquarters, or ""
    confirmed: Mapped[bool] = mapped_column(Boolean)  # ever corroborated or verified
    # when a sighting of the place without it ended the episode, and which observation
    cleared_us: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    cleared_by: Mapped[str] = mapped_column(String(128), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


# What an incident's ledger snapshot holds: everything compliance, conditions and the
# reports read from its row (not the wall-clock bookkeeping of created/updated).
INCIDENT_COVERED = tuple(
    c.name for c in StoredIncident.__table__.columns if c.name not in ("created_at", "updated_at")
)


def incident_ref(incident_id: int) -> str:
    """The reference people use for an incident: INC- and its number in six digits."""
    return f"INC-{incident_id:06d}"


def incident_snapshots(connection: Any, ids: Any) -> list[tuple[str, dict[str, Any]]]:
    """(ref, covered values) of the incidents `ids` as they now stand, for the ledger."""
    if not ids:
        return []
    table = StoredIncident.__table__
    columns = [table.c[name] for name in INCIDENT_COVERED]
    query = select(*columns).where(table.c.id.in_(sorted(ids))).order_by(table.c.id)
    return [(incident_ref(row.id), dict(row._mapping)) for row in connection.execute(query)]


class StoredFinding(Base):
    """One breach of one rule by one observation (or one aggregate over a window)."""

    __tablename__ = "findings"
    __table_args__ = (UniqueConstraint("rule_id", "key"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    rule_id: Mapped[str] = mapped_column(String(160))
    key: Mapped[str] = mapped_column(String(200))  # observation id, or party and window
    term_id: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(32))
    observed_at_us: Mapped[int] = mapped_column(BigInteger)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    party: Mapped[str] = mapped_column(String(8))
    party_confidence: Mapped[float] = mapped_column(Float)
    attribution: Mapped[str] = mapped_column(String(200))
    source_id: Mapped[str] = mapped_column(String(128))
    source_type: Mapped[str] = mapped_column(String(16))
    confidence: Mapped[float] = mapped_column(Float)
    severity: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(BigInteger)
    observed_kind: Mapped[str] = mapped_column(String(64))
    evidence: Mapped[str] = mapped_column(Text)  # JSON list of observation ids
    detail: Mapped[str] = mapped_column(Text)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    # Within the zone edge's stated uncertainty of its edge: inside or not is undetermined.
    near_edge: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class IncidentTransition(Base):
    """One step of an incident's workflow: who moved it, when, from what, to what, why."""

    __tablename__ = "incident_transitions"

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    from_state: Mapped[str] = mapped_column(String(16))  # "" for the first
    to_state: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(128))
    # What the step is about: the data's own time for verification's steps (actor
    # `accord`), the wall clock for a person's; `recorded_at` is always the wall
    # clock when the step was written (migration 0014; unknown for older verification).
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class VerifyTally(Base):
    """A source's largest count of a rule's kinds for one party ("" when undetermined) in
    one window and one grid cell of an area's size."""

    __tablename__ = "verify_tallies"
    __table_args__ = (UniqueConstraint("rule_id", "party", "window_start_us", "source_id", "cell"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    rule_id: Mapped[str] = mapped_column(String(160))
    party: Mapped[str] = mapped_column(String(8))
    window_start_us: Mapped[int] = mapped_column(BigInteger)
    source_id: Mapped[str] = mapped_column(String(128))
    cell: Mapped[int] = mapped_column(BigInteger)  # accord.verify.areas.cells; -1: no place
    zones: Mapped[str] = mapped_column(Text)  # zone ids the largest count's point lies in
    declared: Mapped[bool] = mapped_column(Boolean)  # a party's own declaration of holdings
    count: Mapped[int] = mapped_column(BigInteger)
    observation_id: Mapped[str] = mapped_column(String(128))  # the observation with that count
    observed_at_us: Mapped[int] = mapped_column(BigInteger)
    lon: Mapped[float | None] = mapped_column(Float)  # none: holdings declared by zone
    lat: Mapped[float | None] = mapped_column(Float)


class ComplianceRecord(Base):
    """A party's compliance over one day or week, as last computed."""

    __tablename__ = "compliance"
    __table_args__ = (UniqueConstraint("agreement_id", "party", "period", "start"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    agreement_id: Mapped[str] = mapped_column(String(64))
    party: Mapped[str] = mapped_column(String(8))
    period: Mapped[str] = mapped_column(String(8))  # day or week
    start: Mapped[date] = mapped_column(Date)
    compliance_index: Mapped[float] = mapped_column(Float)
    score: Mapped[float] = mapped_column(Float)  # weighted incident score behind the index
    figures: Mapped[str] = mapped_column(Text)  # JSON: counts by kind, severity, sector
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime)


def latest_observed(store: Store, last_seq: int) -> datetime | None:
    """When the latest observation up to `last_seq` was made: the time the data has reached."""
    query = select(func.max(StoredObservation.observed_at_us)).where(
        StoredObservation.seq <= last_seq
    )
    with store.engine.connect() as connection:
        latest = connection.execute(query).scalar()
    return None if latest is None else datetime.fromtimestamp(latest / 1e6, UTC)
