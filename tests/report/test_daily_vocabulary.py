"""The mission's codes are labels: every one has an entry, and each language shows it."""

from __future__ import annotations

import pytest

from accord.agreement.vocabulary import MilitaryItem
from accord.report.daily_vocabulary import LABELS, term_label
from accord.verify.evidence import Grade
from accord.verify.rules import RuleKind, Severity
from accord.verify.workflow import State

CODES = (
    [item.value for item in MilitaryItem]
    + [kind.value for kind in RuleKind]
    + [state.value for state in State]
    + [grade.name for grade in Grade]
    + [severity.name for severity in Severity]
)


def test_every_code_of_the_vocabularies_has_a_label() -> None:
    missing = sorted(set(CODES) - set(LABELS))
    assert not missing, f"codes without a report label: {missing}"


@pytest.mark.parametrize("lang", ["uk", "ru"])
def test_each_code_reads_in_the_report_language(lang: str) -> None:
    for code in CODES:
        label = term_label(code, lang)
        assert label and label != LABELS[code], (lang, code)
        assert not any("a" <= ch <= "z" for ch in label), (lang, code, label)


def test_english_reads_words_and_an_unknown_code_shows_as_it_is() -> None:
    assert term_label("mlrs", "en") == "multiple rocket launchers"
    assert term_label("handled_locally", "en") == "handled locally"
    assert term_label("a_code_from_a_newer_store", "uk") == "a_code_from_a_newer_store"
