"""Ingest: records in, validated, stored in durable batches, bad ones quarantined.

Files are read as a stream and committed every `batch_size` records; each
commit stores the batch's valid observations, its rejects and a line in the
ingest log in one transaction, and only then is the batch reported. A file's
checkpoint is the last position committed for its content (sha256), so a
restarted ingest carries on where the last commit ended, and the idempotency
key makes anything read twice harmless.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from accord.ledger.signing import split_signature
from accord.store import BatchOutcome, PendingBatch, Reject, Store
from accord.store.ledger import SIGNED_ROW_KEY
from accord.verify.ingest_formats import (
    FileFormat,
    SourceRecord,
    detect_format,
    position_label,
    read_file,
)
from accord.verify.observation import Observation, canonical_json

DEFAULT_BATCH_SIZE = 2_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

OnCommit = Callable[[BatchOutcome, Sequence[Reject]], None]


@dataclass
class IngestSummary:
    """Totals over one ingest run."""

    source: str
    records: int = 0
    accepted: int = 0
    duplicates: int = 0
    quarantined: int = 0
    batches: int = 0
    resumed_after: int = 0  # position of the checkpoint the run started from
    seconds: float = 0.0

    def add(self, outcome: BatchOutcome, records: int) -> None:
        """Count one committed batch's outcome."""
        self.records += records
        self.accepted += len(outcome.accepted_ids)
        self.duplicates += outcome.duplicates
        self.quarantined += outcome.quarantined
        self.batches += 1

    @property
    def records_per_second(self) -> float:
        """The throughput of the run so far."""
        return self.records / self.seconds if self.seconds else 0.0


def validation_reason(error: ValidationError) -> str:
    """Pydantic's errors as one line: `field: what is wrong (got value)`."""
    parts = []
    for item in error.errors(include_url=False):
        where = ".".join(str(part) for part in item["loc"]) or "record"
        message = item["msg"].removeprefix("Value error, ")
        got = item.get("input")
        shown = "" if isinstance(got, dict) or item["type"] == "missing" else f" (got {got!r:.60})"
        parts.append(f"{where}: {message}{shown}")
    return "; ".join(parts)


def _us(moment: datetime | None) -> int | None:
    return None if moment is None else (moment - _EPOCH) // _MICROSECOND


def observation_row(observation: Observation, raw: str, position: int) -> dict[str, Any]:
    """The observations-table row of a validated observation."""
    record = canonical_json(observation)
    firing, notice = observation.firing, observation.notification
    return {
        "observation_id": observation.id,
        "source_id": observation.source_id,
        "source_type": observation.source_type.value,
        "observed_at_us": _us(observation.observed_at),
        "lon": observation.lon,
        "lat": observation.lat,
        "uncertainty_m": observation.uncertainty_m,
        "kind": observation.kind.value,
        "count": observation.count,
        "firing_category": firing.category.value if firing else None,
        "explosion": firing.explosion.value if firing and firing.explosion else None,
        "bearing_deg": firing.bearing_deg if firing else None,
        "distance_min_m": firing.distance_min_m if firing else None,
        "distance_max_m": firing.distance_max_m if firing else None,
        "side": observation.side,
        "side_confidence": observation.side_confidence,
        "notification_subject": notice.subject.value if notice else None,
        "notification_party": notice.party if notice else None,
        "zone": notice.zone if notice else None,
        "radius_km": notice.radius_km if notice else None,
        "starts_at_us": _us(notice.starts_at) if notice else None,
        "ends_at_us": _us(notice.ends_at) if notice else None,
        "record": record,
        "digest": hashlib.sha256(record.encode()).hexdigest(),
        "raw": raw,
        "position": position,
    }


def prepare_batch(
    records: Sequence[SourceRecord],
    *,
    source: str,
    fingerprint: str | None,
    position_label: str,
    reject_scope: str,
    keyed_by_position: bool = True,
) -> PendingBatch:
    """Validate records into rows and rejects; nothing is written yet.

    A reject's key is its scope (a file's fingerprint, a stream's name), its
    position when `keyed_by_position`, and its text: reading the same record
    again quarantines it once.
    """
    batch = PendingBatch(
        source=source,
        fingerprint=fingerprint,
        first_position=records[0].position,
        last_position=records[-1].position,
        records=len(records),
        position_label=position_label,
    )
    for record in records:
        reason = record.error
        if record.fields is not None:
            fields, signed = split_signature(record.fields)  # checked by the store on commit
            try:
                observation = Observation.model_validate(fields)
            except ValidationError as exc:
                reason = validation_reason(exc)
            else:
                row = observation_row(observation, record.raw, record.position)
                if signed is not None:
                    row[SIGNED_ROW_KEY] = signed
                batch.rows.append(row)
                continue
        where = f"{record.position}\n" if keyed_by_position else ""
        key = hashlib.sha256(f"{reject_scope}\n{where}{record.raw}".encode()).hexdigest()
        raw = record.raw.replace("\x00", "\\u0000")  # PostgreSQL text cannot hold NUL
        batch.rejects.append(
            Reject(record.position, record.detail, raw, reason or "unreadable", key)
        )
    return batch


def file_fingerprint(path: Path) -> str:
    """sha256 of the file's bytes: the identity its checkpoint is kept under."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _chunks(records: Iterable[SourceRecord], size: int) -> Iterator[list[SourceRecord]]:
    iterator = iter(records)
    while chunk := list(islice(iterator, size)):
        yield chunk


def ingest_file(
    store: Store,
    path: Path,
    *,
    file_format: FileFormat | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    resume: bool = True,
    on_commit: OnCommit | None = None,
) -> IngestSummary:
    """Ingest one file; with `resume`, skip what an earlier run already committed."""
    started = time.perf_counter()
    file_format = file_format or detect_format(path)
    fingerprint = file_fingerprint(path)
    source = str(path)
    summary = IngestSummary(source=source)
    summary.resumed_after = store.checkpoint(fingerprint) if resume else 0
    for chunk in _chunks(read_file(path, file_format, summary.resumed_after), batch_size):
        pending = prepare_batch(
            chunk,
            source=source,
            fingerprint=fingerprint,
            position_label=position_label(file_format),
            reject_scope=fingerprint,
        )
        rejects = list(pending.rejects)
        outcome = store.commit_batch(pending)
        summary.add(outcome, len(chunk))
        if on_commit is not None:
            on_commit(outcome, [*rejects, *outcome.commit_rejects])
    summary.seconds = time.perf_counter() - started
    return summary
