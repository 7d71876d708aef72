"""accord's Pareto set and Nash point equal NegMAS's, on random domains exported by accord
and read back by NegMAS, and on real ANAC domains read by both."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.negotiate.random_domains import random_scenario

from accord.negotiate.genius import read_folder, write_scenario
from accord.negotiate.pareto import pareto_set
from accord.negotiate.scenario import ExactValues, Scenario
from accord.negotiate.solutions import solve

negmas = pytest.importorskip("negmas")
from negmas.inout import Scenario as NegmasScenario  # noqa: E402
from negmas.preferences import ks_points, nash_points, pareto_frontier  # noqa: E402

ANAC = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "genius" / "anac"


def _negmas(folder: Path) -> tuple[np.ndarray, tuple[float, ...], np.ndarray]:
    """NegMAS's Pareto utilities, Nash utilities and its Kalai-Smorodinsky points (all ties),
    reservation values ignored."""
    loaded = NegmasScenario.from_genius_folder(folder, ignore_discount=True, ignore_reserved=True)
    assert loaded is not None
    outcomes = list(loaded.outcome_space.enumerate_or_sample())
    front, _ = pareto_frontier(loaded.ufuns, outcomes=outcomes)
    nash = nash_points(loaded.ufuns, front, outcome_space=loaded.outcome_space)
    ks = ks_points(loaded.ufuns, front, outcome_space=loaded.outcome_space)
    return (
        np.array(front, dtype=float),
        tuple(map(float, nash[0][0])),
        np.array([u for u, _ in ks], dtype=float),
    )


def _same_points(a: np.ndarray, b: np.ndarray) -> bool:
    a = np.unique(a.round(9), axis=0)
    b = np.unique(b.round(9), axis=0)
    return a.shape == b.shape and np.allclose(a, b, atol=1e-9)


def _ours(scenario: Scenario) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Our frontier over the whole space, and the Nash and (NegMAS's) Kalai-Smorodinsky
    points with the worst package as the disagreement point."""
    exact = scenario.exact_values()
    assert exact is not None
    floor = tuple(sum(t[p].min() for t in exact.tables) for p in range(len(scenario.parties)))
    free = replace(
        scenario,
        red_lines=(),
        alternatives=np.array([float(f) for f in floor]),
        exact=ExactValues(exact.tables, floor),
    )
    front = pareto_set(free, beat_alternatives=False)
    found = solve(free, pareto_set(free), ks="negmas")
    return front.utilities, found["nash"].utilities, found["kalai_smorodinsky"].utilities


def _among(point: np.ndarray, points: np.ndarray) -> bool:
    return bool(np.any(np.all(np.isclose(point, points, atol=1e-9), axis=1)))


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 2**32 - 1), parties=st.integers(2, 3), issues=st.integers(2, 4))
def test_exported_domain_gives_negmas_the_same_pareto_set_and_nash(
    tmp_path_factory, seed, parties, issues
):
    scenario = random_scenario(seed, parties, issues, 4, integer=False, red_lines=False)
    folder = tmp_path_factory.mktemp("genius")
    write_scenario(scenario, folder)
    scale = np.array([sum(t[p].max() for t in scenario.tables) for p in range(parties)])
    front, nash, ks = _ours(read_folder(folder, convention="negmas").scenario)
    theirs, their_nash, their_ks = _negmas(folder)
    assert _same_points(front, theirs)
    assert np.allclose(nash, their_nash, atol=1e-9)
    assert _among(ks, their_ks)
    # the export divided each party's utilities by its best; the frontier is the same
    assert _same_points(pareto_set(scenario, beat_alternatives=False).utilities / scale, theirs)


@pytest.mark.shared_data
@pytest.mark.parametrize(
    "scenario",
    [
        "y2010/Travel",
        "y2012/EnergySmallA",
        "y2013/Lunch",
        "y2015/group2-politics",
        "y2015/group9-vacation",  # an integer issue
    ],
)
def test_anac_domains_agree_with_negmas(scenario):
    folder = ANAC / scenario
    if not folder.is_dir():
        pytest.skip("the shared GENIUS data is not present")
    # read as NegMAS reads (weights and evaluations as written, integers as slope * x + offset)
    front, nash, ks = _ours(read_folder(folder, convention="negmas").scenario)
    theirs, their_nash, their_ks = _negmas(folder)
    assert _same_points(front, theirs)
    assert np.allclose(nash, their_nash, rtol=1e-9)
    assert _among(ks, their_ks)
