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
# U+FFFF (code points and UTF-16 units then order the same). They differ only
# in floats and in integers beyond 2**53, which JCS refuses. `_plain` says
# whether a value holds none of these (exact types only: anything else goes to
# the library); tests/ledger/test_canonical.py checks on arbitrary JSON values
# that both paths give the same bytes.
def _plain(value: Any) -> bool:
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return True
    if kind is int:
        return -_SAFE <= value <= _SAFE
    if kind is dict:
        return all(
            type(key) is str and (key.isascii() or max(key) <= _BMP_END) for key in value
        ) and all(_plain(item) for item in value.values())
    if kind is list or kind is tuple:
        return all(_plain(item) for item in value)
    return False


def jcs_text(value: Any) -> str:
    """The RFC 8785 text of a JSON value (str keys; tuples are arrays)."""
    text = _SORTED.encode(value)
    if not _plain(value):
        # Re-read from the text, so the library sees the JSON value the text
        # holds (keys as strings), exactly what a party reading it sees.
        try:
            text = rfc8785.dumps(json.loads(text)).decode("utf-8")
        except rfc8785.CanonicalizationError as exc:
            raise ValueError(f"not representable under RFC 8785: {exc}") from None
    return text


def legacy_text(value: Any) -> str:
    """The version 1 text of a JSON value."""
    return _SORTED.encode(value)


def canonical_json(value: Any) -> bytes:
    """The one byte string every party computes for a JSON value (RFC 8785)."""
    return _utf8(jcs_text(value))


def legacy_json(value: Any) -> bytes:
    return _utf8(legacy_text(value))


def canonical_text(value: Any, version: int) -> str:
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
