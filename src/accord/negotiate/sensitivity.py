"""Monte Carlo over the uncertainty ranges of every party's preferences.

Each draw takes every weight, option value and alternative uniformly from its
range (weights renormalised per party), all draws at once as arrays. Plan
acceptance is vectorised over draws; the Nash package needs the exact Pareto
set of each draw, which the issue-by-issue merge makes cheap enough to repeat.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from rich.progress import Progress

from accord.negotiate.evaluate import OpenIssueRule, open_issue_value
from accord.negotiate.files import Preferences
from accord.negotiate.scenario import Package
from accord.negotiate.solutions import nash_package


@dataclass(frozen=True)
class Draws:
    """Sampled utilities: tables[j] is (draws, parties, options); alternatives (draws, parties)."""

    tables: tuple[NDArray[np.float64], ...]
    alternatives: NDArray[np.float64]


def draw(prefs: Preferences, n: int, seed: int) -> Draws:
    """n joint draws of every party's weights, values and alternative."""
    rng = np.random.default_rng(seed)
    weights = rng.uniform(prefs.weight_lo, prefs.weight_hi, size=(n, *prefs.weight_lo.shape))
    weights /= weights.sum(axis=2, keepdims=True)
    tables = tuple(
        weights[:, :, j : j + 1] * rng.uniform(lo, hi, size=(n, *lo.shape))
        for j, (lo, hi) in enumerate(zip(prefs.value_lo, prefs.value_hi, strict=True))
    )
    alternatives = rng.uniform(
        prefs.alternative_lo, prefs.alternative_hi, size=(n, len(prefs.parties))
    )
    return Draws(tables, alternatives)


def plan_utilities(
    prefs: Preferences, draws: Draws, package: Package, rule: OpenIssueRule = "mean", plan: str = ""
) -> NDArray[np.float64]:
    """(draws, parties) utility of a package; open issues valued by the rule."""
    scenario = prefs.scenario()
    total = np.zeros(draws.alternatives.shape)
    for j, choice in enumerate(package):
        table = draws.tables[j]
        total = total + (
            open_issue_value(scenario, j, table, rule, plan)
            if choice is None
            else table[:, :, choice]
        )
    return total


def analyse(
    prefs: Preferences,
    plans: Mapping[str, Package],
    n: int = 1000,
    seed: int = 0,
    nash: bool = True,
    show_progress: bool = False,
) -> dict[str, Any]:
    """Acceptance probabilities per plan and party, and how often the Nash package changes."""
    scenario = prefs.scenario()
    draws = draw(prefs, n, seed)
    out: dict[str, Any] = {"draws": n, "seed": seed, "plans": {}}
    for name, package in plans.items():
        crossed = {line.party for line in scenario.crossed(package)}
        blocked = np.array([p in crossed for p in scenario.parties])
        utilities = plan_utilities(prefs, draws, package, plan=name)
        accepts = (utilities > draws.alternatives) & ~blocked
        out["plans"][name] = {
            "accept": dict(zip(scenario.parties, map(float, accepts.mean(axis=0)), strict=True)),
            "all_accept": float(accepts.all(axis=1).mean()),
        }
    if nash:
        base = nash_package(scenario)
        counts: Counter[tuple[int, ...] | None] = Counter({base.package: 0} if base else {})
        with Progress(disable=not show_progress, transient=True) as progress:
            task = progress.add_task("Nash package per draw", total=n)
            for d in range(n):
                drawn = scenario.with_tables([t[d] for t in draws.tables], draws.alternatives[d])
                found = nash_package(drawn, hints=[pkg for pkg, _ in counts.most_common(3) if pkg])
                counts[found.package if found else None] += 1
                progress.advance(task)
        same = counts[base.package] if base else counts[None]
        common = [
            {"package": scenario.describe(pkg) if pkg else None, "share": c / n}
            for pkg, c in counts.most_common(3)
        ]
        out["nash"] = {
            "baseline": scenario.describe(base.package) if base else None,
            "changed_share": 1.0 - same / n,
            "empty_zone_share": counts[None] / n,
            "distinct_packages": len(counts),
            "most_common": common,
        }
    return out
