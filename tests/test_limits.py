"""Bounded parsing of outside input: depth is counted outside strings only."""

from __future__ import annotations

import json

import pytest

from accord.limits import MAX_DEPTH, TooDeep, check_depth, loads


def test_brackets_inside_strings_do_not_count() -> None:
    text = json.dumps({"note": "[" * 500 + '\\"{' * 100, "x": [[1]]})
    assert loads(text)["x"] == [[1]]


def test_the_limit_is_exact() -> None:
    assert loads("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    with pytest.raises(TooDeep) as info:
        check_depth("{" * (MAX_DEPTH + 1) + "}" * (MAX_DEPTH + 1))
    assert info.value.offset == MAX_DEPTH


def test_an_escaped_quote_does_not_end_a_string() -> None:
    # Were the \\" taken as the string's end, the brackets after it would count.
    text = '["a\\"' + "[" * 100 + '"]'
    assert loads(text) == ['a"' + "[" * 100]


def test_a_leading_bom_is_dropped() -> None:
    assert loads('\ufeff{"a": 1}') == {"a": 1}
