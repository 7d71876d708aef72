"""Where each party's acceptance of a plan flips: the value of continued war it takes.

A party accepts a plan when the plan's utility to it is above its value of
continued war and the plan crosses none of its red lines, so the flip point is
the plan's utility itself: a negotiator can read off how far the party's view
of the war must move, and set that beside the party's range under each
battlefield outlook. At the middle figures every red line holds and open issues
take the mean allowed option; the spread across the Monte Carlo draws (all the
figures, red lines, open-issue rules and stances varied) shows how firm the
point is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from accord.negotiate.evaluate import OPEN_ISSUE_RULES as RULES
from accord.negotiate.evaluate import utility_range
from accord.negotiate.files import Preferences
from accord.negotiate.readings import Readings
from accord.negotiate.scenario import Package, Scenario
from accord.negotiate.sensitivity import draw, plan_utilities


def middle_utilities(scenario: Scenario, package: Package) -> dict[str, np.ndarray]:
    """Each party's utility at the middle figures under each open-issue rule (worst, mean,
    best: `evaluate.utility_range`); NaN when the red lines forbid every option of an issue
    the plan leaves open, where no value of continued war makes the plan acceptable."""
    if any(c is None and not scenario.allowed(j).any() for j, c in enumerate(package)):
        blocked = np.full(len(scenario.parties), np.nan)  # no completion all could accept
        return {"worst": blocked, "mean": blocked, "best": blocked}
    mean, worst, best = utility_range(scenario, package)
    return {"worst": worst, "mean": mean, "best": best}


def flip_points(
    prefs: Preferences,
    plans: Mapping[str, Package],
    n: int = 1000,
    seed: int = 0,
    readings: Readings | None = None,
) -> dict[str, Any]:
    """Per plan and party: the flip point, its spread across draws and the party's alternative."""
    readings = readings or Readings.load(prefs)
    scenario = prefs.scenario()
    draws = draw(prefs, n, seed, readings)
    by_outlook_lo, by_outlook_hi = readings.alternatives(prefs)
    out: dict[str, Any] = {"draws": n, "seed": seed, "plans": {}}
    for name, package in plans.items():
        middle = middle_utilities(scenario, package)
        drawn = plan_utilities(prefs, draws, package)
        rows = {}
        for p, party in enumerate(scenario.parties):
            lines = [
                {
                    "issue": scenario.issues[ln.issue],
                    "option": scenario.options[ln.issue][package[ln.issue] or 0],
                    "held": ln.held,
                    "reason": ln.reason,
                    "source": ln.source,
                }
                for ln in scenario.crossed(package)
                if ln.party == party
            ]
            point = float(middle["mean"][p])
            spread = drawn[:, p][np.isfinite(drawn[:, p])]
            alternative = float(scenario.alternatives[p])
            outlooks = {
                o.id: _versus(point, float(by_outlook_lo[k, p]), float(by_outlook_hi[k, p]))
                for k, o in enumerate(readings.outlooks)
            }
            rows[party] = {
                "flip_point": None if np.isnan(point) else round(point, 6),
                "by_open_issue_rule": {
                    r: None if np.isnan(middle[r][p]) else round(float(middle[r][p]), 6)
                    for r in RULES
                },
                "across_draws": _spread(spread, n),
                "alternative": round(alternative, 6),
                "alternative_range": [
                    float(prefs.alternative_lo[p]),
                    float(prefs.alternative_hi[p]),
                ],
                "margin": None if np.isnan(point) else round(point - alternative, 6),
                "by_outlook": outlooks,
                "red_lines_crossed": lines,
                "accepts_at_middle": not lines and bool(point > alternative),
            }
        out["plans"][name] = rows
    return out


def _versus(point: float, low: float, high: float) -> dict[str, Any]:
    """A party's range of the value of continued war under one outlook, against the flip point."""
    if np.isnan(point):
        where = "no flip point"
    else:
        where = "below" if high < point else "above" if low >= point else "straddles"
    return {"alternative_range": [low, high], "versus_flip_point": where}


def _spread(values: np.ndarray, n: int) -> dict[str, Any]:
    if not len(values):
        return {"draws": 0}
    low, p5, p95, high = np.quantile(values, [0, 0.05, 0.95, 1])
    return {
        "draws": len(values),
        "range": [round(float(low), 6), round(float(high), 6)],
        "central_90": [round(float(p5), 6), round(float(p95), 6)],
        "draws_without_option": n - len(values),
    }


def flip_text(result: Mapping[str, Any]) -> str:
    """The flip points as plain lines, one per plan and party."""
    out = [
        f"Flip points: the value of continued war at which each party's answer changes "
        f"({result['draws']} draws for the spread)"
    ]
    for plan, rows in result["plans"].items():
        out.append(plan)
        for party, r in rows.items():
            out.append(f"  {party}: {_line(r)}")
    return "\n".join(out)


_ANSWER = {"below": "accepts", "above": "rejects", "straddles": "either"}


def _line(r: Mapping[str, Any]) -> str:
    crossed = "; ".join(
        f"{c['issue']}={c['option']} (held {c['held']:.2f})" for c in r["red_lines_crossed"]
    )
    if any(c["held"] >= 1 for c in r["red_lines_crossed"]):
        return f"rejects whatever continued war is worth: crosses its red line on {crossed}"
    if r["flip_point"] is None:
        return "no flip point: the red lines forbid every option of an issue the plan leaves open"
    spread, rules = r["across_draws"], r["by_open_issue_rule"]
    low, high = r["alternative_range"]
    text = (
        f"accepts while continued war is worth less than {r['flip_point']:.3f} to it "
        f"({spread['central_90'][0]:.3f}-{spread['central_90'][1]:.3f} in 90% of draws; open "
        f"issues at worst {rules['worst']:.3f}, at best {rules['best']:.3f}); it is worth "
        f"{r['alternative']:.3f} ({low:.3f}-{high:.3f}), "
        f"{abs(r['margin']):.3f} {'below' if r['margin'] > 0 else 'above'} the flip point"
    )
    if crossed:
        text = f"rejects while its red line on {crossed} holds; if it gives, {text}"
    sides = {o: _ANSWER[v["versus_flip_point"]] for o, v in r["by_outlook"].items()}
    if len(set(sides.values())) > 1:
        text += "; by outlook it " + ", ".join(f"{a} ({o})" for o, a in sides.items())
    return text
