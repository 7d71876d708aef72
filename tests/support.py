"""Helpers several test packages share."""

from __future__ import annotations

import os
from typing import Any, NoReturn

import pytest


def missing(message: str, module_level: bool = False) -> NoReturn:
    """A prerequisite is absent: skip here, but fail in CI (env CI set), which must
    never pass without having run what the prerequisite enables."""
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail(f"{message} (CI must not skip it)")
    pytest.skip(message, allow_module_level=module_level)


def term(term_id: str, area: str, issue: str, **fields: Any) -> dict[str, Any]:
    """A rule term binding UA and RU, with the fields a test changes."""
    return {
        "id": term_id,
        "area": area,
        "issue": issue,
        "kind": "rule",
        "label": "A term",
        "summary": "A term for tests.",
        "binds": ["UA", "RU"],
        "consent": ["UA", "RU"],
        "sources": [{"doc": "d"}],
    } | fields
