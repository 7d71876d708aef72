"""Incidents by day on the workers, stitched at midnight in the client.

Correlating all of an archive's findings in one process capped the replay's
speed-up at a few workers. So a replay's second phase runs per block, the
partitions of one day (every sector), where the day's partitions were
verified: their point findings are merged into single-batch order and
correlated, and every component that cannot reach another day is fused and
placed there. A link across midnight joins two findings each within one
correlation window of it, so a component with no finding that near an edge of
its day is complete. The rest, open components, come back with the aggregate
findings (caps, exercises), which are few, and are correlated together in the
client. An open component's links all lie among open findings, so that gives
the same components as correlating everything at once.

A single batch numbers incidents by their first finding in (rule, archive row)
order; the client maps each block's rows to those positions and orders the
drafts by their first, so the incidents are the same list, in the same order,
with the same members.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
from numpy.typing import NDArray

from accord.scale.archive import Partition
from accord.verify.areas import largest_per_key
from accord.verify.batch import Verifier
from accord.verify.findings import (
    Findings,
    Notices,
    Tallies,
    evaluate_tallies,
    factorize,
)
from accord.verify.incidents import DraftTable, correlate, fuse_table, place_table
from accord.verify.linkage import Clears

_NS_PER_DAY = 86_400 * 10**9


@dataclass(frozen=True)
class PartitionFindings:
    """Phase 1 for one partition and one agreement."""

    index: int  # the partition's place in replay order
    rows: int
    point: Findings
    tallies: Tallies
    notices: Notices


@dataclass(frozen=True)
class PartitionWork:
    """Phase 1 for one partition, for every agreement replayed, and how long it took."""

    index: int
    rows: int
    results: tuple[PartitionFindings, ...]
    read_s: float
    detect_s: float


@dataclass(frozen=True)
class Block:
    """The partitions of one day, in replay order, and the day's span."""

    index: int
    partitions: tuple[int, ...]
    start_ns: int
    first: bool  # no day before it in the archive
    last: bool  # none after

    @property
    def end_ns(self) -> int:
        """The end of the block's day, in nanoseconds."""
        return self.start_ns + _NS_PER_DAY


def blocks(parts: Sequence[Partition]) -> list[Block]:
    """One block per day; `parts` in replay order (day, then sector)."""
    days: dict[str, list[int]] = {}
    for number, part in enumerate(parts):
        days.setdefault(part.day, []).append(number)
    out = []
    for index, (day, numbers) in enumerate(days.items()):
        start = (date.fromisoformat(day) - date(1970, 1, 1)).days * _NS_PER_DAY
        out.append(Block(index, tuple(numbers), start, index == 0, index == len(days) - 1))
    return out


@dataclass(frozen=True)
class BlockFindings:
    """Phase 2 of one block for one agreement."""

    point: Findings  # rule, then row; rows count from the block's first observation
    drafts: DraftTable  # components complete within the block; members index `point`
    open: NDArray[np.int64]  # rows of `point` in components that may reach another day
    tallies: Tallies  # the partitions', in replay order
    notices: Notices


@dataclass(frozen=True)
class BlockWork:
    """Phase 2 of one block for every agreement, and the seconds its partitions took."""

    index: int
    rows: int
    results: tuple[BlockFindings, ...]
    read_s: float
    detect_s: float
    correlate_s: float


def rows_of(findings: Findings, rows: NDArray[np.int64] | slice, offset: int = 0) -> Findings:
    """Some point findings (no aggregate evidence), their rows moved by `offset`."""
    taken = findings.take(rows)
    return replace(taken, row=taken.row + offset, evidence={}, detail={}, clears=Clears.empty())


def merge_by_rule(tables: Sequence[Findings], offsets: Sequence[int]) -> list[Findings]:
    """Point findings of consecutive stretches of the archive (each in rule order, rows
    ascending, as `detect` gives them), as pieces whose concatenation is in single-batch
    order: rule, then archive row. A merge by rule, not a sort."""
    if not tables:
        return []
    rules = np.unique(np.concatenate([t.rule for t in tables]))
    starts = [np.searchsorted(t.rule, rules).tolist() for t in tables]
    ends = [np.searchsorted(t.rule, rules, side="right").tolist() for t in tables]
    return [
        rows_of(table, slice(starts[i][r], ends[i][r]), offsets[i])
        for r in range(len(rules))
        for i, table in enumerate(tables)
        if ends[i][r] > starts[i][r]
    ]


def offsets_of(sizes: Sequence[int]) -> list[int]:
    """Where each of consecutive stretches of these sizes starts."""
    return np.cumsum([0, *sizes])[:-1].tolist()


def incidents(verifier: Verifier, findings: Findings, clears: Clears) -> DraftTable:
    """Correlate, fuse and place, as `verify_batch` does after detection."""
    labels = correlate(
        findings.rule, findings.time_ns, findings.lon, findings.lat, verifier.links, clears
    )
    drafts = fuse_table(findings, labels, verifier.networks)
    place_table(drafts, verifier.sectors, verifier.teams)
    return drafts


def _block_findings(
    verifier: Verifier, block: Block, parts: Sequence[PartitionFindings]
) -> BlockFindings:
    pieces = merge_by_rule([p.point for p in parts], offsets_of([p.rows for p in parts]))
    point = Findings.concat(pieces)
    # A day's clearings cut its links; one across midnight is cut in the client.
    point = replace(point, clears=Clears.concat([p.point.clears for p in parts]))
    labels = correlate(
        point.rule, point.time_ns, point.lon, point.lat, verifier.links, point.clears
    )
    # Each finding reaches across midnight by its own rule's time-out.
    window = np.array([link.window_s * 1e9 for link in verifier.links])[point.rule]
    edge = np.zeros(len(point), dtype=bool)
    if not block.first:
        edge |= point.time_ns <= block.start_ns + window
    if not block.last:
        edge |= point.time_ns >= block.end_ns - window
    opened = np.isin(labels, labels[edge])
    closed = np.flatnonzero(~opened)
    # Labels number components by first member, so renumbering the closed ones keeps order.
    drafts = fuse_table(
        rows_of(point, closed), np.unique(labels[closed], return_inverse=True)[1], verifier.networks
    )
    drafts.members = closed[drafts.members]
    place_table(drafts, verifier.sectors, verifier.teams)
    return BlockFindings(
        point,
        drafts,
        np.flatnonzero(opened),
        Tallies.concat([p.tallies for p in parts]),
        Notices.concat([p.notices for p in parts]),
    )


def verify_block(
    verifiers: Sequence[Verifier], block: Block, works: Sequence[PartitionWork]
) -> BlockWork:
    """Phase 2 of one block, from its partitions' phase 1, for every agreement."""
    started = time.perf_counter()
    works = sorted(works, key=lambda w: w.index)
    results = tuple(
        _block_findings(verifier, block, [w.results[number] for w in works])
        for number, verifier in enumerate(verifiers)
    )
    return BlockWork(
        block.index,
        sum(w.rows for w in works),
        results,
        sum(w.read_s for w in works),
        sum(w.detect_s for w in works),
        time.perf_counter() - started,
    )


def merge_tallies(parts: Sequence[Tallies]) -> Tallies:
    """Each (rule, party, window, source, cell)'s largest count over stretches of the
    archive in replay order, the first in archive order on a tie; rows ordered as
    `detect` orders one batch's tallies."""
    table = Tallies.concat(parts)
    party, source = factorize(table.party)[1], factorize(table.source_id)[1]
    keys = (table.rule, party, table.window_start_ns, source, table.cell)
    chosen = largest_per_key(*keys, count=table.count)
    return table.take(chosen)


@dataclass(frozen=True)
class Stitched:
    """One agreement's incidents over the whole archive, from its blocks."""

    pieces: list[Findings]  # their concatenation is the findings, in single-batch order
    drafts: DraftTable  # members index that concatenation


def stitch(verifier: Verifier, blocks: Sequence[BlockFindings], rows: Sequence[int]) -> Stitched:
    """The blocks' drafts with members at their single-batch positions, the open
    components correlated across days, then the cap and exercise findings from the
    merged tallies and their incidents."""
    aggregates = evaluate_tallies(
        verifier.ruleset,
        merge_tallies([b.tallies for b in blocks]),
        Notices.concat([b.notices for b in blocks]),
    )
    offsets = offsets_of(rows)
    pieces = merge_by_rule([b.point for b in blocks], offsets)
    # A finding's position: findings of earlier rules, then of its rule in earlier blocks.
    rules = np.unique(np.concatenate([b.point.rule for b in blocks]))
    per_rule = np.array([np.searchsorted(b.point.rule, rules, side="right") for b in blocks])
    per_rule = np.diff(per_rule, prepend=0).reshape(len(blocks), len(rules))
    base = np.cumsum(np.r_[0, per_rule.sum(axis=0)])[:-1]
    drafts: list[DraftTable] = []
    opened: list[Findings] = []
    where: list[NDArray[np.int64]] = []
    for number, block in enumerate(blocks):
        at = np.searchsorted(rules, block.point.rule)
        earlier = per_rule[:number].sum(axis=0)
        first_of_rule = np.cumsum(np.r_[0, per_rule[number]])[:-1]
        position = np.arange(len(block.point)) + (base + earlier - first_of_rule)[at]
        block.drafts.members = position[block.drafts.members]
        drafts.append(block.drafts)
        opened.append(rows_of(block.point, block.open))
        where.append(position[block.open])
    # Merged by rule, the open findings are in position order, as the sorted positions are.
    clears = Clears.concat([b.point.clears for b in blocks])
    across = incidents(verifier, Findings.concat(merge_by_rule(opened, offsets)), clears)
    across.members = np.sort(np.concatenate(where))[across.members]
    points = DraftTable.concat([*drafts, across])
    tail = incidents(verifier, aggregates, aggregates.clears)
    tail.members = tail.members + sum(len(b.point) for b in blocks)
    ordered = points.take(np.argsort(points.first_member, kind="stable"))
    return Stitched([*pieces, aggregates], DraftTable.concat([ordered, tail]))
