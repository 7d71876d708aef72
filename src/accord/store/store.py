"""Writing and reading observations: one transaction per batch, idempotent by id.

A batch's observations, its rejected records and its line in the ingest log
commit together or not at all, so the log's highest position for a file is a
checkpoint that never runs ahead of what is stored. Inserts use
`INSERT ... ON CONFLICT DO NOTHING` on both backends: sending an observation
twice stores it once, and a re-used id with different content is quarantined
rather than silently dropped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from accord.ledger.keys import Refusal
from accord.store.database import WRITE, create_store_engine, migrate, require_store
from accord.store.ledger import admit, count_refusals, record_accepted
from accord.store.schema import (
    OBSERVATION_COLUMNS,
    IngestBatch,
    QuarantinedRecord,
    StoredObservation,
)
from accord.store.sources import screen

OBSERVATIONS = StoredObservation.__table__
QUARANTINE = QuarantinedRecord.__table__
_STAGED_COLUMNS = (*OBSERVATION_COLUMNS, "batch_id")
_staged_values = itemgetter(*_STAGED_COLUMNS)  # a row's values in column order, as a tuple
_STAGED_LIST = ", ".join(f'"{name}"' for name in _STAGED_COLUMNS)
_SQLITE_INSERT = (
    f"INSERT INTO observations ({_STAGED_LIST}) VALUES ({', '.join('?' * len(_STAGED_COLUMNS))}) "
    "ON CONFLICT (observation_id) DO NOTHING"
)
# PostgreSQL allows 65,535 bind parameters per statement; stay well below.
_LOOKUP_CHUNK = 5_000


@dataclass(frozen=True, slots=True)
class Reject:
    """A record that failed: where it was, what it said, why it was refused."""

    position: int  # line, record or message number, from 1
    detail: str  # where, for a person: "line 12", "message 7 on topic t"
    raw: str
    reason: str
    key: str  # identifies the record so reading it again quarantines it once


@dataclass(slots=True)
class PendingBatch:
    """What one commit writes: accepted rows, rejects and their place in a source."""

    source: str
    fingerprint: str | None
    first_position: int
    last_position: int
    records: int
    position_label: str = "line"  # what a position counts: line, record or message
    rows: list[dict[str, Any]] = field(default_factory=list)  # column values per observation
    rejects: list[Reject] = field(default_factory=list)
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """What a commit did; `accepted_ids` are stored now and survive a crash."""

    batch_id: int
    source: str
    first_position: int
    last_position: int
    accepted_ids: tuple[str, ...]
    duplicates: int
    quarantined: int
    # Rejects only the commit could find (beside the batch's own): reused ids, refused
    # signatures, sources or dates the registry and the monitoring period do not allow.
    commit_rejects: tuple[Reject, ...] = ()


class Store:
    """The observation store on one database (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def url(self) -> str:
        """The database URL with any password hidden, safe to print."""
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def checkpoint(self, fingerprint: str) -> int:
        """The last position committed from a file with this content (0 if none)."""
        query = select(func.max(IngestBatch.last_position)).where(
            IngestBatch.fingerprint == fingerprint
        )
        with self.engine.connect() as connection:
            return connection.execute(query).scalar() or 0

    def commit_batch(self, batch: PendingBatch) -> BatchOutcome:
        """Store a batch durably; returns only after the commit is on disk."""
        with self.engine.connect() as connection:
            connection = connection.execution_options(**WRITE)
            with connection.begin():
                return self._write(connection, batch)

    def _write(self, connection: Connection, batch: PendingBatch) -> BatchOutcome:
        now = datetime.now(UTC)
        batch_id = connection.execute(
            insert(IngestBatch).returning(IngestBatch.id),
            {
                "source": batch.source,
                "fingerprint": batch.fingerprint,
                "first_position": batch.first_position,
                "last_position": batch.last_position,
                "records": batch.records,
                "accepted": 0,
                "duplicates": 0,
                "quarantined": 0,
                "started_at": batch.started_at,
                "committed_at": now,
            },
        ).scalar_one()
        rows, conflicts = _unique_ids(batch)
        rows, implausible = screen(connection, rows)  # the source registry and the period
        admission = admit(connection, rows)  # signatures, checked before any insert
        rows = admission.rows
        refused = [_refused(row, batch, why) for row, why in implausible + admission.refused]
        accepted: tuple[str, ...] = ()
        if rows:
            for row in rows:
                row["batch_id"] = batch_id
            if self.engine.dialect.name == "postgresql":
                _copy_insert(connection, rows)
            else:
                # Positional rows straight to the driver: SQLAlchemy's per-row
                # parameter processing costs about as much as SQLite's insert.
                connection.exec_driver_sql(_SQLITE_INSERT, list(map(_staged_values, rows)))
            accepted = tuple(
                connection.execute(
                    select(StoredObservation.observation_id).where(
                        StoredObservation.batch_id == batch_id
                    )
                ).scalars()
            )
            if len(accepted) < len(rows):
                conflicts += self._conflicts(connection, batch, rows, set(accepted))
            record_accepted(connection, batch_id, admission, accepted)  # same transaction
        if conflicts:
            count_refusals(connection, [Refusal.reused_id] * len(conflicts))
        rejects = batch.rejects + conflicts + refused
        # Every valid row is now accepted, a conflict (in rejects) or a harmless duplicate.
        duplicates = len(batch.rows) + len(batch.rejects) - len(accepted) - len(rejects)
        if rejects:
            connection.execute(
                self._insert_ignoring(QUARANTINE, "key"),
                [_reject_row(r, batch_id, batch.source, now) for r in rejects],
            )
        connection.execute(
            update(IngestBatch)
            .where(IngestBatch.id == batch_id)
            .values(accepted=len(accepted), duplicates=duplicates, quarantined=len(rejects))
        )
        return BatchOutcome(
            batch_id=batch_id,
            source=batch.source,
            first_position=batch.first_position,
            last_position=batch.last_position,
            accepted_ids=accepted,
            duplicates=duplicates,
            quarantined=len(rejects),
            commit_rejects=tuple(conflicts + refused),
        )

    def _insert_ignoring(self, table: Any, unique_column: str) -> Any:
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        return dialect.insert(table).on_conflict_do_nothing(index_elements=[unique_column])

    def _conflicts(
        self, connection: Connection, batch: PendingBatch, rows: list[dict[str, Any]], new: set[str]
    ) -> list[Reject]:
        """Rows whose id was already stored with a different content."""
        older = [row for row in rows if row["observation_id"] not in new]
        stored: dict[str, str] = {}
        for start in range(0, len(older), _LOOKUP_CHUNK):
            ids = [row["observation_id"] for row in older[start : start + _LOOKUP_CHUNK]]
            query = select(StoredObservation.observation_id, StoredObservation.digest).where(
                StoredObservation.observation_id.in_(ids)
            )
            stored.update((key, digest) for key, digest in connection.execute(query))
        return [
            _conflict(row, batch, "an observation with this id is already stored")
            for row in older
            if stored.get(row["observation_id"]) != row["digest"]
        ]

    def counts(self) -> dict[str, int]:
        """Rows per table: a quick health line for people and tests."""
        with self.engine.connect() as connection:
            return {
                name: connection.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in (
                    ("observations", OBSERVATIONS),
                    ("quarantine", QUARANTINE),
                    ("ingest_batches", IngestBatch.__table__),
                )
            }

    def observation_ids(self) -> list[str]:
        """Every stored id, in storage order."""
        query = select(StoredObservation.observation_id).order_by(StoredObservation.seq)
        with self.engine.connect() as connection:
            return list(connection.execute(query).scalars())

    def records(self, observation_ids: Iterable[str]) -> dict[str, str]:
        """The canonical JSON of the given observations, by id (evidence for findings)."""
        wanted = list(observation_ids)
        found: dict[str, str] = {}
        with self.engine.connect() as connection:
            for start in range(0, len(wanted), _LOOKUP_CHUNK):
                query = select(StoredObservation.observation_id, StoredObservation.record).where(
                    StoredObservation.observation_id.in_(wanted[start : start + _LOOKUP_CHUNK])
                )
                found.update((key, record) for key, record in connection.execute(query))
        return found

    def quarantined(self, source: str | None = None) -> list[QuarantinedRecord]:
        """Rejected records for review, oldest first."""
        query = select(QuarantinedRecord).order_by(QuarantinedRecord.id)
        if source is not None:
            query = query.where(QuarantinedRecord.source == source)
        with Session(self.engine) as session:
            return list(session.scalars(query))

    def batches(self, source: str | None = None) -> list[IngestBatch]:
        """The ingest log, oldest first."""
        query = select(IngestBatch).order_by(IngestBatch.id)
        if source is not None:
            query = query.where(IngestBatch.source == source)
        with Session(self.engine) as session:
            return list(session.scalars(query))


def _copy_insert(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL: COPY the batch into a session-local staging table, then insert
    what is new in one statement (several times faster than executemany)."""
    columns = _STAGED_LIST
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS observations_stage ON COMMIT DELETE ROWS AS "
            f"SELECT {columns} FROM observations WITH NO DATA"
        )
        with cursor.copy(f"COPY observations_stage ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[name] for name in _STAGED_COLUMNS])
        cursor.execute(
            f"INSERT INTO observations ({columns}) SELECT {columns} FROM observations_stage "
            "ON CONFLICT (observation_id) DO NOTHING"
        )


def _unique_ids(batch: PendingBatch) -> tuple[list[dict[str, Any]], list[Reject]]:
    """Keep the first of each id within a batch; a later one that differs is a conflict."""
    first: dict[str, dict[str, Any]] = {}
    conflicts = []
    for row in batch.rows:
        seen = first.setdefault(row["observation_id"], row)
        if seen is not row and seen["digest"] != row["digest"]:
            earlier = f"{batch.position_label} {seen['position']}"
            conflicts.append(_conflict(row, batch, f"the same id came earlier, at {earlier},"))
    return list(first.values()), conflicts


def _conflict(row: dict[str, Any], batch: PendingBatch, why: str) -> Reject:
    return Reject(
        position=row["position"],
        detail=f"{batch.position_label} {row['position']}",
        raw=row["raw"],
        reason=f"id {row['observation_id']!r} conflicts: {why} with different content",
        key=hashlib.sha256(f"conflict\n{batch.source}\n{row['digest']}".encode()).hexdigest(),
    )


def _refused(row: dict[str, Any], batch: PendingBatch, why: str) -> Reject:
    return Reject(
        position=row["position"],
        detail=f"{batch.position_label} {row['position']}",
        raw=row["raw"],
        reason=why,
        key=hashlib.sha256(f"refused\n{batch.source}\n{row['raw']}".encode()).hexdigest(),
    )


def _reject_row(reject: Reject, batch_id: int, source: str, now: datetime) -> dict[str, Any]:
    return {
        "key": reject.key,
        "batch_id": batch_id,
        "source": source,
        "position": reject.position,
        "detail": reject.detail,
        "raw": reject.raw,
        "reason": reject.reason,
        "received_at": now,
    }


def open_store(url: str | None = None, *, create: bool = True) -> Store:
    """Open (upgrading as needed) the store at `url` or the default; a store not there yet
    is created, or with `create=False` refused (`require_store`)."""
    if not create:
        require_store(url)
    engine = create_store_engine(url)
    migrate(engine)
    return Store(engine)
