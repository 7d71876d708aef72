"""Plans map to packages by the domain's term patterns; per-plan evaluation."""

from __future__ import annotations

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
    scenario = prefs.scenario()
    mapped = plan_package(parse_agreement(PLAN, "x.yaml"), prefs.domain)
    result = evaluate_package(scenario, mapped.package, "test-plan")
    russia = result["parties"]["RU"]
    assert [c["issue"] for c in russia["red_lines_crossed"]] == ["alignment"]
    assert "deal-breaker" in russia["red_lines_crossed"][0]["reason"]
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
