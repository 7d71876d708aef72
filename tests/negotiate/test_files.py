"""Domain and party files: the shipped ones load; bad ones say which file, party and why."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.negotiate.hand_made import write_parties

from accord.negotiate.evaluate import EmptyZoneError, require_zone
from accord.negotiate.files import (
    DATA,
    NegotiationFileError,
    default_party_files,
    load_domain,
    load_party,
    load_preferences,
)

PARTY = """
party: XX
name: Test party
weights_sum: 1.0
alternative: {range: [0.2, 0.3], source: {doc: dp-2025}, reason: "war goes on"}
issues:
  dmz:
    weight: [0.9, 1.1]
    source: {doc: dp-2025}
    reason: "ceasefire matters"
    values: {full_wide: [0.9, 1.0, "best"], full_5mi: [0.8, 1.0, "good"],
             full_narrow: [0.5, 0.6, "ok"],
             partial: [0.1, 0.2, "fails"], none: [0, 0.1, "none"]}
red_lines: []
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "party-xx.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_domain_spans_more_than_a_billion_packages():
    prefs = load_preferences()
    assert len(prefs.domain.issues) >= 15
    assert prefs.scenario().size > 1e9
    assert {p.party for p in prefs.parties} == {"US", "UA", "RU", "EUR"}


def test_every_shipped_value_has_a_reason_and_a_known_source():
    domain = load_domain()
    docs = {d.id for d in domain.documents}
    for path in default_party_files():
        party = load_party(path, domain)
        assert party.alternative.source.doc in docs
        for pref in party.issues.values():
            assert pref.source.doc in docs and pref.reason
            assert all(isinstance(v[2], str) and len(v[2]) > 2 for v in pref.values.values())
        assert all(line.reason and line.source.doc in docs for line in party.red_lines)


def test_a_valid_user_party_file_loads(tmp_path):
    assert load_party(_write(tmp_path, PARTY), load_domain()).party == "XX"


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (("weight: [0.9, 1.1]", "weight: [0.4, 0.6]"), "weight", "do not sum as declared"),
        (("full_wide: [0.9", "full_huge: [0.9"), "values.full_huge", "unknown option"),
        (
            (
                "red_lines: []",
                "red_lines: [{issue: dmz, forbid: [full_wide, full_5mi, full_narrow, "
                "partial, none], source: {doc: dp-2025}, reason: everything}]",
            ),
            "red_lines[0]",
            "no package",
        ),
        (
            ('{doc: dp-2025}, reason: "war', '{doc: nowhere}, reason: "war'),
            "alternative",
            "unknown document",
        ),
        (("  dmz:\n", "  dmzz:\n"), "issues.dmzz", "unknown issue"),
    ],
)
def test_bad_party_file_names_file_party_field_and_reason(tmp_path, change, field, words):
    path = _write(tmp_path, PARTY.replace(*change))
    with pytest.raises(NegotiationFileError) as err:
        load_party(path, load_domain())
    text = str(err.value)
    assert "party-xx.yaml" in text and "party XX" in text and field in text and words in text


def test_empty_zone_names_the_conflict(tmp_path):
    # a hand-made pair: the shipped parties' red lines already leave no option on the line
    prefs = load_preferences(write_parties(tmp_path))
    scenario = prefs.scenario()
    stricter = type(scenario)(
        scenario.issues,
        scenario.options,
        scenario.parties,
        scenario.tables,
        scenario.alternatives + 0.3,
        scenario.red_lines,
    )
    with pytest.raises(EmptyZoneError, match="cannot"):
        require_zone(stricter)


CONSTRAINT = """
constraints:
  - excludes: [{issue: peacekeeping, option: large_force}, {issue: dmz, option: none}]
    source: {doc: dp-2025}
    reason: "a force needs a zone to keep"
"""


def _domain_with(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "domain.yaml"
    shipped = (DATA / "domain.yaml").read_text(encoding="utf-8")
    if "\nconstraints:" in extra:  # the test's constraints replace the shipped ones
        shipped = shipped.split("\nconstraints:")[0] + "\n"
    path.write_text(shipped + extra, encoding="utf-8")
    return path


def test_a_domain_constraint_reaches_the_scenario_as_option_indices(tmp_path):
    prefs = load_preferences(domain_file=_domain_with(tmp_path, CONSTRAINT))
    scenario = prefs.scenario()
    (exclusion,) = scenario.exclusions
    pk, dmz = scenario.issue_index("peacekeeping"), scenario.issue_index("dmz")
    both = [None] * len(scenario.issues)
    both[pk] = scenario.option_index(pk, "large_force")
    both[dmz] = scenario.option_index(dmz, "none")
    assert scenario.excluded(tuple(both)) == [exclusion]
    both[dmz] = scenario.option_index(dmz, "full_wide")
    assert scenario.excluded(tuple(both)) == []
    assert exclusion.source == "dp-2025"


@pytest.mark.parametrize(
    "bad, words",
    [
        ("option: large_force}, {issue: dmz, option: nowhere}", "unknown option of issue 'dmz'"),
        ("option: large_force}, {issue: peacekeeping, option: none}", "both options belong"),
        ("option: large_force}, {issue: nosuch, option: none}", "unknown issue 'nosuch'"),
    ],
)
def test_a_bad_constraint_names_the_field(tmp_path, bad, words):
    text = CONSTRAINT.replace("option: large_force}, {issue: dmz, option: none}", bad)
    with pytest.raises(NegotiationFileError, match=words) as err:
        load_domain(_domain_with(tmp_path, text))
    assert "constraints[0]" in str(err.value)


def test_red_lines_default_to_held_and_outlooks_are_checked(tmp_path):
    text = PARTY.replace(
        "red_lines: []",
        "red_lines:\n  - {issue: dmz, forbid: [none], source: {doc: dp-2025},"
        " reason: needs a buffer, held: 0.5}",
    )
    assert load_party(_write(tmp_path, text), load_domain()).red_lines[0].held == 0.5
    assert load_party(_write(tmp_path, PARTY), load_domain()).alternative.by_outlook == {}
    partial = PARTY.replace(
        'reason: "war goes on"}',
        'reason: "war goes on", by_outlook: {stalemate: [0.2, 0.3, "holds"]}}',
    )
    with pytest.raises(NegotiationFileError, match="no value for outlook"):
        load_party(_write(tmp_path, partial), load_domain())
    unknown = partial.replace("stalemate", "victory")
    with pytest.raises(NegotiationFileError, match="unknown battlefield outlook 'victory'"):
        load_party(_write(tmp_path, unknown), load_domain())
