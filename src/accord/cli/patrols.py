"""`accord patrols`: the observer teams' routes for a day."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from accord.cli.common import console, user_errors
from accord.sim.patrols import plan_patrols
from accord.sim.scenario import load_scenario
from accord.sim.world import build_world

app = typer.Typer(help="Patrol planning for the observer teams.")


@app.command("plan")
def plan(
    date: Annotated[str, typer.Option("--date", "-d", help="Day to plan, YYYY-MM-DD (UTC).")],
    scenario: Annotated[
        str, typer.Option("--scenario", help="Scenario whose teams and risks to use.")
    ] = "default",
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
        chosen = load_scenario(scenario)
        result = plan_patrols(build_world(chosen), chosen, day, seconds=seconds)
        table = Table(title=f"{chosen.name}: patrols on {day}")
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
        if output is not None:
            output.write_text(json.dumps(result.geojson(), indent=1) + "\n", encoding="utf-8")
            console.print(f"wrote {output}", highlight=False)
