"""The ledger's tables and the writes that happen inside a caller's transaction.

Appending is part of the transaction that makes the thing appended true: an
ingest batch's observations and their ledger entries commit together or not
at all. The chain head (last seq and hash) is a row of its own, locked for the
append (`FOR UPDATE` on PostgreSQL; SQLite's write transactions are already
exclusive), so two writers can never fork the chain and appending costs one
row read however long the ledger is.

Signed submissions are admitted here too, before any row is inserted: a bad
signature or an unknown, revoked or foreign key is refused, counted per
reason, and never reaches the observations table or the ledger. An id reused
with other content is refused by the store's conflict check and counted too.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    Date,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    func,
    select,
)
from sqlalchemy import update as sql_update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from accord.ledger.canonical import canonical_text
from accord.ledger.chain import GENESIS, Entry, make_entries
from accord.ledger.keys import KeyRecord, KeyRegistry, Refusal, SignatureRefused, b64, unb64
from accord.ledger.signing import Signed
from accord.store.schema import Base, UtcDateTime

# The key an ingest row carries its signature under until admission takes it off.
SIGNED_ROW_KEY = "_signed"
REQUIRE_SIGNATURES = "require_signatures"
# An engine option naming a callable that gives the time new entries are recorded at;
# absent, the wall clock. A simulation sets it to replay its days (`accord.book.on_clock`).
LEDGER_CLOCK = "accord_ledger_clock"
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class LedgerEntryRow(Base):
    """One entry of the hash chain, exactly as hashed (payload is canonical JSON
    under the entry's ledger version: 1 before RFC 8785, 2 since)."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        Index("ix_ledger_entries_recorded_at_us", "recorded_at_us"),
        Index("ix_ledger_entries_kind_ref", "kind", "ref"),
    )

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    recorded_at_us: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(32))
    ref: Mapped[str] = mapped_column(String(200))
    payload: Mapped[str] = mapped_column(Text)
    corrects: Mapped[int | None] = mapped_column(BigInteger)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(SmallInteger)


class LedgerHead(Base):
    """The last entry: one row (id 1), updated with every append."""

    __tablename__ = "ledger_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)  # -1 before the first entry
    hash: Mapped[str] = mapped_column(String(64))
    recorded_at_us: Mapped[int] = mapped_column(BigInteger)


class LedgerDay(Base):
    """A closed day: its RFC 6962 root over the day's entries and the mission's signature."""

    __tablename__ = "ledger_days"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    tree_size: Mapped[int] = mapped_column(BigInteger)
    first_seq: Mapped[int | None] = mapped_column(BigInteger)
    last_seq: Mapped[int | None] = mapped_column(BigInteger)
    root: Mapped[str] = mapped_column(String(64))
    chain_head: Mapped[str] = mapped_column(String(64))
    statement: Mapped[str] = mapped_column(Text)  # the exact signed bytes (canonical JSON)
    key_id: Mapped[str] = mapped_column(String(128))
    signature: Mapped[str] = mapped_column(String(128))
    closed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class LedgerKey(Base):
    """A registered Ed25519 public key of a source or of the mission."""

    __tablename__ = "ledger_keys"

    key_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    owner: Mapped[str] = mapped_column(String(128))
    public_key: Mapped[str] = mapped_column(String(64))  # base64 of the 32 raw bytes
    valid_from: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    valid_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    revoked_because: Mapped[str | None] = mapped_column(Text)
    replaced_by: Mapped[str | None] = mapped_column(String(128))


class LedgerRefusal(Base):
    """How many submissions were refused for one reason, and when last."""

    __tablename__ = "ledger_refusals"

    reason: Mapped[str] = mapped_column(String(32), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger)
    last_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class LedgerSetting(Base):
    """A store-wide ledger setting, e.g. require_signatures = "true"."""

    __tablename__ = "ledger_settings"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


ENTRIES = LedgerEntryRow.__table__


def to_us(moment: dt.datetime) -> int:
    """A UTC time as microseconds since the epoch, as the ledger tables store times."""
    return (moment - _EPOCH) // dt.timedelta(microseconds=1)


def from_us(us: int) -> dt.datetime:
    """Microseconds since the epoch back to a UTC time."""
    return _EPOCH + dt.timedelta(microseconds=us)


def row_entry(row: Any) -> Entry:
    """An Entry from a `ledger_entries` row (or a tuple in its column order).

    A row whose payload is not canonical JSON of an object, or whose hashes are
    not hex, is kept with the raw text in place of its payload, so verification
    names it as altered instead of crashing.
    """
    seq, recorded_at_us, kind, ref, payload, corrects, prev_hash, hash_, version = row
    try:
        content = json.loads(payload)
        # Text that is not the canonical form of what it parses to was edited, even
        # when the edit keeps the value (e.g. a float's digits beyond its precision).
        if not isinstance(content, dict) or canonical_text(content, version) != payload:
            content = None
    except ValueError:
        content = None
    if content is None:
        content = {"unreadable": payload}
    return Entry(
        seq=seq,
        recorded_at=from_us(recorded_at_us),
        kind=kind,
        ref=ref,
        payload=content,
        prev_hash=_unhex(prev_hash),
        hash=_unhex(hash_),
        corrects=corrects,
        version=version,
    )


def _unhex(text: str) -> bytes:
    try:
        return bytes.fromhex(text)
    except ValueError:
        return b""


ENTRY_COLUMNS = (
    LedgerEntryRow.seq,
    LedgerEntryRow.recorded_at_us,
    LedgerEntryRow.kind,
    LedgerEntryRow.ref,
    LedgerEntryRow.payload,
    LedgerEntryRow.corrects,
    LedgerEntryRow.prev_hash,
    LedgerEntryRow.hash,
    LedgerEntryRow.version,
)


_INSERT_ENTRIES = (
    f"INSERT INTO ledger_entries ({', '.join(c.name for c in ENTRY_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in ENTRY_COLUMNS)})"
)


@dataclass(frozen=True, slots=True)
class Draft:
    """What a caller wants recorded; the append gives it its place and hashes."""

    kind: str
    ref: str
    payload: dict[str, Any]
    corrects: int | None = None


def read_head(connection: Connection, lock: bool = False) -> Entry | None:
    """The last entry (None for an empty ledger); `lock` holds it until commit."""
    query = select(LedgerHead.seq, LedgerHead.hash, LedgerHead.recorded_at_us).where(
        LedgerHead.id == 1
    )
    if lock and connection.dialect.name == "postgresql":
        query = query.with_for_update()
    seq, hash_hex, at_us = connection.execute(query).one()
    if seq < 0:
        return None
    # Only seq, hash and time matter for the next append; the rest is not read.
    return Entry(seq, from_us(at_us), "", "", {}, GENESIS, bytes.fromhex(hash_hex))


def latest_seq(connection: Connection, kind: str, ref: str) -> int | None:
    """The newest entry recorded about `ref`, which a new figure for it corrects."""
    return connection.execute(
        select(func.max(LedgerEntryRow.seq)).where(
            LedgerEntryRow.kind == kind, LedgerEntryRow.ref == ref
        )
    ).scalar()


def ledger_now(connection: Connection) -> dt.datetime:
    """The moment an entry appended now is recorded at: the store's clock when it has
    one (a simulation's), else the wall clock."""
    clock = connection.get_execution_options().get(LEDGER_CLOCK)
    return dt.datetime.now(dt.UTC) if clock is None else clock()


def append(
    connection: Connection, drafts: Sequence[Draft], now: dt.datetime | None = None
) -> list[Entry]:
    """Append entries inside the caller's transaction; they commit with it."""
    if not drafts:
        return []
    head = read_head(connection, lock=True)
    recorded_at = now or ledger_now(connection)
    if head is not None and recorded_at < head.recorded_at:
        recorded_at = head.recorded_at  # never backwards: a closed day stays closed
    made = make_entries(head, ((d.kind, d.ref, d.payload, d.corrects) for d in drafts), recorded_at)
    at_us = to_us(recorded_at)
    rows = [
        (
            e.seq,
            at_us,
            e.kind,
            e.ref,
            payload,
            e.corrects,
            e.prev_hash.hex(),
            e.hash.hex(),
            e.version,
        )
        for e, payload in made
    ]
    if connection.dialect.name == "postgresql":
        _copy_entries(connection, rows)
    else:
        # Positional rows straight to the driver: SQLAlchemy's per-row parameter
        # processing costs more than the insert itself for a batch.
        connection.exec_driver_sql(_INSERT_ENTRIES, rows)
    entries = [e for e, _ in made]
    last = entries[-1]
    connection.execute(
        sql_update(LedgerHead)
        .where(LedgerHead.id == 1)
        .values(seq=last.seq, hash=last.hash.hex(), recorded_at_us=at_us)
    )
    return entries


def _copy_entries(connection: Connection, rows: list[tuple[Any, ...]]) -> None:
    """PostgreSQL: COPY is several times faster than a multi-row INSERT for a batch."""
    columns = ", ".join(c.name for c in ENTRY_COLUMNS)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor, cursor.copy(f"COPY ledger_entries ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


# --- keys and settings ------------------------------------------------------


def load_registry(connection: Connection) -> KeyRegistry:
    """The source and mission keys as the store holds them."""
    rows = connection.execute(select(*LedgerKey.__table__.columns)).all()
    return KeyRegistry(
        [
            KeyRecord(
                key_id=r.key_id,
                owner=r.owner,
                public_key=unb64(r.public_key),
                valid_from=r.valid_from,
                valid_until=r.valid_until,
                revoked_at=r.revoked_at,
                revoked_because=r.revoked_because,
                replaced_by=r.replaced_by,
            )
            for r in rows
        ]
    )


def save_keys(connection: Connection, records: Iterable[KeyRecord]) -> None:
    """Insert or update the given key records (the registry decides what is allowed)."""
    for record in records:
        values = {
            "owner": record.owner,
            "public_key": b64(record.public_key),
            "valid_from": record.valid_from,
            "valid_until": record.valid_until,
            "revoked_at": record.revoked_at,
            "revoked_because": record.revoked_because,
            "replaced_by": record.replaced_by,
        }
        statement = _dialect(connection).insert(LedgerKey).values(key_id=record.key_id, **values)
        connection.execute(statement.on_conflict_do_update(index_elements=["key_id"], set_=values))


def setting(connection: Connection, name: str, default: str = "") -> str:
    """A ledger setting's stored value, or `default` when it was never set."""
    query = select(LedgerSetting.value).where(LedgerSetting.name == name)
    value = connection.execute(query).scalar()
    return default if value is None else value


def set_setting(connection: Connection, name: str, value: str) -> None:
    """Change a setting; the change is a ledger entry, since settings decide what is accepted."""
    statement = _dialect(connection).insert(LedgerSetting).values(name=name, value=value)
    connection.execute(
        statement.on_conflict_do_update(index_elements=["name"], set_={"value": value})
    )
    append(connection, [Draft("setting", name, {"value": value})])


def count_refusals(connection: Connection, reasons: Iterable[Refusal]) -> None:
    """Add the refused signatures to the per-reason counts."""
    now = dt.datetime.now(dt.UTC)
    counts: dict[str, int] = {}
    for reason in reasons:
        counts[reason.value] = counts.get(reason.value, 0) + 1
    for name, n in counts.items():
        statement = (
            _dialect(connection).insert(LedgerRefusal).values(reason=name, count=n, last_at=now)
        )
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=["reason"],
                set_={"count": LedgerRefusal.count + n, "last_at": now},
            )
        )


def refusal_counts(connection: Connection) -> dict[str, int]:
    """How many signatures were refused, by reason."""
    rows = connection.execute(select(LedgerRefusal.reason, LedgerRefusal.count))
    return {reason: count for reason, count in rows}


def _dialect(connection: Connection) -> Any:
    return postgresql if connection.dialect.name == "postgresql" else sqlite


# --- admission of an ingest batch and its entries ---------------------------


@dataclass
class Admission:
    """An ingest batch's rows split into those admitted and those refused (with why)."""

    rows: list[dict[str, Any]]
    refused: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    signed: dict[str, Signed] = field(default_factory=dict)  # by observation id


def admit(connection: Connection, rows: list[dict[str, Any]]) -> Admission:
    """Check signatures before anything is inserted; count what is refused.

    Reused ids are refused by the store's own conflict check (the insert skips
    them); it counts them here with `count_refusals(..., [Refusal.reused_id])`."""
    signed = {row["observation_id"]: row.pop(SIGNED_ROW_KEY, None) for row in rows}
    required = setting(connection, REQUIRE_SIGNATURES) == "true"
    registry = load_registry(connection) if required or any(signed.values()) else None
    admission = Admission(rows=[])
    reasons: list[Refusal] = []
    for row in rows:
        signature = signed[row["observation_id"]]
        try:
            signature = _check_row(row, signature, required, registry)
        except SignatureRefused as refusal:
            reasons.append(refusal.reason)
            admission.refused.append((row, f"refused ({refusal})"))
            continue
        admission.rows.append(row)
        if signature is not None:
            admission.signed[row["observation_id"]] = signature
    if reasons:
        count_refusals(connection, reasons)
    return admission


def _check_row(
    row: dict[str, Any],
    signature: Signed | None,
    required: bool,
    registry: KeyRegistry | None,
) -> Signed | None:
    """The signature as it verified (over the RFC 8785 form or the older one)."""
    if signature is None:
        if required:
            raise SignatureRefused(
                Refusal.unsigned,
                "this store requires signed observations: add key_id and signature",
            )
        return None
    if not signature.key_id or not signature.signature:
        raise SignatureRefused(Refusal.unsigned, "key_id and signature come together")
    if registry is None:
        raise SignatureRefused(Refusal.unknown_key, "no keys are registered")
    when = from_us(row["observed_at_us"])
    source, key_id, text = row["source_id"], signature.key_id, signature.signature
    try:
        registry.check(key_id, source, signature.message, text, when)
    except SignatureRefused as refusal:
        if refusal.reason is not Refusal.bad_signature or signature.legacy_message is None:
            raise
        registry.check(key_id, source, signature.legacy_message, text, when)
        return Signed(key_id, text, signature.legacy_message)
    return signature


def record_accepted(
    connection: Connection,
    batch_id: int,
    admission: Admission,
    accepted: Iterable[str],
) -> list[Entry]:
    """One ledger entry per newly stored observation, in the batch's order."""
    new = set(accepted)
    drafts = []
    for row in admission.rows:
        if row["observation_id"] not in new:
            continue
        payload: dict[str, Any] = {
            "batch": batch_id,
            "digest": row["digest"],
            "source_id": row["source_id"],
        }
        signed = admission.signed.get(row["observation_id"])
        if signed is not None:
            payload |= {
                "key_id": signed.key_id,
                "signature": signed.signature,
                "signed_sha256": signed.message_sha256,
            }
        drafts.append(Draft("observation", row["observation_id"], payload))
    return append(connection, drafts)
