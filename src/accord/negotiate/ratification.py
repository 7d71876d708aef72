"""Whether each part of a plan survives its veto players.

Unanimity: the part survives if every veto player approves, each independently
with its own probability (a group of n like-minded members counts n times).
Override (the CAATSA review of sanctions relief): the part survives unless
Congress passes a joint resolution of disapproval and then overrides the veto.
Probabilities are monotone in each input, so the range follows from the ends.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError

from accord.agreement.model import StrictModel
from accord.negotiate.files import (
    DATA,
    DomainSpec,
    NegotiationFileError,
    Source,
    _read,
    _validation,
)
from accord.negotiate.scenario import Package


class VetoPlayer(StrictModel):
    id: str
    name: str
    count: int = Field(default=1, ge=1)
    approve: tuple[float, float]
    source: Source
    reason: str


class Chance(StrictModel):
    range: tuple[float, float]
    source: Source
    reason: str


class Rule(StrictModel):
    id: str
    title: str
    issue: str
    options: list[str] = Field(min_length=1)
    rule: Literal["unanimity", "override"]
    source: Source
    reason: str
    veto_players: list[VetoPlayer] = Field(default_factory=list)
    disapproval: Chance | None = None
    override: Chance | None = None


class RatificationSpec(StrictModel):
    rules: list[Rule]


def load_rules(domain: DomainSpec, path: str | Path | None = None) -> RatificationSpec:
    """The veto-player rules, checked against the domain's issues and options."""
    name, data = _read(Path(path) if path else DATA / "ratification.yaml")
    try:
        spec = RatificationSpec.model_validate(data)
    except ValidationError as exc:
        raise _validation(name, exc) from None
    for k, rule in enumerate(spec.rules):
        field = f"rules[{k}]"
        issue = next((i for i in domain.issues if i.id == rule.issue), None)
        if issue is None:
            raise NegotiationFileError(
                name, f"unknown issue '{rule.issue}'", field=f"{field}.issue"
            )
        bad = [o for o in rule.options if o not in {x.id for x in issue.options}]
        if bad:
            raise NegotiationFileError(
                name, f"unknown option(s) {bad} of '{rule.issue}'", field=field
            )
        if rule.rule == "unanimity" and not rule.veto_players:
            raise NegotiationFileError(name, "a unanimity rule needs veto_players", field=field)
        if rule.rule == "override" and (rule.disapproval is None or rule.override is None):
            raise NegotiationFileError(
                name, "an override rule needs disapproval and override", field=field
            )
    return spec


def _survival(rule: Rule, at: float) -> float:
    """Survival with every range read at `at` (0 low end, 1 high end) of its favourable side."""

    def pick(r: tuple[float, float], favourable_high: bool = True) -> float:
        t = at if favourable_high else 1.0 - at
        return r[0] + t * (r[1] - r[0])

    if rule.rule == "unanimity":
        p = 1.0
        for player in rule.veto_players:
            p *= pick(player.approve) ** player.count
        return p
    if rule.disapproval is None or rule.override is None:  # the loader refuses such a file
        raise ValueError(f"override rule {rule.id!r} lacks its disapproval or override odds")
    # survival falls as disapproval and override rise
    return 1.0 - pick(rule.disapproval.range, False) * pick(rule.override.range, False)


def ratify(spec: RatificationSpec, domain: DomainSpec, package: Package) -> dict[str, Any]:
    """For each part of the plan that needs ratification, the chance it survives."""
    parts = []
    overall_low = overall_high = 1.0
    for rule in spec.rules:
        j = [i.id for i in domain.issues].index(rule.issue)
        choice = package[j]
        if choice is None or domain.issues[j].options[choice].id not in rule.options:
            continue
        low, high = _survival(rule, 0.0), _survival(rule, 1.0)
        overall_low, overall_high = overall_low * low, overall_high * high
        parts.append(
            {
                "part": rule.id,
                "title": rule.title,
                "rule": rule.rule,
                "survives": round(_survival(rule, 0.5), 6),
                "survives_range": [round(low, 6), round(high, 6)],
                "source": rule.source.doc,
                "reason": rule.reason,
                "veto_players": [
                    {
                        "id": v.id,
                        "name": v.name,
                        "count": v.count,
                        "approve": list(v.approve),
                        "reason": v.reason,
                    }
                    for v in rule.veto_players
                ],
            }
        )
    return {
        "parts": parts,
        "all_survive_range": [round(overall_low, 6), round(overall_high, 6)],
    }
