"""Bridging, sensitivity, ratification, durability, GENIUS round trip, CLI and report."""

from __future__ import annotations

import json

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.negotiate.hand_made import write_parties
from tests.negotiate.random_domains import brute_force, random_scenario
from typer.testing import CliRunner

from accord.cli.negotiate import app
from accord.negotiate.analysis import Setting, summary
from accord.negotiate.bridging import bridge
from accord.negotiate.durability import durability, load_mechanisms
from accord.negotiate.genius import read_scenario, write_scenario
from accord.negotiate.pareto import pareto_set
from accord.negotiate.ratification import load_rules, ratify
from accord.negotiate.sensitivity import analyse
from accord.negotiate.solutions import nash_package, solve
from accord.report.negotiation import render

runner = CliRunner()


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), parties=st.integers(2, 4))
def test_nash_with_hints_equals_full_solve(seed, parties):
    scenario = random_scenario(seed, parties, 4, 3, integer=False, red_lines=True)
    packages, _ = brute_force(scenario)
    full = solve(scenario).get("nash")
    fast = nash_package(scenario, hints=[tuple(p) for p in packages[:3]])
    assert (full is None) == (fast is None)
    if full and fast:
        assert np.isclose(full.score, fast.score, rtol=1e-12)
        # the package itself, not only the score, holds the utilities reported
        assert np.allclose(scenario.utilities(fast.package), fast.utilities, rtol=1e-12)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_bridging_finds_the_fewest_changes(seed):
    scenario = random_scenario(seed, 3, 4, 3, integer=False, red_lines=True)
    packages, _ = brute_force(scenario)
    plan = tuple(int(c) for c in np.random.default_rng(seed).integers(0, 2, size=4))
    found = bridge(scenario, plan, top=3)
    if len(packages) == 0:
        assert found == []
        return
    fewest = min(int(np.sum(p != np.array(plan))) for p in packages)
    assert found and len(found[0]["changes"]) == fewest
    assert all(a["smallest_gain"] > 0 for a in found)


def test_sensitivity_is_seeded_and_ranges_are_probabilities():
    setting = Setting.load(["defense-priorities-2025", "mcfaul-2024"])
    first = analyse(setting.prefs, setting.plans, n=40, seed=3)
    assert first == analyse(setting.prefs, setting.plans, n=40, seed=3)
    # crosses red lines held with probability 1 in every draw
    assert first["plans"]["mcfaul-2024"]["all_accept"]["p"] == 0.0
    assert 0.0 <= first["nash"]["changed"]["p"] <= 1.0


def test_ratification_of_nato_accession_needs_every_member():
    setting = Setting.load(["mcfaul-2024", "defense-priorities-2025"])
    rules = load_rules(setting.prefs.domain)
    mcfaul = ratify(rules, setting.prefs.domain, setting.plans["mcfaul-2024"])
    part = next(p for p in mcfaul["parts"] if p["part"] == "nato_accession")
    assert {"HU", "SK"} <= {v["id"] for v in part["veto_players"]}
    low, high = part["survives_range"]
    assert low <= part["survives"] <= high < 0.6
    dp = ratify(rules, setting.prefs.domain, setting.plans["defense-priorities-2025"])
    assert [p["part"] for p in dp["parts"]] == [
        "sanctions_phased",
        "eu_sanctions_phased",
        "ua_amendment_alignment",
    ]


def test_full_dmz_scores_above_partial():
    setting = Setting.load(["defense-priorities-2025"])
    spec = load_mechanisms(setting.prefs.domain)
    full = setting.plans["defense-priorities-2025"]
    j = [i.id for i in setting.prefs.domain.issues].index("dmz")
    partial = tuple(
        setting.scenario.option_index(j, "partial") if k == j else c for k, c in enumerate(full)
    )
    a, b = (
        durability(spec, setting.prefs.domain, full, setting.scenario),
        durability(spec, setting.prefs.domain, partial, setting.scenario),
    )
    assert a["score"] > b["score"]
    assert all(m["source"] and m["reason"] for m in a["mechanisms"])


def test_genius_round_trip_keeps_pareto_set(tmp_path):
    scenario = random_scenario(5, 3, 4, 4, integer=False, red_lines=False)
    paths = write_scenario(scenario, tmp_path)
    back = read_scenario(paths[0], paths[1:]).scenario
    scale = np.array([sum(t[p].max() for t in scenario.tables) for p in range(3)])
    a = pareto_set(scenario, beat_alternatives=False).utilities / scale
    b = pareto_set(back, beat_alternatives=False).utilities
    assert np.allclose(np.unique(a.round(9), axis=0), np.unique(b.round(9), axis=0))


def test_cli_commands_print_json(tmp_path):
    result = runner.invoke(app, ["evaluate", "defense-priorities-2025"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[0]["plan"] == "defense-priorities-2025"
    # the shipped parties' stated red lines leave no zone, so solve a hand-made pair
    pair = write_parties(tmp_path, b="range: [0.5, 0.5]=>range: [0.3, 0.3]")
    parties = [arg for path in pair for arg in ("--party", str(path))]
    result = runner.invoke(app, ["solutions", *parties])
    assert set(json.loads(result.output)["solutions"]) == {
        "nash",
        "kalai_smorodinsky",
        "egalitarian",
        "utilitarian",
    }
    result = runner.invoke(app, ["bridge", "mcfaul-2024", "--top", "2", "--no-core", *parties])
    assert json.loads(result.output)["bridges"][0]["changes"][0]["issue"] == "alignment"


def test_cli_reports_a_bad_party_file(tmp_path):
    bad = tmp_path / "party-bad.yaml"
    bad.write_text("party: BAD\nname: Bad\nweights_sum: 1\n", encoding="utf-8")
    result = runner.invoke(app, ["evaluate", "--party", str(bad)])
    assert result.exit_code == 2
    assert "party-bad.yaml" in result.output and "alternative" in result.output


def test_report_has_every_section():
    setting = Setting.load(["defense-priorities-2025", "mcfaul-2024"])
    html = render(setting, summary(setting, draws=20))
    for heading in (
        "Plans",
        "Acceptance probability",
        "Utilities per party",
        "Bargaining solutions",
        "Pareto set",
        "How each plan's terms map to the negotiation domain",
    ):
        assert heading in html
    assert html.count("<svg") >= 2
    assert "<h3>mcfaul-2024 (11 terms)</h3>" in html
    assert "<td>security.nato_accession</td><td>100</td>" in html
