"""The main job: the life cycle of a settlement, stage by stage, into one folder.

Stages are registered in order (analyse, codify, monitor, report); each takes
the run's context and adds its files and summary lines, so later capabilities
extend the same command rather than adding new ones a user must discover.
The chosen plan is resolved once, from an id or a file, and every stage and
every stored row is keyed by its `id`, so naming it either way gives the same
results; a user's file joins the comparison and the negotiation.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accord import __version__
from accord.agreement import Agreement
from accord.agreement.compare import Comparison, compare
from accord.book import checkpoint
from accord.book import verify as verify_ledger
from accord.conditions.decisions import record as record_decisions
from accord.conditions.inputs import Inputs, from_store
from accord.conditions.machine import compile_conditions
from accord.conditions.machine import run as run_conditions
from accord.geo import LineOfContact, Zone, line_of_contact, shipped_control, zones_from_agreement
from accord.geo.zones import borders_for, zones_geojson
from accord.ledger.signing import load_or_create_mission_key
from accord.negotiate.analysis import Setting, summary
from accord.negotiate.sensitivity import headline
from accord.plans import load_all, load_plan, plan_ids
from accord.report.compare import to_html, to_json, to_markdown
from accord.report.maps import draw_zones, shaded, to_png
from accord.report.negotiation import render as render_negotiation
from accord.report.render import environment
from accord.sim.run import RunResult as SimResult
from accord.sim.run import simulate
from accord.sim.scenario import Scenario, load_scenario
from accord.sim.sources import unobserved_rules
from accord.sim.world import World, build_world
from accord.store import open_store
from accord.verify.compliance import compliance
from accord.verify.workflow import list_incidents


@dataclass
class Run:
    """What the stages share and produce."""

    out_dir: Path
    agreement: Agreement
    agreement_name: str  # as the user named it: the id, or the path of their file
    days: int  # of simulated monitoring
    scenario_name: str  # the mission the monitoring simulates (`accord.sim.scenario`)
    plans: list[Agreement] = field(default_factory=list)
    line: LineOfContact | None = None
    zones: list[Zone] = field(default_factory=list)
    comparison: Comparison | None = None
    negotiation: dict[str, Any] | None = None
    database_url: str | None = None
    monitoring: dict[str, Any] | None = None
    trust: dict[str, Any] | None = None
    files: list[Path] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)

    def write(self, name: str, content: str | bytes) -> Path:
        """Write one of the run's output files and list it among the files written."""
        path = self.out_dir / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        self.files.append(path)
        return path


Stage = Callable[[Run], None]


def stage_plans(run: Run) -> None:
    """Load and validate every shipped plan, with the chosen one when it is the user's
    own file (in place of a shipped plan of the same id), and compare them."""
    chosen = run.agreement
    shipped = load_all()
    run.plans = [chosen if p.id == chosen.id else p for p in shipped]
    if chosen.id not in plan_ids():
        run.plans.append(chosen)
        run.summary.append(
            f"{chosen.id}: the user's plan ({run.agreement_name}) joins the comparison"
        )
    elif any(p.id == chosen.id and p != chosen for p in shipped):
        run.summary.append(
            f"{chosen.id}: the file {run.agreement_name} replaces the shipped plan of that id"
        )
    run.comparison = compare(run.plans)
    run.write("plans-compared.html", to_html(run.comparison))
    run.write("plans-compared.md", to_markdown(run.comparison))
    run.write("plans-compared.json", to_json(run.comparison))
    terms = sum(len(p.terms) for p in run.plans)
    run.summary.append(
        f"{len(run.plans)} plans, {terms} terms, {len(run.comparison.rows)} issues compared"
    )


# The analysis of each set of plans (by content) already made in this process: the same
# plans and seed give the same figures, so a second run of the main job reuses them.
_NEGOTIATIONS: dict[str, tuple[dict[str, Any], str]] = {}


def stage_negotiate(run: Run) -> None:
    """Who accepts which plan, the zone of agreement and the fair packages."""
    key = "\n".join(p.model_dump_json() for p in run.plans)
    if key not in _NEGOTIATIONS:
        # The chosen plan by the name it was given, so a user's file is read from its path.
        names = [run.agreement_name if p.id == run.agreement.id else p.id for p in run.plans]
        setting = Setting.load(names)
        analysis = summary(setting, draws=NEGOTIATION_DRAWS, seed=0)
        _NEGOTIATIONS[key] = analysis, render_negotiation(setting, analysis)
    run.negotiation, html = _NEGOTIATIONS[key]
    run.write("negotiation.html", html)
    run.write("negotiation.json", json.dumps(run.negotiation, indent=2, default=str))
    accepted = [p["plan"] for p in run.negotiation["plans"] if p["all_accept"]]
    pareto, backtest = run.negotiation["pareto"], run.negotiation["backtest"]
    run.summary.append(
        f"negotiation: at the party files' middle figures {len(accepted)} of {len(run.plans)} "
        f"plans acceptable to every party ({', '.join(accepted) or 'none'}); "
        f"{headline(run.negotiation['sensitivity'])}; {pareto['pareto_size']:,} efficient "
        f"packages in a space of {pareto['packages_in_space']:,}; backtest: "
        f"{backtest['reproduced']} of {backtest['responses']} recorded responses to dated "
        f"proposals reproduced by the same party files"
    )


def stage_codify(run: Run) -> None:
    """The chosen agreement's zones on the shipped control map, with a map."""
    run.line = line_of_contact(shipped_control())
    run.zones, notes = zones_from_agreement(run.agreement, run.line)
    borders = borders_for(run.agreement)
    meta = {"agreement": run.agreement.id, "line": run.line.summary(), "notes": notes}
    run.write("zones.geojson", json.dumps(zones_geojson(run.zones, meta, run.line)))
    png = to_png(draw_zones(run.line, run.zones, borders, f"Zones of {run.agreement.id}"))
    run.write("zones-map.png", png)
    html = (
        environment()
        .get_template("zones.html.j2")
        .render(
            title=f"Rules on the map: {run.agreement.id}",
            plan=run.agreement,
            line=run.line,
            zones=run.zones,
            shaded={z.id for z in shaded(run.zones)},
            notes=notes,
            map_png=base64.b64encode(png).decode("ascii"),
            version=__version__,
        )
    )
    run.write("zones.html", html)
    dmz = next((z for z in run.zones if z.kind == "dmz"), None)
    run.summary.append(
        f"codify: {run.agreement.id} on the map of {run.line.date}: line of contact "
        f"{run.line.main_length_km:,.0f} km ({run.line.main_length_miles:,.0f} miles)"
        + (f", DMZ {dmz.area_km2:,.0f} km2" if dmz else "")
        + f", {len(run.zones)} zones, {len(notes)} term(s) not drawn"
    )


def stage_monitor(run: Run) -> None:
    """The scenario's days on the shipped line under the chosen plan's own rules:
    observations from sensors, drones and patrols ingested and verified into the run's
    own store, scored against the simulation's ground truth, with the compliance of each
    party a rule binds. A plan with no rule sensors can check is said so, not monitored."""
    database = run.out_dir / "mission.db"
    for stale in run.out_dir.glob("mission.db*"):  # the main job's own store, rebuilt each run
        stale.unlink()
    scenario = load_scenario(run.scenario_name)
    world = build_world(scenario, run.agreement)
    unseen = unobserved_rules(world, scenario)
    if len(unseen) == len(world.ruleset.rules):
        # An earlier run's monitoring in this folder would read as this plan's.
        (run.out_dir / "monitoring.html").unlink(missing_ok=True)
        shutil.rmtree(run.out_dir / "simulation", ignore_errors=True)
        run.monitoring = skipped(run.agreement, world, unseen)
        run.write("monitoring.json", json.dumps(run.monitoring, indent=2))
        run.summary.append(run.monitoring["skipped"])
        return
    run.database_url = f"sqlite:///{database}"
    # The simulated days are closed and signed like a real mission's (docs/sim.md).
    key = load_or_create_mission_key(run.out_dir / "mission-key.pem")
    result = simulate(
        scenario, run.days, seed=0, out_dir=run.out_dir / "simulation",
        database_url=run.database_url, agreement=run.agreement, mission_key=key,
    )  # fmt: skip
    run.monitoring = monitoring_summary(result, run.database_url, world, scenario)
    monitor = run.monitoring
    run.summary.append(
        f"monitor: {run.days} days of '{scenario.name}' under {run.agreement.id}'s "
        f"{len(world.ruleset.rules)} rules, {result.observations:,} observations, "
        f"{monitor['incidents']} incidents, {monitor['established']} established "
        f"({_share(monitor['precision_established'])} of them true, "
        f"{monitor['false_established_per_day']:.1f} false a day; "
        f"{monitor['false_incidents_per_day']:.1f} false incidents a day of any grade); "
        f"{monitor['detection_rate']:.0%} of {monitor['violations']} true violations detected, "
        f"{monitor['confirmation_rate']:.0%} established; compliance "
        + ", ".join(f"{p} {c['current']['index']:.2f}" for p, c in monitor["compliance"].items())
        + "".join(f"; {note}" for note in result.notes)
    )


def _share(value: float) -> str:
    return "n/a" if value != value else f"{value:.0%}"  # NaN: nothing established


def skipped(agreement: Agreement, world: World, unseen: list[str]) -> dict[str, Any]:
    """Why a plan is not monitored: the reasons its terms compiled to no rule, and why no
    source can see the rules it has breached."""
    notes = [*world.ruleset.notes, *unseen] or ["it has no term with a zone, prohibition or cap"]
    return {
        "agreement": agreement.id,
        "skipped": f"{agreement.id}: no rule sensors can check; monitoring skipped: "
        + "; ".join(_short(n) for n in notes),
        "notes": notes,
    }


def _short(note: str, limit: int = 160) -> str:
    return note if len(note) <= limit else note[: limit - 3] + "..."


def stage_trust(run: Run) -> None:
    """The conditions the agreement ties to compliance, evaluated over the week and
    recorded in the ledger; the ledger checked and its root signed at the cut-off.
    With nothing monitored there is no compliance to condition and no ledger to sign."""
    if run.database_url is None or run.monitoring is None:
        run.summary.append("trust: nothing was monitored, so no condition moves and no ledger")
        return
    agreement = run.agreement
    first = dt.date.fromisoformat(run.monitoring["first_day"])
    last = first + dt.timedelta(days=run.days - 1)
    machines = compile_conditions(agreement)
    key = load_or_create_mission_key(run.out_dir / "mission-key.pem")
    with open_store(run.database_url) as store:
        parties = sorted({m.party for m in machines})
        inputs = Inputs.of(from_store(store, parties, first, last, agreement.id))
        runs = run_conditions(machines, inputs, first, last)
        record_decisions(store, runs)
        run.trust = {
            "conditions": [
                {
                    "term": r.machine.term_id,
                    "kind": r.machine.kind.value,
                    "party": r.machine.party,
                    "state": r.state.describe(r.machine),
                    "waiting_for": r.waiting_for(),
                    "defaults": r.machine.defaults(),
                    "decisions": [f"{d.day}: {d.outcome} -> {d.after}" for d in r.decisions()],
                }
                for r in runs
            ],
            "checkpoint": checkpoint(store, key),
        }
        with store.engine.connect() as connection:
            check = verify_ledger(connection)
    run.trust["ledger_ok"] = check.ok
    run.trust["ledger_entries"] = check.entries
    html = environment().get_template("monitoring.html.j2").render(
        title=f"Monitoring: {agreement.id}", m=run.monitoring, t=run.trust,
        version=__version__,
    )  # fmt: skip
    run.write("monitoring.html", html)
    run.write("monitoring.json", json.dumps(run.monitoring | run.trust, indent=2, default=str))
    statement = run.trust["checkpoint"]["statement"]
    run.summary.append(
        f"trust: ledger of {check.entries:,} entries {'verified' if check.ok else 'FAILED'}; "
        f"signed root {statement['root'][:16]}... over {statement['tree_size']:,} entries at "
        f"{statement['cut_off'][:16]}Z; {len(runs)} conditions: "
        + "; ".join(f"{c['term']} {c['state']}" for c in run.trust["conditions"])
    )


def monitoring_summary(
    result: SimResult, database_url: str, world: World, scenario: Scenario
) -> dict[str, Any]:
    """Scores against the truth, incidents by state, kind and party, and the week's
    compliance of each party a rule binds (published to the ledger as the figures are
    computed)."""
    total = result.scores.total()
    agreement_id = world.agreement.id
    first_day = scenario.start.date()
    parties = sorted({p for rule in world.ruleset.rules for p in world.binds(rule)})
    with open_store(database_url) as store:
        incidents = list_incidents(store, agreement_id=agreement_id, limit=100_000)
        week = {
            party: compliance(store, party, "week", first_day, agreement_id=agreement_id).as_dict()
            for party in parties
        }
    count = Counter
    return {
        "agreement": agreement_id,
        "first_day": first_day.isoformat(),
        "days": result.days,
        "rules": [r.id for r in world.ruleset.rules],
        "notes": list(result.notes),
        "observations": result.observations,
        "violations": total.violations,
        "detection_rate": total.detection_rate,
        "confirmation_rate": total.confirmation_rate,
        "false_incidents_per_day": result.scores.false_incidents_per_day,
        "established": result.scores.established,
        "precision_established": result.scores.precision_established,
        "false_established_per_day": result.scores.false_established / max(result.days, 1),
        "attribution_accuracy": result.scores.attribution_accuracy,
        "by_kind": {
            k: {
                "violations": v.violations,
                "detected": v.detection_rate,
                "confirmed": v.confirmation_rate,
            }
            for k, v in sorted(result.scores.by_kind.items())
        },
        "incidents": len(incidents),
        "incidents_by_state": dict(count(i.state for i in incidents)),
        "incidents_by_party": dict(count(i.party or "undetermined" for i in incidents)),
        "incidents_by_grade": dict(count(i.grade for i in incidents)),
        "incidents_by_kind": dict(count(i.kind for i in incidents)),
        "compliance": week,
    }


# Days of simulated monitoring in the main job by default: a week, as the daily reports add up.
MONITOR_DAYS = 7

# Monte Carlo draws in the main job: a 95% interval about +-0.07 wide at worst, which every
# figure it prints states.
NEGOTIATION_DRAWS = 200

STAGES: list[tuple[str, Stage]] = [
    ("Comparing the published plans", stage_plans),
    ("Analysing the negotiation", stage_negotiate),
    ("Drawing the agreement's zones on the map", stage_codify),
    ("Monitoring simulated days: ingest, verification, compliance", stage_monitor),
    ("Conditions, ledger and signed root", stage_trust),
]


def run_lifecycle(
    out_dir: Path,
    agreement: str = "defense-priorities-2025",
    on_stage: Callable[[str, int, int], None] | None = None,
    days: int = MONITOR_DAYS,
    scenario: str = "default",
) -> Run:
    """Run every stage into `out_dir` for the chosen agreement (a plan id or a file),
    monitoring `days` of `scenario`; `on_stage(title, index, total)` reports progress."""
    if days < 1:
        raise ValueError(f"--days is {days}; monitoring needs at least one day")
    plan = load_plan(agreement)
    out_dir.mkdir(parents=True, exist_ok=True)
    run = Run(out_dir, plan, agreement, days, scenario)
    for index, (title, stage) in enumerate(STAGES):
        if on_stage:
            on_stage(title, index, len(STAGES))
        stage(run)
    return run
