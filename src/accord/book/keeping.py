"""The ledger in the store: verifying it, closing days, proofs, exports, keys.

Entries are appended by `accord.store.ledger.append` inside the transaction
that makes them true (ingest, incident transitions, compliance, condition
decisions). This module is what the mission and the parties do with them
afterwards. Verification trusts nothing stored: it recomputes every hash, the
head, and each closed day's root and signature, and names the first entry
where they disagree.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, false, func, select
from sqlalchemy.orm import Session

from accord.book.coverage import coverage_problems
from accord.ledger.canonical import canonical_json
from accord.ledger.chain import GENESIS, ChainFault, Entry, verify_chain
from accord.ledger.export import build_export
from accord.ledger.keys import KeyRecord, SignatureRefused, public_bytes, sign, unb64
from accord.ledger.merkle import inclusion_proof, leaf_hash, merkle_root, root_from_leaf_hashes
from accord.ledger.proofs import DaySeal, build_proof, statement_signed
from accord.ledger.signing import MISSION_OWNER, day_statement, mission_key_id
from accord.ledger.trust import MissionKeys, mission_keys
from accord.ledger.versions import (
    REHASH_KIND,
    legacy_prefix,
    rehash_payload,
    rehash_problems,
    rehash_statement,
    rehashed_size,
)
from accord.store import Store
from accord.store.database import BIGINT_MAX, WRITE
from accord.store.ledger import (
    ENTRY_COLUMNS,
    LEDGER_CLOCK,
    Draft,
    LedgerDay,
    LedgerEntryRow,
    LedgerHead,
    append,
    ledger_now,
    load_registry,
    row_entry,
    save_keys,
    to_us,
)

Visibility = Callable[[Connection, Entry], bool]  # may the caller see this entry?


class LedgerError(Exception):
    """A ledger operation that cannot be done as asked (the message says why)."""


@contextmanager
def writing(store: Store) -> Iterator[Connection]:
    """A write transaction (exclusive on SQLite) that commits when the block ends."""
    with store.engine.connect() as connection:
        connection = connection.execution_options(**WRITE)
        with connection.begin():
            yield connection


@contextmanager
def on_clock(store: Store, clock: Callable[[], dt.datetime]) -> Iterator[Store]:
    """Record the block's ledger entries at `clock()` instead of the wall clock, as a
    simulation replaying past days does; the store keeps its own clock afterwards.
    Entries still never go back in time (`append` keeps them in order)."""
    engine = store.engine
    store.engine = engine.execution_options(**{LEDGER_CLOCK: clock})
    try:
        yield store
    finally:
        store.engine = engine


def day_bounds_us(day: dt.date) -> tuple[int, int]:
    """A UTC day as its first microsecond and the first of the next, the span its entries lie in."""
    start = dt.datetime.combine(day, dt.time(), dt.UTC)
    return to_us(start), to_us(start + dt.timedelta(days=1))


def load_entries(
    connection: Connection, first_day: dt.date | None = None, last_day: dt.date | None = None
) -> list[Entry]:
    """Stored entries recorded on first_day..last_day (all when open), in seq order."""
    query = select(*ENTRY_COLUMNS).order_by(LedgerEntryRow.seq)
    if first_day is not None:
        query = query.where(LedgerEntryRow.recorded_at_us >= day_bounds_us(first_day)[0])
    if last_day is not None:
        query = query.where(LedgerEntryRow.recorded_at_us < day_bounds_us(last_day)[1])
    return [row_entry(row) for row in connection.execute(query)]


def _entry(connection: Connection, seq: int) -> Entry | None:
    row = connection.execute(select(*ENTRY_COLUMNS).where(LedgerEntryRow.seq == seq)).first()
    return None if row is None else row_entry(row)


@dataclass
class Verification:
    """What `verify` recomputed and the faults it found, the first one first."""

    entries: int = 0
    days: int = 0
    chain_fault: ChainFault | None = None
    problems: list[str] = field(default_factory=list)
    named: int | None = None  # the place (seq) of the first entry found wrong
    anchor: str = ""  # which mission key the seals were checked against
    not_rehashed: int = 0  # version 1 entries no re-hash entry covers yet (not a fault)

    @property
    def ok(self) -> bool:
        """Whether the chain and every table checked against it held."""
        return self.chain_fault is None and not self.problems

    def first_problem(self) -> str | None:
        """The first fault found, to report; None when the ledger verified."""
        if self.chain_fault is not None:
            return str(self.chain_fault)
        return self.problems[0] if self.problems else None


def verify(
    connection: Connection,
    first_day: dt.date | None = None,
    last_day: dt.date | None = None,
    public_key: bytes | None = None,
) -> Verification:
    """Recompute the chain, its head and the closed days' roots and signatures; trust a
    seal only when the chain's key entries lead to its key from `public_key`."""
    entries = load_entries(connection, first_day, last_day)
    result = Verification(entries=len(entries))
    start = None
    if first_day is not None and entries and entries[0].seq > 0:
        start = _entry(connection, entries[0].seq - 1)
    result.chain_fault = verify_chain(entries, start)
    if result.chain_fault is not None:
        result.named = (0 if start is None else start.seq + 1) + result.chain_fault.position
    head = connection.execute(select(LedgerHead.seq, LedgerHead.hash)).one()
    if last_day is None:
        _check_head(entries, head, result)
    keys = mission_keys(_key_entries(connection), public_key)
    result.anchor = keys.anchor
    if first_day is None and last_day is None:
        result.problems.extend(coverage_problems(connection, entries))
        result.problems.extend(rehash_problems(entries, keys, _stored_keys(connection)))
        result.not_rehashed = len(legacy_prefix(entries)) - rehashed_size(entries)
    _check_days(connection, entries, start, first_day, last_day, keys, result)
    return result


def _stored_keys(connection: Connection) -> dict[str, bytes]:
    return {k.key_id: k.public_key for k in load_registry(connection).records_by_id().values()}


def _key_entries(connection: Connection) -> list[Entry]:
    query = select(*ENTRY_COLUMNS).where(LedgerEntryRow.kind == "key").order_by(LedgerEntryRow.seq)
    return [row_entry(row) for row in connection.execute(query)]


def _check_head(entries: Sequence[Entry], head: Any, result: Verification) -> None:
    """The tail: entries removed from or added after the end leave the chain intact."""
    seq, hash_hex = head
    last_seq = entries[-1].seq if entries else -1
    if last_seq > seq:
        problem, named = f"inserted after the chain head, which names entry {seq}", seq + 1
    elif last_seq < seq:
        problem = f"missing: the chain head names entry {seq}, the last stored is {last_seq}"
        named = last_seq + 1
    elif entries and entries[-1].hash.hex() != hash_hex:
        problem, named = "its hash differs from the chain head's", seq
    else:
        return
    result.problems.append(f"entry {named}: {problem}")
    if result.named is None:
        result.named = named


def _check_days(
    connection: Connection,
    entries: Sequence[Entry],
    start: Entry | None,
    first_day: dt.date | None,
    last_day: dt.date | None,
    keys: MissionKeys,
    result: Verification,
) -> None:
    query = select(LedgerDay).order_by(LedgerDay.day)
    if first_day is not None:
        query = query.where(LedgerDay.day >= first_day)
    if last_day is not None:
        query = query.where(LedgerDay.day <= last_day)
    stored_keys = _stored_keys(connection)
    by_day: dict[dt.date, list[Entry]] = {}
    for entry in entries:
        by_day.setdefault(entry.day, []).append(entry)
    sealed_days = set()
    head = start.hash if start is not None else GENESIS  # the chain head before each day
    seals = {sealed.day: sealed for sealed in Session(connection).scalars(query)}
    today = dt.datetime.now(dt.UTC).date()
    for day in sorted(set(by_day) | set(seals)):
        day_entries = by_day.get(day, [])
        if day_entries:
            head = day_entries[-1].hash
        sealed = seals.get(day)
        if sealed is None:
            if day < today:
                result.problems.append(
                    f"day {day}: over, with {len(day_entries)} entries, but has no seal: "
                    "closed days are never deleted; run `accord ledger close-day` if it was "
                    "never closed"
                )
            continue
        sealed_days.add(day)
        result.days += 1
        root = merkle_root([e.leaf() for e in day_entries])
        where = f"day {day}"
        if root.hex() != sealed.root or len(day_entries) != sealed.tree_size:
            result.problems.append(
                f"{where}: {len(day_entries)} entries give root {root.hex()}, but the closed "
                f"day has {sealed.tree_size} with root {sealed.root}"
            )
        statement = sealed.statement.encode("utf-8")
        untrusted = keys.why_not(sealed.key_id, stored_keys.get(sealed.key_id))
        first, last = (day_entries[0].seq, day_entries[-1].seq) if day_entries else (None, None)
        if untrusted is not None:
            result.problems.append(f"{where}: {untrusted}")
        elif not statement_signed(statement, sealed.signature, keys.trusted[sealed.key_id]):
            result.problems.append(f"{where}: the mission's signature does not verify")
        elif statement != day_statement(day, len(day_entries), root, first, last, head):
            result.problems.append(
                f"{where}: the signed statement does not match the chain (its root, size, "
                "entries or chain head differ from what the stored entries give)"
            )


# --- closing days -----------------------------------------------------------


def ensure_mission_key(connection: Connection, key: Ed25519PrivateKey) -> KeyRecord:
    """The mission key's registry record, registering it on first use."""
    registry = load_registry(connection)
    key_id = mission_key_id(key)
    existing = registry.records_by_id().get(key_id)
    if existing is not None:
        if existing.revoked_at is not None:
            raise LedgerError(f"the mission key {key_id} was revoked; rotate to a new one")
        return existing
    record = KeyRecord(key_id, MISSION_OWNER, public_bytes(key), ledger_now(connection))
    save_keys(connection, [registry.add(record)])
    append(connection, [key_draft("add", record)])
    return record


def close_day(
    store: Store, day: dt.date, key: Ed25519PrivateKey, now: dt.datetime | None = None
) -> LedgerDay:
    """Seal one finished UTC day: its root over its entries, signed by the mission.
    `now` is a simulation's clock; a day is only over when the wall clock agrees."""
    wall = dt.datetime.now(dt.UTC)
    closed_at = wall if now is None else min(now, wall)
    today = closed_at.date()
    if day >= today:
        raise LedgerError(f"day {day} is not over yet (UTC today is {today}); close it tomorrow")
    with writing(store) as connection:
        if Session(connection).get(LedgerDay, day) is not None:
            raise LedgerError(f"day {day} is already closed; a closed day never changes")
        record = ensure_mission_key(connection, key)
        entries = load_entries(connection, day, day)
        before = connection.execute(
            select(func.max(LedgerEntryRow.seq)).where(
                LedgerEntryRow.recorded_at_us < day_bounds_us(day)[0]
            )
        ).scalar()
        previous = _entry(connection, before) if before is not None else None
        chain_head = entries[-1].hash if entries else (previous.hash if previous else GENESIS)
        root = merkle_root([e.leaf() for e in entries])
        first, last = (entries[0].seq, entries[-1].seq) if entries else (None, None)
        statement = day_statement(day, len(entries), root, first, last, chain_head)
        sealed = LedgerDay(
            day=day,
            tree_size=len(entries),
            first_seq=first,
            last_seq=last,
            root=root.hex(),
            chain_head=chain_head.hex(),
            statement=statement.decode("utf-8"),
            key_id=record.key_id,
            signature=sign(key, statement),
            closed_at=closed_at,
        )
        session = Session(connection)
        session.add(sealed)
        session.flush()
    return sealed


def checkpoint(store: Store, key: Ed25519PrivateKey) -> dict[str, Any]:
    """A signed root over today's entries so far, for a report with a cut-off time
    before the day can be closed. The same statement as a closed day, marked
    provisional with its cut-off; the day's closing root covers these entries too."""
    cut_off = dt.datetime.now(dt.UTC)
    day = cut_off.date()
    with writing(store) as connection:
        record = ensure_mission_key(connection, key)
        entries = load_entries(connection, day, day)
    root = merkle_root([e.leaf() for e in entries])
    first, last = (entries[0].seq, entries[-1].seq) if entries else (None, None)
    chain_head = entries[-1].hash if entries else GENESIS
    statement = json.loads(day_statement(day, len(entries), root, first, last, chain_head))
    statement |= {"provisional": True, "cut_off": cut_off.isoformat()}
    message = canonical_json(statement)
    return {
        "statement": statement,
        "key_id": record.key_id,
        "public_key": record.public_key.hex(),
        "signature": sign(key, message),
    }


def open_days(store: Store) -> list[dt.date]:
    """Finished days from the first entry's up to yesterday that are not yet closed."""
    with store.engine.connect() as connection:
        first_us = connection.execute(select(func.min(LedgerEntryRow.recorded_at_us))).scalar()
        closed = set(connection.execute(select(LedgerDay.day)).scalars())
    if first_us is None:
        return []
    day = dt.datetime.fromtimestamp(first_us / 1e6, dt.UTC).date()
    today = dt.datetime.now(dt.UTC).date()
    days = []
    while day < today:
        if day not in closed:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


# --- moving to a new ledger version ------------------------------------------


def rehash(store: Store, key: Ed25519PrivateKey) -> Entry | None:
    """Commit the RFC 8785 re-hash of the version 1 entries to the chain, signed by
    the mission (`accord.ledger.versions`); None when there is nothing left to do.

    One write transaction: interrupted, it leaves the store as it was. The
    stored entries are read, never rewritten, and a chain that does not verify
    is refused, since the mapping would vouch for it."""
    with writing(store) as connection:
        entries = load_entries(connection)
        checked = Verification(entries=len(entries), chain_fault=verify_chain(entries))
        _check_head(
            entries, connection.execute(select(LedgerHead.seq, LedgerHead.hash)).one(), checked
        )
        if not checked.ok:
            raise LedgerError(
                f"the chain does not verify ({checked.first_problem()}); a re-hash would "
                "vouch for it, so none was made: run `accord ledger verify`"
            )
        legacy = legacy_prefix(entries)
        if len(legacy) == rehashed_size(entries):
            return None
        try:
            statement = rehash_statement(legacy)
        except ValueError as exc:
            raise LedgerError(str(exc)) from None
        record = ensure_mission_key(connection, key)
        payload = rehash_payload(statement, record.key_id, sign(key, canonical_json(statement)))
        [made] = append(
            connection,
            [Draft(REHASH_KIND, "{from_version}-to-{to_version}".format(**statement), payload)],
        )
    return made


# --- proofs and exports -------------------------------------------------------


def _seal(connection: Connection, day: dt.date) -> DaySeal:
    sealed = Session(connection).get(LedgerDay, day)
    if sealed is None:
        raise LedgerError(
            f"day {day} is not closed yet, so it has no published root; "
            "run `accord ledger close-day` after the day ends"
        )
    record = load_registry(connection).records_by_id().get(sealed.key_id)
    if record is None:
        raise LedgerError(f"day {day} was signed with key {sealed.key_id}, which is not registered")
    return DaySeal(
        day=day,
        tree_size=sealed.tree_size,
        root=bytes.fromhex(sealed.root),
        statement=sealed.statement.encode("utf-8"),
        key_id=sealed.key_id,
        public_key=record.public_key,
        signature=sealed.signature,
    )


def everyone(_connection: Connection, _entry: Entry) -> bool:
    """The CLI's view: the operator reads the whole ledger."""
    return True


def find_entry(connection: Connection, wanted: str, visible: Visibility = everyone) -> Entry:
    """An entry by seq number, or by ref (an observation id, an incident id...): of
    several entries for one ref (an incident's steps and snapshots, a corrected
    figure) the latest, which records what the thing now is.

    Entries the caller may not see (`visible` says no) are answered exactly as
    missing ones, so an error never tells whether a hidden entry exists."""
    query = select(*ENTRY_COLUMNS)
    if wanted.isascii() and wanted.isdigit():
        seq = int(wanted)
        query = query.where(LedgerEntryRow.seq == seq if seq <= BIGINT_MAX else false())
    else:
        query = query.where(LedgerEntryRow.ref == wanted).order_by(LedgerEntryRow.seq)
    entries = [
        entry
        for entry in map(row_entry, connection.execute(query).all())
        if visible(connection, entry)
    ]
    if not entries:
        raise LedgerError(f"no ledger entry has seq or ref {wanted!r}")
    return entries[-1]


def prove(store: Store, wanted: str, visible: Visibility = everyone) -> dict[str, Any]:
    """An inclusion proof of one entry in its day's published tree."""
    with store.engine.connect() as connection:
        entry = find_entry(connection, wanted, visible)
        seal = _seal(connection, entry.day)
        entries = load_entries(connection, entry.day, entry.day)
    hashes = [leaf_hash(e.leaf()) for e in entries]
    index = next((i for i, e in enumerate(entries) if e.seq == entry.seq), None)
    if index is None or root_from_leaf_hashes(hashes) != seal.root:
        raise LedgerError(
            f"the stored entries of {entry.day} no longer give its published root; "
            "run `accord ledger verify` to find the altered entry"
        )
    return build_proof(entry, inclusion_proof(hashes, index), seal)


def export_day(store: Store, day: dt.date) -> dict[str, Any]:
    """The day's entries, the hash before them and its signed root, for any party."""
    with store.engine.connect() as connection:
        seal = _seal(connection, day)
        entries = load_entries(connection, day, day)
        previous = _entry(connection, entries[0].seq - 1) if entries and entries[0].seq else None
    previous_hash = entries[0].prev_hash if entries else GENESIS
    if entries and previous is not None and previous.hash != previous_hash:
        raise LedgerError(f"entry {entries[0].seq} does not link to entry {previous.seq}")
    return build_export(entries, previous_hash, seal)


# --- keys ----------------------------------------------------------------------


def key_draft(action: str, record: KeyRecord) -> Draft:
    """Every change to the key registry is itself a ledger entry."""
    return Draft(
        "key",
        record.key_id,
        {
            "action": action,
            "owner": record.owner,
            "public_key": record.public_key.hex(),
            "valid_from": record.valid_from.isoformat(),
            "valid_until": record.valid_until.isoformat() if record.valid_until else None,
            "revoked_at": record.revoked_at.isoformat() if record.revoked_at else None,
            "reason": record.revoked_because,
            "replaced_by": record.replaced_by,
        },
    )


def parse_public_key(text: str) -> bytes:
    """A 32-byte Ed25519 public key written as 64 hex digits or base64."""
    text = text.strip()
    try:
        raw = bytes.fromhex(text) if len(text) == 64 else unb64(text)
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise LedgerError(
            f"public key {text[:20]!r}... is not 32 bytes written as 64 hex digits or base64"
        )
    return raw


def change_keys(store: Store, action: str, *args: Any) -> KeyRecord:
    """Apply a registry change (add, rotate, revoke) and record it, in one transaction."""
    with writing(store) as connection:
        registry = load_registry(connection)
        try:
            changed = getattr(registry, action)(*args)
        except (ValueError, SignatureRefused) as exc:
            raise LedgerError(str(exc)) from None
        touched = [changed]
        if action == "rotate":
            touched.append(registry.records_by_id()[args[0]])
        save_keys(connection, touched)
        append(connection, [key_draft(action, r) for r in touched])
    return changed
