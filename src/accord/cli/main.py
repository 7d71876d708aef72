"""The `accord` console command: registers each command group, loading it when used.

Importing every group at start-up brought in OR-Tools, SQLAlchemy, numba,
FastAPI and Dask before `accord --help` could answer (3.9 s). Each entry of
`COMMANDS` is a stand-in with its name and one-line help that imports its
module only when the command runs, so `accord --help` lists everything at
once and `accord plans list` pays only for the plans. A test holds each
stand-in's help to the real command's.
"""

from __future__ import annotations

import importlib
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from accord import __version__

# name: (its attribute in accord.cli.<name>: a Typer app or a function, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("run", "Run the settlement's life cycle on the shipped data and write the reports."),
    "plans": ("app", "The peace plans as data: list, show, compare, diff, validate."),
    "negotiate": (
        "app",
        "Negotiation analysis: red lines, acceptance, Pareto set, bargaining solutions, "
        "bridging, sensitivity, flip points, ratification, durability, sources, backtest, GENIUS "
        "files and the HTML report.",
    ),
    "geo": ("app", "Geography: line of contact, zones, change over time, point classifier."),
    "ingest": (
        "ingest",
        "Store observations; bad records go to the quarantine with their line and reason.",
    ),
    "sources": (
        "app",
        "The source registry and the monitoring period: which sources ingest accepts, "
        "and from when.",
    ),
    "schema": ("app", "JSON Schemas of accord's inputs."),
    "verify": ("app", "Verification: rules from the agreement, findings, incidents."),
    "incidents": ("app", "Incidents: findings about one event, and their workflow."),
    "compliance": (
        "compliance",
        "Established violations by kind, severity and sector, and what is only reported "
        "beside them, against the previous period; the compliance index with its formula.",
    ),
    "ledger": ("app", "The tamper-evident ledger: chain, daily roots, proofs, keys."),
    "conditions": (
        "app",
        "Conditional incentives: sanctions relief, aid tranches, assets, snap-back.",
    ),
    "sim": ("app", "Simulation: scenarios with ground truth, scored; regime sweeps."),
    "patrols": ("app", "Patrol planning for the observer teams."),
    "archive": ("app", "The observation archive: GeoParquet by day and sector."),
    "replay": (
        "replay",
        "Replay the archive through verification: findings, incidents, daily compliance.",
    ),
    "serve": (
        "serve",
        "Serve the HTTP API, OGC API - Features and the dashboard (settings: ACCORD_*).",
    ),
    "report": ("app", "Reports from the store: the daily report."),
    "tokens": ("app", "API tokens: create, list and revoke (roles and what they may see)."),
}


def load(name: str) -> Any:
    """The real click command behind `name`, its module imported now."""
    attribute, _ = COMMANDS[name]
    target = getattr(importlib.import_module(f"accord.cli.{name}"), attribute)
    command: Any
    if isinstance(target, typer.Typer):
        command = typer.main.get_group(target)  # a group, without completion options
    else:
        single = typer.Typer(add_completion=False)
        single.command(name)(target)
        command = typer.main.get_command(single)
    command.name = name
    return command


class _StandIn(TyperCommand):
    """Listed with its help; becomes the real command when it is run (or asked for help)."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any
    ) -> Any:
        """Load the command group's module only now, when it is invoked."""
        return load(self.name or "").make_context(info_name, args, parent=parent, **extra)


class _Commands(TyperGroup):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, (_, short) in COMMANDS.items():
            self.add_command(_StandIn(name, help=short, callback=None))


app = typer.Typer(
    cls=_Commands,
    help="accord: a peace settlement as working software.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"accord {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """accord: proposals as data, rules on the map, verification, incentives, ledger."""
