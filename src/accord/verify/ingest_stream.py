"""Streams in: one ingest loop over any transport that delivers records and takes
acknowledgements.

A transport (MQTT today, a file followed as it grows, anything Kafka- or
NATS-shaped tomorrow) delivers `Delivery`s: the records one message held and
whatever the transport needs to acknowledge it. `ingest_stream` takes a batch,
commits it to the store and only then acknowledges its deliveries, so a crash
between the two redelivers, and the store's idempotency keys make a redelivery
a duplicate, never a loss. docs/verify-ingest.md shows how a Kafka consumer
maps onto `Transport` (offsets committed in `acknowledge`).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from accord.store import Store
from accord.verify.ingest import IngestSummary, OnCommit, prepare_batch
from accord.verify.ingest_formats import SourceRecord, line_record

POLL_S = 0.1  # how often a followed file is looked at for new lines


@dataclass(frozen=True)
class Delivery:
    """One message as its transport delivered it: its records and its receipt."""

    records: list[SourceRecord]
    receipt: Any = None  # what `Transport.acknowledge` needs: a packet id, an offset


class Transport(Protocol):
    """Where a stream's messages come from.

    `receive` waits up to `idle_s` (None: for ever) for a first delivery, then
    up to `wait_s` more for others, and returns at most `room`; an empty list
    ends the stream. `acknowledge` is called only once the deliveries' batch is
    committed. `checkpoint` names the store checkpoint the transport resumes
    from, when its positions are stable (a file's lines), else None (a
    broker's session remembers instead); `start` returns the position it
    resumes after (0 for none).
    """

    @property
    def name(self) -> str:
        """The source, for summaries and the quarantine."""

    @property
    def position_label(self) -> str:
        """What a position counts: line, message."""

    @property
    def checkpoint(self) -> str | None:
        """The store checkpoint resumed from, or None."""

    def start(self, store: Store) -> int:
        """Connect or open; the position resumed after (0 for none)."""

    def receive(self, room: int, wait_s: float, idle_s: float | None) -> list[Delivery]:
        """Up to `room` deliveries: wait up to `idle_s` for a first, `wait_s` more for others."""

    def acknowledge(self, deliveries: Sequence[Delivery]) -> None:
        """Let the transport forget these; called after their batch is committed."""

    def stop(self) -> None:
        """Disconnect or close once the last acknowledgement has gone."""


def ingest_stream(
    store: Store,
    transport: Transport,
    *,
    max_messages: int | None = None,
    idle_timeout_s: float | None = None,
    batch_size: int = 500,
    batch_wait_s: float = 0.2,
    on_commit: OnCommit | None = None,
    on_ready: Callable[[], None] | None = None,
) -> IngestSummary:
    """Store a stream's messages as they come, in batches of up to `batch_size` or
    `batch_wait_s`; stop after `max_messages` or `idle_timeout_s` without one."""
    summary = IngestSummary(source=transport.name)
    started = time.perf_counter()
    summary.resumed_after = transport.start(store)
    if on_ready is not None:
        on_ready()
    number = 0
    try:
        while max_messages is None or number < max_messages:
            room = batch_size if max_messages is None else min(batch_size, max_messages - number)
            deliveries = transport.receive(room, batch_wait_s, idle_timeout_s)
            if not deliveries:
                break
            number += len(deliveries)
            records = [record for delivery in deliveries for record in delivery.records]
            pending = prepare_batch(
                records,
                source=transport.name,
                fingerprint=transport.checkpoint,
                position_label=transport.position_label,
                reject_scope=transport.checkpoint or transport.name,
                keyed_by_position=transport.checkpoint is not None,
            )
            rejects = list(pending.rejects)
            outcome = store.commit_batch(pending)
            transport.acknowledge(deliveries)  # only now may the transport forget them
            summary.add(outcome, len(deliveries))
            if on_commit is not None:
                on_commit(outcome, [*rejects, *outcome.commit_rejects])
    finally:
        transport.stop()
        summary.seconds = time.perf_counter() - started
    return summary


class FileTail:
    """A JSON Lines file followed as it grows (`tail -f`): each complete line is one
    message. Its lines are its positions, so a restart resumes after the last line
    committed (a checkpoint kept under the file's path, not its content, which
    grows); a line still being written is read once its newline arrives."""

    position_label = "line"

    def __init__(self, path: Path, *, resume: bool = True) -> None:
        self.path = path
        self.name = str(path)
        resolved = str(path.resolve())
        self.checkpoint = hashlib.sha256(f"tail\n{resolved}".encode()).hexdigest()
        self.resume = resume
        self._handle: Any = None
        self._line = 0
        self._partial = ""

    def start(self, store: Store) -> int:
        """Open the file and skip the lines an earlier run committed."""
        skip = store.checkpoint(self.checkpoint) if self.resume else 0
        self._handle = self.path.open(encoding="utf-8-sig", errors="surrogateescape", newline="")
        while self._line < skip and self._handle.readline():
            self._line += 1
        return self._line

    def receive(self, room: int, wait_s: float, idle_s: float | None) -> list[Delivery]:
        """Complete lines appended since the last call, as `Transport.receive` waits for them."""
        deliveries: list[Delivery] = []
        deadline = None if idle_s is None else time.monotonic() + idle_s
        while not deliveries:
            deliveries = self._read(room)
            if deliveries or (deadline is not None and time.monotonic() >= deadline):
                break
            time.sleep(POLL_S)
        more_until = time.monotonic() + wait_s
        while deliveries and len(deliveries) < room and time.monotonic() < more_until:
            found = self._read(room - len(deliveries))
            if not found:
                time.sleep(min(POLL_S, wait_s))
            deliveries += found
        return deliveries

    def _read(self, room: int) -> list[Delivery]:
        found: list[Delivery] = []
        while len(found) < room:
            text = self._handle.readline()
            if not text:
                break
            if not text.endswith("\n"):  # a line still being written: keep it for later
                self._partial += text
                continue
            text, self._partial = self._partial + text, ""
            self._line += 1
            if text.strip():
                found.append(Delivery([line_record(self._line, self.position_label, text)]))
        return found

    def acknowledge(self, deliveries: Sequence[Delivery]) -> None:
        """Nothing to do: the batch's last line is the checkpoint, committed with it."""

    def stop(self) -> None:
        """Close the file."""
        if self._handle is not None:
            self._handle.close()
