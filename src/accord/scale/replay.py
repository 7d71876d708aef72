"""Replay an archive through verification, in one process or on a Dask cluster.

Two phases, so that the result cannot depend on where the archive is cut:

1. Per partition (a day and a sector), on the workers: read its Parquet files
   and run `accord.verify.findings.detect`, the same function the live
   pipeline runs. Point findings are a function of one observation each, so
   they do not care which partition holds it. Tallies (each source's largest
   count per rule, party and window) and exercise notices come back too.
2. Globally, in the client: the partitions' point findings are put back in the
   order a single batch over the whole archive would give (rule, then the
   row's place in the archive: partition order, then seq); the tallies are
   merged by keeping each (rule, party, window, source)'s largest count, the
   first in archive order on a tie, exactly as `_tally` picks within one
   batch; then `evaluate_tallies`, `correlate`, `fuse` and `place` run once
   over the findings, which are a small fraction of the observations.

The findings handed to correlation are therefore the very arrays that
`verify_batch` computes over the archive as one batch, and so are the
incidents: an incident whose findings straddle a day or a sector boundary
is one connected component of the global findings, never two pieces.
`tests/scale` checks this on archives built to straddle both kinds of edge.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from accord.scale.archive import Partition, partitions, read_partition
from accord.verify.compliance import PERIOD_DAYS, PeriodFigures, Weights, period_start
from accord.verify.findings import (
    Findings,
    Notices,
    Tallies,
    concat_findings,
    detect,
    evaluate_tallies,
    notices,
)
from accord.verify.incidents import Draft, correlate, fuse, place
from accord.verify.pipeline import Verifier
from accord.verify.rules import RuleSet, Severity
from accord.verify.workflow import independently_confirmed

Progress = Callable[[int, int], None]  # (partitions done, partitions in all)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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


def verify_partition(
    verifiers: Sequence[Verifier], archive: str | Path, partition: Partition, index: int
) -> PartitionWork:
    """Read one partition once and find the point findings and tallies of each agreement."""
    started = time.perf_counter()
    batch = read_partition(archive, partition)
    read_s = time.perf_counter() - started
    told = notices(batch)
    results = []
    for verifier in verifiers:
        point, tallies = detect(verifier.ruleset, verifier.index, batch)
        results.append(PartitionFindings(index, len(batch), point, tallies, told))
    return PartitionWork(
        index, len(batch), tuple(results), read_s, time.perf_counter() - started - read_s
    )


def _shifted(findings: Findings, start: int, end: int, offset: int) -> Findings:
    """Rows start:end of point findings (views), their rows moved by `offset`."""
    fields = {
        name: getattr(findings, name)[start:end]
        for name in Findings.__dataclass_fields__
        if name not in ("evidence", "detail", "row")
    }
    return Findings(**fields, row=findings.row[start:end] + offset)


def merge_findings(parts: Sequence[PartitionFindings], aggregates: Findings) -> Findings:
    """The partitions' point findings in single-batch order (rule, then archive row), then
    the aggregates. `detect` gives each partition's in rule order, rows ascending, so
    this is a merge by rule, one concatenation, not a sort."""
    parts = sorted(parts, key=lambda p: p.index)
    offsets = np.cumsum([0, *(p.rows for p in parts)])[:-1].tolist()
    rules = np.unique(np.concatenate([p.point.rule for p in parts]))
    starts = [np.searchsorted(p.point.rule, rules).tolist() for p in parts]
    ends = [np.searchsorted(p.point.rule, rules, side="right").tolist() for p in parts]
    pieces = [
        _shifted(part.point, starts[i][r], ends[i][r], offsets[i])
        for r in range(len(rules))
        for i, part in enumerate(parts)
        if ends[i][r] > starts[i][r]
    ]
    return concat_findings(*pieces, aggregates)


def merge_tallies(parts: Sequence[PartitionFindings]) -> Tallies:
    """Each (rule, party, window, source)'s largest count over all partitions, the first in
    archive order on a tie; rows ordered as `detect` orders one batch's tallies."""
    parts = sorted(parts, key=lambda p: p.index)
    names = list(Tallies.__dataclass_fields__)
    joined = {n: np.concatenate([getattr(p.tallies, n) for p in parts]) for n in names}
    keep: list[NDArray[np.int64]] = []
    for number in np.unique(joined["rule"]).tolist():
        rows = np.flatnonzero(joined["rule"] == number)
        party, window = joined["party"][rows], joined["window_start_ns"][rows]
        source = joined["source_id"][rows]
        order = np.lexsort((-joined["count"][rows], source, window, party))
        rows, party, window, source = rows[order], party[order], window[order], source[order]
        first = np.ones(rows.size, dtype=bool)
        first[1:] = (party[1:] != party[:-1]) | (window[1:] != window[:-1])
        first[1:] |= source[1:] != source[:-1]
        keep.append(rows[first])
    chosen = np.concatenate(keep) if keep else np.zeros(0, dtype=np.int64)
    return Tallies(**{n: joined[n][chosen] for n in names})


def merge_notices(parts: Sequence[PartitionFindings]) -> Notices:
    names = list(Notices.__dataclass_fields__)
    return Notices(**{n: np.concatenate([getattr(p.notices, n) for p in parts]) for n in names})


def incidents(verifier: Verifier, findings: Findings) -> list[Draft]:
    """Correlate, fuse and place, as `verify_batch` does after detection."""
    labels = correlate(
        findings.rule, findings.time_ns, findings.lon, findings.lat, verifier.correlation
    )
    drafts = fuse(findings, labels)
    place(drafts, verifier.sectors, verifier.teams)
    return drafts


@dataclass
class ReplayResult:
    """One agreement's replay of an archive."""

    agreement_id: str
    observations: int
    partitions: int
    findings: Findings
    drafts: list[Draft]
    compliance: dict[tuple[str, date], PeriodFigures]
    workers: int
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        """Observations per second of wall time."""
        return self.observations / max(self.seconds.get("wall", 0.0), 1e-9)

    def summary(self) -> dict[str, Any]:
        confirmed = sum(independently_confirmed(d.sources, d.source_types) for d in self.drafts)
        return {
            "agreement": self.agreement_id,
            "observations": self.observations,
            "partitions": self.partitions,
            "workers": self.workers,
            "findings": len(self.findings),
            "incidents": len(self.drafts),
            "confirmed": confirmed,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
            "observations_per_s": round(self.rate),
        }


def compliance_figures(
    ruleset: RuleSet,
    drafts: Sequence[Draft],
    weights: Weights,
    period: str = "day",
) -> dict[tuple[str, date], PeriodFigures]:
    """Each party's figures per period from the replay's incidents, by the formula
    `accord.verify.compliance.figures` applies to stored incidents. A replay closes
    nothing, so an incident is confirmed (two sources or a patrol) or unconfirmed."""
    days = PERIOD_DAYS[period]
    out: dict[tuple[str, date], PeriodFigures] = {}
    for draft in drafts:
        seen = (_EPOCH + timedelta(microseconds=draft.first_ns // 1000)).date()
        key = (draft.party, period_start(seen, period))
        figures = out.setdefault(key, PeriodFigures(key[1], days))
        confirmed = independently_confirmed(draft.sources, draft.source_types)
        severity = Severity(draft.severity).name
        figures.incidents += 1
        figures.confirmed += confirmed
        figures.unconfirmed += not confirmed
        figures.by_kind[ruleset.rules[draft.rule].kind.value] += 1
        figures.by_severity[severity] += 1
        figures.by_sector[draft.sector] += 1
        factor = weights.confirmed if confirmed else weights.unconfirmed
        figures.score += weights.severity[severity] * factor * draft.party_confidence
    for figures in out.values():
        figures.index = 1.0 / (1.0 + figures.score / (weights.half_score_per_day * days))
    return dict(sorted(out.items()))


def _phase_one_local(
    verifiers: Sequence[Verifier],
    archive: str | Path,
    parts: list[Partition],
    progress: Progress | None,
) -> list[PartitionWork]:
    done = []
    for index, partition in enumerate(parts):
        done.append(verify_partition(verifiers, archive, partition, index))
        if progress is not None:
            progress(index + 1, len(parts))
    return done


def _phase_one_dask(
    client: Any,
    verifiers: Sequence[Verifier],
    archive: str | Path,
    parts: list[Partition],
    progress: Progress | None,
) -> list[PartitionWork]:
    from dask.distributed import as_completed

    # One object holding every verifier, copied to each worker once (the zone index is MBs).
    [shared] = client.scatter([tuple(verifiers)], broadcast=True)
    futures = client.map(
        verify_partition,
        [shared] * len(parts),
        [str(archive)] * len(parts),
        parts,
        range(len(parts)),
        pure=False,
    )
    done = []
    for count, future in enumerate(as_completed(futures), start=1):
        done.append(future.result())
        future.release()
        if progress is not None:
            progress(count, len(parts))
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
    `client`, phase 1 runs on its workers; without, in this process."""
    started = time.perf_counter()
    parts = partitions(archive)
    if client is None:
        work = _phase_one_local(verifiers, archive, parts, progress)
        workers = 1
    else:
        work = _phase_one_dask(client, verifiers, archive, parts, progress)
        workers = len(client.scheduler_info(n_workers=-1)["workers"])
    phase_one = time.perf_counter() - started
    observations = sum(w.rows for w in work)
    results = []
    for number, verifier in enumerate(verifiers):
        began = time.perf_counter()
        mine = [w.results[number] for w in work]
        aggregates = evaluate_tallies(verifier.ruleset, merge_tallies(mine), merge_notices(mine))
        findings = merge_findings(mine, aggregates)
        drafts = incidents(verifier, findings)
        figures = compliance_figures(verifier.ruleset, drafts, weights or Weights.shipped())
        results.append(
            ReplayResult(
                verifier.ruleset.agreement_id,
                observations,
                len(parts),
                findings,
                drafts,
                figures,
                workers,
                {
                    "read": sum(w.read_s for w in work),
                    "detect": sum(w.detect_s for w in work),
                    "phase_one": phase_one,
                    "global": time.perf_counter() - began,
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
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise ValueError(
            "--scheduler and --workers need dask.distributed: pip install 'accord[scale]'"
        ) from None
    if scheduler is not None:
        return Client(scheduler)
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
