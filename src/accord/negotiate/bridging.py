"""Bridging: the fewest changes to a plan that make it acceptable to every party.

Solved with OR-Tools CP-SAT: one Boolean per option, exactly one per issue,
red-line options fixed off, and each party's utility above its alternative as a
linear constraint on integer-scaled utilities (with a rounding margin, and every
answer rechecked in floating point). Issues the plan leaves open are filled
freely and do not count as changes. Alternatives are ranked by the number of
changes, then by the smallest gain over any party's alternative.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from accord.negotiate.scenario import Package, Scenario

_SCALE = 1_000_000  # utilities in millionths


def bridge(
    scenario: Scenario, plan: Package, top: int = 5, max_changes: int | None = None
) -> list[dict[str, Any]]:
    """Up to `top` ways to make the plan acceptable to all, fewest changes first."""
    n_parties, n_issues = len(scenario.parties), len(scenario.issues)
    model = cp_model.CpModel()
    x = [
        [model.new_bool_var(f"x{j}_{o}") for o in range(len(opts))]
        for j, opts in enumerate(scenario.options)
    ]
    for j, row in enumerate(x):
        model.add_exactly_one(row)
        for o in np.flatnonzero(~scenario.allowed(j)):
            model.add(row[int(o)] == 0)
    gains = []
    for p in range(n_parties):
        utility = sum(
            round(scenario.tables[j][p, o] * _SCALE) * x[j][o]
            for j in range(n_issues)
            for o in range(len(x[j]))
        )
        floor = int(np.ceil(scenario.alternatives[p] * _SCALE)) + n_issues + 1
        model.add(utility >= floor)
        gains.append(utility - floor)
    settled = {j: c for j, c in enumerate(plan) if c is not None}
    fixed = list(settled)
    changes = len(settled) - cp_model.LinearExpr.sum([x[j][c] for j, c in settled.items()])
    if max_changes is not None:
        model.add(changes <= max_changes)
    model.minimize(changes)
    found: list[dict[str, Any]] = []
    while len(found) < top:
        package = _solve(model, x)
        if package is None:
            break
        changed = [j for j in fixed if package[j] != plan[j]]
        # best fill of the open issues for this set of changes: largest smallest gain
        fill = model.clone()
        fill.clear_objective()
        for j in fixed:
            fill.add(x[j][package[j]] == 1)
        min_gain = fill.new_int_var(0, n_issues * _SCALE, "min_gain")
        for g in gains:
            fill.add(min_gain <= g)
        fill.maximize(min_gain)
        package = _solve(fill, x) or package
        u = scenario.utilities(package)
        if np.all(u > scenario.alternatives) and not scenario.crossed(package):
            found.append(_answer(scenario, plan, package, changed, u))
        if not changed:
            break
        # next answer: not this set of changes, whatever the fill
        model.add(sum(x[j][package[j]] for j in changed) <= len(changed) - 1)
    return sorted(found, key=lambda a: (len(a["changes"]), -a["smallest_gain"]))


def _solve(model: cp_model.CpModel, x: list[list[cp_model.IntVar]]) -> tuple[int, ...] | None:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10.0
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return tuple(next(o for o, v in enumerate(row) if solver.value(v)) for row in x)


def _answer(
    scenario: Scenario, plan: Package, package: tuple[int, ...], changed: list[int], u: Any
) -> dict[str, Any]:
    return {
        "changes": [
            {
                "issue": scenario.issues[j],
                "from": scenario.options[j][plan[j] or 0],
                "to": scenario.options[j][package[j]],
            }
            for j in changed
        ],
        "filled": {
            scenario.issues[j]: scenario.options[j][package[j]]
            for j in range(len(plan))
            if plan[j] is None
        },
        "utilities": dict(zip(scenario.parties, (round(float(v), 6) for v in u), strict=True)),
        "smallest_gain": round(float(np.min(u - scenario.alternatives)), 6),
    }
