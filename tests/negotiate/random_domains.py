"""Random small additive scenarios and brute-force references for the property tests."""

from __future__ import annotations

import itertools

import numpy as np
from numpy.typing import NDArray

from accord.negotiate.scenario import RedLine, Scenario


def random_scenario(
    seed: int, parties: int, issues: int, max_options: int, integer: bool, red_lines: bool
) -> Scenario:
    """A scenario with random tables; integer tables make ties and duplicates common."""
    rng = np.random.default_rng(seed)
    counts = rng.integers(2, max_options + 1, size=issues)
    if integer:
        tables = tuple(rng.integers(0, 4, size=(parties, int(k))).astype(float) for k in counts)
    else:
        tables = tuple(rng.random((parties, int(k))) for k in counts)
    top = sum(t.max(axis=1) for t in tables)
    alternatives = top * rng.uniform(0.0, 0.6, size=parties)
    lines: list[RedLine] = []
    if red_lines:
        for j, k in enumerate(counts):
            if rng.random() < 0.4:
                forbidden = rng.choice(int(k), size=int(rng.integers(1, k)), replace=False)
                lines.append(
                    RedLine(f"P{rng.integers(parties)}", j, frozenset(map(int, forbidden)))
                )
    return Scenario(
        issues=tuple(f"i{j}" for j in range(issues)),
        options=tuple(tuple(f"o{o}" for o in range(int(k))) for k in counts),
        parties=tuple(f"P{p}" for p in range(parties)),
        tables=tables,
        alternatives=alternatives,
        red_lines=tuple(lines),
    )


def brute_force(scenario: Scenario) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Every package that respects the red lines and beats every alternative, with utilities."""
    packages, utils = [], []
    for package in itertools.product(*(range(len(o)) for o in scenario.options)):
        if scenario.crossed(package):
            continue
        u = scenario.utilities(package)
        if np.all(u > scenario.alternatives):
            packages.append(package)
            utils.append(u)
    n = len(scenario.parties)
    return np.array(packages, dtype=np.int64).reshape(-1, len(scenario.issues)), np.array(
        utils
    ).reshape(-1, n)


def brute_pareto(utils: NDArray[np.float64]) -> set[tuple[float, ...]]:
    """Non-dominated utility vectors by comparing every pair."""
    out = set()
    for i, u in enumerate(utils):
        dominated = any(np.all(v >= u) and np.any(v > u) for k, v in enumerate(utils) if k != i)
        if not dominated:
            out.add(tuple(u))
    return out
