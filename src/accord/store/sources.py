"""The source registry, and the screen every ingest batch passes through at commit.

The registry says which sensors, drones, patrols and party offices the mission
counts, of what type, and which *network* each belongs to: sources in one
network share failure modes (one seismic array's ground conditions and
processing, one drone fleet's jamming), so two of them agreeing is not two
independent confirmations. Every change is a ledger entry in the same
transaction, so a party can check which sources the mission counted and when.

The screen runs inside the batch's own transaction (file, MQTT, API and archive
ingest alike): with a registry, a record from a source it does not hold, from a
retired one, or with another type than the registered one is refused with the
reason; with the monitoring period's start set, so is a record that speaks only
of what happened before it. An empty registry and an unset start check nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import Connection, Float, String, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from accord.store.ledger import Draft, append, from_us, ledger_now, set_setting, setting
from accord.store.schema import Base, UtcDateTime

MONITORING_START = "monitoring_start"
_LOOKUP_CHUNK = 5_000  # ids per IN (...): PostgreSQL allows 65,535 bind parameters


class RegisteredSource(Base):
    """One source the mission counts."""

    __tablename__ = "sources"

    source_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    source_type: Mapped[str] = mapped_column(String(16))
    network: Mapped[str] = mapped_column(String(128), index=True)
    operator: Mapped[str] = mapped_column(String(128))  # "mission" or a party id
    lon: Mapped[float | None] = mapped_column(Float)  # a fixed sensor's place
    lat: Mapped[float | None] = mapped_column(Float)
    registered_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    retired_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


@dataclass(frozen=True, slots=True)
class Source:
    """A registry row; `registered_at` None means "now" for a new source, "as stored"
    for a known one, so registering the same file twice changes nothing."""

    source_id: str
    source_type: str
    network: str
    operator: str
    lon: float | None = None
    lat: float | None = None
    registered_at: dt.datetime | None = None
    retired_at: dt.datetime | None = None

    def values(self) -> dict[str, Any]:
        """The columns by name; shallow, as a deep copy drops a YAML time's offset."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def ledger_payload(self) -> dict[str, Any]:
        """The entry a registry change appends: every column, times in ISO 8601."""
        payload = self.values()
        del payload["source_id"]  # the entry's ref
        for name in ("registered_at", "retired_at"):
            moment = payload[name]
            payload[name] = None if moment is None else moment.isoformat()
        return payload


@dataclass(frozen=True, slots=True)
class Registration:
    """What one `register` did."""

    added: tuple[str, ...]
    changed: tuple[str, ...]
    unchanged: int


_COLUMNS = tuple(RegisteredSource.__table__.columns)


def _source(row: Any) -> Source:
    return Source(**row._mapping)


def list_sources(connection: Connection) -> list[Source]:
    """Every registered source, by id."""
    query = select(*_COLUMNS).order_by(RegisteredSource.source_id)
    return [_source(row) for row in connection.execute(query)]


def registry_size(connection: Connection) -> int:
    """How many sources are registered (none: the registry checks nothing)."""
    return connection.execute(select(func.count()).select_from(RegisteredSource)).scalar_one()


def _lookup(connection: Connection, source_ids: Iterable[str]) -> dict[str, Source]:
    wanted = sorted(set(source_ids))
    found: dict[str, Source] = {}
    for start in range(0, len(wanted), _LOOKUP_CHUNK):
        chunk = wanted[start : start + _LOOKUP_CHUNK]
        query = select(*_COLUMNS).where(RegisteredSource.source_id.in_(chunk))
        found.update((row.source_id, _source(row)) for row in connection.execute(query))
    return found


def source_networks(connection: Connection, source_ids: Iterable[str]) -> dict[str, str]:
    """The network of each registered source among `source_ids`; an unregistered one
    gets no entry (the caller decides what an unknown source's independence is)."""
    return {sid: source.network for sid, source in _lookup(connection, source_ids).items()}


def register(
    connection: Connection, sources: Sequence[Source], now: dt.datetime | None = None
) -> Registration:
    """Add or update sources inside the caller's transaction; each change is a ledger
    entry ("source", its id) with the row as it now stands. Unchanged rows append nothing."""
    moment = now or ledger_now(connection)
    stored = _lookup(connection, (s.source_id for s in sources))
    added: list[str] = []
    changed: list[str] = []
    rows: list[Source] = []
    for source in sources:
        before = stored.get(source.source_id)
        registered_at = source.registered_at or (before.registered_at if before else moment)
        after = Source(**{**source.values(), "registered_at": registered_at})
        if after != before:
            (changed if before else added).append(after.source_id)
            rows.append(after)
    if rows:
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(RegisteredSource)
        columns = {c.name: statement.excluded[c.name] for c in _COLUMNS if not c.primary_key}
        upsert = statement.on_conflict_do_update(index_elements=["source_id"], set_=columns)
        connection.execute(upsert, [row.values() for row in rows])  # one executemany
        drafts = [Draft("source", row.source_id, row.ledger_payload()) for row in rows]
        append(connection, drafts, moment)
    return Registration(tuple(added), tuple(changed), len(sources) - len(rows))


# --- the monitoring period --------------------------------------------------


def monitoring_start(connection: Connection) -> dt.datetime | None:
    """When the period the mission monitors starts (None: not set)."""
    value = setting(connection, MONITORING_START)
    return dt.datetime.fromisoformat(value) if value else None


def set_monitoring_start(connection: Connection, start: dt.datetime | None) -> None:
    """Set (or clear, with None) the period's start; the change is a ledger entry."""
    if start is not None and start.utcoffset() is None:
        raise ValueError(f"monitoring start {start} has no timezone: give it in UTC")
    value = "" if start is None else start.astimezone(dt.UTC).isoformat()
    set_setting(connection, MONITORING_START, value)


# --- the screen at commit ---------------------------------------------------


def screen(
    connection: Connection, rows: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[tuple[dict[str, Any], str]]]:
    """Split observation rows into those the registry and the period allow and those
    they do not, each refused with a reason naming the source and what was expected."""
    if not rows:
        return [], []
    start = monitoring_start(connection)
    size = registry_size(connection)
    registered = _lookup(connection, (r["source_id"] for r in rows)) if size else {}
    kept: list[dict[str, Any]] = []
    refused: list[tuple[dict[str, Any], str]] = []
    for row in rows:
        reason = _before_period(row, start)
        if reason is None and size:
            reason = _against_registry(row, registered.get(row["source_id"]), size)
        if reason is None:
            kept.append(row)
        else:
            refused.append((row, reason))
    return kept, refused


def _before_period(row: dict[str, Any], start: dt.datetime | None) -> str | None:
    """A record is before the period when the latest moment it speaks of is: a party's
    notice sent a week ahead of an exercise inside the period is about the period."""
    if start is None:
        return None
    moments = (row["observed_at_us"], row["starts_at_us"], row["ends_at_us"])
    latest = max(t for t in moments if t is not None)
    if from_us(latest) >= start:
        return None
    observed = from_us(row["observed_at_us"]).isoformat()
    about = (
        ""
        if latest == row["observed_at_us"]
        else f" about activity ending {from_us(latest).isoformat()}"
    )
    return (
        f"dated {observed}{about}, before the monitoring period, which starts {start.isoformat()}"
    )


def _against_registry(row: dict[str, Any], source: Source | None, size: int) -> str | None:
    sid, given = row["source_id"], row["source_type"]
    if source is None:
        return (
            f"source {sid!r} is not in the source registry ({size} sources registered): "
            "register it before its observations, or correct the source_id"
        )
    if source.source_type != given:
        return (
            f"source {sid!r} is registered as {source.source_type} (network "
            f"{source.network}), but this record says {given}"
        )
    observed = from_us(row["observed_at_us"])
    if source.retired_at is not None and observed >= source.retired_at:
        return (
            f"source {sid!r} was retired from the registry at "
            f"{source.retired_at.isoformat()}; this record is dated {observed.isoformat()}"
        )
    return None
