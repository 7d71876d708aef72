"""Random small additive scenarios and brute-force references for the property tests."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace
from fractions import Fraction

import numpy as np
from numpy.typing import NDArray

from accord.negotiate.scenario import Exclusion, Interaction, RedLine, Scenario
from accord.negotiate.solutions import SOLUTIONS, criteria, solve


def random_scenario(
    seed: int,
    parties: int,
    issues: int,
    max_options: int,
    integer: bool,
    red_lines: bool,
    decimal: bool = False,
) -> Scenario:
    """A scenario with random tables; integer tables make ties and duplicates common, and
    decimal ones (tenths, alternatives too) make ties that floats miss (0.1 + 0.2 vs 0.3)."""
    rng = np.random.default_rng(seed)
    counts = rng.integers(2, max_options + 1, size=issues)
    if integer or decimal:
        tables = tuple(
            rng.integers(0, 4, size=(parties, int(k))) / (10.0 if decimal else 1.0) for k in counts
        )
    else:
        tables = tuple(rng.random((parties, int(k))) for k in counts)
    top = sum(t.max(axis=1) for t in tables)
    alternatives = top * rng.uniform(0.0, 0.6, size=parties)
    if decimal:
        alternatives = np.array([float(round(Fraction(repr(float(a))), 1)) for a in alternatives])
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


def exact_brute_force(scenario: Scenario) -> tuple[list[tuple[int, ...]], NDArray[np.object_]]:
    """Like `brute_force`, in fractions: each table entry and alternative read as the decimal
    it prints as, every package summed exactly."""
    tables = [np.vectorize(lambda x: Fraction(str(x)), otypes=[object])(t) for t in scenario.tables]
    alternatives = [Fraction(str(a)) for a in scenario.alternatives]
    packages, utils = [], []
    for package in itertools.product(*(range(len(o)) for o in scenario.options)):
        if scenario.crossed(package):
            continue
        u = [
            sum(t[p, o] for t, o in zip(tables, package, strict=True))
            for p in range(len(tables[0]))
        ]
        if all(x > a for x, a in zip(u, alternatives, strict=True)):
            packages.append(package)
            utils.append(u)
    return packages, np.array(utils, dtype=object).reshape(-1, len(scenario.parties))


def exact_pareto(utils: NDArray[np.object_]) -> set[tuple[Fraction, ...]]:
    """Non-dominated rows of exact utilities, comparing every pair (each column scaled to
    integers by its common denominator, which keeps every comparison exact)."""
    if len(utils) == 0:
        return set()
    scaled = np.empty(utils.shape, dtype=object)
    for p in range(utils.shape[1]):
        den = math.lcm(*(Fraction(x).denominator for x in utils[:, p]))
        scaled[:, p] = [int(Fraction(x) * den) for x in utils[:, p]]
    rows = scaled.astype(np.int64) if abs(scaled).max() < 2**62 else scaled
    out = set()
    for start in range(0, len(rows), 256):
        block = rows[start : start + 256]
        ge = np.all(rows[None, :, :] >= block[:, None, :], axis=2)
        gt = np.any(rows[None, :, :] > block[:, None, :], axis=2)
        for k in np.flatnonzero(~np.any(ge & gt, axis=1)):
            out.add(tuple(Fraction(x) for x in utils[start + k]))
    return out


def with_ties(scenario: Scenario, seed: int, interactions: int, exclusions: int) -> Scenario:
    """The scenario with random interactions (tenths, either sign) and exclusions between
    options of different issues."""
    rng = np.random.default_rng(seed)
    n = len(scenario.issues)

    def pair() -> tuple[tuple[int, int], tuple[int, int]]:
        a, b = rng.choice(n, size=2, replace=False)
        return (int(a), int(rng.integers(len(scenario.options[a])))), (
            int(b),
            int(rng.integers(len(scenario.options[b]))),
        )

    links = tuple(
        Interaction(
            scenario.parties[int(rng.integers(len(scenario.parties)))],
            *pair(),
            Fraction(int(rng.integers(-3, 4)), 10),
        )
        for _ in range(interactions if n > 1 else 0)
    )
    bans = tuple(Exclusion(*pair()) for _ in range(exclusions if n > 1 else 0))
    return replace(scenario, interactions=links, exclusions=bans)


def exact_utilities(scenario: Scenario, package: tuple[int, ...]) -> list[Fraction]:
    """A package's exact utilities computed directly: decimals of the tables plus the
    interactions it holds."""
    u = [
        sum(Fraction(str(t[p, o])) for t, o in zip(scenario.tables, package, strict=True))
        for p in range(len(scenario.parties))
    ]
    for link in scenario.interactions:
        if package[link.first[0]] == link.first[1] and package[link.second[0]] == link.second[1]:
            u[scenario.parties.index(link.party)] += link.value
    return u


def exact_brute_force_tied(scenario: Scenario) -> tuple[list[tuple[int, ...]], NDArray[np.object_]]:
    """Every package that respects red lines and exclusions and beats every alternative,
    with utilities (interactions included) computed directly in fractions."""
    alternatives = [Fraction(str(a)) for a in scenario.alternatives]
    packages, utils = [], []
    for package in itertools.product(*(range(len(o)) for o in scenario.options)):
        if scenario.crossed(package) or scenario.excluded(package):
            continue
        u = exact_utilities(scenario, package)
        if all(x > a for x, a in zip(u, alternatives, strict=True)):
            packages.append(package)
            utils.append(u)
    return packages, np.array(utils, dtype=object).reshape(-1, len(scenario.parties))


def assert_solutions_are_best(scenario: Scenario, utils: NDArray[np.object_]) -> None:
    """Each bargaining solution is best by its own criterion among every package, in exact
    arithmetic (`utils`: every package's exact utilities, from a brute force)."""
    found = solve(scenario)
    if len(utils) == 0:
        assert found == {}
        return
    d = np.array([Fraction(str(a)) for a in scenario.alternatives], dtype=object)
    best = criteria(utils, d, utils.max(axis=0))
    for name in SOLUTIONS:
        u = np.array([exact_utilities(scenario, found[name].package)], dtype=object)
        assert criteria(u, d, utils.max(axis=0))[name][0] == best[name].max(), name
