"""Tampering with any one stored entry is found, and the entry is named.

Each trial alters the stored ledger with SQL inside a transaction, verifies
through the same connection, and rolls back, so 1,000 trials run against one
database per backend: mutate a field, delete, insert or swap entries.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from sqlalchemy import Connection, select, text

from accord import book
from accord.ledger.canonical import canonical_json
from accord.ledger.chain import make_entry
from accord.store import Store
from accord.store.ledger import ENTRY_COLUMNS, row_entry

from .conftest import PAST_DAYS

TRIALS = 1000
FIELDS = ("recorded_at_us", "kind", "ref", "payload", "corrects", "prev_hash", "hash", "seq")


def _row(connection: Connection, seq: int) -> dict[str, object]:
    row = connection.execute(text("SELECT * FROM ledger_entries WHERE seq = :s"), {"s": seq})
    return dict(row.mappings().one())


def _flip(hex_text: str, rng: random.Random) -> str:
    at = rng.randrange(len(hex_text))
    digit = "0" if hex_text[at] != "0" else "1"
    return hex_text[:at] + digit + hex_text[at + 1 :]


def _mutate(connection: Connection, n: int, rng: random.Random) -> int:
    k = rng.randrange(n)
    row = _row(connection, k)
    column = rng.choice(FIELDS)
    value: object
    if column == "recorded_at_us":
        value = int(row[column]) + rng.choice([-1, 1]) * rng.randrange(1, 10**9)
    elif column in ("kind", "ref"):
        value = str(row[column]) + rng.choice(["x", " ", "0"])
    elif column == "payload":
        text_ = str(row[column])
        at = rng.randrange(len(text_))
        value = text_[:at] + rng.choice("0123456789xyz") + text_[at + 1 :]
        if value == text_:
            value = text_ + " "
    elif column == "corrects":
        value = rng.randrange(n) if row[column] is None else None
    elif column == "seq":
        value = n + rng.randrange(1, 1000)
    else:
        value = _flip(str(row[column]), rng)
    connection.execute(
        text(f"UPDATE ledger_entries SET {column} = :v WHERE seq = :s"), {"v": value, "s": k}
    )
    return k


def _delete(connection: Connection, n: int, rng: random.Random) -> int:
    k = rng.randrange(n)
    connection.execute(text("DELETE FROM ledger_entries WHERE seq = :s"), {"s": k})
    return k


def _insert(connection: Connection, n: int, rng: random.Random) -> int:
    """Shift entries k.. up by one and put a forged copy of another entry at k."""
    k = rng.randrange(n + 1)
    forged = _row(connection, rng.choice([j for j in range(n) if j != k]))
    # Two steps, so PostgreSQL never sees two rows with one primary key.
    connection.execute(text("UPDATE ledger_entries SET seq = -seq - 2 WHERE seq >= :k"), {"k": k})
    connection.execute(text("UPDATE ledger_entries SET seq = -seq - 1 WHERE seq < 0"))
    forged["seq"] = k
    columns = ", ".join(forged)
    values = ", ".join(f":{name}" for name in forged)
    connection.execute(text(f"INSERT INTO ledger_entries ({columns}) VALUES ({values})"), forged)
    return k


def _swap(connection: Connection, n: int, rng: random.Random) -> int:
    k, j = sorted(rng.sample(range(n), 2))
    connection.execute(text("UPDATE ledger_entries SET seq = -1 WHERE seq = :k"), {"k": k})
    connection.execute(text("UPDATE ledger_entries SET seq = :k WHERE seq = :j"), {"k": k, "j": j})
    connection.execute(text("UPDATE ledger_entries SET seq = :j WHERE seq = -1"), {"j": j})
    return k


TAMPERS: dict[str, Callable[[Connection, int, random.Random], int]] = {
    "mutate": _mutate,
    "delete": _delete,
    "insert": _insert,
    "swap": _swap,
}


def test_every_single_tamper_is_found_and_named(sealed: Store) -> None:
    rng = random.Random(20260822)
    with sealed.engine.connect() as connection:
        assert book.verify(connection).ok
        n = int(connection.execute(text("SELECT count(*) FROM ledger_entries")).scalar_one())
        connection.rollback()
        seen: dict[str, int] = dict.fromkeys(TAMPERS, 0)
        for trial in range(TRIALS):
            how = rng.choice(list(TAMPERS))
            with connection.begin() as transaction:
                k = TAMPERS[how](connection, n, rng)
                result = book.verify(connection)
                transaction.rollback()
            assert not result.ok, f"trial {trial}: {how} of entry {k} went unnoticed"
            assert result.named == k, (
                f"trial {trial}: {how} of entry {k}, but verify named {result.named}: "
                f"{result.first_problem()}"
            )
            seen[how] += 1
        assert book.verify(connection).ok
    assert min(seen.values()) > TRIALS // 8


def test_rewriting_the_chain_after_an_edit_is_caught_by_the_signed_day_root(sealed: Store) -> None:
    """An insider who re-hashes every later entry still cannot match the signed roots."""
    with sealed.engine.connect() as connection, connection.begin() as transaction:
        stored = [row_entry(r) for r in connection.execute(select(*ENTRY_COLUMNS).order_by("seq"))]
        prev = None
        for e in stored:
            payload = e.payload | ({"index": 1.0} if e.seq == 5 else {})
            prev = make_entry(prev, e.kind, e.ref, payload, e.recorded_at, e.corrects)
            connection.execute(
                text(
                    "UPDATE ledger_entries SET payload = :p, prev_hash = :ph, hash = :h "
                    "WHERE seq = :s"
                ),
                {
                    "p": canonical_json(prev.payload).decode(),
                    "ph": prev.prev_hash.hex(),
                    "h": prev.hash.hex(),
                    "s": prev.seq,
                },
            )
        assert prev is not None
        connection.execute(text("UPDATE ledger_head SET hash = :h"), {"h": prev.hash.hex()})
        result = book.verify(connection)
        transaction.rollback()
    assert result.chain_fault is None
    assert not result.ok and "entries give root" in result.problems[0]
    assert str(PAST_DAYS[0]) in result.problems[0]
