"""Bridging: the fewest changes to a plan that make it acceptable to every party.

Solved with OR-Tools CP-SAT: one Boolean per option, exactly one per issue,
red-line options fixed off, the domain's cross-issue constraints as "not both",
locked issues held at the plan's option, and each party's utility above its
alternative as a linear constraint on integer-scaled utilities (with a rounding
margin, and every answer rechecked in floating point). Issues the plan leaves
open are filled freely and do not count as changes. Alternatives are ranked by
the number of changes, then by the smallest gain over any party's alternative.

Fewer bridges than asked for is not self-explanatory, so `bridge_report` also
sorts every change set up to the size searched by the first thing that rules it
out (a locked issue, a red line, a constraint, being a bridge plus more, or
falling below an alternative) and says whether the solver proved there are no
others.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from accord.negotiate.scenario import Package, Scenario

_SCALE = 1_000_000  # utilities in millionths
_MAX_COUNTED = 20_000  # change sets the accounting sorts at most
_SEARCHED_WITHOUT_BRIDGES = 2  # change sizes the accounting covers when nothing was found


@dataclass(frozen=True)
class Lock:
    """A settled issue bridging must leave at the plan's option, and why."""

    issue: int
    reason: str
    source: str = ""


@dataclass(frozen=True)
class _Found:
    package: tuple[int, ...]
    changed: tuple[int, ...]


class _Feasibility:
    """The constraints every acceptable package meets: one option per issue, no red-line
    option, no excluded pair, every party's integer utility above its alternative."""

    def __init__(self, scenario: Scenario) -> None:
        n_issues = len(scenario.issues)
        self.model = cp_model.CpModel()
        self.x = [
            [self.model.new_bool_var(f"x{j}_{o}") for o in range(len(opts))]
            for j, opts in enumerate(scenario.options)
        ]
        for j, row in enumerate(self.x):
            self.model.add_exactly_one(row)
            for o in np.flatnonzero(~scenario.allowed(j)):
                self.model.add(row[int(o)] == 0)
        for exclusion in scenario.exclusions:
            (a, oa), (b, ob) = exclusion.first, exclusion.second
            self.model.add_bool_or([self.x[a][oa].Not(), self.x[b][ob].Not()])
        self.gains = []
        for p in range(len(scenario.parties)):
            utility = sum(
                round(scenario.tables[j][p, o] * _SCALE) * self.x[j][o]
                for j in range(n_issues)
                for o in range(len(self.x[j]))
            )
            floor = int(np.ceil(scenario.alternatives[p] * _SCALE)) + n_issues + 1
            self.model.add(utility >= floor)
            self.gains.append(utility - floor)

    def solve(self, model: cp_model.CpModel | None = None) -> tuple[tuple[int, ...] | None, str]:
        """A package and the solver's verdict: 'found', 'infeasible' or 'time limit'."""
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = 10.0
        status = solver.solve(model or self.model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            package = tuple(next(o for o, v in enumerate(row) if solver.value(v)) for row in self.x)
            return package, "found"
        return None, "infeasible" if status == cp_model.INFEASIBLE else "time limit"


def bridge(
    scenario: Scenario,
    plan: Package,
    top: int = 5,
    max_changes: int | None = None,
    locks: Sequence[Lock] = (),
) -> list[dict[str, Any]]:
    """Up to `top` ways to make the plan acceptable to all, fewest changes first."""
    found, _ = _search(scenario, plan, top, max_changes, locks)
    return _ranked(scenario, plan, found)


def bridge_report(
    scenario: Scenario,
    plan: Package,
    top: int = 5,
    max_changes: int | None = None,
    locks: Sequence[Lock] = (),
) -> dict[str, Any]:
    """The bridges, the locks they respect, and an account of the change sets not returned."""
    found, stop = _search(scenario, plan, top, max_changes, locks)
    bridges = _ranked(scenario, plan, found)
    accounting = account(scenario, plan, found, locks, max_changes)
    out: dict[str, Any] = {
        "bridges": bridges,
        "locked": [
            {"issue": scenario.issues[lock.issue], "reason": lock.reason, "source": lock.source}
            for lock in locks
        ],
        "search": _STOPS[stop],
        "accounting": accounting,
    }
    if stop == "plan acceptable":
        out["why_fewer"] = f"asked for {top}, found 1: {_STOPS[stop]}"
    elif len(bridges) < top:
        out["why_fewer"] = _why_fewer(len(bridges), top, accounting, _STOPS[stop])
    return out


_STOPS = {
    "top": "stopped once it had as many bridges as asked for",
    "plan acceptable": "the plan as it stands is acceptable to every party: no change is needed",
    "infeasible": "the solver proved that no other change set allowed, of any size, makes the plan"
    " acceptable, except by adding changes to a bridge returned",
    "time limit": "the solver hit its time limit, so more bridges may exist",
}


def _search(
    scenario: Scenario,
    plan: Package,
    top: int,
    max_changes: int | None,
    locks: Sequence[Lock],
) -> tuple[list[_Found], str]:
    base = _Feasibility(scenario)
    model, x = base.model.clone(), base.x
    for lock in locks:
        choice = plan[lock.issue]
        if choice is None:
            raise ValueError(f"issue '{scenario.issues[lock.issue]}' is open in the plan")
        model.add(x[lock.issue][choice] == 1)
    settled = {j: c for j, c in enumerate(plan) if c is not None}
    changes = len(settled) - cp_model.LinearExpr.sum([x[j][c] for j, c in settled.items()])
    if max_changes is not None:
        model.add(changes <= max_changes)
    model.minimize(changes)
    found: list[_Found] = []
    stop = "top"
    while len(found) < top:
        package, stop = base.solve(model)
        if package is None:
            break
        changed = tuple(j for j in settled if package[j] != plan[j])
        # best fill of the open issues for this set of changes: largest smallest gain
        fill = model.clone()
        fill.clear_objective()
        for j in settled:
            fill.add(x[j][package[j]] == 1)
        min_gain = fill.new_int_var(0, len(scenario.issues) * _SCALE, "min_gain")
        for g in base.gains:
            fill.add(min_gain <= g)
        fill.maximize(min_gain)
        package = base.solve(fill)[0] or package
        u = scenario.utilities(package)
        if np.all(u > scenario.alternatives) and not scenario.crossed(package):
            found.append(_Found(package, changed))
        if not changed:
            stop = "plan acceptable"
            break
        # next answer: not this set of changes, whatever the fill
        model.add(sum(x[j][package[j]] for j in changed) <= len(changed) - 1)
    return found, "top" if stop == "found" else stop


def _ranked(scenario: Scenario, plan: Package, found: list[_Found]) -> list[dict[str, Any]]:
    answers = [_answer(scenario, plan, f) for f in found]
    return sorted(answers, key=lambda a: (len(a["changes"]), -a["smallest_gain"]))


def _answer(scenario: Scenario, plan: Package, found: _Found) -> dict[str, Any]:
    package = found.package
    u = scenario.utilities(package)
    return {
        "changes": [
            {
                "issue": scenario.issues[j],
                "from": scenario.options[j][plan[j] or 0],
                "to": scenario.options[j][package[j]],
            }
            for j in found.changed
        ],
        "filled": {
            scenario.issues[j]: scenario.options[j][package[j]]
            for j in range(len(plan))
            if plan[j] is None
        },
        "package": scenario.describe(package),
        "utilities": dict(zip(scenario.parties, (round(float(v), 6) for v in u), strict=True)),
        "smallest_gain": round(float(np.min(u - scenario.alternatives)), 6),
    }


def _change_sets(scenario: Scenario, plan: Package, up_to: int) -> itertools.chain[dict[int, int]]:
    """Every choice of other options for up to `up_to` of the plan's settled issues."""
    settled = [j for j, c in enumerate(plan) if c is not None]

    def of_size(k: int) -> Any:
        for issues in itertools.combinations(settled, k):
            others = [[o for o in range(len(scenario.options[j])) if o != plan[j]] for j in issues]
            for options in itertools.product(*others):
                yield dict(zip(issues, options, strict=True))

    return itertools.chain.from_iterable(of_size(k) for k in range(up_to + 1))


def _count(scenario: Scenario, plan: Package, up_to: int) -> int:
    sizes = [len(scenario.options[j]) - 1 for j, c in enumerate(plan) if c is not None]
    return sum(
        math.prod(combo) for k in range(up_to + 1) for combo in itertools.combinations(sizes, k)
    )


def account(
    scenario: Scenario,
    plan: Package,
    found: Sequence[_Found],
    locks: Sequence[Lock],
    max_changes: int | None = None,
) -> dict[str, Any]:
    """Every change set of up to the searched size, each counted under the first of:
    touches a locked issue, crosses a red line, breaks a constraint, is a returned bridge,
    adds changes to a returned bridge, falls below an alternative (no fill of the open
    issues lifts every party above it), or is acceptable but was not returned."""
    settled = [j for j, c in enumerate(plan) if c is not None]
    sizes = [len(f.changed) for f in found]
    up_to = min(
        len(settled),
        max_changes if max_changes is not None else max(sizes, default=_SEARCHED_WITHOUT_BRIDGES),
    )
    while up_to > 0 and _count(scenario, plan, up_to) > _MAX_COUNTED:
        up_to -= 1
    locked = {lock.issue for lock in locks}
    bridges = [{j: f.package[j] for j in f.changed} for f in found]
    fill = _Feasibility(scenario)
    best_open = sum(
        (scenario.tables[j][:, scenario.allowed(j)].max(axis=1))
        for j, c in enumerate(plan)
        if c is None
    ) + np.zeros(len(scenario.parties))
    counts: Counter[str] = Counter()
    lines: Counter[tuple[str, str, str]] = Counter()
    breaks: Counter[tuple[str, str]] = Counter()
    for changes in _change_sets(scenario, plan, up_to):
        package = tuple(changes.get(j, c) for j, c in enumerate(plan))
        crossed = scenario.crossed(package)
        excluded = scenario.excluded(package)
        if locked & set(changes):
            counts["touch_a_locked_issue"] += 1
        elif crossed:
            counts["cross_a_red_line"] += 1
            line = crossed[0]
            option = scenario.options[line.issue][package[line.issue] or 0]
            lines[(line.party, scenario.issues[line.issue], option)] += 1
        elif excluded:
            counts["break_a_constraint"] += 1
            (a, oa), (b, ob) = excluded[0].first, excluded[0].second
            breaks[
                (
                    f"{scenario.issues[a]}={scenario.options[a][oa]}",
                    f"{scenario.issues[b]}={scenario.options[b][ob]}",
                )
            ] += 1
        elif changes in bridges:
            counts["returned"] += 1
        elif any(changes.items() >= b.items() for b in bridges):
            counts["add_to_a_bridge"] += 1
        elif not _can_fill(scenario, fill, package, best_open, settled):
            counts["fall_below_an_alternative"] += 1
        else:
            counts["acceptable_not_returned"] += 1
    return {
        "up_to_changes": up_to,
        "candidates": sum(counts.values()),
        **{
            key: counts[key]
            for key in (
                "returned",
                "touch_a_locked_issue",
                "cross_a_red_line",
                "break_a_constraint",
                "add_to_a_bridge",
                "fall_below_an_alternative",
                "acceptable_not_returned",
            )
        },
        "red_lines": [
            {"party": p, "issue": i, "option": o, "candidates": n}
            for (p, i, o), n in lines.most_common()
        ],
        "constraints": [
            {"options": list(pair), "candidates": n} for pair, n in breaks.most_common()
        ],
    }


def _can_fill(
    scenario: Scenario,
    fill: _Feasibility,
    package: Package,
    best_open: Any,
    settled: list[int],
) -> bool:
    """Whether some fill of the open issues lifts every party above its alternative."""
    settled_utility = sum(scenario.tables[j][:, package[j]] for j in settled) + np.zeros(
        len(scenario.parties)
    )
    if np.any(settled_utility + best_open <= scenario.alternatives):
        return False  # not even each party's best fill, taken alone, is enough
    fill.model.clear_assumptions()
    fill.model.add_assumptions([fill.x[j][package[j]] for j in settled])  # type: ignore[index]
    return fill.solve()[0] is not None


def _why_fewer(returned: int, top: int, accounting: dict[str, Any], search: str) -> str:
    parts = [
        f"{accounting[key]} {label}"
        for key, label in (
            ("touch_a_locked_issue", "touch a locked issue"),
            ("cross_a_red_line", "cross a red line"),
            ("break_a_constraint", "break a cross-issue constraint"),
            ("add_to_a_bridge", "add changes to a bridge returned"),
            ("fall_below_an_alternative", "leave some party at or below its alternative"),
            ("acceptable_not_returned", "are acceptable but were not returned"),
        )
        if accounting[key]
    ]
    lines = "; ".join(
        f"{r['party']}'s on {r['issue']}={r['option']} ({r['candidates']})"
        for r in accounting["red_lines"][:3]
    )
    return (
        f"asked for {top}, found {returned}. Of the {accounting['candidates']} change sets of"
        f" up to {accounting['up_to_changes']} change(s), {accounting['returned']} are the"
        f" bridges returned"
        + (f", {', '.join(parts)}" if parts else "")
        + "."
        + (f" Red lines crossed most: {lines}." if lines else "")
        + f" Search: {search}."
    )
