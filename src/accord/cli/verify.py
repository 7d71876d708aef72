"""`accord verify`: run verification over what has been ingested, and show the rules."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from accord.cli.common import DatabaseOption, EdgeOption, console, user_errors
from accord.plans import load_plan
from accord.store import open_store
from accord.verify.batch import Verifier
from accord.verify.pipeline import DEFAULT_BATCH_SIZE, RunSummary, run_verification

app = typer.Typer(help="Verification: rules from the agreement, findings, incidents.")

PlanOption = Annotated[
    str, typer.Option("--plan", "-p", help="Plan id or agreement file the rules come from.")
]
ControlOption = Annotated[
    str | None,
    typer.Option("--control", help="Control map file or dated folder (default shipped)."),
]
EventOption = Annotated[
    list[str] | None,
    typer.Option(
        "--event", help="When an event happened, NAME=YYYY-MM-DD (e.g. ceasefire=2025-05-01)."
    ),
]


def parse_events(values: list[str] | None) -> dict[str, datetime]:
    """`ceasefire=2025-05-01` pairs to UTC midnights."""
    events: dict[str, datetime] = {}
    for value in values or []:
        name, _, day = value.partition("=")
        try:
            events[name.strip()] = datetime.fromisoformat(day.strip()).replace(tzinfo=UTC)
        except ValueError:
            raise ValueError(
                f"--event {value!r}: write NAME=YYYY-MM-DD, e.g. ceasefire=2025-05-01"
            ) from None
    return events


def cache_dir() -> Path:
    """Where compiled zone indexes are kept between runs."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "accord"


def _verifier(
    plan: str, control: str | None, event: list[str] | None, edge: float | None
) -> Verifier:
    return Verifier.for_agreement(
        load_plan(plan),
        control=control,
        events=parse_events(event),
        cache_dir=cache_dir(),
        edge_uncertainty_m=edge,
    )


def _print(summary: RunSummary) -> None:
    console.print(
        f"verified {summary.observations:,} observations in {summary.batches} batches "
        f"({summary.seconds:.1f} s): {summary.findings:,} findings, "
        f"{summary.incidents_new:,} new incidents, {summary.incidents_updated:,} updated, "
        f"{summary.escalated:,} referred to headquarters; checkpoint seq {summary.last_seq:,}",
        highlight=False,
        soft_wrap=True,
    )


@app.command("run")
def run(
    plan: PlanOption = "defense-priorities-2025",
    database: DatabaseOption = None,
    control: ControlOption = None,
    edge_uncertainty_m: EdgeOption = None,
    event: EventOption = None,
    batch_size: Annotated[
        int, typer.Option(help="Observations per batch.", min=1)
    ] = DEFAULT_BATCH_SIZE,
    follow: Annotated[
        bool, typer.Option("--follow", help="Keep verifying new observations.")
    ] = False,
    interval: Annotated[
        float, typer.Option(help="Seconds between polls with --follow.", min=0.01)
    ] = 0.2,
) -> None:
    """Verify every observation stored since the last run (incremental and idempotent)."""
    with user_errors():
        verifier = _verifier(plan, control, event, edge_uncertainty_m)
        for note in verifier.ruleset.notes:
            console.print(f"[dim]note[/dim] {note}", highlight=False, soft_wrap=True)
        with open_store(database) as store:
            while True:
                summary = run_verification(store, verifier, batch_size=batch_size)
                if summary.observations or not follow:
                    _print(summary)
                if not follow:
                    break
                time.sleep(interval)


@app.command("rules")
def rules(
    plan: PlanOption = "defense-priorities-2025",
    control: ControlOption = None,
    edge_uncertainty_m: EdgeOption = None,
    event: EventOption = None,
) -> None:
    """The rules compiled from the plan, and the terms that could not be compiled."""
    with user_errors():
        verifier = _verifier(plan, control, event, edge_uncertainty_m)
        table = Table("rule", "zone", "kinds", "parties", "limit", "from", "severity")
        for row in verifier.ruleset.describe():
            table.add_row(
                *(
                    str(row[k] if row[k] is not None else "")
                    for k in ("rule", "zone", "kinds", "parties", "limit", "from", "severity")
                )
            )
        console.print(table)
        for note in verifier.ruleset.notes:
            console.print(f"note: {note}", highlight=False, soft_wrap=True)
