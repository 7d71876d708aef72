"""Attacks by whoever runs the store: a consistent rewrite, a deleted seal, a forged key,
a truncated open day. Each is caught against what a party holds, and named."""

from __future__ import annotations

import datetime as dt
import json

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, text

from accord import book
from accord.ledger.canonical import canonical_json
from accord.ledger.chain import Entry, make_entry
from accord.ledger.keys import b64, public_bytes, sign
from accord.ledger.merkle import merkle_root
from accord.ledger.signing import day_statement, mission_key_id
from accord.ledger.trust import (
    check_against_checkpoint,
    check_consistency,
    consistency,
    make_checkpoint,
)
from accord.store import Store
from accord.store.ledger import from_us

from .conftest import PAST_DAYS


def _entries(connection: Connection) -> list[Entry]:
    return book.load_entries(connection)


def _rewrite(connection: Connection, seq: int, payload: dict[str, object]) -> None:
    """Change one entry and re-hash everything after it, head included: no link breaks."""
    entries = _entries(connection)
    prev = entries[seq - 1] if seq else None
    for entry in entries[seq:]:
        new = make_entry(
            prev,
            entry.kind,
            entry.ref,
            payload if entry.seq == seq else entry.payload,
            entry.recorded_at,
            entry.corrects,
        )
        connection.execute(
            text(
                "UPDATE ledger_entries SET payload = :p, prev_hash = :ph, hash = :h WHERE seq = :s"
            ),
            {
                "p": canonical_json(new.payload).decode(),
                "ph": new.prev_hash.hex(),
                "h": new.hash.hex(),
                "s": new.seq,
            },
        )
        prev = new
    assert prev is not None
    connection.execute(text("UPDATE ledger_head SET hash = :h"), {"h": prev.hash.hex()})


def _reseal(connection: Connection, key: Ed25519PrivateKey, key_id: str) -> None:
    """Sign every closed day again over the rewritten chain, as a forger would."""
    entries = _entries(connection)
    for day in PAST_DAYS:
        mine = [e for e in entries if e.day == day]
        root = merkle_root([e.leaf() for e in mine])
        statement = day_statement(day, len(mine), root, mine[0].seq, mine[-1].seq, mine[-1].hash)
        connection.execute(
            text(
                "UPDATE ledger_days SET root = :r, chain_head = :c, statement = :s,"
                " key_id = :k, signature = :g WHERE day = :d"
            ),
            {
                "r": root.hex(),
                "c": mine[-1].hash.hex(),
                "s": statement.decode(),
                "k": key_id,
                "g": sign(key, statement),
                "d": day,
            },
        )


def _first_of(connection: Connection, day: dt.date) -> int:
    return next(e.seq for e in _entries(connection) if e.day == day)


def test_a_consistent_rewrite_with_its_seal_deleted_is_caught(sealed: Store) -> None:
    with sealed.engine.connect() as connection, connection.begin():
        assert book.verify(connection).ok
        seq = _first_of(connection, PAST_DAYS[1])
        _rewrite(connection, seq, {"index": 0.99, "day": str(PAST_DAYS[1])})
        connection.execute(text("DELETE FROM ledger_days WHERE day = :d"), {"d": PAST_DAYS[1]})
        result = book.verify(connection)
        connection.rollback()
    assert result.chain_fault is None  # the links all hold: only the seals can tell
    assert result.problems[0].startswith(f"day {PAST_DAYS[1]}: over, with ")
    assert result.problems[0].endswith(
        "but has no seal: closed days are never deleted; run "
        "`accord ledger close-day` if it was never closed"
    )
    assert result.problems[1] == (
        f"day {PAST_DAYS[2]}: the signed statement does not match the chain (its root, size, "
        "entries or chain head differ from what the stored entries give)"
    )


def test_a_reseal_with_a_key_only_the_key_table_knows_is_caught(sealed: Store) -> None:
    forger = Ed25519PrivateKey.generate()
    with sealed.engine.connect() as connection, connection.begin():
        _rewrite(connection, _first_of(connection, PAST_DAYS[0]), {"index": 0.01})
        connection.execute(
            text(
                "INSERT INTO ledger_keys (key_id, owner, public_key, valid_from)"
                " VALUES (:k, 'mission', :p, :f)"
            ),
            {"k": "mission-forged", "p": b64(public_bytes(forger)), "f": from_us(0)},
        )
        _reseal(connection, forger, "mission-forged")
        result = book.verify(connection)
        connection.rollback()
    assert not result.ok
    assert result.problems[0] == (
        f"day {PAST_DAYS[0]}: signed with key mission-forged, which no key entry of the "
        "chain registers"
    )


def test_only_the_key_a_party_holds_anchors_the_seals(
    sealed: Store, mission_key: Ed25519PrivateKey
) -> None:
    """A forger who rewrites the mission key's own entry fools a check anchored on the
    store, never one anchored on the public key the party was given."""
    forger = Ed25519PrivateKey.generate()
    with sealed.engine.connect() as connection, connection.begin():
        key_entry = next(e for e in _entries(connection) if e.ref == mission_key_id(mission_key))
        _rewrite(
            connection,
            key_entry.seq,
            key_entry.payload | {"public_key": public_bytes(forger).hex()},
        )
        connection.execute(
            text("UPDATE ledger_keys SET public_key = :p WHERE key_id = :k"),
            {"p": b64(public_bytes(forger)), "k": key_entry.ref},
        )
        _reseal(connection, forger, key_entry.ref)
        on_the_store = book.verify(connection)
        on_the_key = book.verify(connection, public_key=public_bytes(mission_key))
        connection.rollback()
    assert on_the_store.ok and "no --public-key given" in on_the_store.anchor
    assert on_the_key.problems[0].startswith(
        f"day {PAST_DAYS[0]}: signed with key {key_entry.ref}, which no rotation from the key "
        "you gave"
    )


def test_a_truncated_open_day_is_caught_by_a_held_checkpoint(
    sealed: Store, mission_key: Ed25519PrivateKey
) -> None:
    public = public_bytes(mission_key)
    with sealed.engine.connect() as connection, connection.begin():
        held = json.loads(json.dumps(make_checkpoint(_entries(connection), mission_key)))
        assert check_against_checkpoint(_entries(connection), held, public) == []
        last = _entries(connection)[-1].seq
        # The forger removes the last five observations and the entries that vouch for them.
        gone = [e.ref for e in _entries(connection)[-5:]]
        for ref in gone:
            connection.execute(
                text("DELETE FROM observations WHERE observation_id = :r"), {"r": ref}
            )
        connection.execute(text("DELETE FROM ledger_entries WHERE seq > :s"), {"s": last - 5})
        kept = _entries(connection)[-1]
        connection.execute(
            text("UPDATE ledger_head SET seq = :s, hash = :h"),
            {"s": kept.seq, "h": kept.hash.hex()},
        )
        alone = book.verify(connection)
        against = check_against_checkpoint(_entries(connection), held, public)
        connection.rollback()
    assert alone.ok  # nothing in the store itself can show it
    assert against == [
        f"truncated: the checkpoint covers {last + 1} entries, the store holds {last - 4}"
    ]


def test_a_rewrite_before_a_checkpoint_is_caught_with_the_store_or_a_proof(
    sealed: Store, mission_key: Ed25519PrivateKey
) -> None:
    public = public_bytes(mission_key)
    with sealed.engine.connect() as connection, connection.begin():
        entries = _entries(connection)
        held = make_checkpoint(entries[:40], mission_key)
        honest = consistency(entries, 40, mission_key)
        assert check_consistency(held, honest, public) == []
        _rewrite(connection, 10, {"index": 0.5})
        rewritten = _entries(connection)
        forged = consistency(rewritten, 40, mission_key)  # even signed by the real key
        with_store = check_against_checkpoint(rewritten, held, public)
        connection.rollback()
    assert with_store[0].startswith("rewritten: the store's first 40 entries give root ")
    assert check_consistency(held, forged, public) == [
        f"the log of {len(entries)} entries does not extend your checkpoint of 40: entries you "
        "hold were rewritten or removed"
    ]
    stranger = public_bytes(Ed25519PrivateKey.generate())
    assert (
        check_consistency(held, honest, stranger)
        == ["the checkpoint's signature does not verify with the mission key you gave"] * 2
    )
