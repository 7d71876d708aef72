"""Replay an archive through verification, in one process or on a Dask cluster.

Two phases, so that the result cannot depend on where the archive is cut:

1. Per partition (a day and a sector), on the workers: read its Parquet files
   and run `accord.verify.findings.detect`, the same function the live
   pipeline runs. Point findings are a function of one observation each, so
   they do not care which partition holds it. Tallies (each source's largest
   count per rule, party, window and grid cell) and exercise notices come back
   too.
2. Per day, on the workers (`accord.scale.blocks`): the day's point findings
   are correlated, and the incidents that cannot reach another day are fused
   and placed; the client correlates the rest across midnight, merges the
   tallies by keeping each (rule, party, window, source, cell)'s largest count
   (the first in archive order on a tie, as `_tally` picks within one batch),
   turns them into cap and exercise findings with `evaluate_tallies` (which
   groups them into areas by their content alone, not their order), and adds
   up compliance.

The findings are therefore the very arrays that `verify_batch` computes over
the archive as one batch, and so are the incidents: one whose findings
straddle a day or a sector boundary is one connected component of the global
findings, never two pieces. `tests/scale` checks this on archives built to
straddle both kinds of edge.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from accord.scale.archive import Partition, partitions, read_partition
from accord.scale.blocks import (
    Block,
    BlockWork,
    PartitionFindings,
    PartitionWork,
    blocks,
    stitch,
    verify_block,
)
from accord.verify.batch import Verifier
from accord.verify.compliance import IncidentColumns, PeriodFigures, Weights, period_figures
from accord.verify.findings import (
    Findings,
    detect,
    notices,
)
from accord.verify.incidents import Draft, DraftTable
from accord.verify.rules import RuleSet

Progress = Callable[[int, int], None]  # (steps done, steps in all): partitions, then days
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NS_PER_DAY = 86_400 * 10**9


def verify_partition(
    verifiers: Sequence[Verifier],
    archive: str | Path,
    partition: Partition,
    index: int,
    threads: bool = True,
) -> PartitionWork:
    """Read one partition once and find the point findings and tallies of each agreement;
    `threads` lets Parquet decoding use every core (in a process of its own)."""
    started = time.perf_counter()
    batch = read_partition(archive, partition, threads=threads)
    read_s = time.perf_counter() - started
    told = notices(batch)
    results = []
    for verifier in verifiers:
        point, tallies = detect(verifier.ruleset, verifier.index, batch)
        results.append(PartitionFindings(index, len(batch), point, tallies, told))
    return PartitionWork(
        index, len(batch), tuple(results), read_s, time.perf_counter() - started - read_s
    )


@dataclass
class ReplayResult:
    """One agreement's replay of an archive."""

    agreement_id: str
    observations: int
    partitions: int
    pieces: list[Findings]  # the findings in single-batch order, joined when asked for
    incidents: DraftTable  # members index `findings`
    compliance: dict[tuple[str, date], PeriodFigures]
    workers: int
    seconds: dict[str, float] = field(default_factory=dict)

    @cached_property
    def findings(self) -> Findings:
        """Every finding, as one batch over the archive would list them."""
        return Findings.concat(self.pieces)

    @cached_property
    def drafts(self) -> list[Draft]:
        """The incidents one by one."""
        return self.incidents.drafts()

    @property
    def rate(self) -> float:
        """Observations per second of wall time."""
        return self.observations / max(self.seconds.get("wall", 0.0), 1e-9)

    def summary(self) -> dict[str, Any]:
        """The replay's figures as JSON: its size, incidents and timings."""
        confirmed = int(self.incidents.confirmed.sum())
        return {
            "agreement": self.agreement_id,
            "observations": self.observations,
            "partitions": self.partitions,
            "workers": self.workers,
            "findings": sum(len(p) for p in self.pieces),
            "incidents": len(self.incidents),
            "confirmed": confirmed,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
            "observations_per_s": round(self.rate),
        }


def compliance_figures(
    ruleset: RuleSet,
    incidents: DraftTable,
    weights: Weights,
    period: str = "day",
) -> dict[tuple[str, date], PeriodFigures]:
    """Each party's figures per period from the replay's incidents, by the one formula
    (`accord.verify.compliance.period_figures`) the stored figures use. A replay rules
    on nothing, so nothing is dismissed."""
    kinds = np.array([rule.kind.value for rule in ruleset.rules])
    columns = IncidentColumns(
        party=incidents.party,
        first_ns=incidents.first_ns,
        severity=incidents.severity,
        grade=incidents.grade,
        kind=kinds[incidents.rule] if len(incidents) else np.array([], dtype=np.str_),
        sector=incidents.sector,
        dismissed=np.zeros(len(incidents), dtype=bool),
    )
    return period_figures(columns, weights, period)


def _run_local(
    verifiers: Sequence[Verifier],
    archive: str | Path,
    parts: list[Partition],
    days: list[Block],
    progress: Progress | None,
) -> list[BlockWork]:
    done, steps = [], len(parts) + len(days)
    for block in days:
        work = [verify_partition(verifiers, archive, parts[i], i) for i in block.partitions]
        done.append(verify_block(verifiers, block, work))
        if progress is not None:
            progress(block.partitions[-1] + 1 + block.index + 1, steps)
    return done


def _run_dask(
    client: Any,
    verifiers: Sequence[Verifier],
    archive: str | Path,
    parts: list[Partition],
    days: list[Block],
    progress: Progress | None,
) -> list[BlockWork]:
    from dask.distributed import as_completed

    # One object holding every verifier, copied to each worker once (the zone index is MBs).
    [shared] = client.scatter([tuple(verifiers)], broadcast=True)
    read = client.map(
        verify_partition,
        [shared] * len(parts),
        [str(archive)] * len(parts),
        parts,
        range(len(parts)),
        [False] * len(parts),  # one thread per worker: the cluster spreads the cores
        pure=False,
    )
    # A day's block runs where its partitions' findings are; only its results come back.
    joined = [
        client.submit(verify_block, shared, block, [read[i] for i in block.partitions], pure=False)
        for block in days
    ]
    wanted = set(joined)
    done = []
    for count, future in enumerate(as_completed(read + joined), start=1):
        if future in wanted:
            done.append(future.result())
            future.release()
        if progress is not None:
            progress(count, len(read) + len(joined))
    return sorted(done, key=lambda w: w.index)


def replay_many(
    archive: str | Path,
    verifiers: Sequence[Verifier],
    *,
    client: Any = None,
    weights: Weights | None = None,
    progress: Progress | None = None,
) -> list[ReplayResult]:
    """Replay the archive for each agreement, reading each partition once. With a Dask
    `client`, partitions and days run on its workers; without, in this process."""
    started = time.perf_counter()
    parts = partitions(archive)
    days = blocks(parts)
    if client is None:
        work = _run_local(verifiers, archive, parts, days, progress)
        workers = 1
    else:
        work = _run_dask(client, verifiers, archive, parts, days, progress)
        workers = len(client.scheduler_info(n_workers=-1)["workers"])
    spread = time.perf_counter() - started
    rows = [w.rows for w in work]
    results = []
    for number, verifier in enumerate(verifiers):
        began = time.perf_counter()
        mine = [w.results[number] for w in work]
        stitched = stitch(verifier, mine, rows)
        figures = compliance_figures(
            verifier.ruleset, stitched.drafts, weights or Weights.shipped()
        )
        results.append(
            ReplayResult(
                verifier.ruleset.agreement_id,
                sum(rows),
                len(parts),
                stitched.pieces,
                stitched.drafts,
                figures,
                workers,
                {
                    "read": sum(w.read_s for w in work),
                    "detect": sum(w.detect_s for w in work),
                    "correlate": sum(w.correlate_s for w in work),
                    "spread": spread,
                    "stitch": time.perf_counter() - began,
                },
            )
        )
    wall = time.perf_counter() - started
    for result in results:
        result.seconds["wall"] = wall
    return results


def replay(
    archive: str | Path,
    verifier: Verifier,
    *,
    client: Any = None,
    weights: Weights | None = None,
    progress: Progress | None = None,
) -> ReplayResult:
    """Replay the archive for one agreement (see `replay_many`)."""
    return replay_many(archive, [verifier], client=client, weights=weights, progress=progress)[0]


def dask_client(scheduler: str | None, workers: int | None) -> Any:
    """A client of the cluster at `scheduler`, or of a local cluster of `workers`
    single-threaded processes; None (replay in this process) for neither, or one worker."""
    if scheduler is None and (workers is None or workers <= 1):
        return None
    try:
        import dask
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise ValueError(
            "--scheduler and --workers need dask.distributed: pip install 'accord[scale]'"
        ) from None
    if scheduler is not None:
        return Client(scheduler)
    settings = {
        # No dashboard, so no use for the workers' sampling profiler (10% of reading time).
        "distributed.worker.profile.enabled": False,
        # Dask sets this for its workers to hand memory back sooner; setting it at all makes
        # glibc map every array over 128 KB afresh, which made detection 1.5x slower in a
        # worker than in this process. Unset, the workers allocate as this process does.
        "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    }
    with dask.config.set(settings):
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
    return Client(cluster)


def close_client(client: Any) -> None:
    """Close a client and, when it made its own local cluster, the cluster too."""
    if client is None:
        return
    cluster = getattr(client, "cluster", None)
    client.close()
    if cluster is not None:
        cluster.close()


def draft_key(verifier: Verifier, findings: Findings, draft: Draft) -> tuple[str, tuple[str, ...]]:
    """An incident's identity that does not depend on numbering: its rule and its
    findings' keys."""
    rule = verifier.ruleset.rules[draft.rule].id
    return rule, tuple(sorted(findings.key[draft.members].tolist()))
