"""Plans for people: every typed field of a term is shown, and the vocabulary is complete."""

from __future__ import annotations

from accord.agreement import parse_agreement
from accord.agreement.describe import typed_fields, vocabulary_table
from accord.agreement.vocabulary import ISSUES, Area, ZoneType

CONDITION = """\
  - id: relations.sanctions
    area: relations
    issue: sanctions
    kind: condition
    label: Phased relief
    summary: Sanctions are lifted in phases while the ceasefire holds.
    binds: [US]
    consent: [US, RU]
    position_of: UA
    parameters: {treaty: CAATSA}
    incentive:
      kind: sanctions_relief
      beneficiary: RU
      providers: [US]
      amount: USD 300 billion
      phases:
        - {name: first, grants: energy, compliance_at_least: 0.9, sustained_for: 6 months}
      snap_back: true
    deadline: 100 days after signature
    tied_to: [ceasefire.dmz]
    sources: [{doc: doc-a}]
"""


def _plan(minimal_yaml: str) -> str:
    text = minimal_yaml.replace("  - id: territory.line\n", CONDITION + "  - id: territory.line\n")
    text = text.replace(
        "  - {id: RU, name: Russia}\n",
        "  - {id: RU, name: Russia}\n  - {id: US, name: United States}\n",
    )
    return text.replace(
        "  - {area: relations, note: The document is silent on relations with Russia.}\n", ""
    )


def test_every_typed_field_is_shown(minimal_yaml: str) -> None:
    plan = parse_agreement(_plan(minimal_yaml), "plan.yaml")
    assert typed_fields(plan.term("ceasefire.dmz")) == [
        ("binds", "UA, RU"),
        ("consent", "UA, RU"),
        ("zone", "type dmz; along line_of_contact; width 5 mi; regime full; line_parts main"),
        ("prohibits", "military_forces"),
    ]
    assert typed_fields(plan.term("relations.sanctions")) == [
        ("binds", "US"),
        ("consent", "US, RU"),
        ("position_of", "UA"),
        ("parameters.treaty", "CAATSA"),
        ("deadline", "after signature; within 100 days"),
        (
            "incentive",
            "kind sanctions_relief; beneficiary RU; providers US; amount USD 300 billion; "
            "phases (name first; grants energy; compliance_at_least 0.9; sustained_for 6 months);"
            " snap_back yes",
        ),
        ("tied_to", "ceasefire.dmz"),
    ]


def test_vocabulary_lists_every_area_issue_and_zone_type() -> None:
    table = vocabulary_table()
    assert [a["area"] for a in table["areas"]] == [a.value for a in Area]
    for entry in table["areas"]:
        assert list(entry["issues"]) == list(ISSUES[Area(entry["area"])])
    assert list(table["zone_types"]) == [z.value for z in ZoneType]
    assert all(note for note in table["zone_types"].values())
    assert "mi" in table["units"]["distance"] and "years" in table["units"]["duration"]
