"""`accord sources`: the source registry and the monitoring period that ingest checks."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from accord.cli.common import DatabaseOption, console, err_console, user_errors
from accord.store import open_store
from accord.store.database import WRITE
from accord.store.sources import list_sources, monitoring_start, set_monitoring_start
from accord.verify.registry import register_file, registry_row

app = typer.Typer(
    help="The source registry and the monitoring period: which sources ingest accepts, "
    "and from when."
)

_CLEAR = "none"


@app.command()
def register(
    file: Annotated[
        Path, typer.Argument(help="Sources as YAML (a list), JSON (an array) or CSV.", exists=True)
    ],
    database: DatabaseOption = None,
) -> None:
    """Add, update or retire the sources a file lists; a bad row is named and left out."""
    with user_errors(), open_store(database) as store:
        done, read = register_file(store, file)
    for problem in read.problems:
        err_console.print(f"[red]left out[/red] {problem}", highlight=False, soft_wrap=True)
    console.print(
        f"{file}: {len(done.added)} added, {len(done.changed)} changed, "
        f"{done.unchanged} unchanged, {len(read.problems)} left out",
        highlight=False,
    )
    if read.problems:
        raise typer.Exit(1)


def _stamp(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M}Z" if moment else ""


@app.command("list")
def list_(
    as_json: Annotated[bool, typer.Option("--json", help="JSON, one object per source.")] = False,
    database: DatabaseOption = None,
) -> None:
    """Every registered source: type, network, operator, place, registered and retired."""
    with user_errors(), open_store(database) as store, store.engine.connect() as connection:
        sources = list_sources(connection)
    if as_json:
        print(json.dumps([registry_row(s) for s in sources], indent=2))
        return
    if not sources:
        console.print("no source registry: ingest does not check sources")
        return
    table = Table("source", "type", "network", "operator", "lon, lat", "registered", "retired")
    for s in sources:
        place = "" if s.lon is None else f"{s.lon:.4f}, {s.lat:.4f}"
        table.add_row(
            s.source_id,
            s.source_type,
            s.network,
            s.operator,
            place,
            _stamp(s.registered_at),
            _stamp(s.retired_at),
        )
    console.print(table)


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.utcoffset() is None:
        raise ValueError(
            f"{text!r}: write the start in ISO 8601 with an offset, e.g. 2026-09-01T00:00:00Z, "
            f"or {_CLEAR} to clear it"
        )
    return moment.astimezone(UTC)


@app.command("monitoring-start")
def monitoring_start_(
    when: Annotated[
        str | None,
        typer.Argument(help=f"e.g. 2026-09-01T00:00:00Z; {_CLEAR} clears it; omit to show it."),
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """Show or set when the monitored period starts: earlier observations are quarantined."""
    with user_errors(), open_store(database) as store, store.engine.connect() as connection:
        if when is not None:
            start = None if when == _CLEAR else _moment(when)
            writer = connection.execution_options(**WRITE)
            with writer.begin():
                set_monitoring_start(writer, start)
        else:
            start = monitoring_start(connection)
    if start is None:
        console.print("no monitoring start: observation dates are checked only for plausibility")
    else:
        console.print(f"monitoring from {start.isoformat()}", highlight=False)
