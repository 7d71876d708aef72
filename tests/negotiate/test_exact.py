"""The Pareto set and the bargaining solutions are exact when utilities tie: checked against
brute force in fractions on hand-made decimal ties, random decimal domains and the shipped
figures."""

from __future__ import annotations

import itertools
from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.negotiate.random_domains import (
    assert_solutions_are_best,
    exact_brute_force,
    exact_pareto,
    random_scenario,
)

from accord.negotiate.analysis import Setting
from accord.negotiate.pareto import nondominated, pareto_set
from accord.negotiate.scenario import ExactValues, Scenario
from accord.negotiate.solutions import solve


def _scenario(tables: list[list[list[float]]], alternatives: list[float]) -> Scenario:
    return Scenario(
        issues=tuple(f"i{j}" for j in range(len(tables))),
        options=tuple(tuple(f"o{o}" for o in range(len(t[0]))) for t in tables),
        parties=tuple(f"P{p}" for p in range(len(tables[0]))),
        tables=tuple(np.array(t) for t in tables),
        alternatives=np.array(alternatives),
    )


def _exact_front(front) -> set[tuple[Fraction, ...]]:
    return set(map(tuple, front.exact_utilities()))


# Package (o1, o1) gives P0 0.7 + 0.1 (0.7999999999999999 in floats) and P1 0.65, so it
# dominates (o0, o0) at (0.8, 0.6) exactly, though floats see P0 better off in (o0, o0).
TIES = [[[0.8, 0.7], [0.5, 0.6]], [[0.0, 0.1], [0.1, 0.05]]]


def test_floats_alone_would_list_a_dominated_package():
    floats = np.array([[0.8, 0.6], [0.9, 0.55], [0.7, 0.7], [0.7 + 0.1, 0.6 + 0.05]])
    assert len(nondominated(floats)) == 4  # why the merge must not compare float sums


def test_decimal_tie_leaves_no_dominated_package():
    scenario = _scenario(TIES, [0.0, 0.0])
    front = pareto_set(scenario)
    _, utils = exact_brute_force(scenario)
    assert _exact_front(front) == exact_pareto(utils)
    assert _exact_front(front) == {
        (Fraction(4, 5), Fraction(13, 20)),
        (Fraction(9, 10), Fraction(11, 20)),
        (Fraction(7, 10), Fraction(7, 10)),
    }


def test_a_tie_with_the_alternative_does_not_beat_it():
    # every package gives P0 exactly 0.3 or less (0.1 + 0.2 at best): not above 0.3
    scenario = _scenario([[[0.1, 0.0], [0.2, 0.2]], [[0.2, 0.1], [0.1, 0.3]]], [0.3, 0.0])
    assert len(pareto_set(scenario)) == 0
    assert exact_brute_force(scenario)[0] == []
    assert solve(scenario) == {}


def test_a_nash_tie_goes_to_the_larger_exact_total():
    # products 0.01 * 0.35 and 0.05 * 0.07 are both 0.0035, but in floats the second is
    # larger (0.0035000000000000005 vs 0.0034999999999999996); the tie goes to the first,
    # whose total (0.36) is larger
    assert 0.05 * 0.07 > 0.01 * 0.35
    scenario = _scenario([[[0.01, 0.05], [0.35, 0.07]]], [0.0, 0.0])
    assert solve(scenario)["nash"].package == (0,)


decimal_scenarios = st.builds(
    random_scenario,
    seed=st.integers(0, 2**32 - 1),
    parties=st.integers(1, 4),
    issues=st.integers(1, 5),
    max_options=st.integers(2, 4),
    integer=st.just(False),
    red_lines=st.booleans(),
    decimal=st.just(True),
)


@settings(max_examples=80, deadline=None)
@given(decimal_scenarios)
def test_pareto_set_equals_exact_brute_force(scenario):
    _, utils = exact_brute_force(scenario)
    front = pareto_set(scenario)
    assert _exact_front(front) == exact_pareto(utils)
    assert len(front) == len(_exact_front(front))


@settings(max_examples=80, deadline=None)
@given(decimal_scenarios)
def test_solutions_equal_exact_brute_force(scenario):
    assert_solutions_are_best(scenario, exact_brute_force(scenario)[1])


def test_python_integers_when_the_denominators_are_large():
    # thirds and sevenths to 19 places: the common denominator overflows int64
    third, seventh = Fraction(1, 3), Fraction(1, 7)
    big = [Fraction(round(x * 10**19), 10**19) for x in (third, seventh, 1 - third, 1 - seventh)]
    exact = ExactValues(
        (
            np.array([[big[0], big[2]], [big[1], big[3]]], dtype=object),
            np.array([[big[2], big[0]], [big[3], big[1]]], dtype=object),
        ),
        (Fraction(0), Fraction(0)),
    )
    scenario = Scenario(
        issues=("a", "b"),
        options=(("x", "y"), ("x", "y")),
        parties=("P0", "P1"),
        tables=tuple(t.astype(float) for t in exact.tables),
        alternatives=np.zeros(2),
        exact=exact,
    )
    form = scenario.integer_form()
    assert form is not None and form.tables[0].dtype == object
    utils = {
        pkg: tuple(sum(exact.tables[j][p, o] for j, o in enumerate(pkg)) for p in range(2))
        for pkg in itertools.product(range(2), range(2))
    }
    assert _exact_front(pareto_set(scenario)) == exact_pareto(
        np.array(list(utils.values()), dtype=object)
    )
    assert solve(scenario)["nash"].package in utils


@pytest.fixture(scope="module")
def shipped() -> Scenario:
    return Setting.load().scenario


def test_shipped_frontier_holds_no_dominated_package(shipped):
    # The parties' stated red lines together forbid every option of an issue, so the
    # shipped zone is empty; the merge's exactness is checked with those red lines aside.
    blocked = {j for j in range(len(shipped.issues)) if not shipped.allowed(j).any()}
    shipped = replace(
        shipped, red_lines=tuple(r for r in shipped.red_lines if r.issue not in blocked)
    )
    front = pareto_set(shipped)
    assert len(front.packages) > 1000
    form = shipped.integer_form()
    assert form is not None
    # exact utilities recomputed from the fractions, independently of the merge's sums
    exact = shipped.exact_values()
    assert exact is not None
    rows = np.array(
        [
            [
                sum(exact.tables[j][p, o] * form.scale[p] for j, o in enumerate(pkg))
                for p in range(len(shipped.parties))
            ]
            for pkg in front.packages
        ],
        dtype=np.int64,
    )
    assert np.array_equal(rows, front.numerators)
    assert len(np.unique(rows, axis=0)) == len(rows)
    for start in range(0, len(rows), 500):
        block = rows[start : start + 500]
        ge = np.all(rows[None, :, :] >= block[:, None, :], axis=2)
        gt = np.any(rows[None, :, :] > block[:, None, :], axis=2)
        assert not np.any(ge & gt), "a listed package is dominated by another"


def test_shipped_figures_on_a_slice_equal_exact_brute_force(shipped):
    # the first issues only (about 1e4 packages), with the shipped figures and red lines
    keep = 6
    sliced = Scenario(
        shipped.issues[:keep],
        shipped.options[:keep],
        shipped.parties,
        shipped.tables[:keep],
        np.zeros(len(shipped.parties)),
        tuple(r for r in shipped.red_lines if r.issue < keep),
        exact=ExactValues(shipped.exact.tables[:keep], (Fraction(0),) * len(shipped.parties)),
    )
    assert sliced.size <= 20_000
    exact = sliced.exact
    utils = []
    for pkg in itertools.product(*(range(len(o)) for o in sliced.options)):
        if not sliced.crossed(pkg):
            utils.append([sum(exact.tables[j][p, o] for j, o in enumerate(pkg)) for p in range(4)])
    front = pareto_set(sliced, beat_alternatives=False)
    assert _exact_front(front) == exact_pareto(np.array(utils, dtype=object))
