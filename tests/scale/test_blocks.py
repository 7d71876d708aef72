"""Days correlated apart and stitched at midnight give one batch's incidents, in its order.

The findings are made by hand: a chain of sightings every ten minutes, a
kilometre apart, running from the evening of the first day through the whole
second day into the third (one incident across two midnights, most of it far
from either), chains that end just before midnight or start just after it
(each within its day), and scattered single sightings.
"""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import UTC, datetime

import numpy as np
import pytest

from accord.verify.batch import Verifier
from accord.verify.findings import Findings, Notices, Tallies
from accord.verify.incidents import correlate, fuse, place
from accord.verify.linkage import Clears

from .conftest import require

blocks = require("accord.scale.blocks")
archive = require("accord.scale.archive")

MINUTE_NS = 60 * 10**9
DAY0 = int(datetime(2025, 6, 10, tzinfo=UTC).timestamp()) * 10**9
KM_LAT = 1 / 111.195


def _findings(rows, rule, time_ns, lon, lat, source):  # type: ignore[no-untyped-def]
    """Findings of archive rows `rows`, numbered from the first of them."""
    n, rows = len(rule), np.asarray(rows)
    return Findings(
        rule=np.asarray(rule, dtype=np.int32),
        row=np.arange(n, dtype=np.int64),
        key=np.char.add("obs-", np.asarray(rows).astype(str)),
        time_ns=np.asarray(time_ns, dtype=np.int64),
        lon=np.asarray(lon, dtype=float),
        lat=np.asarray(lat, dtype=float),
        uncertainty_m=np.full(n, 50.0),
        party=np.array(["RU", "UA", ""])[rows % 3],
        party_confidence=0.5 + (rows % 40) / 100,
        attribution=np.full(n, "reported"),
        source_id=np.asarray(source),
        source_type=np.char.partition(np.asarray(source), "-")[:, 0],
        confidence=0.6 + (rows % 20) / 100,
        severity=np.full(n, 2, dtype=np.int8),
        count=rows.astype(np.int64) % 7 + 1,
        observed_kind=np.full(n, "armour"),
        near_edge=np.zeros(n, dtype=bool),
    )


def _day_of(time_ns: np.ndarray) -> np.ndarray:
    return (time_ns - DAY0) // (1440 * MINUTE_NS)


def _observations() -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(5)
    chain_t = DAY0 + (20 * 60 + np.arange(0, 30 * 60, 10)) * MINUTE_NS  # day 0 20:00 -> day 2
    chain_lat = 48.0 + np.arange(chain_t.size) * 1.0 * KM_LAT
    before = DAY0 + (1440 - 100 + np.arange(0, 80, 10)) * MINUTE_NS  # ends 20 min before midnight
    after = DAY0 + (1440 + 20 + np.arange(0, 80, 10)) * MINUTE_NS  # starts 20 min after
    scatter_t = DAY0 + rng.integers(0, 3 * 1440, 200) * MINUTE_NS
    time_ns = np.concatenate([chain_t, before, after, scatter_t])
    lat = np.concatenate(
        [chain_lat, np.full(before.size, 47.2), np.full(after.size, 47.21), 47 + rng.random(200)]
    )
    lon = np.concatenate([np.full(chain_t.size, 37.0), np.full(16, 37.3), 36.5 + rng.random(200)])
    rule = np.concatenate([np.zeros(chain_t.size + 16, int), rng.integers(0, 2, 200)])
    source = np.array([f"radar-{i % 4}" if i % 2 else f"drone-{i % 3}" for i in range(rule.size)])
    return rule, time_ns, lon, lat, source


def _empty_tallies() -> Tallies:
    return Tallies(
        **{
            f.name: np.array([], dtype=float if f.name in ("lon", "lat") else object)
            for f in fields(Tallies)
        }
    )


def _clears(day: int | None) -> Clears:
    """Patrols that find the chain's place empty: at 23:55 on the first day (the cut lies
    across midnight) and at 12:05 on the second (inside a day); `day` picks one day's."""
    chain_t = DAY0 + np.array([23 * 60 + 55, 1440 + 12 * 60 + 5]) * MINUTE_NS
    at = np.array([23, 96])  # the chain's sightings just before each
    keep = slice(None) if day is None else _day_of(chain_t) == day
    return Clears(
        np.zeros(2, dtype=np.int32)[keep],
        chain_t[keep],
        np.full(2, 37.0)[keep],
        (48.0 + at * KM_LAT)[keep],
        np.array(["patrol-a", "patrol-b"])[keep],
    )


@pytest.mark.parametrize("cleared", [False, True])
def test_days_stitched_equal_one_batch(verifier: Verifier, cleared: bool) -> None:
    rule, time_ns, lon, lat, source = _observations()
    # The archive's order: day, then (one sector here) time; each day one partition.
    order = np.argsort(time_ns, kind="stable")
    rule, time_ns, lon, lat, source = (a[order] for a in (rule, time_ns, lon, lat, source))
    day = _day_of(time_ns)
    parts, works = [], []
    notices = Notices(**{f.name: np.array([]) for f in fields(Notices)})
    for number in range(3):
        rows = np.flatnonzero(day == number)
        mine = _findings(rows, rule[rows], time_ns[rows], lon[rows], lat[rows], source[rows])
        by_rule = np.argsort(mine.rule, kind="stable")  # as detect lists them: rule, then row
        point = blocks.rows_of(mine, by_rule)
        if cleared:
            point = replace(point, clears=_clears(number))
        finding = blocks.PartitionFindings(number, rows.size, point, _empty_tallies(), notices)
        works.append(blocks.PartitionWork(number, rows.size, (finding,), 0.0, 0.0))
        parts.append(archive.Partition(f"2025-06-{10 + number}", "S01", ()))
    days = blocks.blocks(parts)
    assert [b.first for b in days] == [True, False, False] and days[2].last
    done = [blocks.verify_block([verifier], b, [works[b.index]]) for b in days]
    opened = sum(len(w.results[0].open) for w in done)
    assert 0 < opened < sum(len(w.results[0].point) for w in done)
    stitched = blocks.stitch(verifier, [w.results[0] for w in done], [w.rows for w in done])
    # One batch: every finding in rule, then archive-row order; correlated at once.
    whole = _findings(np.arange(rule.size), rule, time_ns, lon, lat, source)
    single = blocks.rows_of(whole, np.lexsort((np.arange(rule.size), rule)))
    cuts = _clears(None) if cleared else None
    labels = correlate(single.rule, single.time_ns, single.lon, single.lat, verifier.links, cuts)
    drafts = fuse(single, labels)
    place(drafts, verifier.sectors, verifier.teams)
    joined = Findings.concat(stitched.pieces)
    assert np.array_equal(joined.key, single.key) and np.array_equal(joined.row, single.row)
    assert len(stitched.drafts) == len(drafts)
    for mine, theirs in zip(stitched.drafts.drafts(), drafts, strict=True):
        assert mine.members.tolist() == theirs.members.tolist()
        for f in fields(mine):
            if f.name != "members":
                assert getattr(mine, f.name) == getattr(theirs, f.name), f.name
    # The chain is one incident across both midnights; the near-midnight chains are two.
    # Cleared twice, it is three: 20:00-23:50, 00:00-12:00 and 12:10 on.
    chain = sorted(
        (d.members.size for d in stitched.drafts.drafts() if d.members.size > 16), reverse=True
    )
    assert chain == ([83, 73, 24] if cleared else [180])
    longest = max(stitched.drafts.drafts(), key=lambda d: d.members.size)
    assert (longest.last_ns - longest.first_ns > 24 * 60 * MINUTE_NS) is not cleared
