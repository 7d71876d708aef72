"""One entry point that loads the files and the plans and runs every analysis.

The CLI and the report both call these functions, so a number printed by one
is the number the other shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from accord.agreement import SourceMap
from accord.negotiate.bridging import bridge
from accord.negotiate.durability import durability, load_mechanisms
from accord.negotiate.evaluate import evaluate_package, explain_empty
from accord.negotiate.files import Preferences, load_preferences
from accord.negotiate.mapping import MappedPlan, plan_package
from accord.negotiate.pareto import Frontier, pareto_set
from accord.negotiate.ratification import load_rules, ratify
from accord.negotiate.scenario import Package, Scenario
from accord.negotiate.sensitivity import analyse
from accord.negotiate.solutions import solve
from accord.plans import load_plan, plan_ids, plan_path


@dataclass(frozen=True)
class Setting:
    """The preferences, the point-estimate scenario and the plans' packages."""

    prefs: Preferences
    scenario: Scenario
    plans: dict[str, Package]
    mapped: dict[str, MappedPlan]

    @classmethod
    def load(
        cls,
        plans: list[str] | None = None,
        party_files: list[str | Path] | None = None,
        domain_file: str | Path | None = None,
    ) -> Setting:
        prefs = load_preferences(party_files, domain_file)
        mapped = [
            plan_package(load_plan(p), prefs.domain, SourceMap.read(plan_path(p)))
            for p in (plans or plan_ids())
        ]
        return cls(
            prefs,
            prefs.scenario(),
            {m.plan: m.package for m in mapped},
            {m.plan: m for m in mapped},
        )


def domain_json(setting: Setting) -> dict[str, Any]:
    s = setting.scenario
    return {
        "issues": [
            {"issue": i.id, "title": i.title, "area": i.area, "options": [o.id for o in i.options]}
            for i in setting.prefs.domain.issues
        ],
        "parties": {p: s.party_names.get(p, p) for p in s.parties},
        "packages": s.size,
        "plans": {name: s.describe(pkg) for name, pkg in setting.plans.items()},
    }


def evaluate_json(setting: Setting) -> list[dict[str, Any]]:
    """Each plan's evaluation, with the term -> issue -> option table behind its package."""
    return [
        evaluate_package(setting.scenario, pkg, name) | {"terms": setting.mapped[name].table()}
        for name, pkg in setting.plans.items()
    ]


def explain_text(setting: Setting) -> str:
    """Term -> issue -> option for every term of every plan, as plain lines."""
    out: list[str] = []
    for name, mapped in setting.mapped.items():
        out.append(f"{name} ({len(mapped.terms)} terms)")
        for row in mapped.table():
            where = f"  {row['term']} (line {row['line']})"
            if row["issue"] is None:
                out.append(f"{where}: outside the negotiation domain: {row['outcome']}")
            else:
                note = "" if row["outcome"] == "counts" else f"; {row['outcome']}"
                out.append(f"{where} -> {row['issue']} -> {row['option']} [{row['rule']}{note}]")
    return "\n".join(out)


def pareto_json(setting: Setting, limit: int = 50) -> dict[str, Any]:
    front = pareto_set(setting.scenario)
    out: dict[str, Any] = {"packages_in_space": setting.scenario.size, "pareto_size": len(front)}
    if len(front) == 0:
        out["why_empty"] = explain_empty(setting.scenario)
    out["pareto"] = [_row(setting.scenario, front, i) for i in range(min(limit, len(front)))]
    return out


def _row(scenario: Scenario, front: Frontier, i: int) -> dict[str, Any]:
    return {
        "utilities": dict(zip(scenario.parties, map(float, front.utilities[i]), strict=True)),
        "package": scenario.describe(tuple(map(int, front.packages[i]))),
    }


def solutions_json(setting: Setting, ks: str = "zone") -> dict[str, Any]:
    found = solve(setting.scenario, ks=ks)
    if not found:
        return {"solutions": {}, "why_empty": explain_empty(setting.scenario)}
    return {"solutions": {k: v.to_json(setting.scenario) for k, v in found.items()}}


def bridge_json(setting: Setting, plan: str, top: int = 5) -> dict[str, Any]:
    return {"plan": plan, "bridges": bridge(setting.scenario, setting.plans[plan], top=top)}


def ratify_json(setting: Setting) -> dict[str, Any]:
    rules = load_rules(setting.prefs.domain)
    return {n: ratify(rules, setting.prefs.domain, p) for n, p in setting.plans.items()}


def durability_json(setting: Setting) -> dict[str, Any]:
    spec = load_mechanisms(setting.prefs.domain)
    return {
        n: durability(spec, setting.prefs.domain, p, setting.scenario, plan=n)
        for n, p in setting.plans.items()
    }


def sensitivity_json(
    setting: Setting, draws: int = 1000, seed: int = 0, show_progress: bool = False
) -> dict[str, Any]:
    return analyse(setting.prefs, setting.plans, n=draws, seed=seed, show_progress=show_progress)


def summary(setting: Setting, draws: int = 200, seed: int = 0) -> dict[str, Any]:
    """Everything the report shows, as data (for other reports to include)."""
    return {
        "domain": domain_json(setting),
        "plans": evaluate_json(setting),
        "pareto": pareto_json(setting, limit=0) | {"pareto": []},
        "solutions": solutions_json(setting),
        "ratification": ratify_json(setting),
        "durability": durability_json(setting),
        "sensitivity": sensitivity_json(setting, draws=draws, seed=seed),
    }
