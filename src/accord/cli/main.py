"""The `accord` console command: registers each command group."""

from __future__ import annotations

import typer

from accord import __version__
from accord.cli import (
    archive,
    compliance,
    conditions,
    geo,
    incidents,
    ingest,
    ledger,
    negotiate,
    patrols,
    plans,
    replay,
    report,
    run,
    schema,
    serve,
    sim,
    tokens,
    verify,
)

app = typer.Typer(
    help="accord: a peace settlement as working software.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.command("run")(run.run)
app.add_typer(plans.app, name="plans")
app.add_typer(negotiate.app, name="negotiate")
app.add_typer(geo.app, name="geo")
app.command("ingest")(ingest.ingest)
app.add_typer(schema.app, name="schema")
app.add_typer(verify.app, name="verify")
app.add_typer(incidents.app, name="incidents")
app.command("compliance")(compliance.compliance)
app.add_typer(ledger.app, name="ledger")
app.add_typer(conditions.app, name="conditions")
app.add_typer(sim.app, name="sim")
app.add_typer(patrols.app, name="patrols")
app.add_typer(archive.app, name="archive")
app.command("replay")(replay.replay)
app.command("serve")(serve.serve)
app.add_typer(report.app, name="report")
app.add_typer(tokens.app, name="tokens")


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
