"""Plans for people: a term's typed fields as short lines, and the vocabulary plans use.

Generic over the model, so a field added to `Term` shows in every view without
touching the views; what a term *says* in prose is shown by the views themselves.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any

from pydantic import BaseModel

from accord.agreement.model import Term
from accord.agreement.quantities import BOUND_PREFIXES, DAYS_PER, KM_PER, UNIT_ALIASES
from accord.agreement.vocabulary import (
    AREA_TITLES,
    ISSUES,
    TERM_KIND_NOTES,
    ZONE_TYPE_NOTES,
    Alignment,
    Area,
    Event,
    IncentiveKind,
    LineBasis,
    MilitaryItem,
    Recognition,
    TermKind,
    ZoneType,
)

# Shown by the views in their own way: the term's identity, prose and citation.
_PROSE = frozenset({"id", "area", "issue", "kind", "label", "summary", "sources", "status"})


def _empty(value: Any) -> bool:
    if isinstance(value, BaseModel) and not _has_own_str(value):
        return all(_empty(getattr(value, name)) for name in type(value).model_fields)
    return value is None or value is False or value == [] or value == {}


def _has_own_str(value: BaseModel) -> bool:
    # Quantities (Distance, Count, Money, ...) print themselves as "5 mi", "<500".
    return type(value).__str__ is not BaseModel.__str__


def _text(value: Any) -> str:
    if isinstance(value, BaseModel):
        if _has_own_str(value):
            return str(value)
        parts = [
            f"{name} {_text(getattr(value, name))}"
            for name in type(value).model_fields
            if not _empty(getattr(value, name))
        ]
        return "; ".join(parts)
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return ", ".join(f"{k} {_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(f"({_text(v)})" if isinstance(v, BaseModel) else _text(v) for v in value)
    return str(value)


def typed_fields(term: Term) -> list[tuple[str, str]]:
    """(field, value) for every typed field the term sets; parameters one per line."""
    out: list[tuple[str, str]] = []
    for name in Term.model_fields:
        value = getattr(term, name)
        if name in _PROSE or _empty(value):
            continue
        if name == "parameters":
            out.extend(
                (f"parameters.{key}", _text(getattr(value, key)))
                for key in type(value).model_fields
                if not _empty(getattr(value, key))
            )
        else:
            out.append((name, _text(value)))
    return out


def vocabulary_table() -> dict[str, Any]:
    """The closed lists a plan file is written in: areas and issues, kinds, units."""
    return {
        "areas": [
            {"area": area.value, "title": AREA_TITLES[area], "issues": dict(ISSUES[area])}
            for area in Area
        ],
        "term_kinds": {k.value: TERM_KIND_NOTES[k] for k in TermKind},
        "zone_types": {z.value: ZONE_TYPE_NOTES[z] for z in ZoneType},
        "military_items": [m.value for m in MilitaryItem],
        "events": [e.value for e in Event],
        "incentive_kinds": [i.value for i in IncentiveKind],
        "line_bases": [b.value for b in LineBasis],
        "recognition": [r.value for r in Recognition],
        "alignment": [a.value for a in Alignment],
        "units": {
            "distance": sorted(KM_PER) + sorted(a for a, u in UNIT_ALIASES.items() if u in KM_PER),
            "duration": sorted(DAYS_PER)
            + sorted(a for a, u in UNIT_ALIASES.items() if u in DAYS_PER),
            "count": "a whole number: 400, '<500', '~1 million', '3,000-5,000'",
            "money": "a currency code and an amount: 'USD 300 billion', 'EUR 50 million'",
            "bounds": [prefix.strip() for prefix, _ in BOUND_PREFIXES],
        },
    }
