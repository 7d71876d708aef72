"""The issue-by-issue Pareto merge and the bargaining solutions equal brute force."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.negotiate.random_domains import brute_force, brute_pareto, random_scenario

from accord.negotiate.pareto import nondominated, pareto_set
from accord.negotiate.scenario import Scenario
from accord.negotiate.solutions import SOLUTIONS, criteria, solve

scenarios = st.builds(
    random_scenario,
    seed=st.integers(0, 2**32 - 1),
    parties=st.integers(1, 4),
    issues=st.integers(1, 5),
    max_options=st.integers(2, 4),
    integer=st.booleans(),
    red_lines=st.booleans(),
)


@settings(max_examples=80, deadline=None)
@given(scenarios)
def test_pareto_set_equals_brute_force(scenario):
    _packages, utils = brute_force(scenario)
    front = pareto_set(scenario)
    assert set(map(tuple, front.utilities)) == brute_pareto(utils)
    assert len(front) == len(set(map(tuple, front.utilities)))
    for package, u in zip(front.packages, front.utilities, strict=True):
        assert not scenario.crossed(tuple(package))
        assert np.array_equal(scenario.utilities(package), u)


@settings(max_examples=80, deadline=None)
@given(scenarios)
def test_solutions_equal_brute_force(scenario):
    _, utils = brute_force(scenario)
    found = solve(scenario)
    if len(utils) == 0:
        assert found == {}
        return
    best = criteria(utils, scenario.alternatives, utils.max(axis=0))
    assert set(found) == set(SOLUTIONS)
    for name, solution in found.items():
        assert np.isclose(solution.score, best[name].max(), rtol=1e-12, atol=1e-12), name
        assert np.array_equal(scenario.utilities(solution.package), solution.utilities)


def test_without_red_lines_or_alternatives_the_whole_space_counts():
    scenario = random_scenario(7, 3, 4, 3, integer=False, red_lines=True)
    everything = pareto_set(scenario, respect_red_lines=False, beat_alternatives=False)
    feasible = pareto_set(scenario)
    assert len(everything) >= 1
    # every feasible frontier point is weakly dominated by some unrestricted one
    for u in feasible.utilities:
        assert np.any(np.all(everything.utilities >= u, axis=1))


def test_nondominated_keeps_one_of_each_duplicate():
    points = np.array([[1.0, 2.0], [2.0, 1.0], [1.0, 2.0], [0.5, 0.5], [2.0, 1.0]])
    kept = points[nondominated(points)]
    assert sorted(map(tuple, kept)) == [(1.0, 2.0), (2.0, 1.0)]


def test_a_billion_packages_for_four_parties_without_enumerating():
    rng = np.random.default_rng(3)
    big = Scenario(
        issues=tuple(f"i{j}" for j in range(15)),
        options=tuple(("a", "b", "c", "d") for _ in range(15)),
        parties=("P0", "P1", "P2", "P3"),
        tables=tuple(rng.random((4, 4)) for _ in range(15)),
        alternatives=np.zeros(4),
    )
    assert big.size == 4**15
    front = pareto_set(big)
    assert 0 < len(front) < 100_000
    assert len(nondominated(front.utilities)) == len(front)
