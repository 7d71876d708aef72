"""The append-only hash chain: entries, their canonical bytes, and its check.

An entry's bytes are the canonical JSON of its body under the entry's ledger
version (`accord.ledger.canonical`: RFC 8785 since version 2), so any party
can recompute every hash with a JCS library and SHA-256. Each entry's
hash covers the previous entry's hash, so altering, removing, inserting or
reordering any entry changes every hash after it; `verify_chain` names the
first entry where the recomputation disagrees, and says how.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from accord.ledger.canonical import CURRENT, canonical_bytes, jcs_text

GENESIS = bytes(32)


@dataclass(frozen=True)
class Entry:
    """One ledger entry. `corrects` names the entry a correction supersedes:
    corrections are new entries, never edits."""

    seq: int
    recorded_at: dt.datetime
    kind: str
    ref: str
    payload: dict[str, Any]
    prev_hash: bytes
    hash: bytes
    corrects: int | None = None
    version: int = CURRENT  # how its bytes are canonicalised; not itself hashed

    @property
    def day(self) -> dt.date:
        """The UTC day the entry was recorded on: the day whose Merkle tree holds it."""
        return self.recorded_at.astimezone(dt.UTC).date()

    def body(self) -> dict[str, Any]:
        """What the entry says, without its hashes: the Merkle leaf data."""
        return {
            "seq": self.seq,
            "recorded_at": self.recorded_at.astimezone(dt.UTC).isoformat(),
            "kind": self.kind,
            "ref": self.ref,
            "payload": self.payload,
            "corrects": self.corrects,
        }

    def leaf(self) -> bytes:
        """The bytes the entry's hash and its Merkle leaf cover: its body, canonical under its
        version."""
        return canonical_bytes(self.body(), self.version)

    def to_json(self) -> dict[str, Any]:
        """The entry as exported: its body, version and both hashes in hex."""
        return self.body() | {
            "version": self.version,
            "prev_hash": self.prev_hash.hex(),
            "hash": self.hash.hex(),
        }


def entry_hash(prev_hash: bytes, leaf: bytes) -> bytes:
    """The hash that links an entry to the one before it."""
    return hashlib.sha256(prev_hash + leaf).digest()


def make_entry(
    prev: Entry | None,
    kind: str,
    ref: str,
    payload: dict[str, Any],
    recorded_at: dt.datetime,
    corrects: int | None = None,
    version: int = CURRENT,
) -> Entry:
    """The next entry after `prev` (None for the first), under ledger `version`."""
    if recorded_at.tzinfo is None:
        raise ValueError("ledger times are timezone-aware UTC")
    seq = 0 if prev is None else prev.seq + 1
    prev_hash = GENESIS if prev is None else prev.hash
    draft = Entry(seq, recorded_at, kind, ref, payload, prev_hash, b"", corrects, version)
    return replace(draft, hash=entry_hash(prev_hash, draft.leaf()))


def make_entries(
    prev: Entry | None,
    drafts: Iterable[tuple[str, str, dict[str, Any], int | None]],
    recorded_at: dt.datetime,
) -> list[tuple[Entry, str]]:
    """`make_entry` over many (kind, ref, payload, corrects) at one time, each
    entry with its payload's canonical JSON text (what the ledger table stores).

    The bytes are the same as `make_entry`'s: the leaf is assembled by hand from
    the RFC 8785 text of its parts, keys in the order JCS sorts these ASCII
    names, which is exactly what `entry.leaf()` produces, so
    each payload is encoded once instead of twice and the time once per batch.
    """
    if recorded_at.tzinfo is None:
        raise ValueError("ledger times are timezone-aware UTC")
    at = jcs_text(recorded_at.astimezone(dt.UTC).isoformat())
    seq = 0 if prev is None else prev.seq + 1
    prev_hash = GENESIS if prev is None else prev.hash
    encode, sha256 = jcs_text, hashlib.sha256
    made = []
    for kind, ref, payload, corrects in drafts:
        payload_text = encode(payload)
        leaf = (
            f'{{"corrects":{"null" if corrects is None else encode(corrects)},'
            f'"kind":{encode(kind)},"payload":{payload_text},"recorded_at":{at},'
            f'"ref":{encode(ref)},"seq":{seq}}}'
        )
        hash_ = sha256(prev_hash + leaf.encode("utf-8")).digest()
        entry = Entry(seq, recorded_at, kind, ref, payload, prev_hash, hash_, corrects)
        made.append((entry, payload_text))
        seq, prev_hash = seq + 1, hash_
    return made


@dataclass(frozen=True)
class ChainFault:
    """The first place where the stored chain and its recomputation disagree."""

    seq: int
    position: int
    problem: str

    def __str__(self) -> str:
        return f"entry {self.seq} (position {self.position}): {self.problem}"


def verify_chain(entries: Iterable[Entry], start: Entry | None = None) -> ChainFault | None:
    """Recompute the chain from `start` (the entry before the first given, or
    genesis); return the first fault, or None when every hash holds."""
    expected_seq = 0 if start is None else start.seq + 1
    prev_hash = GENESIS if start is None else start.hash
    version = 0 if start is None else start.version
    for position, entry in enumerate(entries):
        if entry.seq != expected_seq:
            kind = "missing or reordered" if entry.seq > expected_seq else "inserted or reordered"
            return ChainFault(
                entry.seq,
                position,
                f"{kind}: expected entry {expected_seq} here, found {entry.seq}",
            )
        if entry.prev_hash != prev_hash:
            return ChainFault(
                entry.seq, position, "its link to the previous entry is broken (removed or altered)"
            )
        if entry.version < version:
            return ChainFault(
                entry.seq,
                position,
                f"it claims ledger version {entry.version} after an entry of version "
                f"{version}: a ledger never goes back to an older version",
            )
        try:
            altered = entry_hash(prev_hash, entry.leaf()) != entry.hash
        except ValueError as exc:  # e.g. an unknown version
            return ChainFault(entry.seq, position, f"it cannot be canonicalised: {exc}")
        if altered:
            return ChainFault(entry.seq, position, "its content was altered after it was recorded")
        prev_hash, version = entry.hash, entry.version
        expected_seq += 1
    return None
