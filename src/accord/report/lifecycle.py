"""The main job: the life cycle of a settlement, stage by stage, into one folder.

Stages are registered in order (analyse, codify, monitor, report); each takes
the run's context and adds its files and summary lines, so later capabilities
extend the same command rather than adding new ones a user must discover.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accord.agreement import Agreement
from accord.agreement.compare import Comparison, compare
from accord.negotiate.analysis import Setting, summary
from accord.plans import load_all
from accord.report.compare import to_html, to_json, to_markdown
from accord.report.negotiation import render as render_negotiation


@dataclass
class Run:
    """What the stages share and produce."""

    out_dir: Path
    plans: list[Agreement] = field(default_factory=list)
    comparison: Comparison | None = None
    negotiation: dict[str, Any] | None = None
    files: list[Path] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)

    def write(self, name: str, text: str) -> Path:
        path = self.out_dir / name
        path.write_text(text, encoding="utf-8")
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


# Enough Monte Carlo draws for two-decimal acceptance odds in a few seconds.
NEGOTIATION_DRAWS = 200

STAGES: list[tuple[str, Stage]] = [
    ("Comparing the published plans", stage_plans),
    ("Analysing the negotiation", stage_negotiate),
]


def run_lifecycle(out_dir: Path, on_stage: Callable[[str, int, int], None] | None = None) -> Run:
    """Run every stage into `out_dir`; `on_stage(title, index, total)` reports progress."""
    out_dir.mkdir(parents=True, exist_ok=True)
    run = Run(out_dir=out_dir)
    for index, (title, stage) in enumerate(STAGES):
        if on_stage:
            on_stage(title, index, len(STAGES))
        stage(run)
    return run
