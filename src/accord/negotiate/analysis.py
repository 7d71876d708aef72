"""One entry point that loads the files and the plans and runs every analysis.

The CLI and the report both call these functions, so a number printed by one
is the number the other shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accord.agreement import Agreement, AgreementFileError, SourceMap
from accord.negotiate.backtest import backtest, load_events
from accord.negotiate.bridging import Lock, bridge_report
from accord.negotiate.durability import durability, load_mechanisms
from accord.negotiate.evaluate import evaluate_package, explain_empty
from accord.negotiate.files import Preferences, load_preferences
from accord.negotiate.flip import flip_points
from accord.negotiate.mapping import MappedPlan, plan_package
from accord.negotiate.pareto import Frontier, pareto_set
from accord.negotiate.ratification import load_rules, ratify, ratify_text
from accord.negotiate.readings import Readings
from accord.negotiate.scenario import Package, Scenario
from accord.negotiate.sensitivity import analyse
from accord.negotiate.solutions import solve
from accord.negotiate.terms import Proposals, package_terms, terms_text
from accord.plans import load_plan, plan_ids, plan_path


@dataclass(frozen=True)
class Setting:
    """The preferences, the point-estimate scenario and the plans' packages."""

    prefs: Preferences
    scenario: Scenario
    plans: dict[str, Package]
    mapped: dict[str, MappedPlan]
    agreements: dict[str, Agreement] = field(default_factory=dict)

    @classmethod
    def load(
        cls,
        plans: list[str] | None = None,
        party_files: list[str | Path] | None = None,
        domain_file: str | Path | None = None,
    ) -> Setting:
        """Load the preferences and the plans (every shipped plan unless named) and map each plan.
        Load the preferences and the plans (every shipped plan unless named) and map each plan."""
        prefs = load_preferences(party_files, domain_file)
        agreements = [load_plan(p) for p in (plans or plan_ids())]
        mapped = [
            plan_package(a, prefs.domain, SourceMap.read(plan_path(p)))
            for p, a in zip(plans or plan_ids(), agreements, strict=True)
        ]
        return cls(
            prefs,
            prefs.scenario(),
            {m.plan: m.package for m in mapped},
            {m.plan: m for m in mapped},
            {a.id: a for a in agreements},
        )

    def proposals(self) -> Proposals:
        """Which plans propose each option: this setting's plans and every shipped plan
        that maps onto its domain (one that does not, under a user's domain, is skipped)."""
        mapped, agreements = dict(self.mapped), dict(self.agreements)
        for name in plan_ids():
            if name in mapped:
                continue
            agreement = load_plan(name)
            try:
                mapped[name] = plan_package(
                    agreement, self.prefs.domain, SourceMap.read(plan_path(name))
                )
            except AgreementFileError:
                continue
            agreements[name] = agreement
        return Proposals.index(self.prefs, mapped, agreements)


def domain_json(setting: Setting) -> dict[str, Any]:
    """The negotiation domain as JSON: issues and options, parties, packages and plans."""
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
    """The Pareto set (its first `limit` packages), or why it is empty."""
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


def solutions_json(setting: Setting, terms: bool = True, ks: str = "zone") -> dict[str, Any]:
    """The bargaining solutions (Kalai-Smorodinsky as `ks` defines it); with `terms`, each
    package's terms, proposers and values."""
    found = solve(setting.scenario, ks=ks)
    if not found:
        return {"solutions": {}, "why_empty": explain_empty(setting.scenario)}
    proposals = setting.proposals() if terms else None
    out = {}
    for name, solution in found.items():
        row = solution.to_json(setting.scenario)
        if proposals is not None:
            row["terms"] = package_terms(setting.prefs, proposals, row["package"])
        out[name] = row
    return {"solutions": out}


def solutions_text(data: Mapping[str, Any]) -> str:
    """The bargaining solutions in words, or why there is none."""
    if not data["solutions"]:
        return f"no solution: {data['why_empty']}"
    out = []
    for name, row in data["solutions"].items():
        gains = ", ".join(f"{p} {u:.3f}" for p, u in row["utilities"].items())
        out.append(f"{name} (utilities {gains})")
        out.extend(terms_text(row.get("terms", [])))
    return "\n".join(out)


def plan_locks(
    setting: Setting, plan: str, lock: Sequence[str] = (), core: bool = True
) -> list[Lock]:
    """The issues bridging must keep: those the user names and, with `core`, the plan's own
    core issues. An issue that is unknown or that the plan leaves open is an error."""
    s, package = setting.scenario, setting.plans[plan]
    locks: dict[int, Lock] = {}
    for name in lock:
        if name not in s.issues:
            raise ValueError(f"--lock {name}: unknown issue; valid: {', '.join(s.issues)}")
        j = s.issue_index(name)
        if package[j] is None:
            settled = [i for i, c in zip(s.issues, package, strict=True) if c is not None]
            raise ValueError(
                f"--lock {name}: plan {plan} leaves this issue open, so there is no option to"
                f" keep; it settles {', '.join(settled)}"
            )
        locks[j] = Lock(j, "locked by the user")
    agreement = setting.agreements.get(plan)
    for entry in agreement.core if core and agreement else []:
        j = s.issue_index(entry.issue)
        cite = "; ".join(r.doc + (f", {r.section}" if r.section else "") for r in entry.sources)
        locks.setdefault(j, Lock(j, f"the plan's core: {entry.reason}", cite))
    return list(locks.values())


def bridge_json(
    setting: Setting,
    plan: str,
    top: int = 5,
    lock: Sequence[str] = (),
    core: bool = True,
    max_changes: int | None = None,
) -> dict[str, Any]:
    """The bridges with their terms, the locks they keep, and why fewer came back if so."""
    s, package = setting.scenario, setting.plans[plan]
    locks = plan_locks(setting, plan, lock, core)
    report = bridge_report(s, package, top, max_changes, locks)
    if "why_fewer" in report and report["accounting"]["touch_a_locked_issue"]:
        report["why_fewer"] += " Unlock with --no-core (the plan's core) or fewer --lock."
    proposals = setting.proposals()
    for row in report["bridges"]:
        row["terms"] = package_terms(setting.prefs, proposals, row["package"], s.describe(package))
    return {"plan": plan} | report


def bridge_text(data: Mapping[str, Any]) -> str:
    """A plan's bridges in words: the issues locked and each bridge's changes."""
    out = [f"plan {data['plan']}: {len(data['bridges'])} bridge(s)"]
    out += [f"  locked {k['issue']}: {k['reason']} [{k['source']}]" for k in data["locked"]]
    if "why_fewer" in data:
        out.append(f"  {data['why_fewer']}")
    for n, row in enumerate(data["bridges"], 1):
        changes = ", ".join(f"{c['issue']} {c['from']} -> {c['to']}" for c in row["changes"])
        out.append(
            f"bridge {n}: {changes or 'no change'}; smallest gain {row['smallest_gain']:.3f}"
        )
        out.extend(terms_text(row["terms"]))
    return "\n".join(out)


def ratify_json(setting: Setting, conditions: Mapping[str, bool] | None = None) -> dict[str, Any]:
    """Each plan's ratification: which parts survive whom, under the given conditions."""
    rules = load_rules(setting.prefs.domain)
    return {n: ratify(rules, setting.prefs.domain, p, conditions) for n, p in setting.plans.items()}


def ratify_text_all(data: Mapping[str, Any]) -> str:
    """Every plan's ratification in words."""
    return "\n".join(line for name, result in data.items() for line in ratify_text(name, result))


def durability_json(setting: Setting) -> dict[str, Any]:
    """Each plan's durability score, with the mechanisms that earn it."""
    spec = load_mechanisms(setting.prefs.domain)
    return {
        n: durability(spec, setting.prefs.domain, p, setting.scenario, plan=n)
        for n, p in setting.plans.items()
    }


def sensitivity_json(
    setting: Setting,
    draws: int = 1000,
    seed: int = 0,
    show_progress: bool = False,
    readings: Readings | None = None,
) -> dict[str, Any]:
    """How each plan's acceptance holds up over `draws` Monte Carlo readings of the figures."""
    return analyse(
        setting.prefs,
        setting.plans,
        n=draws,
        seed=seed,
        show_progress=show_progress,
        readings=readings,
    )


def flip_json(
    setting: Setting, draws: int = 1000, seed: int = 0, readings: Readings | None = None
) -> dict[str, Any]:
    """The figures whose reading flips each party's acceptance of each plan."""
    return flip_points(setting.prefs, setting.plans, n=draws, seed=seed, readings=readings)


def summary(setting: Setting, draws: int = 200, seed: int = 0) -> dict[str, Any]:
    """Everything the report shows, as data (for other reports to include)."""
    return {
        "domain": domain_json(setting),
        "plans": evaluate_json(setting),
        "pareto": pareto_json(setting, limit=0) | {"pareto": []},
        "solutions": solutions_json(setting, terms=False),
        "ratification": ratify_json(setting),
        "durability": durability_json(setting),
        "sensitivity": sensitivity_json(setting, draws=draws, seed=seed),
        "flip": flip_json(setting, draws=draws, seed=seed),
        "backtest": backtest_json(setting),
    }


def backtest_json(setting: Setting, events: str | Path | None = None) -> dict[str, Any]:
    """The recorded responses to dated proposals against the model's, with these party files."""
    return backtest(setting.prefs, load_events(setting.prefs, events))
