"""The main job: the life cycle of a settlement, stage by stage, into one folder.

Stages are registered in order (analyse, codify, monitor, report); each takes
the run's context and adds its files and summary lines, so later capabilities
extend the same command rather than adding new ones a user must discover.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accord import __version__
from accord.agreement import Agreement
from accord.agreement.compare import Comparison, compare
from accord.geo import LineOfContact, Zone, line_of_contact, shipped_control, zones_from_agreement
from accord.geo.zones import borders_for, zones_geojson
from accord.negotiate.analysis import Setting, summary
from accord.plans import load_all, load_plan
from accord.report.compare import to_html, to_json, to_markdown
from accord.report.maps import draw_zones, shaded, to_png
from accord.report.negotiation import render as render_negotiation
from accord.report.render import environment


@dataclass
class Run:
    """What the stages share and produce."""

    out_dir: Path
    agreement_name: str = "defense-priorities-2025"
    plans: list[Agreement] = field(default_factory=list)
    agreement: Agreement | None = None
    line: LineOfContact | None = None
    zones: list[Zone] = field(default_factory=list)
    comparison: Comparison | None = None
    negotiation: dict[str, Any] | None = None
    files: list[Path] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)

    def write(self, name: str, content: str | bytes) -> Path:
        path = self.out_dir / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        self.files.append(path)
        return path


Stage = Callable[[Run], None]


def stage_plans(run: Run) -> None:
    """Load and validate every shipped plan and compare them."""
    run.plans = load_all()
    run.comparison = compare(run.plans)
    run.write("plans-compared.html", to_html(run.comparison))
    run.write("plans-compared.md", to_markdown(run.comparison))
    run.write("plans-compared.json", to_json(run.comparison))
    terms = sum(len(p.terms) for p in run.plans)
    run.summary.append(
        f"{len(run.plans)} plans, {terms} terms, {len(run.comparison.rows)} issues compared"
    )


def stage_negotiate(run: Run) -> None:
    """Who accepts which plan, the zone of agreement and the fair packages."""
    setting = Setting.load([p.id for p in run.plans])
    run.negotiation = summary(setting, draws=NEGOTIATION_DRAWS, seed=0)
    run.write("negotiation.html", render_negotiation(setting, draws=NEGOTIATION_DRAWS, seed=0))
    run.write("negotiation.json", json.dumps(run.negotiation, indent=2, default=str))
    accepted = [p["plan"] for p in run.negotiation["plans"] if p["all_accept"]]
    pareto = run.negotiation["pareto"]
    run.summary.append(
        f"negotiation: {len(accepted)} of {len(run.plans)} plans acceptable to every party "
        f"({', '.join(accepted) or 'none'}); {pareto['pareto_size']:,} efficient packages in a "
        f"space of {pareto['packages_in_space']:,}"
    )


def stage_codify(run: Run) -> None:
    """The chosen agreement's zones on the shipped control map, with a map."""
    run.agreement = load_plan(run.agreement_name)
    run.line = line_of_contact(shipped_control())
    run.zones, notes = zones_from_agreement(run.agreement, run.line)
    borders = borders_for(run.agreement)
    meta = {"agreement": run.agreement.id, "line": run.line.summary(), "notes": notes}
    run.write("zones.geojson", json.dumps(zones_geojson(run.zones, meta)))
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


# Enough Monte Carlo draws for two-decimal acceptance odds in a few seconds.
NEGOTIATION_DRAWS = 200

STAGES: list[tuple[str, Stage]] = [
    ("Comparing the published plans", stage_plans),
    ("Analysing the negotiation", stage_negotiate),
    ("Drawing the agreement's zones on the map", stage_codify),
]


def run_lifecycle(
    out_dir: Path,
    agreement: str = "defense-priorities-2025",
    on_stage: Callable[[str, int, int], None] | None = None,
) -> Run:
    """Run every stage into `out_dir` for the chosen agreement;
    `on_stage(title, index, total)` reports progress."""
    out_dir.mkdir(parents=True, exist_ok=True)
    run = Run(out_dir=out_dir, agreement_name=agreement)
    for index, (title, stage) in enumerate(STAGES):
        if on_stage:
            on_stage(title, index, len(STAGES))
        stage(run)
    return run
