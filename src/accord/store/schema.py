"""The tables: observations, quarantine and the ingest log.

Observation times are stored as integer microseconds since the Unix epoch
(UTC) rather than as SQL timestamps: exact, identical on SQLite and
PostgreSQL, indexable, and loaded into NumPy columns without parsing text.
Every change to these models ships with an Alembic revision in
`accord/store/migrations/versions`; a test compares the two.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# SQLite makes only INTEGER PRIMARY KEY an auto-incrementing row id.
RowId = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC time on both backends (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store the time in UTC; a naive time is refused, not guessed."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value} given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Read the time back as aware UTC, whatever offset the backend kept."""
        if value is None:
            return None
        stamp: datetime = value
        return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)


class Base(DeclarativeBase):
    """The declarative base: one metadata, with named constraints, for every table."""

    # Named constraints, so later migrations can alter them on SQLite too.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class IngestBatch(Base):
    """One committed batch from one source: the ingest log and its checkpoint."""

    __tablename__ = "ingest_batches"
    __table_args__ = (Index("ix_ingest_batches_fingerprint", "fingerprint"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(1000))  # file path or broker URL and topic
    fingerprint: Mapped[str | None] = mapped_column(String(64))  # sha256 of a file's bytes
    first_position: Mapped[int] = mapped_column(Integer)  # line, record or message number
    last_position: Mapped[int] = mapped_column(Integer)
    records: Mapped[int] = mapped_column(Integer)
    accepted: Mapped[int] = mapped_column(Integer)  # newly stored
    duplicates: Mapped[int] = mapped_column(Integer)  # already stored with the same content
    quarantined: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    committed_at: Mapped[datetime] = mapped_column(UtcDateTime)


class StoredObservation(Base):
    """An accepted observation: typed columns for queries, the record as sent for review."""

    __tablename__ = "observations"
    __table_args__ = (
        Index("ix_observations_observed_at_us", "observed_at_us"),
        Index("ix_observations_source_id", "source_id"),
        Index("ix_observations_batch_id", "batch_id"),
        # Verification reads the stored notifications on every live poll; only the few
        # rows that are notifications are indexed, so ingest pays nothing for the rest.
        Index(
            "ix_observations_notification_subject",
            "notification_subject",
            sqlite_where=text("notification_subject IS NOT NULL"),
            postgresql_where=text("notification_subject IS NOT NULL"),
        ),
    )

    seq: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    observation_id: Mapped[str] = mapped_column(String(128), unique=True)
    source_id: Mapped[str] = mapped_column(String(128))
    source_type: Mapped[str] = mapped_column(String(16))
    observed_at_us: Mapped[int] = mapped_column(BigInteger)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    uncertainty_m: Mapped[float | None] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(32))
    count: Mapped[int] = mapped_column(BigInteger)
    firing_category: Mapped[str | None] = mapped_column(String(32))
    explosion: Mapped[str | None] = mapped_column(String(16))
    bearing_deg: Mapped[float | None] = mapped_column(Float)
    distance_min_m: Mapped[float | None] = mapped_column(Float)
    distance_max_m: Mapped[float | None] = mapped_column(Float)
    side: Mapped[str | None] = mapped_column(String(8))
    side_confidence: Mapped[float | None] = mapped_column(Float)
    notification_subject: Mapped[str | None] = mapped_column(String(16))
    notification_party: Mapped[str | None] = mapped_column(String(8))
    zone: Mapped[str | None] = mapped_column(String(128))
    radius_km: Mapped[float | None] = mapped_column(Float)  # a notified area around lon/lat
    starts_at_us: Mapped[int | None] = mapped_column(BigInteger)
    ends_at_us: Mapped[int | None] = mapped_column(BigInteger)
    record: Mapped[str] = mapped_column(Text)  # canonical JSON of the validated observation
    digest: Mapped[str] = mapped_column(String(64))  # sha256 of `record`
    raw: Mapped[str] = mapped_column(Text)  # the input exactly as received
    batch_id: Mapped[int] = mapped_column(ForeignKey("ingest_batches.id"))
    position: Mapped[int] = mapped_column(Integer)  # line, record or message number


class QuarantinedRecord(Base):
    """A record that was rejected, kept with where it came from and why."""

    __tablename__ = "quarantine"

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # makes re-reading harmless
    batch_id: Mapped[int] = mapped_column(ForeignKey("ingest_batches.id"), index=True)
    source: Mapped[str] = mapped_column(String(1000))
    position: Mapped[int] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(String(1000))  # e.g. "line 12" or "message 7 on topic t"
    raw: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)


# The columns an ingest row supplies for `observations` (all but `seq` and `batch_id`).
OBSERVATION_COLUMNS = tuple(
    c.name for c in StoredObservation.__table__.columns if c.name not in ("seq", "batch_id")
)
