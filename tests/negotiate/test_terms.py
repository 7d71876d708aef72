"""Solutions and bridges show their terms: option titles, the plans that propose each
option, and each party's value with the reason and source its file gives."""

from __future__ import annotations

import json

import pytest
from tests.negotiate.hand_made import write_parties
from typer.testing import CliRunner

from accord.cli.negotiate import app
from accord.negotiate.analysis import Setting, solutions_json, solutions_text
from accord.negotiate.terms import package_terms

runner = CliRunner()


@pytest.fixture(scope="module")
def setting() -> Setting:
    return Setting.load()


def test_every_row_names_the_option_its_proposers_and_each_party_value(setting):
    prefs = setting.prefs
    proposals = setting.proposals()
    package = setting.scenario.describe(setting.plans["defense-priorities-2025"])
    rows = package_terms(prefs, proposals, package)
    assert [r["issue"] for r in rows] == [i.id for i in prefs.domain.issues]
    for row in rows:
        issue = prefs.domain.issue(row["issue"])
        if row["option"] is None:
            assert package[row["issue"]] is None
            continue
        assert row["title"] == next(o.title for o in issue.options if o.id == row["option"])
        proposers = {p["plan"] for p in row["proposed_by"]}
        j = [i.id for i in prefs.domain.issues].index(row["issue"])
        expected = {
            name
            for name, pkg in setting.plans.items()
            if pkg[j] is not None and issue.options[pkg[j]].id == row["option"]
        }
        assert proposers == expected
        assert "defense-priorities-2025" in proposers
        for p in row["proposed_by"]:
            assert p["sources"] and all(s["doc"] for s in p["sources"])
        for spec in prefs.parties:
            value = row["parties"][spec.party]
            pref = spec.issues.get(row["issue"])
            if pref is None:
                assert value["value"] is None
                continue
            entry = pref.values[row["option"]]
            assert value["value"] == [entry[0], entry[1]] and value["reason"] == entry[2]
            section = f", {pref.source.section}" if pref.source.section else ""
            cited = entry[3] if len(entry) == 4 else pref.source.doc + section
            assert value["source"] == cited


def test_a_bridge_row_says_whether_the_plan_kept_changed_or_left_it_open(setting):
    prefs, proposals = setting.prefs, setting.proposals()
    plan = {"line": "line_of_contact", "alignment": "nato_membership"}
    package = dict(plan, alignment="armed_neutrality", dmz="full_5mi")
    rows = {r["issue"]: r for r in package_terms(prefs, proposals, package, plan)}
    assert rows["line"]["in_plan"] == "kept"
    assert rows["alignment"]["in_plan"] == "nato_membership"
    assert rows["dmz"]["in_plan"] == "open"
    assert rows["monitoring"]["option"] is None


def test_solutions_carry_terms_in_json_and_text(tmp_path):
    # the shipped parties' stated red lines leave no zone, so solve a hand-made pair
    pair = write_parties(tmp_path, b="range: [0.5, 0.5]=>range: [0.3, 0.3]")
    setting = Setting.load(party_files=pair)
    data = solutions_json(setting)
    for solution in data["solutions"].values():
        issues = {r["issue"]: r for r in solution["terms"]}
        assert {k: issues[k]["option"] for k in solution["package"]} == solution["package"]
    text = solutions_text(data)
    nash = data["solutions"]["nash"]["terms"][0]
    assert nash["title"] in text and "proposed by:" in text
    parties = [arg for path in pair for arg in ("--party", str(path))]
    result = runner.invoke(app, ["solutions", "--text", *parties])
    assert result.exit_code == 0 and result.output.startswith("nash (utilities")
    solved = json.loads(runner.invoke(app, ["solutions", *parties]).output)
    assert "terms" in solved["solutions"]["nash"]
