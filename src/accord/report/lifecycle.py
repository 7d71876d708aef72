"""The main job: the life cycle of a settlement, stage by stage, into one folder.

Stages are registered in order (analyse, codify, monitor, report); each takes
the run's context and adds its files and summary lines, so later capabilities
extend the same command rather than adding new ones a user must discover.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from accord.agreement import Agreement
from accord.agreement.compare import Comparison, compare
from accord.plans import load_all
from accord.report.compare import to_html, to_json, to_markdown


@dataclass
class Run:
    """What the stages share and produce."""

    out_dir: Path
    plans: list[Agreement] = field(default_factory=list)
    comparison: Comparison | None = None
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


STAGES: list[tuple[str, Stage]] = [
    ("Comparing the published plans", stage_plans),
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
