"""What every command group shares: consoles, turning errors into exit codes, options."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console

from accord.agreement import AgreementFileError
from accord.plans import UnknownPlanError
from accord.store import StoreError

console = Console()
err_console = Console(stderr=True)

# The store a command reads or writes.
DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database", "-d", help="Database URL (default $ACCORD_DATABASE_URL or accord.db)."
    ),
]

# Where a control map is chosen: how far its edges may be off.
EdgeOption = Annotated[
    float | None,
    typer.Option(
        "--edge-uncertainty-m",
        min=0.0,
        help="How far the control map's edges may be off, in metres; findings that close to "
        "a zone's edge are marked undetermined (default: what the map states, 0 for a raw map).",
    ),
]


@contextmanager
def user_errors() -> Iterator[None]:
    """Print a user's mistake plainly (no traceback) and exit non-zero."""
    try:
        yield
    except AgreementFileError as exc:
        for problem in exc.problems:
            err_console.print(f"[red]error[/red] {problem}", highlight=False, soft_wrap=True)
        err_console.print(f"{len(exc.problems)} problem(s) found.", highlight=False)
        raise typer.Exit(1) from None
    except (UnknownPlanError, StoreError, ValueError, OSError) as exc:
        err_console.print(f"[red]error[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


def write_or_print(text: str, output: str | None) -> None:
    """Write text to a file, or to stdout when no file (or '-') is given."""
    if output in (None, "-"):
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
        err_console.print(f"wrote {output}", highlight=False)
