"""What every command group shares: consoles and turning errors into exit codes."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from accord.agreement import AgreementFileError
from accord.plans import UnknownPlanError

console = Console()
err_console = Console(stderr=True)


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
    except (UnknownPlanError, ValueError, OSError) as exc:
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
