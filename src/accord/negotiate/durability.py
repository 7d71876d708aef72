"""A durability score for the ceasefire mechanisms a plan contains.

The mechanisms, their weights and the credit each option earns are data, each
with its source, so the score's reasoning is in the output and can be changed.
An issue a plan leaves open earns what the evaluation's rule for open issues
gives it over the options no red line forbids (the mean credit by default).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from pydantic import Field, ValidationError

from accord.agreement.model import StrictModel
from accord.negotiate.evaluate import OpenIssueRule, open_issue_value
from accord.negotiate.files import DATA, NegotiationFileError, _read, _validation
from accord.negotiate.scenario import Package, Scenario
from accord.negotiate.specs import DomainSpec, Source


class Credit(StrictModel):
    """The durability credit each option of an issue earns a mechanism."""

    issue: str
    options: dict[str, float]


class Mechanism(StrictModel):
    """A ceasefire mechanism that makes a settlement last, with its weight and source."""

    id: str
    title: str
    weight: float = Field(ge=0)
    source: Source
    reason: str
    credit: list[Credit] = Field(default_factory=list)


class DurabilitySpec(StrictModel):
    """The mechanisms file: what the durability score counts."""

    mechanisms: list[Mechanism] = Field(min_length=1)


def load_mechanisms(domain: DomainSpec, path: str | Path | None = None) -> DurabilitySpec:
    """The mechanisms file, checked against the domain's issues and options."""
    name, data = _read(Path(path) if path else DATA / "durability.yaml")
    try:
        spec = DurabilitySpec.model_validate(data)
    except ValidationError as exc:
        raise _validation(name, exc) from None
    issues = {i.id: {o.id for o in i.options} for i in domain.issues}
    for m in spec.mechanisms:
        if not m.credit and m.id != "specificity":
            raise NegotiationFileError(name, "a mechanism needs credit entries", field=m.id)
        for c in m.credit:
            if c.issue not in issues:
                raise NegotiationFileError(
                    name, f"unknown issue '{c.issue}'", field=f"{m.id}.credit"
                )
            bad = set(c.options) - issues[c.issue]
            if bad:
                raise NegotiationFileError(
                    name, f"unknown option(s) {sorted(bad)}", field=f"{m.id}.credit"
                )
    return spec


def durability(
    spec: DurabilitySpec,
    domain: DomainSpec,
    package: Package,
    scenario: Scenario,
    rule: OpenIssueRule = "mean",
    plan: str = "",
) -> dict[str, Any]:
    """Score in [0, 1] and each mechanism's weight, credit, source and reason."""
    index = {i.id: j for j, i in enumerate(domain.issues)}
    rows, total, weights = [], 0.0, 0.0
    for m in spec.mechanisms:
        if m.id == "specificity":
            credit = sum(c is not None for c in package) / len(package)
        else:
            got = []
            for c in m.credit:
                j = index[c.issue]
                credits = np.array([c.options.get(o.id, 0.0) for o in domain.issues[j].options])
                choice = package[j]
                if choice is not None:
                    got.append(float(credits[choice]))
                elif scenario.allowed(j).any():
                    got.append(float(open_issue_value(scenario, j, credits, rule, plan)))
                else:
                    got.append(0.0)  # an issue no completion can settle earns nothing
            credit = sum(got) / len(got)
        total += m.weight * credit
        weights += m.weight
        rows.append(
            {
                "mechanism": m.id,
                "title": m.title,
                "weight": m.weight,
                "credit": round(credit, 6),
                "source": m.source.doc + (f", {m.source.section}" if m.source.section else ""),
                "reason": m.reason,
            }
        )
    return {"score": round(total / weights, 6) if weights else 0.0, "mechanisms": rows}
