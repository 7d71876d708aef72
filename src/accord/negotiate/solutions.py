"""The standard bargaining solutions, read off the exact Pareto set.

Each solution maximises its criterion over the packages that respect every red
line and beat every alternative; the maximiser of each lies on the Pareto set
(or ties with a point there), so scanning the frontier is exact. Gains are
measured from each party's alternative, the disagreement point. Where the
scenario has an exact form the criteria are computed in fractions, so a tie
is a tie and goes to the larger total utility.

Kalai-Smorodinsky comes in two forms (docs/negotiate.md):

- "zone" (default): maximise the smallest gain as a share of the party's
  ideal gain, the ideal being each party's best utility in the zone of
  agreement (Kalai and Smorodinsky 1975, in its max-min form for finite sets);
- "negmas": NegMAS's `ks_points`: minimise the spread (largest minus smallest)
  of the gains as shares, measured from the alternative (or the party's worst
  utility, if higher) to the party's best utility over the whole space,
  red lines and alternatives ignored.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from accord.negotiate.compound import merge
from accord.negotiate.pareto import Frontier, pareto_set
from accord.negotiate.scenario import Scenario

SOLUTIONS = ("nash", "kalai_smorodinsky", "egalitarian", "utilitarian")
KalaiSmorodinsky = Literal["zone", "negmas"]


@dataclass(frozen=True)
class Solution:
    """One bargaining solution: its package, utilities and criterion value."""

    name: str
    package: tuple[int, ...]
    utilities: NDArray[np.float64]
    score: float

    def to_json(self, scenario: Scenario) -> dict[str, Any]:
        """The solution as JSON: its package in option names, each party's utility, its score."""
        return {
            "solution": self.name,
            "package": scenario.describe(self.package),
            "utilities": dict(zip(scenario.parties, map(float, self.utilities), strict=True)),
            "score": self.score,
        }


def criteria(
    utilities: NDArray[Any],
    disagreement: NDArray[Any],
    ideal: NDArray[Any],
    ks: KalaiSmorodinsky = "zone",
) -> dict[str, NDArray[Any]]:
    """Each solution's criterion for every row of utilities (higher is better).

    Rows of floats or Fractions give the criteria themselves; rows of Python integers
    (utilities in one common unit) give values in that unit, with Kalai-Smorodinsky's
    shares multiplied by the product of the spans so that they stay integers: the order
    of the rows, which is all a solution needs, is exact. For ks="negmas", `ideal` and
    `disagreement` are the ends of NegMAS's ranges (see the module docstring)."""
    gains = utilities - disagreement
    span = np.where(ideal - disagreement > 0, ideal - disagreement, 1)
    if utilities.dtype == object and isinstance(utilities.flat[0], int):
        shares = gains * (np.prod(span) // span)
    else:
        shares = gains / span
    low = np.min(shares, axis=1)
    return {
        "nash": np.prod(gains, axis=1),
        "kalai_smorodinsky": low if ks == "zone" else low - np.max(shares, axis=1),
        "egalitarian": np.min(gains, axis=1),
        "utilitarian": np.sum(utilities, axis=1),
    }


def _best(score: NDArray[Any], utilities: NDArray[Any]) -> int:
    """Index of the highest score; ties go to the larger total utility, then the first."""
    top = np.flatnonzero(score >= score.max())
    return int(top[np.argmax(utilities[top].sum(axis=1))])


@dataclass(frozen=True)
class _Values:
    """Frontier utilities, alternatives and each party's best and worst over the whole
    space, in one unit: exact integers (unit = their denominator) or floats (unit None)."""

    utilities: NDArray[Any]
    disagreement: NDArray[Any]
    best: NDArray[Any]
    worst: NDArray[Any]
    unit: int | None

    def ranges(self, ks: KalaiSmorodinsky) -> tuple[NDArray[Any], NDArray[Any]]:
        """Kalai-Smorodinsky's disagreement and ideal points."""
        if ks == "zone":
            return self.disagreement, self.utilities.max(axis=0)
        return np.maximum(self.disagreement, self.worst), self.best


def _values(scenario: Scenario, front: Frontier) -> _Values:
    form, numerators = front.form, front.numerators
    values = scenario.exact_values() if form is not None else None
    alternatives = values.alternatives if values is not None else ()
    if form is None or numerators is None or not all(isinstance(a, Fraction) for a in alternatives):
        best = sum(t.max(axis=1) for t in scenario.tables)
        worst = sum(t.min(axis=1) for t in scenario.tables)
        return _Values(front.utilities, scenario.alternatives, best, worst, None)
    unit = math.lcm(*form.scale, *(Fraction(a).denominator for a in alternatives))
    factor = np.array([unit // s for s in form.scale], dtype=object)
    return _Values(
        numerators.astype(object) * factor,
        np.array([int(Fraction(a) * unit) for a in alternatives], dtype=object),
        sum(t.astype(object).max(axis=1) for t in form.tables) * factor,
        sum(t.astype(object).min(axis=1) for t in form.tables) * factor,
        unit,
    )


def solve(
    scenario: Scenario,
    frontier: Frontier | None = None,
    names: tuple[str, ...] = SOLUTIONS,
    ks: KalaiSmorodinsky | str = "zone",
) -> dict[str, Solution]:
    """Nash, Kalai-Smorodinsky, egalitarian and utilitarian packages; empty if none is feasible."""
    if ks not in ("zone", "negmas"):
        raise ValueError(f"unknown Kalai-Smorodinsky variant '{ks}'; valid: zone, negmas")
    front = frontier if frontier is not None else pareto_set(scenario)
    if len(front) == 0:
        return {}
    # the frontier's integer form, and the whole space (for NegMAS's ideal), are those
    # of the compound issues when interactions or exclusions tie issues
    v = _values(scenario if scenario.additive else merge(scenario).scenario, front)
    scores = criteria(v.utilities, v.disagreement, v.utilities.max(axis=0))
    d_ks, ideal_ks = v.ranges(ks)
    if ks != "zone":
        scores["kalai_smorodinsky"] = criteria(v.utilities, d_ks, ideal_ks, ks)["kalai_smorodinsky"]
    out: dict[str, Solution] = {}
    for name in names:
        i = _best(scores[name], v.utilities)
        if v.unit is None:
            score = float(scores[name][i])
        else:  # the criterion itself, in fractions, for the chosen row
            d = d_ks if name == "kalai_smorodinsky" else v.disagreement
            row, d, ideal = (
                np.asarray(x, dtype=object) / Fraction(v.unit)
                for x in (v.utilities[i : i + 1], d, ideal_ks)
            )
            score = float(criteria(row, d, ideal, ks)[name][0])
        out[name] = Solution(name, tuple(map(int, front.packages[i])), front.utilities[i], score)
    return out


def nash_package(scenario: Scenario, hints: Sequence[tuple[int, ...]] = ()) -> Solution | None:
    """The Nash package alone, faster than `solve`: feasible hint packages give a product
    that every partial sum must still be able to reach, which prunes the merge."""
    d = scenario.alternatives
    incumbent = 0.0
    for package in hints:
        u = scenario.utilities(package)
        if not scenario.crossed(package) and not scenario.excluded(package) and np.all(u > d):
            incumbent = max(incumbent, float(np.prod(u - d)))

    def reachable(best: NDArray[np.float64]) -> NDArray[np.bool_]:
        return np.prod(np.maximum(best - d, 0.0), axis=1) >= incumbent

    front = pareto_set(scenario, bound=reachable if incumbent > 0 else None)
    return solve(scenario, front, names=("nash",)).get("nash")
