"""Diffs line terms up by id and report added, removed and changed values."""

from __future__ import annotations

from accord.agreement import parse_agreement
from accord.agreement.diff import diff_agreements


def test_identical_plans_have_no_diff(minimal_yaml: str) -> None:
    a = parse_agreement(minimal_yaml, "a.yaml")
    assert diff_agreements(a, a).empty


def test_same_distance_in_other_unit_is_no_change(minimal_yaml: str) -> None:
    a = parse_agreement(minimal_yaml, "a.yaml")
    b = parse_agreement(minimal_yaml.replace("width: 5 mi", "width: 8.04672 km"), "b.yaml")
    assert diff_agreements(a, b).empty


def test_changed_width_and_regime(minimal_yaml: str) -> None:
    a = parse_agreement(minimal_yaml, "a.yaml")
    b = parse_agreement(
        minimal_yaml.replace("width: 5 mi", "width: 10 km").replace(
            "regime: full", "regime: partial"
        ),
        "b.yaml",
    )
    result = diff_agreements(a, b)
    assert [c.term_id for c in result.changed] == ["ceasefire.dmz"]
    changes = {f.path: (f.old, f.new) for f in result.changed[0].changes}
    assert changes["zone.regime"] == ("full", "partial")
    assert changes["zone.width.km"] == (8.04672, 10.0)
    assert changes["zone.width.unit"] == ("mi", "km")


def test_added_removed_and_opened(minimal_yaml: str) -> None:
    a = parse_agreement(minimal_yaml, "a.yaml")
    without_line = minimal_yaml.split("  - id: territory.line")[0] + minimal_yaml.split(
        "    sources: [{doc: doc-a}]\n"
    )[1].replace("open:\n", "open:\n  - {area: territory, note: Silent on territory.}\n")
    b = parse_agreement(without_line, "b.yaml")
    result = diff_agreements(a, b)
    assert [t.id for t in result.removed] == ["territory.line"]
    assert result.added == []
    assert result.opened == ["territory"]
    reverse = diff_agreements(b, a)
    assert [t.id for t in reverse.added] == ["territory.line"]
    assert reverse.closed == ["territory"]
    assert reverse.to_json()["added"][0]["id"] == "territory.line"
