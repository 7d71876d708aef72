"""Monte Carlo over everything the party models leave uncertain, with margins on every share.

Each draw takes every weight, option value and value of continued war uniformly
from its range (weights renormalised per party) and also: one battlefield
outlook shared by every party, whose value of continued war comes from its
range under that outlook (correlated, as on a real front, not independent);
whether each red line holds, with its `held` probability; the rule an open
issue is valued by (worst, mean or best allowed option); and, when a stances
file is given, one reading of each party. Plan acceptance is vectorised over
the draws; the Nash package needs the exact Pareto set of each draw, which the
issue-by-issue merge makes cheap enough to repeat.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray
from rich.progress import Progress
from scipy.optimize import linprog

from accord.negotiate.estimate import Estimate, brief, digits
from accord.negotiate.evaluate import OPEN_ISSUE_RULES as RULES
from accord.negotiate.evaluate import NoOptionLeftError, open_issue_value, open_value
from accord.negotiate.files import Preferences
from accord.negotiate.readings import Readings
from accord.negotiate.scenario import Package, Scenario
from accord.negotiate.solutions import nash_package


@dataclass(frozen=True)
class Draws:
    """Sampled readings: tables[j] is (draws, parties, options); the rest is per draw."""

    tables: tuple[NDArray[np.float64], ...]
    alternatives: NDArray[np.float64]  # (draws, parties)
    outlook: NDArray[np.int_]  # index into the readings' outlooks
    held: NDArray[np.bool_]  # (draws, red lines): whether each red line holds
    rule: NDArray[np.int_]  # index into RULES
    stance: NDArray[np.int_]  # (draws, parties): index into the stances, -1 for the party file's

    @property
    def n(self) -> int:
        """The number of draws."""
        return len(self.outlook)


def draw(prefs: Preferences, n: int, seed: int, readings: Readings) -> Draws:
    """n joint draws of every figure, outlook, red line, open-issue rule and stance."""
    rng = np.random.default_rng(seed)
    parties = len(prefs.parties)
    stance = np.full((n, parties), -1)
    for p in range(parties):
        own = [k for k, s in enumerate(readings.stances) if s.party == p]
        if own:
            shares = [readings.stances[k].probability for k in own]
            stance[:, p] = rng.choice([-1, *own], size=n, p=[max(0.0, 1 - sum(shares)), *shares])
    outlook = rng.choice(len(readings.outlooks), size=n, p=readings.probabilities)
    w_lo, w_hi = (np.repeat(w[None], n, axis=0) for w in (prefs.weight_lo, prefs.weight_hi))
    v_lo = [np.repeat(v[None], n, axis=0) for v in prefs.value_lo]
    v_hi = [np.repeat(v[None], n, axis=0) for v in prefs.value_hi]
    by_outlook_lo, by_outlook_hi = readings.alternatives(prefs)
    a_lo, a_hi = by_outlook_lo[outlook], by_outlook_hi[outlook]
    for k, s in enumerate(readings.stances):
        rows = stance[:, s.party] == k
        for j, (lo, hi) in s.weights.items():
            w_lo[rows, s.party, j], w_hi[rows, s.party, j] = lo, hi
        for (j, o), (lo, hi) in s.values.items():
            v_lo[j][rows, s.party, o], v_hi[j][rows, s.party, o] = lo, hi
        # an override for every outlook first, so one for a single outlook wins over it
        for where, (lo, hi) in sorted(s.alternatives.items(), key=lambda kv: kv[0] is not None):
            chosen = rows if where is None else rows & (outlook == where)
            a_lo[chosen, s.party], a_hi[chosen, s.party] = lo, hi
    weights = rng.uniform(w_lo, w_hi)
    weights /= weights.sum(axis=2, keepdims=True)
    tables = tuple(
        weights[:, :, j : j + 1] * rng.uniform(lo, hi)
        for j, (lo, hi) in enumerate(zip(v_lo, v_hi, strict=True))
    )
    alternatives = rng.uniform(a_lo, a_hi)
    held = rng.random((n, len(prefs.red_lines))) < np.array([ln.held for ln in prefs.red_lines])
    rule_ids = np.array([RULES.index(r) for r in readings.rules])
    rule = rule_ids[rng.integers(len(rule_ids), size=n)]
    return Draws(tables, alternatives, outlook, held, rule, stance)


def allowed(prefs: Preferences, draws: Draws, issue: int) -> NDArray[np.bool_]:
    """(draws, options): the options of an issue no red line that holds in the draw forbids."""
    mask = np.ones((draws.n, prefs.value_lo[issue].shape[1]), dtype=bool)
    for k, line in enumerate(prefs.red_lines):
        if line.issue == issue:
            mask[np.ix_(draws.held[:, k], np.array(sorted(line.forbidden)))] = False
    return mask


def plan_utilities(prefs: Preferences, draws: Draws, package: Package) -> NDArray[np.float64]:
    """(draws, parties) utility of a package, open issues by each draw's rule; NaN in draws
    where the red lines that hold forbid every option of an issue the package leaves open."""
    total = np.zeros(draws.alternatives.shape)
    for j, choice in enumerate(package):
        table = draws.tables[j]
        if choice is None:
            total = total + open_value(
                table, allowed(prefs, draws, j)[:, None], draws.rule[:, None]
            )
        else:
            total = total + table[:, :, choice]
    return total


def acceptance(
    prefs: Preferences, draws: Draws, package: Package, utilities: NDArray[np.float64]
) -> NDArray[np.bool_]:
    """(draws, parties): the package's utilities beat the party's alternative and it crosses
    none of the party's red lines that hold in the draw."""
    parties = [p.party for p in prefs.parties]
    blocked = np.zeros(draws.alternatives.shape, dtype=bool)
    for k, line in enumerate(prefs.red_lines):
        if package[line.issue] is not None and package[line.issue] in line.forbidden:
            blocked[:, parties.index(line.party)] |= draws.held[:, k]
    return (utilities > draws.alternatives) & ~blocked


def figure(hits: NDArray[np.bool_], draws: Draws, readings: Readings) -> dict[str, Any]:
    """A share of draws with its interval, its value under each outlook and each open-issue
    rule, and its range over every mix of outlook probabilities inside their ranges."""
    overall = _among(hits, np.ones(draws.n, dtype=bool))
    by_outlook = [_among(hits, draws.outlook == k) for k in range(len(readings.outlooks))]
    by_rule = {r: _among(hits, draws.rule == RULES.index(r)) for r in readings.rules}
    seen = [e for e in by_outlook if e.n]
    low, high = min(seen, key=lambda e: e.p), max(seen, key=lambda e: e.p)
    mix = outlook_mix(by_outlook, readings)
    return overall.to_json() | {
        "text": f"{overall.text()}; by outlook {low.brief()} to {high.brief()}",
        "by_outlook": {
            o.id: e.to_json() for o, e in zip(readings.outlooks, by_outlook, strict=True)
        },
        "by_open_issue_rule": {r: e.to_json() for r, e in by_rule.items()},
        "over_outlook_probabilities": mix,
    }


def _among(hits: NDArray[np.bool_], drawn: NDArray[np.bool_]) -> Estimate:
    return Estimate(int(hits[drawn].sum()), int(drawn.sum()))


def outlook_mix(by_outlook: list[Estimate], readings: Readings) -> dict[str, Any]:
    """Lowest and highest share when the outlooks' probabilities lie anywhere in their ranges
    (two linear programmes); each end's margin adds the outlooks' margins in quadrature."""
    bounds = [o.probability.range for o in readings.outlooks]
    margins = np.array([e.margin if e.n else 0.5 for e in by_outlook])
    ends = []
    for sign in (1, -1):
        # an outlook no draw took could be anything: worst case for each end
        shares = [e.p if e.n else (0.0 if sign == 1 else 1.0) for e in by_outlook]
        solved = linprog(
            sign * np.array(shares), A_eq=np.ones((1, len(shares))), b_eq=[1], bounds=bounds
        )
        value = float(np.dot(solved.x, shares))
        margin = float(np.linalg.norm(solved.x * margins))
        ends.append((value, max(0.0, value - margin), min(1.0, value + margin)))
    return {
        "range": [round(value, 6) for value, _, _ in ends],
        "intervals": [[round(a, 6), round(b, 6)] for _, a, b in ends],
        "text": " to ".join(brief(value, (low, high)) for value, low, high in ends),
    }


def analyse(
    prefs: Preferences,
    plans: Mapping[str, Package],
    n: int = 1000,
    seed: int = 0,
    nash: bool = True,
    show_progress: bool = False,
    readings: Readings | None = None,
) -> dict[str, Any]:
    """Acceptance per plan and party with margins, and how often the Nash package changes."""
    readings = readings or Readings.load(prefs)
    scenario = prefs.scenario()
    draws = draw(prefs, n, seed, readings)
    out: dict[str, Any] = {"draws": n, "seed": seed, **readings.to_json(draws.outlook), "plans": {}}
    for name, package in plans.items():
        utilities = plan_utilities(prefs, draws, package)
        accepts = acceptance(prefs, draws, package, utilities)
        out["plans"][name] = {
            "accept": {
                party: figure(accepts[:, p], draws, readings)
                for p, party in enumerate(scenario.parties)
            },
            "all_accept": figure(np.all(accepts, axis=1), draws, readings),
            "open_issue_without_option": Estimate(
                int(np.isnan(utilities[:, 0]).sum()), n
            ).to_json(),
        }
        if np.isnan(utilities[:, 0]).any():
            out["plans"][name]["open_issue_without_option_why"] = _no_option_left(
                scenario, package, name
            )
    if nash:
        out["nash"] = _nash(prefs, draws, show_progress)
    return out


def _no_option_left(scenario: Scenario, package: Package, plan: str) -> str:
    """Which red lines, all held, leave an issue the plan leaves open no option (the draws
    that reject for it are counted as rejections, and this says why)."""
    for j, choice in enumerate(package):
        if choice is None:
            try:
                open_issue_value(scenario, j, plan=plan)
            except NoOptionLeftError as exc:
                return str(exc)
    return "in some draws the red lines that held forbid every option of an open issue"


def _nash(prefs: Preferences, draws: Draws, show_progress: bool) -> dict[str, Any]:
    """How often the Nash package of a draw differs from the one at the middle figures."""
    scenario = prefs.scenario()
    base = nash_package(scenario)
    counts: Counter[tuple[int, ...] | None] = Counter({base.package: 0} if base else {})
    with Progress(disable=not show_progress, transient=True) as progress:
        task = progress.add_task("Nash package per draw", total=draws.n)
        for d in range(draws.n):
            drawn = replace(
                scenario.with_tables([t[d] for t in draws.tables], draws.alternatives[d]),
                red_lines=tuple(
                    ln for ln, kept in zip(prefs.red_lines, draws.held[d], strict=True) if kept
                ),
            )
            found = nash_package(drawn, hints=[pkg for pkg, _ in counts.most_common(3) if pkg])
            counts[found.package if found else None] += 1
            progress.advance(task)
    same = counts[base.package] if base else counts[None]
    return {
        "baseline": scenario.describe(base.package) if base else None,
        "changed": Estimate(draws.n - same, draws.n).to_json(),
        "empty_zone": Estimate(counts[None], draws.n).to_json(),
        "distinct_packages": len(counts),
        "most_common": [
            {
                "package": scenario.describe(pkg) if pkg else None,
                "share": Estimate(c, draws.n).to_json(),
            }
            for pkg, c in counts.most_common(3)
        ],
    }


def headline(result: Mapping[str, Any], top: int = 3) -> str:
    """The plans most likely to be accepted by every party, each with its 95% interval and its
    lowest and highest value under one outlook, for a one-line summary."""
    ranked = sorted(result["plans"].items(), key=lambda kv: -kv[1]["all_accept"]["p"])
    shown = []
    for name, r in ranked[:top]:
        f = r["all_accept"]
        seen = [e for e in f["by_outlook"].values() if e["n"]]
        ends = (min(seen, key=lambda e: e["p"]), max(seen, key=lambda e: e["p"]))
        by_outlook = " to ".join(brief(e["p"], e["interval"]) for e in ends)
        shown.append(f"{name} {brief(f['p'], f['interval'])}, by outlook {by_outlook}")
    text = (
        f"chance that every party accepts (95% intervals, {result['draws']} draws): "
        + "; ".join(shown)
    )
    rest = ranked[top:]
    if rest:
        highest = max(r["all_accept"]["interval"][1] for _, r in rest)
        others = "the other plan" if len(rest) == 1 else f"the {len(rest)} other plans"
        text += f"; {others} at most {digits(highest)}"
    return text


def sensitivity_text(result: Mapping[str, Any]) -> str:
    """The acceptance figures as plain lines: each with its interval, per outlook and rule."""
    outlooks = ", ".join(
        f"{o['outlook']} {o['probability_range'][0]:g}-{o['probability_range'][1]:g}"
        f" ({o['probability_basis']})"
        for o in result["outlooks"]
    )
    out = [
        f"Acceptance over {result['draws']} draws (seed {result['seed']}), 95% Wilson intervals",
        f"outlooks (probability ranges): {outlooks}",
        f"open issues valued by: {', '.join(result['open_issue_rules'])}",
    ]
    out += [
        f"stance {s['stance']} of {s['party']}: {s['probability']:g}" for s in result["stances"]
    ]
    for plan, r in result["plans"].items():
        mix = r["all_accept"]["over_outlook_probabilities"]["text"]
        out.append(f"{plan}: all accept {r['all_accept']['text']}")
        out.append(f"  over the outlook probabilities' ranges: {mix}")
        for party, f in r["accept"].items():
            out.append(f"  {party}: {f['text']}")
            rules = ", ".join(f"{k} {v['text']}" for k, v in f["by_open_issue_rule"].items())
            out.append(f"    by open-issue rule: {rules}")
    if "nash" in result:
        out.append(
            f"Nash package differs from the middle figures' in {result['nash']['changed']['text']}"
        )
    return "\n".join(out)
