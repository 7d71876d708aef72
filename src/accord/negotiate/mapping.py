"""A plan's package, derived from its terms by the patterns in the domain file.

No table says which plan gets which option: each option states which terms
select it, so a new plan file maps without code changes, and an issue no
proposed term speaks to stays open.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from accord.agreement import Agreement
from accord.negotiate.files import DomainSpec
from accord.negotiate.scenario import Package

_OPS = {
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "ne": lambda a, b: a != b,
}


def _matches(pattern: Any, value: Any) -> bool:
    if isinstance(pattern, dict) and pattern and set(pattern) <= {*_OPS, "absent"}:
        if pattern.get("absent") is True:
            return value is None
        if not isinstance(value, int | float) or isinstance(value, bool):
            return False
        return all(_OPS[op](value, bound) for op, bound in pattern.items() if op != "absent")
    if isinstance(pattern, dict):
        if not isinstance(value, dict):
            return False
        return all(_matches(p, value.get(k)) for k, p in pattern.items())
    wanted = pattern if isinstance(pattern, list) else [pattern]
    if isinstance(value, list):
        return any(v in wanted for v in value)
    return value in wanted


def term_matches(pattern: dict[str, Any], term: dict[str, Any]) -> bool:
    """Whether a term (dumped to JSON types) fits a pattern from the domain file."""
    rest = dict(pattern)
    words = f"{term.get('label', '')} {term.get('summary', '')}"
    text, not_text = rest.pop("text", None), rest.pop("not_text", None)
    if text is not None and not re.search(text, words, flags=re.IGNORECASE):
        return False
    if not_text is not None and re.search(not_text, words, flags=re.IGNORECASE):
        return False
    rest.setdefault("status", "proposed")
    return _matches(rest, term)


@dataclass(frozen=True)
class MappedPlan:
    """A plan's package and, per issue, the term that set it (None where open)."""

    plan: str
    package: Package
    selected_by: tuple[str | None, ...]


def plan_package(agreement: Agreement, domain: DomainSpec) -> MappedPlan:
    """The (possibly partial) package a plan proposes."""
    terms = [t.model_dump(mode="json") for t in agreement.terms]
    package: list[int | None] = []
    why: list[str | None] = []
    for issue in domain.issues:
        choice: tuple[int, str] | None = None
        for o, option in enumerate(issue.options):
            hit = next(
                (t["id"] for t in terms for p in option.when if term_matches(p, t)),
                None,
            )
            if hit is not None:
                choice = (o, hit)
                break
        package.append(choice[0] if choice else None)
        why.append(choice[1] if choice else None)
    return MappedPlan(agreement.id, tuple(package), tuple(why))
