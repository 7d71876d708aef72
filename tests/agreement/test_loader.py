"""Loading agreement files: valid files load, and each kind of mistake gets an
exact message naming file, line, column and field, all mistakes at once."""

from __future__ import annotations

import copy
import io
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from accord.agreement import AgreementFileError, load_agreement, parse_agreement


def problems(text: str) -> list[str]:
    with pytest.raises(AgreementFileError) as info:
        parse_agreement(text, "plan.yaml")
    return [str(p) for p in info.value.problems]


def test_minimal_loads_and_normalises_distance(minimal_yaml: str) -> None:
    agreement = parse_agreement(minimal_yaml, "plan.yaml")
    dmz = agreement.term("ceasefire.dmz")
    assert dmz.zone is not None and dmz.zone.width is not None
    assert dmz.zone.width.km == pytest.approx(8.04672)
    assert [o.area.value for o in agreement.open][:2] == ["security", "relations"]


def test_km_and_miles_are_the_same_distance(minimal_yaml: str) -> None:
    in_km = parse_agreement(minimal_yaml.replace("width: 5 mi", "width: 8.04672 km"), "a.yaml")
    in_mi = parse_agreement(minimal_yaml, "b.yaml")
    assert in_km.term("ceasefire.dmz").zone.width.km == pytest.approx(  # type: ignore[union-attr]
        in_mi.term("ceasefire.dmz").zone.width.km  # type: ignore[union-attr]
    )


def test_unknown_field(minimal_yaml: str) -> None:
    text = minimal_yaml.replace("    label: Full DMZ\n", "    label: Full DMZ\n    colour: red\n")
    assert problems(text) == [
        "plan.yaml:20:5: terms[0].colour: unknown field 'colour'; valid fields here: id, area, "
        "issue, kind, label, summary, binds, consent, sources, status, position_of, parameters, "
        "zone, prohibits, caps, deadline, incentive, tied_to, requires, guarantee, negotiation"
    ]


def test_wrong_unit(minimal_yaml: str) -> None:
    text = minimal_yaml.replace("width: 5 mi", "width: 5 furlongs")
    assert problems(text) == [
        "plan.yaml:23:54: terms[0].zone.width: unknown distance unit 'furlongs'; "
        "use one of km, m, mi, nmi (e.g. '5 mi')"
    ]


def test_bare_number_needs_a_unit(minimal_yaml: str) -> None:
    text = minimal_yaml.replace("width: 5 mi", "width: 5")
    assert problems(text) == [
        "plan.yaml:23:54: terms[0].zone.width: a distance needs a unit: "
        "write e.g. '5 mi', not a bare number"
    ]


def test_missing_source(minimal_yaml: str) -> None:
    text = minimal_yaml.replace("    sources: [{doc: doc-a}]\n", "")
    assert problems(text) == ["plan.yaml:26:5: terms[1].sources: missing required field 'sources'"]


def test_source_naming_unknown_document(minimal_yaml: str) -> None:
    text = minimal_yaml.replace("sources: [{doc: doc-a}]", "sources: [{doc: doc-b}]")
    assert problems(text) == [
        "plan.yaml:35:21: terms[1].sources[0].doc: unknown document 'doc-b'; did you mean 'doc-a'?"
    ]


def test_duplicate_term_id(minimal_yaml: str) -> None:
    text = minimal_yaml.replace("id: territory.line", "id: ceasefire.dmz")
    assert problems(text) == [
        "plan.yaml:26:9: terms[1].id: duplicate term id 'ceasefire.dmz' (first used by terms[0])"
    ]


def test_unknown_party(minimal_yaml: str) -> None:
    text = minimal_yaml.replace(
        "binds: [UA, RU]\n    consent: [UA, RU]\n    zone",
        "binds: [UA, RUS]\n    consent: [UA, RU]\n    zone",
    )
    assert problems(text) == [
        "plan.yaml:21:17: terms[0].binds[1]: unknown party 'RUS'; did you mean 'RU'?"
    ]


def test_unknown_term_reference(minimal_yaml: str) -> None:
    text = minimal_yaml.replace(
        "    parameters: {line: line_of_contact_at_ceasefire}\n",
        "    parameters: {line: line_of_contact_at_ceasefire}\n    requires: [ceasefire.dmzz]\n",
    )
    assert problems(text) == [
        "plan.yaml:35:16: terms[1].requires[0]: unknown term 'ceasefire.dmzz'; "
        "did you mean 'ceasefire.dmz'?"
    ]


def test_all_errors_reported_at_once(minimal_yaml: str) -> None:
    text = (
        minimal_yaml.replace("width: 5 mi", "width: 5 furlongs")
        .replace("sources: [{doc: doc-a}]", "sources: [{doc: doc-b}]")
        .replace("kind: declaration", "kind: wish")
    )
    found = problems(text)
    assert len(found) == 3
    assert [p.split(": ")[1] for p in found] == [
        "terms[0].zone.width",
        "terms[1].kind",
        "terms[1].sources[0].doc",
    ]
    assert "Input should be 'rule', 'obligation', 'condition' or 'declaration'" in found[1]


def test_area_neither_covered_nor_open(minimal_yaml: str) -> None:
    text = minimal_yaml.replace(
        "  - {area: economic, note: The document is silent on economic terms.}\n", ""
    )
    assert problems(text) == [
        "plan.yaml:36:1: open: area 'economic' has no terms; add them or declare it open "
        "with a note saying the documents are silent on it"
    ]


def test_area_both_open_and_covered(minimal_yaml: str) -> None:
    text = minimal_yaml.replace("{area: security,", "{area: ceasefire,")
    assert problems(text) == [
        "plan.yaml:36:1: open: area 'security' has no terms; add them or declare it open "
        "with a note saying the documents are silent on it",
        "plan.yaml:37:12: open[0].area: area 'ceasefire' is declared open "
        "but the plan has terms in it",
    ]


def test_issue_must_belong_to_area(minimal_yaml: str) -> None:
    text = minimal_yaml.replace("issue: dmz", "issue: sanctions")
    assert problems(text) == [
        "plan.yaml:17:12: terms[0].issue: 'sanctions' is not an issue of area ceasefire; "
        "use one of dmz, monitoring, peacekeeping, pre_ceasefire"
    ]


def test_rule_must_be_verifiable(minimal_yaml: str) -> None:
    text = minimal_yaml.replace(
        "    zone: {type: dmz, along: line_of_contact, width: 5 mi, regime: full}\n"
        "    prohibits: [military_forces]\n",
        "",
    )
    assert problems(text) == [
        "plan.yaml:15:5: terms[0]: a rule needs a 'zone', 'caps' or 'prohibits' to be verifiable"
    ]


def test_invalid_yaml_names_line() -> None:
    assert problems("id: x\nterms: [a, b\n") == [
        "plan.yaml:3:1: not valid YAML: expected ',' or ']', but got '<stream end>'"
    ]


def test_empty_file() -> None:
    assert problems("") == ["plan.yaml:1:1: an agreement file is a mapping, not an empty file"]


def test_duplicate_yaml_key_is_an_error(minimal_yaml: str) -> None:
    text = minimal_yaml.replace("title: A test plan\n", "title: A test plan\ntitle: Again\n")
    found = problems(text)
    assert len(found) == 1 and found[0].startswith("plan.yaml:3:1: not valid YAML: ")
    assert "duplicate key" in found[0]


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(AgreementFileError) as info:
        load_agreement(tmp_path / "missing.yaml")
    assert str(info.value.problems[0]).endswith(
        "missing.yaml:1:1: cannot read: No such file or directory"
    )


def test_position_of_must_name_a_party(minimal_yaml: str) -> None:
    text = minimal_yaml.replace(
        "    label: Full DMZ\n", "    label: Full DMZ\n    position_of: US\n"
    )
    assert problems(text) == [
        "plan.yaml:20:18: terms[0].position_of: unknown party 'US'; known: RU, UA"
    ]


def test_deadline_takes_one_form(minimal_yaml: str) -> None:
    text = minimal_yaml.replace(
        "    prohibits: [military_forces]\n",
        "    prohibits: [military_forces]\n    deadline: {by: accession, on: 2026-01-01}\n",
    )
    assert problems(text) == [
        "plan.yaml:25:5: terms[0].deadline: a deadline is one of 'on: DATE', 'by: EVENT', "
        "or 'after: EVENT' with 'within'"
    ]


def test_free_text_deadline_shows_the_structured_form(minimal_yaml: str) -> None:
    text = minimal_yaml.replace(
        "    prohibits: [military_forces]\n",
        "    prohibits: [military_forces]\n    deadline: within three months of the ceasefire\n",
    )
    assert problems(text) == [
        "plan.yaml:25:15: terms[0].deadline: 'within three months of the ceasefire' is not a "
        "deadline; write '{after: signature, within: 100 days}' (or '100 days after signature'),"
        " '{by: accession}' or '{on: 2026-03-01}', with an event one of signature, ceasefire, "
        "entry_into_force, invitation, accession"
    ]


@pytest.mark.parametrize(
    ("written", "form"),
    [
        ("100 days after signature", {"after": "signature", "within": "100 days"}),
        ("by accession", {"by": "accession"}),
        ("on 2026-03-01", {"on": "2026-03-01"}),
    ],
)
def test_short_deadlines_equal_their_mappings(
    minimal_yaml: str, written: str, form: dict[str, str]
) -> None:
    def with_deadline(value: str) -> str:
        return minimal_yaml.replace(
            "    prohibits: [military_forces]\n",
            f"    prohibits: [military_forces]\n    deadline: {value}\n",
        )

    mapping = "{" + ", ".join(f"{k}: {v}" for k, v in form.items()) + "}"
    short = parse_agreement(with_deadline(written), "plan.yaml").terms[0].deadline
    assert short == parse_agreement(with_deadline(mapping), "plan.yaml").terms[0].deadline


def test_deep_flow_nesting_is_an_error_not_a_crash(minimal_yaml: str) -> None:
    deep = "[" * 5_000 + "]" * 5_000
    text = minimal_yaml.replace("summary: A plan used", f"extra: {deep}\nsummary: A plan used")
    assert problems(text) == ["plan.yaml:5:72: nested deeper than 64 levels"]


def test_deep_block_nesting_is_an_error_not_a_crash(minimal_yaml: str) -> None:
    text = minimal_yaml + "".join(" " * i + f"k{i}:\n" for i in range(500))
    assert problems(text) == ["plan.yaml:107:1: nested deeper than 64 levels by indentation"]


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x7f"])
def test_control_characters_are_named_with_their_place(minimal_yaml: str, char: str) -> None:
    text = minimal_yaml.replace("A test plan", f"A test{char} plan")
    assert problems(text) == [
        f"plan.yaml:2:14: control character U+{ord(char):04X} is not allowed in a plan file"
    ]


def test_a_list_where_a_name_belongs_is_an_error(minimal_yaml: str) -> None:
    text = minimal_yaml.replace("area: ceasefire\n", "area: [ceasefire]\n", 1)
    assert problems(text)[0] == (
        "plan.yaml:16:5: terms[0].area: Input should be 'territory', 'ceasefire', 'security', "
        "'relations', 'assurances', 'economic', 'humanitarian' or 'sequencing' "
        '(got ["ceasefire"])'
    )


def test_a_bom_is_accepted(minimal_yaml: str) -> None:
    assert parse_agreement("\ufeff" + minimal_yaml, "plan.yaml").id == "test-plan"


def test_an_oversized_file_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text("# filler\n" * 1_000_000, encoding="utf-8")  # 9 MB
    with pytest.raises(AgreementFileError) as info:
        load_agreement(path)
    assert [str(p) for p in info.value.problems] == [
        f"{path}:1:1: the file is 9,000,000 bytes; plan files are limited to 2,097,152 characters"
    ]


def _leaves(node: Any, loc: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [leaf for k, v in node.items() for leaf in _leaves(v, (*loc, k))]
    if isinstance(node, list):
        return [leaf for i, v in enumerate(node) for leaf in _leaves(v, (*loc, i))]
    return [loc]


def _set(node: Any, loc: tuple[Any, ...], value: Any) -> None:
    for part in loc[:-1]:
        node = node[part]
    node[loc[-1]] = value


@pytest.mark.parametrize("wrong", [["x"], {"x": 1}, 7, None, True])
def test_any_wrong_type_anywhere_is_a_positioned_error(minimal_yaml: str, wrong: Any) -> None:
    """Every leaf of a valid plan replaced by a value of another shape: never a traceback."""
    yaml = YAML(typ="safe")
    data = yaml.load(minimal_yaml)
    for loc in _leaves(data):
        broken = copy.deepcopy(data)
        _set(broken, loc, wrong)
        try:
            out = io.StringIO()
            yaml.dump(broken, out)
            parse_agreement(out.getvalue(), "plan.yaml")
        except AgreementFileError as exc:
            assert all(p.line >= 1 and p.column >= 1 for p in exc.problems), loc
