"""Helpers several test packages share."""

from __future__ import annotations

import os
from typing import Any, NoReturn

import pytest

from accord.agreement import Agreement
from accord.agreement.vocabulary import Area


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


def plan(
    *terms: dict[str, Any], plan_id: str = "test-plan", parties: Any = ("UA", "RU")
) -> Agreement:
    """A hand-made plan of `terms`, every area they leave out declared open.

    `parties` are ids (named after themselves) or whole party mappings."""
    used = {t["area"] for t in terms}
    return Agreement.model_validate(
        {
            "id": plan_id,
            "title": "Test plan",
            "proposer": "tests",
            "date": "2025",
            "summary": "A plan built by hand for tests.",
            "documents": [{"id": "d", "title": "Doc", "organisation": "Org", "date": "2025"}],
            "parties": [p if isinstance(p, dict) else {"id": p, "name": p} for p in parties],
            "terms": list(terms),
            "open": [
                {"area": a.value, "note": "Not part of this test plan."}
                for a in Area
                if a.value not in used or a is Area.sequencing
            ],
        }
    )


def camera_sighting(i: int, **change: Any) -> dict[str, Any]:
    """A valid camera observation `cam-<i>`, with `change` applied, for ingest tests."""
    return {
        "id": f"cam-{i}",
        "source_id": "cam-3",
        "source_type": "camera",
        "observed_at": "2025-06-01T04:00:00Z",
        "lon": 38.1,
        "lat": 47.2,
        "uncertainty_m": 30,
        "kind": "vehicle",
        "count": 1,
    } | change
