"""The trigger language evaluates what it allows and refuses everything else by name."""

from __future__ import annotations

from typing import Any

import pytest

from accord.conditions.expressions import ExpressionError, parse


class Fixed:
    elapsed_days = 200

    def call(self, name: str, args: tuple[Any, ...]) -> float | int | bool:
        return {"min_compliance": 0.93, "serious": 0, "met": True, "compliance": 0.5}[name]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('min_compliance("RU", 183) >= 0.9 and elapsed_days >= 183', True),
        ('serious("RU", 1) >= 1 or not met("ceasefire.dmz")', False),
        ('0.4 < compliance("UA") <= 0.5', True),
        ('compliance("UA") * 2 - 1 == 0', True),
        ("1 / 0 == 0", True),
    ],
)
def test_allowed_expressions_evaluate_and_record_their_inputs(text: str, value: bool) -> None:
    result = parse(text).evaluate(Fixed())
    assert result.value is value
    calls = [k for k in result.inputs if "(" in k]
    assert len(calls) == text.count("(") - text.count("()")


def test_inputs_are_named_with_their_arguments() -> None:
    result = parse('min_compliance("RU", 183) >= 0.9').evaluate(Fixed())
    assert result.inputs == {"min_compliance('RU', 183)": 0.93}


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("__import__('os').system('true')", "only the functions"),
        ('min_compliance("RU", 183).real', "Attribute is not allowed"),
        ("x >= 1", "unknown name 'x'"),
        ('min_compliance("RU") >= 1', "takes 2 argument(s)"),
        ('min_compliance("RU", elapsed_days) >= 1', "arguments are constants"),
        ("[1, 2] == 3", "List is not allowed"),
        ("2 ** 1000", "Pow is not allowed"),
        ("lambda: 1", "Lambda is not allowed"),
        ("1 if 2 else 3", "IfExp is not allowed"),
        ("met(", "not an expression"),
        ('"a" in "abc"', "In is not allowed"),
    ],
)
def test_anything_outside_the_language_is_refused_with_a_reason(text: str, why: str) -> None:
    with pytest.raises(ExpressionError, match=why.replace("(", r"\(").replace(")", r"\)")):
        parse(text)
