"""The simulated ledger clock: entries on their simulated days, every day reached closed
(empty ones too), a live store left on the wall clock, a second run after the first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord import book
from accord.ledger.merkle import merkle_root
from accord.ledger.proofs import statement_signed
from accord.ledger.signing import day_statement
from accord.sim.clock import first_moment, simulated_days
from accord.store import Store, open_store
from accord.store.ledger import Draft, LedgerDay, append

# Mid-afternoon, so the run's first ledger day is a part day (not the shipped scenario).
START = dt.datetime(2024, 3, 5, 15, 30, tzinfo=dt.UTC)
END = START + dt.timedelta(days=2)


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    with open_store(database_url) as opened:
        yield opened


def note(store: Store, ref: str) -> None:
    with book.writing(store) as connection:
        append(connection, [Draft("note", ref, {"ref": ref})])


def closed(store: Store) -> dict[dt.date, LedgerDay]:
    with Session(store.engine) as session:
        return {d.day: d for d in session.scalars(select(LedgerDay))}


def test_days_are_recorded_and_closed_on_the_simulated_clock_empty_day_too(store: Store):
    key = Ed25519PrivateKey.generate()
    with simulated_days(store, START, END, key) as clock:
        assert clock is not None
        note(store, "first")
        clock.advance(START + dt.timedelta(days=2, hours=-1))  # 6 March has nothing
        note(store, "third")
    days = closed(store)
    assert sorted(days) == [dt.date(2024, 3, 5), dt.date(2024, 3, 6), dt.date(2024, 3, 7)]
    with store.engine.connect() as connection:
        entries = book.load_entries(connection)
        check = book.verify(connection, public_key=key.public_key().public_bytes_raw())
    assert check.ok, check.problems
    assert check.days == 3
    assert [e.day for e in entries] == [dt.date(2024, 3, 5)] * 2 + [dt.date(2024, 3, 7)]
    assert [e.ref for e in entries][1:] == ["first", "third"]  # the key entry comes first
    empty = days[dt.date(2024, 3, 6)]
    assert empty.tree_size == 0 and empty.first_seq is None
    assert empty.root == merkle_root([]).hex()
    for day, sealed in days.items():
        mine = [e for e in entries if e.day == day]
        statement = day_statement(
            day,
            len(mine),
            merkle_root([e.leaf() for e in mine]),
            mine[0].seq if mine else None,
            mine[-1].seq if mine else None,
            mine[-1].hash if mine else entries[1].hash,
        )
        assert sealed.statement.encode() == statement
        assert statement_signed(statement, sealed.signature, key.public_key().public_bytes_raw())
        # closed when the run ended, after the day's end on the simulated clock
        assert sealed.closed_at == dt.datetime(2024, 3, 8, tzinfo=dt.UTC)


def test_a_second_run_starts_after_the_closed_days_and_closes_only_its_own(store: Store):
    key = Ed25519PrivateKey.generate()
    with simulated_days(store, START, END, key):
        note(store, "run-1")
    before = closed(store)
    assert first_moment(store, START, END) == dt.datetime(2024, 3, 6, tzinfo=dt.UTC)
    with simulated_days(store, START, END, key):
        note(store, "run-2")
    after = closed(store)
    assert {d: s.statement for d, s in after.items() if d in before} == {
        d: s.statement for d, s in before.items()
    }
    assert sorted(set(after) - set(before)) == [dt.date(2024, 3, 6)]
    with store.engine.connect() as connection:
        entries = book.load_entries(connection)
        assert book.verify(connection).ok
    times = [e.recorded_at for e in entries]
    assert times == sorted(times)
    assert entries[-1].ref == "run-2" and entries[-1].day == dt.date(2024, 3, 6)


def test_without_a_key_the_days_are_dated_but_left_for_close_day(store: Store):
    with simulated_days(store, START, END, None):
        note(store, "unsigned")
    assert closed(store) == {}
    assert book.open_days(store)[0] == dt.date(2024, 3, 5)
    sealed = book.close_day(store, dt.date(2024, 3, 5), Ed25519PrivateKey.generate())
    assert sealed.tree_size == 1


def test_a_live_store_keeps_the_wall_clock(store: Store):
    note(store, "live")  # today, and today is not closed
    assert first_moment(store, START, END) is None
    with simulated_days(store, START, END, Ed25519PrivateKey.generate()) as clock:
        assert clock is None
        note(store, "during")
    with store.engine.connect() as connection:
        entries = book.load_entries(connection)
    today = dt.datetime.now(dt.UTC).date()
    assert [e.day for e in entries] == [today, today]
    assert closed(store) == {}


def test_a_run_that_would_reach_today_is_live(store: Store):
    recent = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    assert first_moment(store, recent, recent + dt.timedelta(days=2)) is None
    assert first_moment(store, START, END) == START


def test_a_day_not_over_on_the_simulated_clock_is_refused(store: Store):
    note(store, "x")
    day = dt.date(2024, 3, 5)
    with pytest.raises(book.LedgerError, match="not over yet"):
        book.close_day(store, day, Ed25519PrivateKey.generate(), now=START)
