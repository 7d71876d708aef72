"""Ledger bytes are RFC 8785 (JCS), as another implementation computes them."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import struct
from pathlib import Path

import jcs
import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.ledger.canonical import (
    LEGACY,
    canonical_bytes,
    canonical_json,
    jcs_text,
    legacy_json,
)
from accord.ledger.chain import GENESIS, make_entries, make_entry, verify_chain

AT = dt.datetime(2026, 9, 1, 9, 30, tzinfo=dt.UTC)

# RFC 8785 Appendix B: IEEE 754 bit patterns and the text JCS writes for them
# (each also checked against V8's JSON.stringify).
APPENDIX_B = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]

SAFE = 2**53 - 1
# Text from every plane, surrogates excluded (they are not Unicode text).
texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=8)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-SAFE, SAFE)
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(texts, children, max_size=4),
    max_leaves=12,
)


@pytest.mark.parametrize(("bits", "expected"), APPENDIX_B)
def test_numbers_are_written_as_rfc_8785_appendix_b(bits: str, expected: str) -> None:
    [number] = struct.unpack(">d", bytes.fromhex(bits))
    assert canonical_json(number) == expected.encode()
    assert canonical_json({"n": number}) == b'{"n":' + expected.encode() + b"}"
    assert canonical_json([1, number]) == b"[1," + expected.encode() + b"]"


@settings(max_examples=400, deadline=None)
@given(json_values)
def test_the_fast_path_writes_what_the_library_does(value: object) -> None:
    """The C-encoder shortcut in front of `rfc8785` never changes a byte."""
    assert canonical_json(value) == rfc8785.dumps(value)


# Where the fast path's float rule changes hands (1e-4, 1e16, 2**53) and what
# observations carry (coordinates, metres, confidences, integral floats).
EDGES = [1e-4, -1e-4, 9.999999999999999e-5, 1e16, 9999999999999998.0, 2.0**53, 2.0**53 + 2]
EDGES += [-0.0, 0.0, 30.0, -7.0, 47.2, 38.123456, 0.6, 1 / 3, 5e-324, 1e-7, 1e21]


@pytest.mark.parametrize("number", EDGES)
def test_floats_at_the_fast_paths_edges_are_what_the_library_writes(number: float) -> None:
    for value in (number, [number], {"lon": number, "n": 3, "s": "x"}):
        assert canonical_json(value) == rfc8785.dumps(value) == jcs.canonicalize(value)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(-1e17, 1e17) | st.floats(-1e-3, 1e-3), max_size=6))
def test_floats_near_the_thresholds_are_what_the_library_writes(numbers: list[float]) -> None:
    assert canonical_json(numbers) == rfc8785.dumps(numbers)


@settings(max_examples=150, deadline=None)
@given(json_values)
def test_another_jcs_implementation_agrees(value: object) -> None:
    assert canonical_json(value) == jcs.canonicalize(value)


def test_where_version_1_and_rfc_8785_differ() -> None:
    cases = [
        (1.0, b"1.0", b"1"),
        (1e-07, b"1e-07", b"1e-7"),
        (1e21, b"1e+21", b"1e+21"),
        (1e16, b"1e+16", b"10000000000000000"),
        (-0.0, b"-0.0", b"0"),
        # Python orders code points, JCS UTF-16 units: U+1F600 is D83D DE00 < FB33.
        (
            {"\ufb33": 1, "\U0001f600": 2},
            '{"\ufb33":1,"\U0001f600":2}'.encode(),
            '{"\U0001f600":2,"\ufb33":1}'.encode(),
        ),
        # Control characters, quote and backslash are escaped alike; U+2028 and DEL are not.
        (
            '\x01\n"\\\u2028\x7f',
            b'"\\u0001\\n\\"\\\\\xe2\x80\xa8\x7f"',
            b'"\\u0001\\n\\"\\\\\xe2\x80\xa8\x7f"',
        ),
    ]
    for value, legacy, standard in cases:
        assert legacy_json(value) == legacy
        assert canonical_json(value) == standard == jcs.canonicalize(value)


def test_what_rfc_8785_cannot_hold_is_refused_clearly() -> None:
    for bad, why in (
        ({"count": 2**53}, "exceeds safe integer"),
        ({"count": -(2**60)}, "exceeds safe integer"),
        ({"x": float("nan")}, "not JSON compliant"),
        ({"x": "\ud800"}, "lone surrogate"),
    ):
        with pytest.raises(ValueError, match=why):
            canonical_json(bad)
    assert canonical_json({"count": 2**53 - 1}) == b'{"count":9007199254740991}'
    with pytest.raises(ValueError, match="exceeds safe integer"):
        make_entries(None, [("note", "n", {"count": 2**53}, None)], AT)
    with pytest.raises(ValueError, match="unknown ledger version 3"):
        canonical_bytes({}, 3)


def test_entries_hash_to_what_an_independent_jcs_gives() -> None:
    payloads = [
        {"index": 1.0, "small": 1e-07, "large": 1e21, "zero": -0.0, "big": 2**53 - 1},
        {"\ufb33": "hebrew", "\U0001f600": "emoji", "é": "e", "Z": ["\t", "\u0000"]},
        {"nested": {"b": [1.5, {"a": None}], "a": True}},
    ]
    made = make_entries(None, [("note", f"n{i}", p, None) for i, p in enumerate(payloads)], AT)
    previous = GENESIS
    for (entry, stored_payload), payload in zip(made, payloads, strict=True):
        body = {
            "seq": entry.seq,
            "recorded_at": "2026-09-01T09:30:00+00:00",
            "kind": "note",
            "ref": entry.ref,
            "payload": payload,
            "corrects": None,
        }
        assert stored_payload.encode() == jcs.canonicalize(payload)
        assert entry.hash == hashlib.sha256(previous + jcs.canonicalize(body)).digest()
        assert entry.prev_hash == previous
        # What the table stores reads back to the same bytes under RFC 8785.
        assert jcs_text(json.loads(stored_payload)) == stored_payload
        previous = entry.hash
    assert verify_chain([e for e, _ in made]) is None


def test_a_chain_of_old_then_new_entries_verifies_and_never_goes_back() -> None:
    legacy = make_entry(None, "note", "a", {"index": 1.0}, AT, version=LEGACY)
    assert (
        legacy.hash
        == hashlib.sha256(
            GENESIS + b'{"corrects":null,"kind":"note","payload":{"index":1.0},'
            b'"recorded_at":"2026-09-01T09:30:00+00:00","ref":"a","seq":0}'
        ).digest()
    )
    new = make_entry(legacy, "note", "b", {"index": 1.0}, AT)
    assert b'"payload":{"index":1}' in new.leaf()
    assert verify_chain([legacy, new]) is None
    back = make_entry(new, "note", "c", {}, AT, version=LEGACY)
    fault = verify_chain([legacy, new, back])
    assert fault is not None and fault.seq == 2 and "never goes back" in fault.problem


def test_the_worked_example_in_the_docs_is_what_the_ledger_computes() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "ledger.md").read_text("utf-8")
    payload = {
        "source_type": "seismic",
        "network": "Донецьк-пн",
        "operator": "mission",
        "lon": 37.0,
        "lat": 47.25,
        "registered_at": "2026-09-01T09:30:00+00:00",
        "retired_at": None,
    }
    entry = make_entry(None, "source", "seis-07", payload, AT.replace(minute=30, hour=9))
    old = make_entry(None, "source", "seis-07", payload, entry.recorded_at, version=LEGACY)
    assert entry.leaf().decode() in docs and f"({len(entry.leaf())} bytes" in docs
    assert entry.hash.hex() in docs and old.hash.hex() in docs
    assert hashlib.sha256(bytes(32) + jcs.canonicalize(json.loads(entry.leaf()))).digest() == (
        entry.hash
    )
