"""The exact Pareto set of an additive scenario, without enumerating its packages.

With additive utilities every Pareto-optimal package restricted to its first j
issues is itself Pareto-optimal among partial packages over those issues (a
dominating prefix would give a dominating whole). So the frontier is built
issue by issue: add each option to every surviving partial sum and keep only
the non-dominated sums. The work grows with the frontier, not with the space.

Written by hand because no maintained library does this: NegMAS and pymoo
filter an explicit list of outcomes, which for 1e9 packages cannot be built.
The non-dominated filter is a compiled single pass over lexicographically
sorted points (a dominating point always sorts first), with a linear scan for
two parties.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numba
import numpy as np
from numpy.typing import NDArray

from accord.negotiate.scenario import Scenario

# Partial sums within this relative margin of an alternative are kept while
# pruning, so rounding in the bound never drops a package that beats it.
_PRUNE_SLACK = 1e-9


@dataclass(frozen=True)
class Frontier:
    """Non-dominated utility vectors, each with one package that attains it."""

    parties: tuple[str, ...]
    utilities: NDArray[np.float64]  # (m, parties)
    packages: NDArray[np.int64]  # (m, issues): option index per issue

    def __len__(self) -> int:
        return len(self.utilities)


@numba.njit(cache=True)
def _sweep(points: NDArray[np.float64]) -> NDArray[np.int64]:  # pragma: no cover - compiled
    """Indices of non-dominated rows of points sorted lexicographically descending."""
    n, k = points.shape
    kept = np.empty(n, dtype=np.int64)
    m = 0
    if k == 2:
        best = -np.inf
        for i in range(n):
            if points[i, 1] > best:
                best = points[i, 1]
                kept[m] = i
                m += 1
        return kept[:m]
    for i in range(n):
        dominated = False
        # newest first: the last kept points are nearest in sort order
        for jj in range(m - 1, -1, -1):
            q = kept[jj]
            dominates = True
            for d in range(k):
                if points[q, d] < points[i, d]:
                    dominates = False
                    break
            if dominates:
                dominated = True
                break
        if not dominated:
            kept[m] = i
            m += 1
    return kept[:m]


def nondominated(points: NDArray[np.float64]) -> NDArray[np.int64]:
    """Indices of the non-dominated rows (maximising every column); one per duplicate."""
    if len(points) == 0:
        return np.empty(0, dtype=np.int64)
    if points.shape[1] == 1:
        return np.array([int(np.argmax(points[:, 0]))], dtype=np.int64)
    order = np.lexsort(tuple(-points[:, d] for d in range(points.shape[1] - 1, -1, -1)))
    keep = _sweep(np.ascontiguousarray(points[order]))
    return np.sort(order[keep])


# Given the best utilities each partial sum could still reach, which to keep.
Bound = Callable[[NDArray[np.float64]], NDArray[np.bool_]]


def pareto_set(
    scenario: Scenario,
    *,
    respect_red_lines: bool = True,
    beat_alternatives: bool = True,
    bound: Bound | None = None,
) -> Frontier:
    """The exact Pareto set of the packages that respect every red line and beat every
    alternative (either condition can be dropped), built issue by issue.

    `bound` lets a caller looking for one solution drop partial sums whose best
    reachable utilities cannot beat a package it already has; the result is
    then the part of the frontier that can still hold that solution."""
    n_parties = len(scenario.parties)
    choices: list[NDArray[np.int64]] = []
    tables: list[NDArray[np.float64]] = []
    for j, table in enumerate(scenario.tables):
        ok = scenario.allowed(j) if respect_red_lines else np.ones(table.shape[1], dtype=bool)
        idx = np.flatnonzero(ok).astype(np.int64)
        choices.append(idx)
        tables.append(np.ascontiguousarray(table[:, idx].T))  # (options, parties)
    if any(len(c) == 0 for c in choices):
        return _empty(scenario)
    # With a bound, merge the issues that spread utilities most first, so the
    # bound bites early (measured: 2.4x faster Nash draws on the shipped domain;
    # without a bound this order makes the full set slower). Utilities are
    # additive, so the set is the same in any order.
    order = np.arange(len(tables))
    if bound is not None:
        order = np.argsort([-float(np.ptp(t, axis=0).sum()) for t in tables], kind="stable")
    choices = [choices[j] for j in order]
    tables = [tables[j] for j in order]
    floor = scenario.alternatives if beat_alternatives else np.full(n_parties, -np.inf)
    # best that the issues after j can still add, per party, to prune hopeless sums
    best_rest = np.zeros((len(tables) + 1, n_parties))
    for j in range(len(tables) - 1, -1, -1):
        best_rest[j] = best_rest[j + 1] + tables[j].max(axis=0)
    slack = _PRUNE_SLACK * (
        1.0 + np.abs(best_rest[0]) + np.abs(np.where(np.isfinite(floor), floor, 0))
    )

    sums = np.zeros((1, n_parties))
    parents: list[NDArray[np.int64]] = []
    picks: list[NDArray[np.int64]] = []
    for j, table in enumerate(tables):
        cand = (sums[:, None, :] + table[None, :, :]).reshape(-1, n_parties)
        reach = cand + best_rest[j + 1]
        hopeful = np.all(reach >= floor - slack, axis=1)
        if bound is not None:
            hopeful &= bound(reach + slack)
        idx = np.flatnonzero(hopeful)
        keep = idx[nondominated(cand[idx])]
        parents.append(keep // len(table))
        picks.append(keep % len(table))
        sums = cand[keep]
        if len(sums) == 0:
            return _empty(scenario)
    final = (
        np.flatnonzero(np.all(sums > floor, axis=1)) if beat_alternatives else np.arange(len(sums))
    )
    packages = np.empty((len(final), len(tables)), dtype=np.int64)
    row = final
    for j in range(len(tables) - 1, -1, -1):
        packages[:, order[j]] = choices[j][picks[j][row]]
        row = parents[j][row]
    return Frontier(scenario.parties, sums[final], packages)


def _empty(scenario: Scenario) -> Frontier:
    return Frontier(
        scenario.parties,
        np.empty((0, len(scenario.parties))),
        np.empty((0, len(scenario.issues)), dtype=np.int64),
    )
