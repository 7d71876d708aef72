"""Typed plan -> package mapping: selectors, explicit options, conflicts, accounting."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from accord.agreement import (
    ISSUES,
    Agreement,
    AgreementFileError,
    Area,
    SourceMap,
    parse_agreement,
)
from accord.negotiate.files import DATA, NegotiationFileError, load_domain
from accord.negotiate.mapping import plan_package

DOMAIN = load_domain()
PARTIES = ["UA", "RU", "US", "EUR", "NATO"]
OPTIONS = [(i.id, o.id) for i in DOMAIN.issues for o in i.options]
SELECTORS = [(i.id, o.id, k) for i in DOMAIN.issues for o in i.options for k in range(len(o.when))]
# Parameters that hold lists: a selector's scalar means "contained in it".
LIST_FIELDS = {"deployed", "navigation", "regions", "prohibits", "binds"}
RANGES = {"joined_after": (1949.0, 2100.0), "km": (0.0, 2000.0), "days": (0.0, 20000.0)}


def plan(*terms: dict[str, Any]) -> dict[str, Any]:
    covered = {t["area"] for t in terms}
    return {
        "id": "generated",
        "title": "A generated plan",
        "proposer": "Tests",
        "date": "2025",
        "summary": "One or two terms, written to test the mapping.",
        "documents": [
            {"id": "doc", "title": "A document", "organisation": "Tests", "date": "2025"}
        ],
        "parties": [{"id": p, "name": f"Party {p}"} for p in PARTIES],
        "terms": list(terms),
        "open": [
            {"area": a.value, "note": "The generated plan is silent here."}
            for a in Area
            if a.value not in covered
        ],
    }


def term(tid: str = "t.one", **fields: Any) -> dict[str, Any]:
    base = {
        "id": tid,
        "area": "security",
        "issue": "alignment",
        "kind": "declaration",
        "label": "A term",
        "summary": "A term written for a test.",
        "binds": ["UA"],
        "consent": ["UA"],
        "sources": [{"doc": "doc"}],
    }
    return base | fields


def package(*terms: dict[str, Any]) -> dict[str, str | None]:
    mapped = plan_package(Agreement.model_validate(plan(*terms)), DOMAIN)
    return {
        i.id: None if c is None else i.options[c].id
        for i, c in zip(DOMAIN.issues, mapped.package, strict=True)
    }


def _number(draw: Any, bounds: dict[str, float], key: str) -> float:
    floor, ceiling = RANGES.get(key, (0.0, 1e7))
    lo = max(bounds.get("ge", floor), bounds.get("gt", floor - 1.0) + 1.0)
    hi = min(bounds.get("le", ceiling), bounds.get("lt", ceiling + 1.0) - 1.0)
    return float(draw(st.integers(int(lo + 0.999), int(hi))))


def _value(draw: Any, key: str, pattern: Any) -> Any:
    """A field value that the selector `pattern` for field `key` accepts."""
    if isinstance(pattern, list):
        pattern = draw(st.sampled_from(pattern))
    if isinstance(pattern, dict) and "includes" in pattern:
        return list(pattern["includes"])
    if isinstance(pattern, dict) and pattern.get("absent") is False:
        return {"UA": 0.5, "RU": 0.5}  # only shares are read as merely present
    if isinstance(pattern, dict) and pattern and set(pattern) <= {"lt", "le", "gt", "ge"}:
        number = _number(draw, pattern, key)
        return f"{int(number)} {key}" if key in {"km", "days"} else int(number)
    if isinstance(pattern, dict):
        return _fields(draw, key, pattern)
    return [pattern] if key in LIST_FIELDS else pattern


def _fields(draw: Any, key: str, pattern: dict[str, Any]) -> Any:
    out = {k: _value(draw, k, p) for k, p in pattern.items() if p != {"absent": True}}
    if key in {"observers", "peacekeepers"}:
        return out["value"]
    if key == "width":
        return out["km"]
    if key in {"within", "duration"}:
        return out["days"]
    if key == "caps":
        return [out]
    if key == "council":
        return {"chair": "US"} | out
    if key in {"activates_if", "lapses_if"}:
        return [{"breach": "armed_attack"} | out]
    if key == "guarantee":
        return {"guarantors": ["US"], "beneficiary": "UA"} | out
    if key == "incentive":
        return {"kind": "military_aid", "beneficiary": "UA", "providers": ["US"]} | out
    if key == "deadline":
        return {"after": "signature"} | out
    if key == "zone":
        shape = {
            "dmz": {"along": "line_of_contact", "width": "5 km", "regime": "full"},
            "held_area": {"regions": ["Donetsk"], "held_by": "UA", "at": "signature"},
        }.get(out["type"], {"regions": ["Europe"]})
        return shape | out
    return out


def _flat(values: list[Any]) -> list[str]:
    return [v for x in values for v in (x if isinstance(x, list) else [x]) if v]


@st.composite
def witness(draw: Any, pattern: dict[str, Any]) -> dict[str, Any]:
    """A valid term whose typed fields the selector reads, and no others."""
    fields = _fields(draw, "term", pattern)
    if "issue" not in fields:  # an issue of the area that no selector names
        named = _flat([p.get("issue") for i in DOMAIN.issues for o in i.options for p in o.when])
        free = sorted(set(ISSUES[Area(fields["area"])]) - set(named))
        fields["issue"] = draw(st.sampled_from(free))
    kind = fields.get("kind", "obligation" if "deadline" in fields else "declaration")
    extra: dict[str, Any] = {"kind": kind}
    if kind == "condition":
        extra["tied_to"] = ["t.one"]
    if "binds" in fields:
        fields["consent"] = fields["binds"]
    return term(**fields | extra)


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
@pytest.mark.parametrize(("issue", "option", "k"), SELECTORS)
def test_each_selector_maps_back_to_exactly_its_option(issue, option, k, data):
    pattern = DOMAIN.issue(issue).options[[o.id for o in DOMAIN.issue(issue).options].index(option)]
    got = package(data.draw(witness(pattern.when[k])))
    assert got[issue] == option
    assert {i: o for i, o in got.items() if o is not None} == {issue: option}


@pytest.mark.parametrize(("issue", "option"), OPTIONS)
def test_each_option_stated_outright_maps_back_to_it(issue, option):
    got = package(term(area="economic", issue="trade", negotiation={issue: option}))
    assert {i: o for i, o in got.items() if o is not None} == {issue: option}


def test_a_term_barring_nato_accession_never_selects_membership():
    barred = term(issue="nato_accession", binds=["NATO"], parameters={"accession": "barred"})
    got = package(barred)
    assert got["alignment"] is None and got["nato_expansion"] == "halted"


def test_no_nato_troops_in_ukraine_never_selects_western_troops():
    ban = term(
        issue="foreign_troops",
        kind="rule",
        binds=["NATO"],
        zone={"type": "region", "regions": ["Ukraine"]},
        prohibits=["foreign_forces"],
    )
    assert package(ban)["foreign_forces"] == "none_in_either"


TWO_TERMS = """\
id: test-plan
title: A test plan
proposer: Tests
date: "2025"
summary: Two DMZ terms that disagree.
documents: [{id: doc, title: A document, organisation: Tests, date: "2025"}]
parties: [{id: UA, name: Ukraine}, {id: RU, name: Russia}]
terms:
  - id: ceasefire.full
    area: ceasefire
    issue: dmz
    kind: rule
    label: Full DMZ
    summary: No forces near the line.
    binds: [UA, RU]
    consent: [UA, RU]
    sources: [{doc: doc}]
    zone: {type: dmz, along: line_of_contact, width: 5 mi, regime: full}
    prohibits: [military_forces]
  - id: ceasefire.partial
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
open:
  - {area: territory, note: Silent on territory.}
  - {area: security, note: Silent on security.}
  - {area: relations, note: Silent on relations.}
  - {area: assurances, note: Silent on assurances.}
  - {area: economic, note: Silent on the economy.}
  - {area: humanitarian, note: Silent on humanitarian issues.}
  - {area: sequencing, note: Silent on sequencing.}
"""


def mapped_text(text: str) -> Any:
    return plan_package(parse_agreement(text, "x.yaml"), DOMAIN, SourceMap.parse(text, "x.yaml"))


def problems(text: str) -> list[str]:
    with pytest.raises(AgreementFileError) as caught:
        mapped_text(text)
    return [str(p) for p in caught.value.problems]


def test_two_terms_selecting_different_options_are_an_error_naming_both():
    assert problems(TWO_TERMS) == [
        "x.yaml:20:5: terms[1]: issue 'dmz': term ceasefire.full (line 9) selects full_5mi but"
        " term ceasefire.partial (line 20) selects partial; state one with negotiation:"
        " {dmz: OPTION} or declare in the domain which option refines the other"
    ]


def test_an_explicit_option_beats_the_selectors_and_says_so():
    text = TWO_TERMS.replace(
        "    caps: [{item: artillery, limit: 10}]\n",
        "    caps: [{item: artillery, limit: 10}]\n    negotiation: {dmz: partial}\n",
    )
    mapped = mapped_text(text)
    rows = [(r["term"], r["option"], r["rule"], r["outcome"]) for r in mapped.table()]
    overridden = "overridden by term ceasefire.partial's explicit option"
    assert rows == [
        ("ceasefire.full", "full_5mi", "full_5mi[0]", overridden),
        ("ceasefire.partial", "partial", "explicit", "counts"),
        ("ceasefire.partial", "partial", "partial[0]", overridden),
    ]
    assert mapped.selected_by[[i.id for i in DOMAIN.issues].index("dmz")] == "ceasefire.partial"


def test_the_refining_option_wins_and_the_explanation_says_so():
    aid = term(
        "security.aid",
        issue="military_aid",
        kind="condition",
        binds=["US"],
        consent=["US"],
        tied_to=["security.aid"],
        incentive={
            "kind": "military_aid",
            "beneficiary": "UA",
            "providers": ["US"],
            "duration": "5 years",
        },
    )
    mapped = plan_package(Agreement.model_validate(plan(aid)), DOMAIN)
    assert package(aid)["aid"] == "limited"
    outcomes = {r["option"]: r["outcome"] for r in mapped.table()}
    assert outcomes == {
        "limited": "counts",
        "long_term": "refined by limited, which the domain says wins",
    }


def test_an_explicit_none_differs_from_silence():
    silent = term(area="economic", issue="trade")
    assert package(silent)["dmz"] is None
    assert package(silent | {"negotiation": {"dmz": "none"}})["dmz"] == "none"


def test_an_unknown_option_is_a_positioned_error():
    text = TWO_TERMS.replace(
        "    prohibits: [military_forces]\n",
        "    prohibits: [military_forces]\n    negotiation: {dmz: wide, borders: x}\n",
    )
    # all at once: both bad ids, and the conflict the dropped statement leaves
    assert problems(text) == [
        "x.yaml:20:24: terms[0].negotiation.dmz: unknown option 'wide' of negotiation issue"
        " 'dmz'; valid: full_wide, full_5mi, full_narrow, partial, none",
        "x.yaml:20:30: terms[0].negotiation.borders: unknown negotiation issue 'borders'; valid: "
        + ", ".join(i.id for i in DOMAIN.issues),
        "x.yaml:21:5: terms[1]: issue 'dmz': term ceasefire.full (line 9) selects full_5mi but"
        " term ceasefire.partial (line 21) selects partial; state one with negotiation:"
        " {dmz: OPTION} or declare in the domain which option refines the other",
    ]


def test_every_term_is_accounted_for_with_a_reason():
    text = TWO_TERMS.replace(
        "    caps: [{item: artillery, limit: 10}]\n",
        "    caps: [{item: artillery, limit: 10}]\n    status: fallback\n",
    )
    mapped = mapped_text(text)
    assert [t.term for t in mapped.terms] == ["ceasefire.full", "ceasefire.partial"]
    assert mapped.terms[1].outside == (
        "status fallback: not what the plan proposes, so it selects nothing"
    )
    minorities = Agreement.model_validate(plan(term(area="humanitarian", issue="minorities")))
    assert plan_package(minorities, DOMAIN).table()[0]["outcome"] == (
        "no issue of the negotiation domain covers humanitarian.minorities"
    )


def test_options_that_refine_each_other_are_refused(tmp_path):
    yaml = YAML(typ="safe")
    data = yaml.load((DATA / "domain.yaml").read_text(encoding="utf-8"))
    aid = next(i for i in data["issues"] if i["id"] == "aid")
    next(o for o in aid["options"] if o["id"] == "long_term")["refines"] = ["limited"]
    path = tmp_path / "domain.yaml"
    with path.open("w") as handle:
        yaml.dump(data, handle)
    with pytest.raises(NegotiationFileError, match=r"aid\.limited\.refines: options refine"):
        load_domain(path)


def test_a_selector_over_prose_is_refused(tmp_path):
    yaml = YAML(typ="safe")
    data = yaml.load((DATA / "domain.yaml").read_text(encoding="utf-8"))
    data["issues"][0]["options"][0]["when"] = [{"area": "territory", "text": "border"}]
    path = tmp_path / "domain.yaml"
    with path.open("w") as handle:
        yaml.dump(data, handle)
    typed = r"line\.borders_1991\.when\[0\]: 'text' is not a typed field"
    with pytest.raises(NegotiationFileError, match=typed):
        load_domain(path)
    data["issues"][0]["options"][0]["when"] = [{"area": "territory", "label": "border"}]
    with path.open("w") as handle:
        yaml.dump(data, handle)
    with pytest.raises(NegotiationFileError, match="may not read 'label'"):
        load_domain(path)


BAD_FIELDS = TWO_TERMS.replace(
    "  - id: ceasefire.partial\n",
    """  - id: ceasefire.cap
    area: ceasefire
    issue: dmz
    kind: declaration
    label: Army cap
    summary: Ukraine's army is capped.
    binds: [UA]
    consent: [UA]
    sources: [{doc: doc}]
    caps: [{item: military_forces, limit: 600000}]
    parameters: {shares: {UA: 0.5, RU: 0.3}}
  - id: ceasefire.partial
""",
)


def test_shares_off_one_and_a_cap_without_unit_are_positioned_errors():
    with pytest.raises(AgreementFileError) as caught:
        parse_agreement(BAD_FIELDS, "x.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "x.yaml:29:5: terms[1].caps: caps[0] has a limit but no unit; a cap with no zone limits"
        " a party's total forces: write unit: troops (or items)",
        "x.yaml:30:18: terms[1].parameters.shares: shares must be non-negative and add up to 1,"
        " not 0.8; write each as a fraction, e.g. {UA: 0.5, RU: 0.5}",
    ]


def test_explain_lists_every_term_of_a_plan():
    from typer.testing import CliRunner

    from accord.cli.main import app
    from accord.plans import load_plan

    result = CliRunner().invoke(app, ["negotiate", "evaluate", "mcfaul-2024", "--explain"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "mcfaul-2024 (11 terms)"
    named = {line.split(" (line ")[0].strip() for line in lines[1:]}
    assert named == {t.id for t in load_plan("mcfaul-2024").terms}
    assert "  security.nato_accession (line 100) -> alignment -> nato_membership" in result.output


def test_the_2025_constructs_map_together():
    held = {"type": "held_area", "regions": ["Donetsk"], "held_by": "UA", "at": "signature"}
    terms = [
        term(
            "territory.line",
            area="territory",
            issue="line",
            binds=["UA", "RU"],
            parameters={"line": "line_of_contact_at_ceasefire"},
        ),
        term(
            "territory.donetsk",
            area="territory",
            issue="withdrawal",
            kind="rule",
            zone=held,
            prohibits=["military_forces"],
        ),
        term(
            "security.cap",
            issue="force_size",
            caps=[{"item": "military_forces", "limit": 600000, "unit": "troops"}],
        ),
        term(
            "security.guarantee",
            issue="guarantees",
            binds=["US"],
            guarantee={
                "guarantors": ["US"],
                "beneficiary": "UA",
                "activates_if": [{"party": "RU", "breach": "armed_attack"}],
                "lapses_if": [{"party": "UA", "breach": "missile_strike"}],
            },
        ),
        term(
            "security.elections",
            issue="elections",
            kind="obligation",
            parameters={"elections": "UA"},
            deadline={"after": "signature", "within": "100 days"},
        ),
        term(
            "relations.assets",
            area="relations",
            issue="frozen_assets",
            binds=["US"],
            parameters={"assets": "shared", "shares": {"US": 0.5, "EUR": 0.25, "UA": 0.25}},
        ),
    ]
    got = {i: o for i, o in package(*terms).items() if o is not None}
    assert got == {
        "line": "cede_held",
        "force_cap": "about_600k",
        "guarantee": "lapsing",
        "elections": "within_100_days",
        "frozen_assets": "split",
    }
