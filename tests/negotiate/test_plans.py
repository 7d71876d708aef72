"""Plans map to packages by the domain's term patterns; per-plan evaluation."""

from __future__ import annotations

from dataclasses import replace

import pytest

from accord.agreement import parse_agreement
from accord.negotiate.evaluate import evaluate_package
from accord.negotiate.files import load_preferences
from accord.negotiate.mapping import plan_package
from accord.plans import load_plan, plan_ids

PLAN = """
id: test-plan
title: A test plan
proposer: Tests
date: "2025"
summary: A plan with a partial DMZ and NATO membership.
documents: [{id: doc, title: A document, organisation: Tests, date: "2025"}]
parties: [{id: UA, name: Ukraine}, {id: RU, name: Russia}]
terms:
  - id: ceasefire.dmz
    area: ceasefire
    issue: dmz
    kind: rule
    label: Partial DMZ
    summary: Forces are limited near the line.
    binds: [UA, RU]
    consent: [UA, RU]
    sources: [{doc: doc}]
    zone: {type: dmz, along: line_of_contact, width: 5 mi, regime: partial}
    caps: [{item: artillery, limit: 10}]
  - id: security.alignment
    area: security
    issue: alignment
    kind: declaration
    label: NATO membership
    summary: Ukraine joins NATO.
    binds: [UA]
    consent: [UA]
    sources: [{doc: doc}]
    parameters: {alignment: nato_membership}
open:
  - {area: territory, note: The test plan is silent on territory.}
  - {area: relations, note: The test plan is silent on relations.}
  - {area: assurances, note: The test plan is silent on assurances.}
  - {area: economic, note: The test plan is silent on the economy.}
  - {area: humanitarian, note: The test plan is silent on humanitarian issues.}
  - {area: sequencing, note: The test plan is silent on sequencing.}
"""


def test_a_plan_maps_to_a_partial_package():
    prefs = load_preferences()
    mapped = plan_package(parse_agreement(PLAN, "x.yaml"), prefs.domain)
    described = prefs.scenario().describe(mapped.package)
    assert described["dmz"] == "partial" and described["alignment"] == "nato_membership"
    assert described["line"] is None  # the plan says nothing about the line
    assert mapped.selected_by[[i.id for i in prefs.domain.issues].index("dmz")] == "ceasefire.dmz"


def test_evaluation_reports_red_lines_and_alternatives():
    prefs = load_preferences()
    # Russia's own red lines only: with every party's, the stated territorial red lines
    # leave no option of the line, which this plan leaves open
    scenario = replace(
        prefs.scenario(), red_lines=tuple(ln for ln in prefs.red_lines if ln.party == "RU")
    )
    mapped = plan_package(parse_agreement(PLAN, "x.yaml"), prefs.domain)
    result = evaluate_package(scenario, mapped.package, "test-plan")
    russia = result["parties"]["RU"]
    assert [c["issue"] for c in russia["red_lines_crossed"]] == ["alignment"]
    assert "renounces joining NATO" in russia["red_lines_crossed"][0]["reason"]
    assert not russia["accepts"] and not result["all_accept"]
    low, high = russia["utility_range"]
    assert low <= russia["utility"] <= high


@pytest.mark.parametrize("plan", plan_ids())
def test_every_shipped_plan_maps_to_a_package(plan):
    prefs = load_preferences()
    mapped = plan_package(load_plan(plan), prefs.domain)
    assert sum(c is not None for c in mapped.package) >= 3
    assert all(
        (c is None) == (t is None) for c, t in zip(mapped.package, mapped.selected_by, strict=True)
    )


def test_shipped_plans_land_where_their_documents_put_them():
    prefs = load_preferences()
    scenario = prefs.scenario()
    dp = scenario.describe(plan_package(load_plan("defense-priorities-2025"), prefs.domain).package)
    assert (dp["dmz"], dp["monitoring"], dp["alignment"]) == (
        "full_5mi",
        "observers_small",
        "armed_neutrality",
    )
    mcfaul = scenario.describe(plan_package(load_plan("mcfaul-2024"), prefs.domain).package)
    assert mcfaul["alignment"] == "nato_membership"


# The packages the old label-and-summary matcher gave, issue for issue; the
# typed mapping keeps every one, and adds guarantee: none where Defense
# Priorities says there is no binding guarantee.
SHIPPED = {
    "defense-priorities-2025": {
        "line": "line_of_contact",
        "recognition": "de_facto",
        "dmz": "full_5mi",
        "monitoring": "observers_small",
        "alignment": "armed_neutrality",
        "aid": "limited",
        "us_posture": "out_post2000",
        "sanctions": "phased_relief",
        "frozen_assets": "kept_as_leverage",
        "foreign_forces": "none_in_either",
        "humanitarian": "exchange_only",
        "disputes": "joint_commission",
        "treaties": "founding_act_cfe",
        "eu_membership": "deferred",
        "nuclear": "non_nuclear",
        "guarantee": "none",
    },
    "mcfaul-2024": {
        "line": "line_of_contact",
        "recognition": "peaceful_reunification",
        "alignment": "nato_membership",
        "humanitarian": "exchange_only",
    },
    "pry-grand-bargain-2022": {
        "recognition": "de_jure",
        "aid": "none",
        "us_posture": "out_post1997",
        "missiles": "mutual_limits",
        "nato_expansion": "halted",
        "disputes": "joint_commission",
        "treaties": "founding_act_cfe",
    },
    "russia-drafts-2021": {
        "us_posture": "out_post1997",
        "missiles": "ban_east",
        "exercises": "nato_activity_ban",
        "nato_expansion": "halted",
        "treaties": "new_security_treaty",
    },
    "russia-plan": {
        "line": "four_oblasts",
        "alignment": "neutral_demilitarized",
        "us_posture": "out_post1997",
        "missiles": "mutual_limits",
        "exercises": "nato_activity_ban",
        "nato_expansion": "halted",
        "foreign_forces": "none_in_either",
        "humanitarian": "with_accountability",
    },
    "ukraine-plan": {
        "line": "borders_1991",
        "recognition": "none",
        "peacekeeping": "large_force",
        "alignment": "nato_membership",
        "aid": "long_term",
        "minerals": "minerals_for_aid",
        "foreign_forces": "western_troops",
        "humanitarian": "with_accountability",
    },
    "us-framework-2025": {
        "alignment": "european_guarantee",
        "aid": "long_term",
        "minerals": "minerals_for_aid",
        "foreign_forces": "european_non_nato",
    },
}


@pytest.mark.parametrize("plan", plan_ids())
def test_shipped_plans_keep_their_packages(plan):
    prefs = load_preferences()
    described = prefs.scenario().describe(plan_package(load_plan(plan), prefs.domain).package)
    assert {i: o for i, o in described.items() if o is not None} == SHIPPED[plan]
