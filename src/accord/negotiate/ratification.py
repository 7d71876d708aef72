"""Whether each part of a plan survives the people who must approve it.

Each rule applies to the options it lists and says how its part is decided:
unanimity (every veto player approves, each independently; a group of n
like-minded members counts n times), a CAATSA-style override (the part survives
unless Congress disapproves and then overrides the veto), a supermajority (the
chance the chamber reaches its share, as a sourced range), a referendum (the
share of yes votes from polls against the share needed: passes, falls short or
uncertain) or a procedure whose outcome is not modelled. A rule may be blocked
outright while a condition holds (no amendment to Ukraine's constitution under
martial law): a block is shown as a block, never as a probability of zero.
A settled issue no rule covers is "not modelled", so no plan gets a survival
figure for parts nobody has looked at. Probabilities are monotone in each
input, so their range follows from the ends.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError

from accord.agreement.model import StrictModel
from accord.negotiate.files import DATA, NegotiationFileError, _known, _read, _validation
from accord.negotiate.scenario import Package
from accord.negotiate.specs import DocumentSpec, DomainSpec, Source, cite

NOT_MODELLED = "not modelled"


class VetoPlayer(StrictModel):
    """One who must approve a part under unanimity, with the chance they do."""

    id: str
    name: str
    count: int = Field(default=1, ge=1)
    approve: tuple[float, float]
    source: Source
    reason: str


class Chance(StrictModel):
    """A probability given as a sourced range."""

    range: tuple[float, float]
    source: Source
    reason: str


class Trigger(StrictModel):
    """The options of an issue that put a part of a plan under a rule."""

    issue: str
    options: list[str] = Field(min_length=1)


class Condition(StrictModel):
    """A circumstance that can block a rule outright (such as martial law), and whether it holds."""

    id: str
    title: str
    holds: bool
    source: Source
    reason: str


class Rule(StrictModel):
    """How a part of a plan is ratified: by whom, by what rule, and what may block it."""

    id: str
    title: str
    when: list[Trigger] = Field(min_length=1)
    rule: Literal["unanimity", "override", "supermajority", "referendum", "procedure"]
    needed: str = Field(min_length=3)
    source: Source
    reason: str
    blocked_while: list[str] = Field(default_factory=list)
    veto_players: list[VetoPlayer] = Field(default_factory=list)
    disapproval: Chance | None = None
    override: Chance | None = None
    approve: Chance | None = None
    support: Chance | None = None
    needed_share: float | None = Field(default=None, gt=0, lt=1)


class RatificationSpec(StrictModel):
    """The ratification file: its documents, conditions and rules."""

    documents: list[DocumentSpec] = Field(default_factory=list)
    conditions: list[Condition] = Field(default_factory=list)
    rules: list[Rule]


_NEEDS = {
    "unanimity": ("veto_players",),
    "override": ("disapproval", "override"),
    "supermajority": ("approve",),
    "referendum": ("support", "needed_share"),
    "procedure": (),
}


def load_rules(domain: DomainSpec, path: str | Path | None = None) -> RatificationSpec:
    """The rules, checked against the domain's issues and options and the documents cited."""
    name, data = _read(Path(path) if path else DATA / "ratification.yaml")
    try:
        spec = RatificationSpec.model_validate(data)
    except ValidationError as exc:
        raise _validation(name, exc) from None
    docs = [d.id for d in domain.documents] + [d.id for d in spec.documents]
    conditions = [c.id for c in spec.conditions]

    def check_doc(source: Source, field: str) -> None:
        if source.doc not in docs:
            raise NegotiationFileError(name, _known("document", source.doc, docs), field=field)

    for k, condition in enumerate(spec.conditions):
        check_doc(condition.source, f"conditions[{k}].source.doc")
    for k, rule in enumerate(spec.rules):
        field = f"rules[{k}]"
        check_doc(rule.source, f"{field}.source.doc")
        for n, trigger in enumerate(rule.when):
            issue = next((i for i in domain.issues if i.id == trigger.issue), None)
            if issue is None:
                known = [i.id for i in domain.issues]
                raise NegotiationFileError(
                    name, _known("issue", trigger.issue, known), field=f"{field}.when[{n}].issue"
                )
            options = [o.id for o in issue.options]
            bad = [o for o in trigger.options if o not in options]
            if bad:
                raise NegotiationFileError(
                    name,
                    f"unknown option(s) {bad} of '{trigger.issue}'; valid: {', '.join(options)}",
                    field=f"{field}.when[{n}].options",
                )
        missing = [f for f in _NEEDS[rule.rule] if not getattr(rule, f)]
        if missing:
            raise NegotiationFileError(
                name, f"a {rule.rule} rule needs {' and '.join(missing)}", field=field
            )
        for c in rule.blocked_while:
            if c not in conditions:
                raise NegotiationFileError(
                    name, _known("condition", c, conditions), field=f"{field}.blocked_while"
                )
        chances = [rule.disapproval, rule.override, rule.approve, rule.support]
        for chance in [c for c in chances if c is not None]:
            check_doc(chance.source, field)
        for player in rule.veto_players:
            check_doc(player.source, f"{field}.veto_players.{player.id}")
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
    if rule.rule == "supermajority" and rule.approve is not None:
        return pick(rule.approve.range)
    if rule.disapproval is None or rule.override is None:  # the loader refuses such a file
        raise ValueError(f"rule {rule.id!r} lacks the odds its kind needs")
    # survival falls as disapproval and override rise
    return 1.0 - pick(rule.disapproval.range, False) * pick(rule.override.range, False)


def _outcome(rule: Rule) -> dict[str, Any]:
    """How the part fares once nothing blocks it."""
    if rule.rule == "procedure":
        return {"status": NOT_MODELLED, "why": f"needs {rule.needed}; its outcome is not modelled"}
    if rule.rule == "referendum" and rule.support is not None and rule.needed_share is not None:
        low, high = rule.support.range
        status = (
            "passes"
            if low > rule.needed_share
            else "falls short"
            if high <= rule.needed_share
            else "uncertain"
        )
        return {
            "status": status,
            "yes_share_range": [low, high],
            "needed_share": rule.needed_share,
            "support_source": cite(rule.support.source),
            "support_reason": rule.support.reason,
        }
    low, high = _survival(rule, 0.0), _survival(rule, 1.0)
    out: dict[str, Any] = {
        "status": "survives with a probability",
        "survives": round(_survival(rule, 0.5), 6),
        "survives_range": [round(low, 6), round(high, 6)],
    }
    if rule.approve is not None:
        out |= {"approve_source": cite(rule.approve.source), "approve_reason": rule.approve.reason}
    return out


def ratify(
    spec: RatificationSpec,
    domain: DomainSpec,
    package: Package,
    conditions: Mapping[str, bool] | None = None,
) -> dict[str, Any]:
    """Each part of the plan: how it is decided and how it fares, or that it is not modelled.
    `conditions` overrides whether each condition of the file holds (e.g. martial_law)."""
    holds = {c.id: c.holds for c in spec.conditions} | dict(conditions or {})
    unknown = [c for c in holds if c not in {x.id for x in spec.conditions}]
    if unknown:
        known = [c.id for c in spec.conditions]
        raise ValueError(f"unknown condition(s) {unknown}; the rules know: {', '.join(known)}")
    ids = [i.id for i in domain.issues]
    chosen = {
        ids[j]: domain.issues[j].options[c].id for j, c in enumerate(package) if c is not None
    }
    covered: set[str] = set()
    parts = []
    for rule in spec.rules:
        hits = [
            {"issue": t.issue, "option": chosen[t.issue]}
            for t in rule.when
            if chosen.get(t.issue) in t.options
        ]
        if not hits:
            continue
        covered.update(h["issue"] for h in hits)
        part: dict[str, Any] = {
            "part": rule.id,
            "title": rule.title,
            "rule": rule.rule,
            "triggered_by": hits,
            "needed": rule.needed,
            "source": cite(rule.source),
            "reason": rule.reason,
        } | _outcome(rule)
        blocks = [c for c in spec.conditions if c.id in rule.blocked_while and holds[c.id]]
        if blocks:
            part["once_unblocked"] = part.pop("status")
            part["status"] = "blocked"
            part["blocked_while"] = [
                {"condition": c.id, "title": c.title, "source": cite(c.source), "reason": c.reason}
                for c in blocks
            ]
        if rule.veto_players:
            part["veto_players"] = [
                {
                    "id": v.id,
                    "name": v.name,
                    "count": v.count,
                    "approve": list(v.approve),
                    "source": cite(v.source),
                    "reason": v.reason,
                }
                for v in rule.veto_players
            ]
        parts.append(part)
    not_modelled = [
        {"issue": issue, "option": option, "status": NOT_MODELLED}
        for issue, option in chosen.items()
        if issue not in covered
    ]
    return {"parts": parts, "not_modelled": not_modelled, "whole_plan": _whole(parts, not_modelled)}


def _whole(parts: list[dict[str, Any]], not_modelled: list[dict[str, Any]]) -> dict[str, Any]:
    """The plan as a whole: blocked, falling short or partly unmodelled before any number."""
    statuses = [p["status"] for p in parts]
    low = high = 1.0
    for p in parts:
        if "survives_range" in p:
            low, high = low * p["survives_range"][0], high * p["survives_range"][1]
    out: dict[str, Any] = {}
    if "blocked" in statuses:
        out["status"] = "blocked"
        out["why"] = "; ".join(
            f"{p['part']} while {', '.join(b['condition'] for b in p['blocked_while'])}"
            for p in parts
            if p["status"] == "blocked"
        )
    elif "falls short" in statuses:
        out["status"] = "falls short"
        out["why"] = ", ".join(p["part"] for p in parts if p["status"] == "falls short")
    elif "uncertain" in statuses:
        out["status"] = "uncertain"
        out["why"] = ", ".join(p["part"] for p in parts if p["status"] == "uncertain")
    elif not_modelled or NOT_MODELLED in statuses or not parts:
        out["status"] = NOT_MODELLED
        out["why"] = "some parts are not modelled, so no figure covers the whole plan"
    else:
        out["status"] = "survives with a probability"
        out["survives_range"] = [round(low, 6), round(high, 6)]
    if any("survives_range" in p for p in parts):
        out["modelled_parts_survive_range"] = [round(low, 6), round(high, 6)]
    return out


def ratify_text(name: str, result: dict[str, Any]) -> list[str]:
    """One plan's ratification as plain lines."""
    whole = result["whole_plan"]
    head = f"{name}: {whole['status']}"
    if "survives_range" in whole:
        head += f" {whole['survives_range'][0]:.2f}-{whole['survives_range'][1]:.2f}"
    if "modelled_parts_survive_range" in whole and "survives_range" not in whole:
        low, high = whole["modelled_parts_survive_range"]
        head += f"; the modelled parts survive {low:.2f}-{high:.2f}"
    out = [head + (f" ({whole['why']})" if "why" in whole else "")]
    for p in result["parts"]:
        status = p["status"]
        if status == "blocked":
            status += " while " + ", ".join(b["title"] for b in p["blocked_while"])
            status += f"; once lifted: {p['once_unblocked']}"
        if "survives_range" in p:
            status += f" {p['survives_range'][0]:.2f}-{p['survives_range'][1]:.2f}"
        if "yes_share_range" in p:
            low, high = p["yes_share_range"]
            status += f" (yes {low:.0%}-{high:.0%}, needs over {p['needed_share']:.0%})"
        triggers = ", ".join(f"{t['issue']}={t['option']}" for t in p["triggered_by"])
        out.append(f"  {p['title']} [{triggers}]: {status}")
        out.append(f"    needs {p['needed']} [{p['source']}]")
    for row in result["not_modelled"]:
        out.append(f"  {row['issue']}={row['option']}: {NOT_MODELLED}")
    return out
