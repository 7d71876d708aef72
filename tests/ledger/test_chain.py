"""The chain detects every single alteration, removal, insertion and swap."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.ledger.canonical import canonical_json
from accord.ledger.chain import Entry, make_entries, make_entry, verify_chain

T0 = dt.datetime(2026, 8, 22, 6, 0, tzinfo=dt.UTC)


def build(n: int) -> list[Entry]:
    entries: list[Entry] = []
    for i in range(n):
        prev = entries[-1] if entries else None
        payload = {"observation": f"obs-{i}", "count": i % 7}
        entries.append(
            make_entry(prev, "observation", f"obs-{i}", payload, T0 + dt.timedelta(minutes=i))
        )
    return entries


def test_intact_chain_verifies() -> None:
    assert verify_chain(build(50)) is None


def test_canonical_json_is_order_independent() -> None:
    assert canonical_json({"b": 1, "a": [1, "é"]}) == canonical_json({"a": [1, "é"], "b": 1})
    assert canonical_json({"a": 1}) == b'{"a":1}'


def test_naive_time_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware UTC"):
        make_entry(None, "observation", "x", {}, dt.datetime(2026, 1, 1))


def test_thousand_random_tamperings_are_all_detected() -> None:
    rng = random.Random(7)
    chain = build(60)
    for _ in range(1000):
        entries = list(chain)
        i = rng.randrange(len(entries))
        how = rng.choice(["mutate", "delete", "insert", "swap"])
        if how == "mutate":
            entries[i] = replace(entries[i], payload={**entries[i].payload, "count": -1})
            expected = entries[i].seq
        elif how == "delete":
            del entries[i]
            expected = chain[i + 1].seq if i + 1 < len(chain) else None
        elif how == "insert":
            forged = make_entry(entries[i - 1] if i else None, "observation", "forged", {}, T0)
            entries.insert(i, forged)
            expected = forged.seq
        else:
            j = (i + 1) % len(entries)
            entries[i], entries[j] = entries[j], entries[i]
            expected = entries[min(i, j)].seq
        fault = verify_chain(entries)
        if expected is None:  # dropping the newest entry leaves a valid, shorter chain
            assert fault is None
            continue
        assert fault is not None, how
        assert fault.seq == expected, (how, i, str(fault))


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)  # what RFC 8785 (I-JSON) numbers hold exactly
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(), children, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=80)
@given(
    st.lists(
        st.tuples(
            st.text(min_size=1, max_size=12),
            st.text(max_size=12),
            st.dictionaries(st.text(max_size=6), json_values, max_size=4),
            st.none() | st.integers(0, 99),
        ),
        min_size=1,
        max_size=6,
    ),
    st.booleans(),
)
def test_batch_entries_are_byte_for_byte_the_reference(
    drafts: list[tuple[str, str, dict, int | None]], after_existing: bool
) -> None:
    """The fast batch path hashes and stores exactly what `make_entry` would."""
    at = dt.datetime(2026, 9, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    start = build(3)[-1] if after_existing else None
    reference, prev = [], start
    for kind, ref, payload, corrects in drafts:
        prev = make_entry(prev, kind, ref, payload, at, corrects)
        reference.append(prev)
    batch = make_entries(start, drafts, at)
    assert [e for e, _ in batch] == reference
    assert [text.encode("utf-8") for _, text in batch] == [
        canonical_json(e.payload) for e in reference
    ]
