"""Ratification: every kind of rule on a hand-made domain, blocks shown as blocks, and
"not modelled" wherever no rule applies; then the shipped rules on the shipped plans."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from accord.cli.negotiate import app
from accord.negotiate.analysis import Setting, ratify_json
from accord.negotiate.files import NegotiationFileError, load_domain
from accord.negotiate.ratification import NOT_MODELLED, load_rules, ratify

runner = CliRunner()

DOMAIN = """
title: hand-made
documents:
  - {id: law, title: The law, author: A legislature, date: "2020"}
issues:
  - id: treaty
    title: Treaty
    area: relations
    options: [{id: signed, title: Signed}, {id: none, title: None}]
  - id: land
    title: Land
    area: territory
    options: [{id: ceded, title: Ceded}, {id: kept, title: Kept}]
  - id: course
    title: Course
    area: security
    options: [{id: neutral, title: Neutral}, {id: bloc, title: Bloc}]
  - id: trade
    title: Trade
    area: economic
    options: [{id: open, title: Open}, {id: closed, title: Closed}]
"""

RULES = """
documents:
  - {id: poll, title: A poll, author: Pollsters, date: "2025"}
conditions:
  - {id: emergency, title: State of emergency, holds: true, source: {doc: law}, reason: declared}
rules:
  - id: senate
    title: Chamber consent
    when: [{issue: treaty, options: [signed]}]
    rule: supermajority
    needed: two thirds
    source: {doc: law}
    reason: the law says so
    approve: {range: [0.2, 0.4], source: {doc: law}, reason: record of votes}
  - id: vote
    title: Referendum on land
    when: [{issue: land, options: [ceded]}]
    rule: referendum
    needed: a majority
    needed_share: 0.5
    blocked_while: [emergency]
    source: {doc: law}
    reason: the law says so
    support: {range: [SUPPORT], source: {doc: poll}, reason: the polls}
  - id: amendment
    title: Amendment
    when: [{issue: course, options: [neutral]}]
    rule: procedure
    needed: 300 of 450
    blocked_while: [emergency]
    source: {doc: law}
    reason: the law says so
"""


def _files(tmp_path: Path, support: str = "0.2, 0.3", rules: str = RULES):
    (tmp_path / "domain.yaml").write_text(DOMAIN, encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(rules.replace("SUPPORT", support), encoding="utf-8")
    domain = load_domain(tmp_path / "domain.yaml")
    return domain, load_rules(domain, tmp_path / "rules.yaml")


def _parts(result):
    return {p["part"]: p for p in result["parts"]}


def test_a_supermajority_survives_within_its_sourced_range(tmp_path):
    domain, spec = _files(tmp_path)
    result = ratify(spec, domain, (0, None, None, None))
    part = _parts(result)["senate"]
    assert part["status"] == "survives with a probability"
    assert part["survives_range"] == [0.2, 0.4] and part["approve_source"] == "law"
    assert result["whole_plan"] == {
        "status": "survives with a probability",
        "survives_range": [0.2, 0.4],
        "modelled_parts_survive_range": [0.2, 0.4],
    }


def test_a_block_is_a_block_not_a_probability_and_lifts_with_its_condition(tmp_path):
    domain, spec = _files(tmp_path)
    blocked = ratify(spec, domain, (None, 0, 0, None))
    parts = _parts(blocked)
    assert parts["vote"]["status"] == "blocked" and parts["vote"]["once_unblocked"] == "falls short"
    assert parts["amendment"]["status"] == "blocked"
    assert parts["amendment"]["blocked_while"][0]["condition"] == "emergency"
    assert "survives" not in parts["vote"] and "survives_range" not in blocked["whole_plan"]
    assert blocked["whole_plan"]["status"] == "blocked"
    lifted = ratify(spec, domain, (None, 0, 0, None), conditions={"emergency": False})
    parts = _parts(lifted)
    assert parts["vote"]["status"] == "falls short" and parts["vote"]["yes_share_range"] == [
        0.2,
        0.3,
    ]
    assert parts["amendment"]["status"] == NOT_MODELLED
    assert lifted["whole_plan"]["status"] == "falls short"
    with pytest.raises(ValueError, match="unknown condition"):
        ratify(spec, domain, (None, 0, 0, None), conditions={"war": True})


@pytest.mark.parametrize(
    ("support", "status"),
    [("0.55, 0.7", "passes"), ("0.4, 0.6", "uncertain"), ("0.1, 0.5", "falls short")],
)
def test_a_referendum_compares_the_polled_share_with_the_share_needed(tmp_path, support, status):
    domain, spec = _files(tmp_path, support)
    result = ratify(spec, domain, (None, 0, None, None), conditions={"emergency": False})
    assert _parts(result)["vote"]["status"] == status


def test_parts_no_rule_covers_are_not_modelled_never_certain(tmp_path):
    domain, spec = _files(tmp_path)
    result = ratify(spec, domain, (1, 1, 1, 0))  # no rule applies to any of these options
    assert result["parts"] == []
    assert [r["issue"] for r in result["not_modelled"]] == ["treaty", "land", "course", "trade"]
    assert result["whole_plan"]["status"] == NOT_MODELLED
    assert "survives_range" not in result["whole_plan"]
    partly = ratify(spec, domain, (0, None, None, 0))
    assert partly["whole_plan"]["status"] == NOT_MODELLED
    assert partly["whole_plan"]["modelled_parts_survive_range"] == [0.2, 0.4]


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("source: {doc: poll}", "source: {doc: nowhere}", "unknown document 'nowhere'"),
        (
            "blocked_while: [emergency]\n    source: {doc: law}\n    reason: the law says so\n"
            "    support",
            "blocked_while: [war]\n    source: {doc: law}\n    reason: the law says so\n"
            "    support",
            "unknown condition 'war'",
        ),
        ("    needed_share: 0.5\n", "", "a referendum rule needs needed_share"),
        ("options: [signed]", "options: [sealed]", "unknown option"),
    ],
)
def test_a_bad_rules_file_names_the_field(tmp_path, old, new, words):
    with pytest.raises(NegotiationFileError, match=words):
        _files(tmp_path, rules=RULES.replace(old, new, 1))


def test_shipped_rules_on_shipped_plans():
    setting = Setting.load(["russia-drafts-2021", "russia-plan", "mcfaul-2024"])
    data = ratify_json(setting)
    senate = _parts(data["russia-drafts-2021"])["us_senate_treaty"]
    assert senate["survives_range"] == [0.0, 0.1] and senate["source"] == "us-constitution"
    russia = data["russia-plan"]
    assert russia["whole_plan"]["status"] == "blocked"
    assert {"ua_amendment_alignment", "ua_referendum_cession"} <= set(_parts(russia))
    after = ratify_json(setting, {"martial_law": False})["russia-plan"]
    assert _parts(after)["ua_referendum_cession"]["status"] == "falls short"
    for result in data.values():
        if result["not_modelled"]:
            assert "survives_range" not in result["whole_plan"]
    text = runner.invoke(app, ["ratify", "russia-plan", "--no-martial-law", "--text"]).output
    assert text.startswith("russia-plan: falls short") and "not modelled" in text
