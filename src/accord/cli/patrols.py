"""`accord patrols`: the observer teams' routes for a day."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from accord.cli.common import console, user_errors
from accord.cli.verify import ControlOption
from accord.ops import Plan, Sectors, load_risk, load_teams, plan_patrols

app = typer.Typer(help="Patrol planning for the observer teams.")


@app.command("plan")
def plan(
    date: Annotated[str, typer.Option("--date", "-d", help="Day to plan, YYYY-MM-DD (UTC).")],
    teams: Annotated[
        Path | None,
        typer.Option("--teams", help="The mission's teams file (YAML; see docs/ops.md)."),
    ] = None,
    risk: Annotated[
        Path | None,
        typer.Option(
            "--risk",
            help="Risk weight per sector: CSV (sector,risk) or YAML (S07: 3). "
            "Default: every sector weighs the same.",
        ),
    ] = None,
    control: ControlOption = None,
    sector_km: Annotated[
        float,
        typer.Option(
            "--sector-km", help="Length of a sector of the main line (with --teams).", min=1
        ),
    ] = 50.0,
    scenario: Annotated[
        str | None,
        typer.Option(
            "--scenario",
            help="Plan a simulation scenario's teams and risks instead (default without "
            "--teams: the default scenario).",
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the routes as GeoJSON.")
    ] = None,
    seconds: Annotated[
        float | None,
        typer.Option(
            help="Improve the plan by guided local search for this long (default: stop at "
            "the first local optimum, the same plan on any machine)."
        ),
    ] = None,
) -> None:
    """Routes that cover the riskiest sectors within team count, speed, daylight and duty hours."""
    with user_errors():
        try:
            day = dt.date.fromisoformat(date)
        except ValueError:
            raise ValueError(f"--date: '{date}' is not a date; write YYYY-MM-DD") from None
        if teams is not None:
            if scenario is not None:
                raise ValueError(
                    "--teams plans a mission's teams, --scenario a scenario's: give one"
                )
            from accord.geo.control import control_for
            from accord.geo.line import line_of_contact

            sectors = Sectors(line_of_contact(control_for(control)).main, length_km=sector_km)
            weights = load_risk(risk) if risk is not None else None
            result = plan_patrols(load_teams(teams), sectors, day, risk=weights, seconds=seconds)
            title = f"{teams.name}: patrols on {day}"
        else:
            if risk is not None or control is not None:
                raise ValueError("--risk and --control go with --teams; a scenario has its own")
            from accord.sim.patrols import scenario_plan
            from accord.sim.scenario import load_scenario
            from accord.sim.world import build_world

            chosen = load_scenario(scenario or "default")
            result = scenario_plan(build_world(chosen), chosen, day, seconds=seconds)
            title = f"{chosen.name}: patrols on {day}"
        _show(result, title)
        if output is not None:
            output.write_text(json.dumps(result.geojson(), indent=1) + "\n", encoding="utf-8")
            console.print(f"wrote {output}", highlight=False)


def _show(result: Plan, title: str) -> None:
    table = Table(title=title)
    rows = result.table()
    for column in rows[0] if rows else ("team",):
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(v) for v in row.values()))
    console.print(table)
    console.print(
        f"{result.patrols} patrols, {result.covered_risk:.0%} of the day's sector risk visited",
        highlight=False,
    )
