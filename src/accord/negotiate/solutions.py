"""The standard bargaining solutions, read off the exact Pareto set.

Each solution maximises its criterion over the packages that respect every red
line and beat every alternative; the maximiser of each lies on the Pareto set
(or ties with a point there), so scanning the frontier is exact. Gains are
measured from each party's alternative, the disagreement point.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from accord.negotiate.pareto import Frontier, pareto_set
from accord.negotiate.scenario import Scenario

SOLUTIONS = ("nash", "kalai_smorodinsky", "egalitarian", "utilitarian")


@dataclass(frozen=True)
class Solution:
    """One bargaining solution: its package, utilities and criterion value."""

    name: str
    package: tuple[int, ...]
    utilities: NDArray[np.float64]
    score: float

    def to_json(self, scenario: Scenario) -> dict[str, Any]:
        return {
            "solution": self.name,
            "package": scenario.describe(self.package),
            "utilities": dict(zip(scenario.parties, map(float, self.utilities), strict=True)),
            "score": self.score,
        }


def criteria(
    utilities: NDArray[np.float64], disagreement: NDArray[np.float64], ideal: NDArray[np.float64]
) -> dict[str, NDArray[np.float64]]:
    """Each solution's criterion for every row of utilities (higher is better)."""
    gains = utilities - disagreement
    span = np.where(ideal - disagreement > 0, ideal - disagreement, 1.0)
    return {
        "nash": np.prod(gains, axis=1),
        "kalai_smorodinsky": np.min(gains / span, axis=1),
        "egalitarian": np.min(gains, axis=1),
        "utilitarian": np.sum(utilities, axis=1),
    }


def _best(score: NDArray[np.float64], utilities: NDArray[np.float64]) -> int:
    """Index of the highest score; ties go to the larger total utility, then the first."""
    top = np.flatnonzero(score >= score.max())
    return int(top[np.argmax(utilities[top].sum(axis=1))])


def solve(
    scenario: Scenario, frontier: Frontier | None = None, names: tuple[str, ...] = SOLUTIONS
) -> dict[str, Solution]:
    """Nash, Kalai-Smorodinsky, egalitarian and utilitarian packages; empty if none is feasible."""
    front = frontier if frontier is not None else pareto_set(scenario)
    if len(front) == 0:
        return {}
    disagreement = scenario.alternatives
    ideal = front.utilities.max(axis=0)
    scores = criteria(front.utilities, disagreement, ideal)
    out: dict[str, Solution] = {}
    for name in names:
        i = _best(scores[name], front.utilities)
        out[name] = Solution(
            name, tuple(map(int, front.packages[i])), front.utilities[i], float(scores[name][i])
        )
    return out


def nash_package(scenario: Scenario, hints: Sequence[tuple[int, ...]] = ()) -> Solution | None:
    """The Nash package alone, faster than `solve`: feasible hint packages give a product
    that every partial sum must still be able to reach, which prunes the merge."""
    d = scenario.alternatives
    incumbent = 0.0
    for package in hints:
        u = scenario.utilities(package)
        if not scenario.crossed(package) and np.all(u > d):
            incumbent = max(incumbent, float(np.prod(u - d)))

    def reachable(best: NDArray[np.float64]) -> NDArray[np.bool_]:
        return np.prod(np.maximum(best - d, 0.0), axis=1) >= incumbent

    front = pareto_set(scenario, bound=reachable if incumbent > 0 else None)
    return solve(scenario, front, names=("nash",)).get("nash")
