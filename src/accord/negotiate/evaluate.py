"""Per-plan evaluation, and why a zone of agreement is empty when it is.

An issue a plan leaves open is valued at the mean of the options no red line
forbids, with the best and worst of them as a range: the plan's fate on that
issue is still to be negotiated. Where the red lines together forbid every option
of an open issue, each party values it over the options its own red lines allow,
and the plan is reported as blocked there (no completion is acceptable to all).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from accord.negotiate.pareto import pareto_set
from accord.negotiate.scenario import Package, RedLine, Scenario


class EmptyZoneError(ValueError):
    """No package respects every red line and beats every alternative."""


def utility_range(
    scenario: Scenario, package: Package
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Expected, lowest and highest utility per party; open issues over their allowed options."""
    n = len(scenario.parties)
    mean, low, high = np.zeros(n), np.zeros(n), np.zeros(n)
    for j, choice in enumerate(package):
        table = scenario.tables[j]
        if choice is None:
            if scenario.allowed(j).any():
                table = table[:, scenario.allowed(j)]
                mean, low, high = mean + table.mean(1), low + table.min(1), high + table.max(1)
                continue
            # no option every party allows: each party holds out for what its own lines allow
            for p, party in enumerate(scenario.parties):
                own = table[p, _own_allowed(scenario, party, j)]
                mean[p], low[p], high[p] = (
                    mean[p] + own.mean(),
                    low[p] + own.min(),
                    high[p] + own.max(),
                )
        else:
            col = table[:, choice]
            mean, low, high = mean + col, low + col, high + col
    return mean, low, high


def _own_allowed(scenario: Scenario, party: str, issue: int) -> NDArray[np.bool_]:
    mask = np.ones(len(scenario.options[issue]), dtype=bool)
    for line in scenario.red_lines:
        if line.party == party and line.issue == issue:
            mask[list(line.forbidden)] = False
    return mask


def blocked_open_issues(scenario: Scenario, package: Package) -> list[dict[str, Any]]:
    """Open issues whose every option some party's red line forbids, with those red lines."""
    return [
        {
            "issue": scenario.issues[j],
            "red_lines": [
                f"{ln.party}: {ln.reason} ({ln.source})"
                for ln in scenario.red_lines
                if ln.issue == j
            ],
        }
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


def evaluate_package(scenario: Scenario, package: Package, name: str = "") -> dict[str, Any]:
    """Each party's utility, red lines crossed, and standing against its alternative."""
    mean, low, high = utility_range(scenario, package)
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
            pair = _subset(scenario, [a, b])
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


def _subset(scenario: Scenario, keep: list[int]) -> Scenario:
    return replace(
        scenario,
        parties=tuple(scenario.parties[k] for k in keep),
        tables=tuple(t[keep] for t in scenario.tables),
        alternatives=scenario.alternatives[keep],
    )


def require_zone(scenario: Scenario) -> None:
    """Raise EmptyZoneError, with the reason, when the zone of agreement is empty."""
    if len(pareto_set(scenario)) == 0:
        raise EmptyZoneError("the zone of possible agreement is empty: " + explain_empty(scenario))
