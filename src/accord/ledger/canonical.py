"""The canonical bytes of a JSON value, under each ledger version.

Version 2 is RFC 8785, the JSON Canonicalization Scheme (JCS), so a party
recomputes every hash with any JCS implementation (Python `rfc8785`,
JavaScript `canonicalize`, Go, Java...). Version 1 is what the ledger wrote
before: Python's `json.dumps` with sorted keys and no spaces, which differs
from JCS in how it writes floats (`1.0`, `1e-07`) and, for keys beyond U+FFFF,
in key order. Entries made under version 1 keep their bytes for ever: they
are what the mission signed.
"""

from __future__ import annotations

import json
from typing import Any

import rfc8785

LEGACY = 1
JCS = 2
CURRENT = JCS
VERSIONS = {LEGACY: "sorted-keys Python JSON (before RFC 8785)", JCS: "RFC 8785 (JCS)"}

# `json.dumps` with options builds a new encoder on every call; one shared
# encoder (it keeps no state between calls) gives the same text faster.
_SORTED = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)

_SAFE = 2**53 - 1  # the largest integer RFC 8785 (I-JSON) numbers hold exactly
_BMP_END = "\uffff"


# Written by hand, as a fast path in front of the library: `rfc8785` is pure
# Python and about 4.5 times slower than the C encoder above, which halves the
# rate `make_entries` hashes at. For most ledger values the C encoder's text
# already is the JCS text: both escape strings alike (the same characters,
# lowercase \u00xx) and sort keys alike while no key holds a character beyond
# U+FFFF (code points and UTF-16 units then order the same). Numbers differ in
# three places only: integers beyond 2**53, which JCS refuses; floats with an
# integral value, which Python writes `30.0` and JCS `30` (so they become ints
# first, which both write alike); and floats Python writes with an exponent
# (below 1e-4, from 1e16) where JCS's thresholds are 1e-6 and 1e21. Between
# those, both write the shortest digits that read back as the same float, in
# plain decimal. `_plain` gives a value the C encoder writes as JCS does, or
# `_SLOW` (exact types only: anything else goes to the library);
# tests/ledger/test_canonical.py checks on arbitrary JSON values that both
# paths give the same bytes.
_SLOW = object()


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return value
    if kind is int:
        return value if -_SAFE <= value <= _SAFE else _SLOW
    if kind is float:
        if value.is_integer():
            return int(value) if -_SAFE <= value <= _SAFE else _SLOW
        return value if 1e-4 <= abs(value) < 1e16 else _SLOW  # NaN and infinity: slow
    if kind is dict:
        out = {}
        for key, item in value.items():
            if type(key) is not str or not (key.isascii() or max(key) <= _BMP_END):
                return _SLOW
            out[key] = plain = _plain(item)
            if plain is _SLOW:
                return _SLOW
        return out
    if kind is list or kind is tuple:
        items = [_plain(item) for item in value]
        return _SLOW if any(item is _SLOW for item in items) else items
    return _SLOW


def jcs_text(value: Any) -> str:
    """The RFC 8785 text of a JSON value (str keys; tuples are arrays)."""
    plain = _plain(value)
    if plain is not _SLOW:
        return _SORTED.encode(plain)
    # Re-read from the text, so the library sees the JSON value the text holds
    # (keys as strings), exactly what a party reading it sees.
    try:
        return rfc8785.dumps(json.loads(_SORTED.encode(value))).decode("utf-8")
    except ValueError as exc:  # the library's refusals, and NaN or infinity
        raise ValueError(f"not representable under RFC 8785: {exc}") from None


def legacy_text(value: Any) -> str:
    """The version 1 text of a JSON value."""
    return _SORTED.encode(value)


def canonical_json(value: Any) -> bytes:
    """The one byte string every party computes for a JSON value (RFC 8785)."""
    return _utf8(jcs_text(value))


def legacy_json(value: Any) -> bytes:
    """The version 1 (pre-RFC 8785) canonical bytes, which entries hashed before JCS keep."""
    return _utf8(legacy_text(value))


def canonical_text(value: Any, version: int) -> str:
    """The canonical JSON text of a value under the given ledger version."""
    if version == JCS:
        return jcs_text(value)
    if version == LEGACY:
        return legacy_text(value)
    raise ValueError(f"unknown ledger version {version}: this software knows {sorted(VERSIONS)}")


def canonical_bytes(value: Any, version: int) -> bytes:
    """The canonical bytes of `value` under ledger `version`."""
    return _utf8(canonical_text(value, version))


def _utf8(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("a string holds a lone surrogate, which is not Unicode text") from None
