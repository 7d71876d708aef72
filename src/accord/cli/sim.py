"""`accord sim`: run a scenario against the real verification and score it; sweep regimes."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from accord.cli.common import console, user_errors
from accord.sim.run import STEPS, simulate
from accord.sim.scenario import Target, ViolationKind, load_scenario
from accord.sim.sweep import chart, cheapest, grid, sweep

app = typer.Typer(help="Simulation: scenarios with ground truth, scored; regime sweeps.")

Scenario = Annotated[
    str, typer.Argument(help="A shipped scenario (default, iran-iraq) or a .yaml file.")
]


def _numbers(text: str, what: str) -> list[float]:
    try:
        return [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ValueError(f"{what}: '{text}' is not a comma-separated list of numbers") from None


def _bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


@app.command("run")
def run(
    scenario: Scenario,
    days: Annotated[int, typer.Option("--days", "-n", help="Days to simulate.")] = 7,
    seed: Annotated[int, typer.Option("--seed", "-s", help="Seed: same seed, same files.")] = 0,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Folder for observations.jsonl, truth.jsonl, scores.json."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Draw the truth, observe it, ingest and verify the stream, send patrols, score."""
    with user_errors():
        started = time.perf_counter()
        with _bar() as bar:
            task = bar.add_task("building the map", total=len(STEPS))
            result = simulate(
                scenario,
                days,
                seed,
                output,
                progress=lambda step: bar.update(task, advance=1, description=step),
            )
        seconds = time.perf_counter() - started
        if as_json:
            console.print_json(json.dumps(result.summary()))
            return
        table = Table(title=f"{result.scenario}: {days} days, seed {seed}")
        for column in (
            "kind",
            "violations",
            "detected",
            "confirmed",
            "detect h (median / p90)",
            "confirm h (median / p90)",
        ):
            table.add_column(column)
        rows = {**result.scores.by_kind, "all": result.scores.total()}
        for kind, figures in rows.items():
            s = figures.summary()
            table.add_row(
                kind,
                str(s["violations"]),
                f"{s['detected']} ({_pct(s['detection_rate'])})",
                f"{s['confirmed']} ({_pct(s['confirmation_rate'])})",
                f"{_h(s['detect_hours_median'])} / {_h(s['detect_hours_p90'])}",
                f"{_h(s['confirm_hours_median'])} / {_h(s['confirm_hours_p90'])}",
            )
        console.print(table)
        scores = result.scores
        console.print(
            f"{result.observations:,} observations from {result.events:,} true events; "
            f"{scores.incidents:,} incidents, {scores.false_incidents:,} false "
            f"({scores.false_incidents_per_day:.1f} a day, {scores.false_confirmed} confirmed); "
            f"attribution right {_pct(scores.attribution_accuracy)}; confirmed by patrols "
            f"{_pct(scores.patrol_share)}; {result.patrols_per_day} planned patrols a day, "
            f"{result.responses} responses; {seconds:.1f} s",
            highlight=False,
        )


def _pct(value: float | None) -> str:
    return "-" if value is None or value != value else f"{100 * value:.0f}%"


def _h(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


@app.command("sweep")
def sweep_command(
    scenario: Scenario,
    observers: Annotated[str, typer.Option(help="Observer counts, comma-separated.")] = "200,480",
    spacing_km: Annotated[
        str,
        typer.Option(
            "--spacing-km", help="Closest sensor spacing (km); the scenario's groups scale with it."
        ),
    ] = "5,10",
    sorties: Annotated[str, typer.Option(help="Drone sorties a day.")] = "10,30",
    jamming: Annotated[str, typer.Option(help="Chance a drone pass is jammed.")] = "0.1",
    kind: Annotated[
        ViolationKind | None,
        typer.Option(help="Target: violation kind (default: the scenario's target)."),
    ] = None,
    share: Annotated[float | None, typer.Option(help="Target: share to meet, 0-1.")] = None,
    detect_hours: Annotated[
        float | None, typer.Option(help="Target: detected within hours.")
    ] = None,
    confirm_hours: Annotated[
        float | None, typer.Option(help="Target: confirmed within hours.")
    ] = None,
    days: Annotated[int, typer.Option("--days", "-n")] = 7,
    seeds: Annotated[
        str, typer.Option(help="Seeds, comma-separated; each regime runs once per seed.")
    ] = "0,1",
    workers: Annotated[int, typer.Option(help="Local processes (1: in this process).")] = 2,
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address (needs accord[scale]).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Chart file (.png or .svg).")
    ] = None,
) -> None:
    """Run every combination of the regime figures and report the cheapest that meet the target."""
    with user_errors():
        base = load_scenario(scenario)
        given = base.target
        asked = {"kind": kind, "share": share, "detect_hours": detect_hours,
                 "confirm_hours": confirm_hours}  # fmt: skip
        figures = {k: v for k, v in asked.items() if v is not None}
        if given is None and len(figures) < len(asked):
            raise ValueError(
                "the scenario has no target: give --kind, --share, --detect-hours and "
                "--confirm-hours"
            )
        target = Target(**{**(given.model_dump() if given else {}), **figures})
        regimes = grid(
            [int(o) for o in _numbers(observers, "--observers")],
            _numbers(spacing_km, "--spacing-km"),
            _numbers(sorties, "--sorties"),
            _numbers(jamming, "--jamming"),
        )
        seed_list = [int(s) for s in _numbers(seeds, "--seeds")]
        with _bar() as bar:
            task = bar.add_task("runs", total=len(regimes) * len(seed_list))
            results = sweep(
                base,
                regimes,
                target,
                days=days,
                seeds=seed_list,
                workers=workers,
                scheduler=scheduler,
                progress=lambda done, total: bar.update(task, completed=done),
            )
        table = Table(
            title=f"{target.share:.0%} of {target.kind.value} detected within "
            f"{target.detect_hours:g} h and confirmed within {target.confirm_hours:g} h"
        )
        for column in (
            "observers",
            "spacing km",
            "sorties/day",
            "jamming",
            "cost/year",
            "violations",
            "share",
            "false/day",
            "meets",
        ):
            table.add_column(column)
        for r in sorted(results, key=lambda r: r.cost_per_year):
            g = r.regime
            table.add_row(
                str(g.observers),
                f"{g.sensor_spacing_km:g}",
                f"{g.drone_sorties_per_day:g}",
                f"{g.jamming:g}",
                f"${r.cost_per_year / 1e6:,.1f}M",
                str(r.violations),
                f"{r.share:.0%}",
                f"{r.false_incidents_per_day:.1f}",
                "yes" if r.meets else "no",
            )
        console.print(table)
        best = cheapest(results)
        if best:
            g = best[0].regime
            console.print(
                f"cheapest meeting the target: {g.observers} observers, sensors every "
                f"{g.sensor_spacing_km:g} km, {g.drone_sorties_per_day:g} sorties a day "
                f"(jamming {g.jamming:g}): ${best[0].cost_per_year / 1e6:,.1f}M a year",
                highlight=False,
            )
        else:
            console.print("no regime in the sweep meets the target", highlight=False)
        if output is not None:
            chart(results, target, output)
            console.print(f"wrote {output}", highlight=False)
