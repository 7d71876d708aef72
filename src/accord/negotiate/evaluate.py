"""Per-plan evaluation, and why a zone of agreement is empty when it is.

An issue a plan leaves open is valued by one rule over the options no red line
forbids: the mean by default, or the worst or the best of them
(`open_issue_value`); evaluation, durability and the Monte Carlo all use it,
and evaluation shows the worst and best as a range: the plan's fate on that
issue is still to be negotiated. Where the red lines together forbid every option
of an open issue, each party values it over the options its own red lines allow,
and the plan is reported as blocked there, with the red lines named (no
completion is acceptable to all). An interaction counts where the plan settles
both of its issues.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from accord.negotiate.pareto import pareto_set
from accord.negotiate.scenario import Package, RedLine, Scenario


class EmptyZoneError(ValueError):
    """No package respects every red line and beats every alternative."""


class NoOptionLeftError(ValueError):
    """A plan leaves an issue open whose every option some red line forbids."""


OpenIssueRule = Literal["worst", "mean", "best"]
OPEN_ISSUE_RULES: tuple[OpenIssueRule, ...] = ("worst", "mean", "best")


def open_issue_value(
    scenario: Scenario,
    issue: int,
    values: NDArray[np.float64] | None = None,
    rule: OpenIssueRule = "mean",
    plan: str = "",
) -> NDArray[np.float64]:
    """What an open issue is worth: the rule applied to the values (last axis: options;
    the scenario's table by default) of the options no red line forbids."""
    allowed = scenario.allowed(issue)
    if not allowed.any():
        raise NoOptionLeftError(no_option_left(scenario, issue, plan))
    return open_value(scenario.tables[issue] if values is None else values, allowed, rule)


def no_option_left(scenario: Scenario, issue: int, plan: str = "") -> str:
    """Why an open issue can take no option: the red lines that together forbid them all."""
    lines = [
        f"{ln.party} forbids "
        + ", ".join(scenario.options[issue][o] for o in sorted(ln.forbidden))
        + f" ({ln.reason or 'no reason given'}; {ln.source or 'no source given'})"
        for ln in scenario.red_lines
        if ln.issue == issue
    ]
    return (
        (f"plan '{plan}' " if plan else "a plan ")
        + f"leaves issue '{scenario.issues[issue]}' open, but the red lines together forbid "
        "every option: " + "; ".join(lines)
    )


def open_allowed(scenario: Scenario, issue: int) -> NDArray[np.bool_]:
    """(parties, options): the options an open issue may still take, those no red line
    forbids; where the red lines together forbid them all, each party's own allowed ones
    (each holds out for what its own red lines allow)."""
    shared = scenario.allowed(issue)
    if shared.any():
        return np.broadcast_to(shared, (len(scenario.parties), shared.size))
    own = np.ones((len(scenario.parties), shared.size), dtype=bool)
    for line in scenario.red_lines:
        if line.issue == issue:
            own[scenario.parties.index(line.party), list(line.forbidden)] = False
    return own


def open_value(
    contributions: NDArray[np.float64],
    allowed: NDArray[np.bool_],
    rule: str | NDArray[np.int_] = "mean",
) -> NDArray[np.float64]:
    """What an open issue adds to each party's utility: the worst, mean or best allowed option.

    `contributions` is (..., options), `allowed` broadcasts to it; `rule` is one of
    OPEN_ISSUE_RULES or an array of indices into them broadcasting to the result (a Monte
    Carlo draws one per draw). NaN where no option is allowed."""
    if isinstance(rule, str) and rule not in OPEN_ISSUE_RULES:
        raise ValueError(
            f"unknown rule for open issues '{rule}'; valid: {', '.join(OPEN_ISSUE_RULES)}"
        )
    allowed = np.broadcast_to(allowed, contributions.shape)
    count = allowed.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(allowed, contributions, 0.0).sum(axis=-1) / count
    worst = np.where(allowed, contributions, np.inf).min(axis=-1)
    best = np.where(allowed, contributions, -np.inf).max(axis=-1)
    values = np.stack([worst, mean, best])
    values[:, count == 0] = np.nan
    if isinstance(rule, str):
        return values[OPEN_ISSUE_RULES.index(rule)]
    return np.take_along_axis(values, np.broadcast_to(rule, mean.shape)[None], axis=0)[0]


def utility_range(
    scenario: Scenario, package: Package, rule: OpenIssueRule = "mean"
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Utility per party with open issues valued by the rule, and its lowest and highest."""
    n = len(scenario.parties)
    value, low, high = np.zeros(n), np.zeros(n), np.zeros(n)
    for j, choice in enumerate(package):
        if choice is None:
            table, allowed = scenario.tables[j], open_allowed(scenario, j)
            value = value + open_value(table, allowed, rule)
            low = low + open_value(table, allowed, "worst")
            high = high + open_value(table, allowed, "best")
        else:
            col = scenario.tables[j][:, choice]
            value, low, high = value + col, low + col, high + col
    for link in scenario.interactions:  # counted where the plan settles both issues
        if link.held_by(package):
            p = scenario.parties.index(link.party)
            value[p], low[p], high[p] = (x[p] + float(link.value) for x in (value, low, high))
    return value, low, high


def blocked_open_issues(scenario: Scenario, package: Package) -> list[dict[str, Any]]:
    """Open issues whose every option some party's red line forbids, and why."""
    return [
        {"issue": scenario.issues[j], "why": no_option_left(scenario, j)}
        for j, choice in enumerate(package)
        if choice is None and not scenario.allowed(j).any()
    ]


def _line_json(scenario: Scenario, line: RedLine, option: int) -> dict[str, str]:
    return {
        "party": line.party,
        "issue": scenario.issues[line.issue],
        "option": scenario.options[line.issue][option],
        "reason": line.reason,
        "source": line.source,
    }


def evaluate_package(
    scenario: Scenario, package: Package, name: str = "", rule: OpenIssueRule = "mean"
) -> dict[str, Any]:
    """Each party's utility, red lines crossed, and standing against its alternative."""
    mean, low, high = utility_range(scenario, package, rule)
    crossed = scenario.crossed(package)
    parties: dict[str, Any] = {}
    for p, party in enumerate(scenario.parties):
        alt = float(scenario.alternatives[p])
        own = [
            _line_json(scenario, c, int(package[c.issue] or 0)) for c in crossed if c.party == party
        ]
        standing = "above" if low[p] > alt else "below" if high[p] <= alt else "depends"
        parties[party] = {
            "utility": round(float(mean[p]), 6),
            "utility_range": [round(float(low[p]), 6), round(float(high[p]), 6)],
            "alternative": round(alt, 6),
            "versus_alternative": standing,
            "red_lines_crossed": own,
            "accepts": not own and bool(mean[p] > alt),
        }
    blocked = blocked_open_issues(scenario, package)
    return {
        "plan": name,
        "package": scenario.describe(package),
        "open_issues": [i for i, c in zip(scenario.issues, package, strict=True) if c is None],
        # open issues no completion can settle without crossing a red line
        "blocked_open_issues": blocked,
        "parties": parties,
        "all_accept": not blocked and all(v["accepts"] for v in parties.values()),
    }


def explain_empty(scenario: Scenario) -> str:
    """Why no package respects every red line and beats every alternative."""
    for j, issue in enumerate(scenario.issues):
        if not scenario.allowed(j).any():
            lines = [
                f"{ln.party} ({ln.reason}; {ln.source})"
                for ln in scenario.red_lines
                if ln.issue == j
            ]
            return f"the red lines on issue '{issue}' together forbid every option: " + "; ".join(
                lines
            )
    reasons = []
    best = pareto_set(scenario, beat_alternatives=False).utilities.max(axis=0)
    for p, party in enumerate(scenario.parties):
        if best[p] <= scenario.alternatives[p]:
            reasons.append(
                f"{party} cannot beat its alternative ({scenario.alternatives[p]:.3f}) with any "
                f"package that respects the red lines (best {best[p]:.3f})"
            )
    if reasons:
        return "; ".join(reasons)
    for a in range(len(scenario.parties)):
        for b in range(a + 1, len(scenario.parties)):
            pair = scenario.for_parties([a, b])
            if len(pareto_set(pair)) == 0:
                reasons.append(
                    f"{scenario.parties[a]} and {scenario.parties[b]} "
                    "cannot both beat their alternatives"
                )
    blockers = [
        party
        for party in sorted({ln.party for ln in scenario.red_lines})
        if len(pareto_set(replace(scenario, red_lines=_without(scenario, party)))) > 0
    ]
    text = "; ".join(reasons) or "no package beats every party's alternative at once"
    if blockers:
        text += "; dropping the red lines of " + " or ".join(blockers) + " would open a zone"
    return text


def _without(scenario: Scenario, party: str) -> tuple[RedLine, ...]:
    return tuple(ln for ln in scenario.red_lines if ln.party != party)


def require_zone(scenario: Scenario) -> None:
    """Raise EmptyZoneError, with the reason, when the zone of agreement is empty."""
    if len(pareto_set(scenario)) == 0:
        raise EmptyZoneError("the zone of possible agreement is empty: " + explain_empty(scenario))
