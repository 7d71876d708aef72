"""Interacting and excluding issues merged into compound issues give the exact Pareto set and
solutions of the non-additive space: checked against brute force in fractions, every package
enumerated and its utility computed directly."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from tests.negotiate.random_domains import (
    assert_solutions_are_best,
    exact_brute_force_tied,
    exact_pareto,
    exact_utilities,
    random_scenario,
    with_ties,
)

from accord.negotiate.compound import merge
from accord.negotiate.files import (
    NegotiationFileError,
    default_party_files,
    load_domain,
    load_party,
    load_preferences,
)
from accord.negotiate.pareto import pareto_set
from accord.negotiate.scenario import Exclusion, Interaction, Scenario

tied = st.builds(
    lambda seed, parties, issues, links, bans: with_ties(
        random_scenario(seed, parties, issues, 3, integer=False, red_lines=True, decimal=True),
        seed,
        links,
        bans,
    ),
    seed=st.integers(0, 2**32 - 1),
    parties=st.integers(1, 4),
    issues=st.integers(2, 5),
    links=st.integers(1, 4),
    bans=st.integers(0, 2),
)


def _check_front(scenario: Scenario, front) -> set[tuple[Fraction, ...]]:
    got = set(map(tuple, front.exact_utilities()))
    for package, u in zip(front.packages, front.exact_utilities(), strict=True):
        package = tuple(map(int, package))
        assert not scenario.excluded(package) and not scenario.crossed(package)
        assert exact_utilities(scenario, package) == list(u)  # mapped back to the right options
    return got


@settings(max_examples=80, deadline=None)
@given(tied)
def test_merged_pareto_set_equals_brute_force(scenario):
    _, utils = exact_brute_force_tied(scenario)
    assert _check_front(scenario, pareto_set(scenario)) == exact_pareto(utils)


@settings(max_examples=60, deadline=None)
@given(tied)
def test_merged_solutions_equal_brute_force(scenario):
    assert_solutions_are_best(scenario, exact_brute_force_tied(scenario)[1])


# A guarantee and a force cap: Article 5-like guarantees with a small force cap are worth
# 0.2 more to party A together (a guarantee makes the cap bearable), a large peacekeeping
# force cannot go with "no foreign forces".
HAND = Scenario(
    issues=("guarantee", "force_cap", "peacekeeping", "foreign_forces"),
    options=(("article5", "none"), ("small", "large"), ("large", "none"), ("allowed", "banned")),
    parties=("A", "B"),
    tables=(
        np.array([[0.1, 0.0], [0.0, 0.3]]),
        np.array([[0.0, 0.2], [0.2, 0.0]]),
        np.array([[0.2, 0.0], [0.0, 0.1]]),
        np.array([[0.1, 0.0], [0.0, 0.2]]),
    ),
    alternatives=np.zeros(2),
    interactions=(Interaction("A", (0, 0), (1, 0), Fraction(2, 10)),),
    exclusions=(Exclusion((2, 0), (3, 1), "a force needs foreign troops"),),
)


def test_hand_made_merge_and_its_way_back():
    merged = merge(HAND)
    assert merged.groups == ((0, 1), (2, 3))
    assert merged.scenario.options[1] == (
        "large+allowed",
        "none+allowed",
        "none+banned",
    )  # large peacekeeping with foreign forces banned is not an option
    # article5 + small for A: 0.1 + 0.0 + 0.2
    assert merged.scenario.exact.tables[0][0, 0] == Fraction(3, 10)
    _, utils = exact_brute_force_tied(HAND)
    assert _check_front(HAND, pareto_set(HAND)) == exact_pareto(utils)


def _party_file(tmp_path: Path, interactions: list) -> Path:
    yaml = YAML()
    source = next(p for p in default_party_files() if "europe" in p.name)
    data = yaml.load(source.read_text(encoding="utf-8"))
    data["interactions"] = interactions
    out = tmp_path / source.name
    with out.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    return out


def _link(doc: str, a: tuple[str, str], b: tuple[str, str]) -> dict:
    return {
        "options": [{"issue": a[0], "option": a[1]}, {"issue": b[0], "option": b[1]}],
        "value": [0.05, 0.1],
        "source": {"doc": doc},
        "reason": "a guarantee makes a force cap bearable",
    }


@pytest.fixture(scope="module")
def domain():
    return load_domain()


def test_party_file_interactions_reach_the_scenario(tmp_path, domain):
    doc = domain.documents[0].id
    guarantee = domain.issue("guarantee").options[0].id
    cap = domain.issue("force_cap").options[0].id
    path = _party_file(tmp_path, [_link(doc, ("guarantee", guarantee), ("force_cap", cap))])
    others = [p for p in default_party_files() if "europe" not in p.name]
    scenario = load_preferences([*others, path]).scenario()
    (link,) = scenario.interactions
    assert link.party == "EUR" and link.value == Fraction(75, 1000)
    eur = scenario.parties.index("EUR")
    package = [0] * len(scenario.issues)
    package[link.first[0]], package[link.second[0]] = link.first[1], link.second[1]
    plain = sum(t[eur, o] for t, o in zip(scenario.tables, package, strict=True))
    assert scenario.utilities(package)[eur] == pytest.approx(plain + 0.075)
    package[link.second[0]] = 1 - link.second[1]  # the pair broken: no interaction
    plain = sum(t[eur, o] for t, o in zip(scenario.tables, package, strict=True))
    assert scenario.utilities(package)[eur] == pytest.approx(plain)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: ("nowhere", "x"), "unknown issue 'nowhere'"),
        (lambda d: ("guarantee", "maybe"), "unknown option of issue 'guarantee' 'maybe'"),
        (lambda d: ("force_cap", d.issue("force_cap").options[1].id), "both options belong"),
    ],
)
def test_bad_interactions_say_what_and_where(tmp_path, domain, change, message):
    doc = domain.documents[0].id
    cap = domain.issue("force_cap").options[0].id
    path = _party_file(tmp_path, [_link(doc, ("force_cap", cap), change(domain))])
    with pytest.raises(NegotiationFileError, match="interactions\\[0\\]") as err:
        load_party(path, domain)
    assert message in str(err.value)


def test_an_interaction_must_cite_a_known_document(tmp_path, domain):
    cap = domain.issue("force_cap").options[0].id
    guarantee = domain.issue("guarantee").options[0].id
    path = _party_file(
        tmp_path, [_link("no-such-doc", ("force_cap", cap), ("guarantee", guarantee))]
    )
    with pytest.raises(NegotiationFileError, match="unknown document 'no-such-doc'"):
        load_party(path, domain)
