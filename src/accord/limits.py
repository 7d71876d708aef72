"""Bounds on untrusted text: how deep JSON may nest and how large a record or file may be.

Python's json module and the YAML composer recurse once per level, so a record
nested 100,000 deep raised RecursionError, which no caller expected: one poison
line stopped a whole ingest run, and a plan file gave a traceback. Every parser
of outside input checks depth here first and turns it into a plain error.
"""

from __future__ import annotations

import json
from typing import Any

# Deeper than any observation, plan or API body accord defines (their deepest is
# about 6 levels) by a wide margin, and far below Python's recursion limit.
MAX_DEPTH = 64
# One observation record or API request body; a batch or document is bounded by
# its record count times this, or by the server's body limit.
MAX_RECORD_BYTES = 1 << 20
# A plan file: the largest shipped plan is about 30 KB.
MAX_PLAN_BYTES = 2 << 20

_OPENERS = {"[": "]", "{": "}"}


class TooDeep(ValueError):
    """Text nested deeper than MAX_DEPTH, with where the limit was passed."""

    def __init__(self, offset: int, limit: int) -> None:
        self.offset = offset
        super().__init__(f"nested deeper than {limit} levels")


def check_depth(text: str, limit: int = MAX_DEPTH) -> None:
    """Raise TooDeep when brackets in `text` (outside strings) nest deeper than `limit`.

    The usual record has a handful of brackets, so counting them (in C) settles
    it at once; only text with more brackets than the limit is walked.
    """
    if text.count("[") + text.count("{") <= limit:
        return
    depth, in_string, escaped = 0, False, False
    for offset, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in _OPENERS:
            depth += 1
            if depth > limit:
                raise TooDeep(offset, limit)
        elif char in "]}":
            depth -= 1


def loads(text: str, limit: int = MAX_DEPTH) -> Any:
    """json.loads for outside input: depth checked first, a leading BOM dropped."""
    text = text.removeprefix("\ufeff")
    check_depth(text, limit)
    return json.loads(text)
