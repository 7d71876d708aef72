"""One rule values an issue a plan leaves open, everywhere; when red lines leave it no option,
the message names the issue and the red lines instead of crashing or reporting NaN."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from accord.cli.negotiate import app
from accord.negotiate import OPEN_ISSUE_RULES, open_issue_value
from accord.negotiate.analysis import Setting
from accord.negotiate.durability import durability, load_mechanisms
from accord.negotiate.evaluate import NoOptionLeftError, evaluate_package
from accord.negotiate.files import default_party_files
from accord.negotiate.scenario import RedLine, Scenario
from accord.negotiate.sensitivity import analyse


def _scenario(red_lines: tuple[RedLine, ...]) -> Scenario:
    return Scenario(
        issues=("guarantee", "aid"),
        options=(("article5", "consultations", "none"), ("long", "short")),
        parties=("A", "B"),
        tables=(np.array([[0.3, 0.2, 0.0], [0.0, 0.1, 0.4]]), np.array([[0.5, 0.1], [0.2, 0.3]])),
        alternatives=np.zeros(2),
        red_lines=red_lines,
    )


def test_each_rule_over_the_allowed_options():
    scenario = _scenario((RedLine("A", 0, frozenset({2}), "no", "doc"),))
    got = {rule: open_issue_value(scenario, 0, rule=rule) for rule in OPEN_ISSUE_RULES}
    assert np.allclose(got["worst"], [0.2, 0.0])
    assert np.allclose(got["mean"], [0.25, 0.05])
    assert np.allclose(got["best"], [0.3, 0.1])
    result = evaluate_package(scenario, (None, 0), "p", rule="worst")
    assert result["parties"]["A"]["utility"] == pytest.approx(0.7)
    assert result["parties"]["A"]["utility_range"] == pytest.approx([0.7, 0.8])


BOTH = (
    RedLine("A", 0, frozenset({0}), "no Article 5", "statement-a"),
    RedLine("B", 0, frozenset({1, 2}), "nothing weaker than Article 5", "statement-b"),
)


def test_no_option_left_names_the_issue_and_the_red_lines():
    """The value asked for alone is refused with the red lines named; a plan's evaluation
    says the plan is blocked there, why, and how each party values what its own lines
    allow (A: consultations or none; B: article5 only)."""
    with pytest.raises(NoOptionLeftError) as err:
        open_issue_value(_scenario(BOTH), 0, plan="draft")
    result = evaluate_package(_scenario(BOTH), (None, 0), "draft")
    assert not result["all_accept"]
    [blocked] = result["blocked_open_issues"]
    assert blocked["issue"] == "guarantee" and "B forbids consultations" in blocked["why"]
    assert result["parties"]["A"]["utility"] == pytest.approx(0.1 + 0.5)
    assert result["parties"]["B"]["utility"] == pytest.approx(0.0 + 0.2)
    message = str(err.value)
    assert "plan 'draft' leaves issue 'guarantee' open" in message
    assert "A forbids article5 (no Article 5; statement-a)" in message
    assert "B forbids consultations, none (nothing weaker than Article 5; statement-b)" in message


@pytest.fixture(scope="module")
def setting() -> Setting:
    return Setting.load(["mcfaul-2024"])


def _blocking(setting: Setting, issue: str) -> tuple[RedLine, ...]:
    """Two parties' red lines that together forbid every option of the issue."""
    j = setting.scenario.issue_index(issue)
    k = len(setting.scenario.options[j])
    return (
        RedLine("US", j, frozenset({0}), "test reason one", "test-source"),
        RedLine("RU", j, frozenset(range(1, k)), "test reason two", "test-source"),
    )


def test_sensitivity_counts_and_names_instead_of_reporting_nan(setting):
    """Red lines that hold in every draw and leave an open issue no option: every draw
    rejects, the share of such draws is given, and the red lines are named."""
    prefs = replace(
        setting.prefs, red_lines=setting.prefs.red_lines + _blocking(setting, "monitoring")
    )
    plan = analyse(prefs, setting.plans, n=5, seed=0, nash=False)["plans"]["mcfaul-2024"]
    assert plan["open_issue_without_option"]["p"] == 1.0
    assert plan["all_accept"]["p"] == 0.0
    assert "plan 'mcfaul-2024' leaves issue 'monitoring'" in plan["open_issue_without_option_why"]


def test_evaluate_command_names_the_blocked_issue_not_a_traceback(setting, tmp_path):
    yaml = YAML()
    files = []
    for path in default_party_files():
        data = yaml.load(path.read_text(encoding="utf-8"))
        forbid = {"US": ["observers_large"], "RU": ["observers_small", "remote_only", "none"]}
        if data["party"] in forbid:
            data["red_lines"].append(
                {
                    "issue": "monitoring",
                    "forbid": forbid[data["party"]],
                    "source": {"doc": data["alternative"]["source"]["doc"]},
                    "reason": f"test line of {data['party']}",
                }
            )
        out = tmp_path / path.name
        with out.open("w", encoding="utf-8") as handle:
            yaml.dump(data, handle)
        files += ["--party", str(out)]
    result = CliRunner().invoke(app, ["evaluate", "mcfaul-2024", *files])
    assert result.exit_code == 0, result.output
    [plan] = json.loads(result.output)
    assert not plan["all_accept"]
    why = {b["issue"]: b["why"] for b in plan["blocked_open_issues"]}["monitoring"]
    assert "leaves issue 'monitoring' open" in why
    assert "test line of US" in why and "test line of RU" in why


def test_durability_values_open_issues_by_the_same_rule(setting):
    spec = load_mechanisms(setting.prefs.domain)
    package = setting.plans["mcfaul-2024"]
    j = setting.scenario.issue_index("dmz")
    assert package[j] is None
    scores = {
        rule: durability(spec, setting.prefs.domain, package, setting.scenario, rule)
        for rule in OPEN_ISSUE_RULES
    }
    dmz = {
        rule: next(m for m in s["mechanisms"] if m["mechanism"] == "dmz")
        for rule, s in scores.items()
    }
    given = next(m for m in spec.mechanisms if m.id == "dmz").credit[0].options
    credits = np.array([given.get(o, 0.0) for o in setting.scenario.options[j]])
    assert dmz["mean"]["credit"] == pytest.approx(credits[setting.scenario.allowed(j)].mean())
    assert dmz["mean"]["credit"] > 0  # an open issue used to earn nothing
    assert dmz["worst"]["credit"] <= dmz["mean"]["credit"] <= dmz["best"]["credit"]
    assert scores["worst"]["score"] < scores["best"]["score"]
