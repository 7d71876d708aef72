"""`accord run`: the command a user runs first."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from accord.cli.common import console, user_errors
from accord.lifecycle import MONITOR_DAYS, run_lifecycle
from accord.report.compare import to_rich


def run(
    output_dir: Annotated[
        Path, typer.Option("--output-dir", "-o", help="Folder for the reports.")
    ] = Path("accord-output"),
    agreement: Annotated[
        str,
        typer.Option("--agreement", "-a", help="The chosen agreement: a plan id or file."),
    ] = "defense-priorities-2025",
    days: Annotated[
        int, typer.Option("--days", min=1, help="Days of simulated monitoring.")
    ] = MONITOR_DAYS,
    scenario: Annotated[
        str, typer.Option("--scenario", help="The monitoring scenario: a shipped id or file.")
    ] = "default",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only the summary.")] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Also the full comparison of the plans.")
    ] = False,
) -> None:
    """Run the settlement's life cycle on the shipped data and write the reports."""
    with user_errors():
        progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        with progress:
            task = progress.add_task("starting", total=None)

            def on_stage(title: str, index: int, total: int) -> None:
                progress.update(task, description=title, completed=index, total=total)

            result = run_lifecycle(output_dir, agreement, on_stage, days, scenario)
    # The comparison runs to hundreds of lines; it is in plans-compared.* in any case.
    if verbose and result.comparison is not None:
        console.print(to_rich(result.comparison, min(console.width, 200)))
    if not quiet and result.negotiation is not None:
        console.print(acceptance_table(result.negotiation))
    console.rule("Summary")
    for line in result.summary:
        console.print(f"• {line}", highlight=False)
    console.print(f"Reports written to [bold]{output_dir.resolve()}[/bold]:")
    for path in result.files:
        console.print(f"  {path}", highlight=False)


def acceptance_table(negotiation: dict[str, Any]) -> Table:
    """Who accepts each plan: utility against the alternative, red lines, and the
    Monte Carlo odds that every party accepts."""
    parties = list(negotiation["domain"]["parties"])
    odds = negotiation["sensitivity"]["plans"]
    table = Table(
        title="Who accepts each plan (utility; * crosses a red line)",
        title_justify="left",
        caption="P(all): share of Monte Carlo draws in which every party accepts (95% interval)",
        caption_justify="left",
    )
    table.add_column("plan", style="bold", no_wrap=True)
    for party in parties:
        table.add_column(party, justify="right")
    table.add_column("P(all)", justify="right")
    for row in negotiation["plans"]:
        cells = []
        for party in parties:
            verdict = row["parties"][party]
            mark = "[green]yes[/green]" if verdict["accepts"] else "[red]no[/red]"
            why = "*" if verdict["red_lines_crossed"] else ""
            cells.append(f"{mark} {verdict['utility']:.2f}{why}")
        table.add_row(row["plan"], *cells, odds[row["plan"]]["all_accept"]["text"])
    return table
