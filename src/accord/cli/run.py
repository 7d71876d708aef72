"""`accord run`: the command a user runs first."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from accord.cli.common import console, user_errors
from accord.report.compare import to_rich
from accord.report.lifecycle import run_lifecycle


def run(
    output_dir: Annotated[
        Path, typer.Option("--output-dir", "-o", help="Folder for the reports.")
    ] = Path("accord-output"),
    agreement: Annotated[
        str,
        typer.Option("--agreement", "-a", help="The chosen agreement: a plan id or file."),
    ] = "defense-priorities-2025",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only the summary.")] = False,
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

            result = run_lifecycle(output_dir, agreement, on_stage)
    if not quiet and result.comparison is not None:
        console.print(to_rich(result.comparison, min(console.width, 200)))
    console.rule("Summary")
    for line in result.summary:
        console.print(f"• {line}", highlight=False)
    console.print(f"Reports written to [bold]{output_dir.resolve()}[/bold]:")
    for path in result.files:
        console.print(f"  {path}", highlight=False)
