"""Per-plan evaluation, and why a zone of agreement is empty when it is.

An issue a plan leaves open is valued at the mean of the options no red line
forbids, with the best and worst of them as a range: the plan's fate on that
issue is still to be negotiated.
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
            table = table[:, scenario.allowed(j)]
            mean, low, high = mean + table.mean(1), low + table.min(1), high + table.max(1)
        else:
            col = table[:, choice]
            mean, low, high = mean + col, low + col, high + col
    return mean, low, high


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
    return {
        "plan": name,
        "package": scenario.describe(package),
        "open_issues": [i for i, c in zip(scenario.issues, package, strict=True) if c is None],
        "parties": parties,
        "all_accept": all(v["accepts"] for v in parties.values()),
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
