"""Bridging keeps cross-issue constraints and locked issues, and accounts for what it
does not return, checked on hand-made domains and against brute force."""

from __future__ import annotations

import dataclasses
import itertools
import json
import shutil

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.negotiate.random_domains import random_scenario
from typer.testing import CliRunner

from accord.agreement import AgreementFileError
from accord.cli.negotiate import app
from accord.negotiate.analysis import Setting, bridge_json
from accord.negotiate.bridging import Lock, bridge_report
from accord.negotiate.scenario import Exclusion, RedLine, Scenario
from accord.plans import plan_path

runner = CliRunner()


def _hand_made(exclude: bool = True) -> Scenario:
    """Two parties. The plan settles alignment=nato and force=big and leaves foreign open.
    B's red line forbids nato; B beats its alternative only with foreign=banned, which a
    big force rules out (the constraint), so the bridge must also shrink the force."""
    tables = (
        np.array([[0.2, 0.1], [0.0, 0.1]]),  # alignment: nato, neutral
        np.array([[0.3, 0.2], [0.2, 0.2]]),  # force: big, small
        np.array([[0.3, 0.3], [0.0, 0.4]]),  # foreign: allowed, banned
    )
    return Scenario(
        issues=("alignment", "force", "foreign"),
        options=(("nato", "neutral"), ("big", "small"), ("allowed", "banned")),
        parties=("A", "B"),
        tables=tables,
        alternatives=np.array([0.5, 0.6]),
        red_lines=(RedLine("B", 0, frozenset({0}), "no alliance", "doc"),),
        exclusions=(Exclusion((1, 0), (2, 1), "a big force is foreign troops", "doc"),)
        if exclude
        else (),
    )


PLAN = (0, 0, None)


def test_without_the_constraint_the_fill_contradicts_the_plan():
    report = bridge_report(_hand_made(exclude=False), PLAN, top=5)
    first = report["bridges"][0]
    assert first["package"] == {"alignment": "neutral", "force": "big", "foreign": "banned"}


def test_the_constraint_forces_a_second_change_instead():
    scenario = _hand_made()
    report = bridge_report(scenario, PLAN, top=5)
    (only,) = report["bridges"]
    assert only["package"] == {"alignment": "neutral", "force": "small", "foreign": "banned"}
    assert [c["issue"] for c in only["changes"]] == ["alignment", "force"]
    acc = report["accounting"]
    # change sets of up to two changes: the plan, alignment, force, both
    assert acc["candidates"] == 4
    assert acc["cross_a_red_line"] == 2  # the plan itself and force alone keep nato
    assert acc["red_lines"] == [
        {"party": "B", "issue": "alignment", "option": "nato", "candidates": 2}
    ]
    assert acc["fall_below_an_alternative"] == 1  # alignment alone: no fill lifts B above 0.6
    assert acc["returned"] == 1
    assert "asked for 5, found 1" in report["why_fewer"]
    assert "proved" in report["search"]


def test_a_settled_pair_that_breaks_a_constraint_is_counted_as_such():
    scenario = _hand_made()
    plan = (None, 0, 1)  # the plan itself holds force=big with foreign=banned
    acc = bridge_report(scenario, plan, top=5)["accounting"]
    assert acc["break_a_constraint"] == 1
    assert acc["constraints"] == [{"options": ["force=big", "foreign=banned"], "candidates": 1}]


def test_a_locked_issue_is_never_changed_and_the_count_says_so():
    scenario = _hand_made()
    locked = bridge_report(scenario, PLAN, top=5, locks=[Lock(1, "the plan's core")])
    assert locked["bridges"] == []
    assert locked["locked"] == [{"issue": "force", "reason": "the plan's core", "source": ""}]
    acc = locked["accounting"]
    assert acc["touch_a_locked_issue"] == 2  # force alone, and force with alignment
    assert "2 touch a locked issue" in locked["why_fewer"]
    with pytest.raises(ValueError, match="open in the plan"):
        bridge_report(scenario, PLAN, locks=[Lock(2, "open")])


def _brute_classes(scenario: Scenario, plan, found, up_to):
    """The accounting's classes, by enumerating every change set and every fill."""
    settled = [j for j, c in enumerate(plan) if c is not None]
    open_ = [j for j, c in enumerate(plan) if c is None]
    counts = dict.fromkeys(
        (
            "returned",
            "touch_a_locked_issue",
            "cross_a_red_line",
            "break_a_constraint",
            "add_to_a_bridge",
            "fall_below_an_alternative",
            "acceptable_not_returned",
        ),
        0,
    )
    for k in range(up_to + 1):
        for issues in itertools.combinations(settled, k):
            others = [[o for o in range(len(scenario.options[j])) if o != plan[j]] for j in issues]
            for options in itertools.product(*others):
                changes = dict(zip(issues, options, strict=True))
                package = tuple(changes.get(j, c) for j, c in enumerate(plan))
                if scenario.crossed(package):
                    counts["cross_a_red_line"] += 1
                elif scenario.excluded(package):
                    counts["break_a_constraint"] += 1
                elif changes in found:
                    counts["returned"] += 1
                elif any(changes.items() >= f.items() for f in found):
                    counts["add_to_a_bridge"] += 1
                else:
                    fills = itertools.product(*(range(len(scenario.options[j])) for j in open_))
                    ok = False
                    for fill in fills:
                        full = list(package)
                        for j, o in zip(open_, fill, strict=True):
                            full[j] = o
                        full_t = tuple(full)
                        if scenario.crossed(full_t) or scenario.excluded(full_t):
                            continue
                        if np.all(scenario.utilities(full_t) > scenario.alternatives):
                            ok = True
                            break
                    counts["acceptable_not_returned" if ok else "fall_below_an_alternative"] += 1
    return counts


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_bridges_and_their_accounting_equal_brute_force(seed):
    rng = np.random.default_rng(seed)
    base = random_scenario(seed, 3, 5, 3, integer=False, red_lines=True)
    pairs = [
        ((a, int(rng.integers(len(base.options[a])))), (b, int(rng.integers(len(base.options[b])))))
        for a, b in itertools.combinations(range(5), 2)
        if rng.random() < 0.3
    ]
    scenario = dataclasses.replace(base, exclusions=tuple(Exclusion(x, y) for x, y in pairs))
    plan = tuple(None if rng.random() < 0.3 else int(rng.integers(2)) for _ in range(5))
    report = bridge_report(scenario, plan, top=3)
    for row in report["bridges"]:
        package = tuple(
            scenario.option_index(j, row["package"][name]) for j, name in enumerate(scenario.issues)
        )
        assert not scenario.excluded(package) and not scenario.crossed(package)
        assert np.all(scenario.utilities(package) > scenario.alternatives)
    found = [
        {
            scenario.issue_index(c["issue"]): scenario.option_index(
                scenario.issue_index(c["issue"]), c["to"]
            )
            for c in row["changes"]
        }
        for row in report["bridges"]
    ]
    acc = report["accounting"]
    expected = _brute_classes(scenario, plan, found, acc["up_to_changes"])
    assert {k: acc[k] for k in expected} == expected
    if len(found) < 3 and "proved" in report["search"]:
        assert acc["acceptable_not_returned"] == 0  # every minimal bridge was found


def test_the_plan_core_is_kept_by_default_and_its_source_shown():
    setting = Setting.load(["mcfaul-2024"])
    data = bridge_json(setting, "mcfaul-2024", top=3)
    assert data["locked"][0]["issue"] == "alignment"
    assert "mcfaul-2024" in data["locked"][0]["source"]
    assert all(b["package"]["alignment"] == "nato_membership" for b in data["bridges"])
    free = bridge_json(setting, "mcfaul-2024", top=3, core=False)
    assert free["locked"] == []


def test_lock_errors_name_the_issue():
    result = runner.invoke(app, ["bridge", "mcfaul-2024", "--lock", "dmz"])
    assert result.exit_code == 2 and "leaves this issue open" in result.output
    result = runner.invoke(app, ["bridge", "mcfaul-2024", "--lock", "nosuch"])
    assert result.exit_code == 2 and "unknown issue" in result.output


def test_bridge_text_and_json_carry_the_account():
    result = runner.invoke(app, ["bridge", "mcfaul-2024", "--top", "5", "--no-core"])
    data = json.loads(result.output)
    assert data["accounting"]["candidates"] >= len(data["bridges"])
    text = runner.invoke(app, ["bridge", "mcfaul-2024", "--lock", "line", "--text"]).output
    assert text.startswith("plan mcfaul-2024:") and "locked line: locked by the user" in text


@pytest.mark.parametrize(
    ("core", "message"),
    [("nosuch", "unknown negotiation issue 'nosuch'"), ("dmz", "leaves 'dmz' open")],
)
def test_a_bad_core_issue_is_a_positioned_error(tmp_path, core, message):
    path = tmp_path / "plan.yaml"
    shutil.copy(plan_path("mcfaul-2024"), path)
    path.write_text(
        path.read_text(encoding="utf-8").replace("  - issue: alignment\n", f"  - issue: {core}\n"),
        encoding="utf-8",
    )
    with pytest.raises(AgreementFileError, match=message) as err:
        Setting.load([str(path)])
    assert err.value.problems[0].field == "core[0].issue"
