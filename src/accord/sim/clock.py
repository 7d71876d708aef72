"""The simulated clock a run records its ledger entries on, and the closing of its days.

A simulated week is ingested in seconds, but its ledger must read like a real
mission's: each day's observations recorded on that day, and each day closed
with the mission's signed Merkle root. So the run moves a clock along its data
(`SimClock.advance`) and the store records entries at that clock
(`accord.book.on_clock`); when the run ends every day it reached is
closed with `accord.book.close_day`, exactly as `accord ledger
close-day` closes a real one.

A store that is being written live keeps the wall clock: one whose ledger head
lies on a day not yet closed (the mission's day is still open), or whose next
free day is not in the past. A second run into a store the first one closed
starts on the day after the last closed day, so entries stay in time order and
no closed day is ever written to again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from accord.book import close_day, ensure_mission_key, on_clock, writing
from accord.store import Store
from accord.store.ledger import LedgerDay, LedgerHead, from_us

_DAY = dt.timedelta(days=1)


class SimClock:
    """The simulated moment: it only moves forward, as a real clock does."""

    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def __call__(self) -> dt.datetime:
        return self.moment

    def advance(self, to: dt.datetime) -> None:
        """Move the clock forward to `to`; it never runs backwards."""
        self.moment = max(self.moment, to)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.UTC)


def first_moment(store: Store, start: dt.datetime, end: dt.datetime) -> dt.datetime | None:
    """Where a run of `start`..`end` may begin recording (None: the store is live, so the
    wall clock stays): its own start on a fresh ledger, else no earlier than the day
    after the last closed day. A run that would reach today is live too, since a day
    not yet over on the wall clock cannot be closed."""
    with store.engine.connect() as connection:
        head_seq, head_us = connection.execute(
            select(LedgerHead.seq, LedgerHead.recorded_at_us)
        ).one()
        last_closed = connection.execute(select(func.max(LedgerDay.day))).scalar()
    moment = start
    if head_seq >= 0:
        head_day = from_us(head_us).date()
        if last_closed is None or last_closed < head_day:
            return None
        moment = max(start, _midnight(last_closed + _DAY))
    if (moment + (end - start)).date() >= dt.datetime.now(dt.UTC).date():
        return None
    return moment


@contextmanager
def simulated_days(
    store: Store, start: dt.datetime, end: dt.datetime, key: Ed25519PrivateKey | None
) -> Iterator[SimClock | None]:
    """Run the block on a simulated ledger clock from `start` (None where the store is
    live); when it ends without error, close with `key` every day from the first the
    block could record on to the last it reached, empty days included. Without a key
    the days stay open for `accord ledger close-day`."""
    moment = first_moment(store, start, end)
    if moment is None:
        yield None
        return
    clock = SimClock(moment)
    with on_clock(store, clock):
        if key is not None:  # registered before the data, so the key entry is on day one
            with writing(store) as connection:
                ensure_mission_key(connection, key)
        yield clock
        if key is not None:
            close_through(store, moment.date(), clock, key)


def close_through(store: Store, first: dt.date, clock: SimClock, key: Ed25519PrivateKey) -> None:
    """Close each open day from `first` to the one the clock reached, as the run ends:
    when that last day is over on the simulated clock."""
    with store.engine.connect() as connection:
        closed = set(connection.execute(select(LedgerDay.day)).scalars())
    last = clock().date()
    clock.advance(_midnight(last + _DAY))
    day = first
    while day <= last:
        if day not in closed:
            close_day(store, day, key, now=clock())
        day += _DAY
