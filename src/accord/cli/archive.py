"""`accord archive`: observations out of the store into a partitioned Parquet archive, and back."""

from __future__ import annotations

import json
import time
from types import ModuleType
from typing import Annotated

import typer
from rich.table import Table

from accord.cli.common import DatabaseOption, console, user_errors
from accord.cli.verify import ControlOption

app = typer.Typer(help="The observation archive: GeoParquet by day and sector.")

ArchiveArgument = Annotated[
    str, typer.Argument(help="Archive folder or URL (s3://bucket/path, gs://..., any fsspec URL).")
]


def _archive_module() -> ModuleType:
    """The archive module, imported only when a command runs (pyarrow is optional)."""
    try:
        from accord.scale import archive
    except ImportError as exc:
        raise ValueError(
            f"the archive needs pyarrow ({exc}): pip install 'accord[scale]'"
        ) from None
    return archive


@app.command("export")
def export(
    archive: ArchiveArgument,
    database: DatabaseOption = None,
    control: ControlOption = None,
    chunk: Annotated[int, typer.Option("--chunk", help="Observations read per query.")] = 200_000,
) -> None:
    """Write every stored observation into a new archive, partitioned by day and sector."""
    with user_errors():
        from accord.geo.control import control_for
        from accord.geo.line import line_of_contact
        from accord.ops import Sectors
        from accord.store import open_store

        module = _archive_module()
        started = time.perf_counter()
        sectors = Sectors(line_of_contact(control_for(control)).main)
        with open_store(database) as store:
            rows = module.export_store(store, archive, sectors, chunk=chunk)
        seconds = time.perf_counter() - started
        console.print(
            f"exported {rows:,} observations to {archive} in {seconds:.1f} s", highlight=False
        )


@app.command("import")
def import_(archive: ArchiveArgument, database: DatabaseOption = None) -> None:
    """Store every archived observation (validated as ingest does; stored ids are skipped)."""
    with user_errors():
        from accord.store import open_store

        module = _archive_module()
        started = time.perf_counter()
        with open_store(database) as store:
            accepted, duplicates = module.import_archive(store, archive)
        console.print(
            f"imported {accepted:,} observations from {archive} ({duplicates:,} already stored) "
            f"in {time.perf_counter() - started:.1f} s",
            highlight=False,
        )


@app.command("stats")
def stats(
    archive: ArchiveArgument,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Rows, files, size, days, sectors, time span, kinds and partition sizes."""
    with user_errors():
        figures = _archive_module().stats(archive).as_dict()
        if as_json:
            console.print_json(json.dumps(figures))
            return
        table = Table(title=f"archive {archive}", show_header=False)
        for key, value in figures.items():
            if isinstance(value, dict):
                value = ", ".join(f"{k} {v:,}" for k, v in value.items())
            elif isinstance(value, list):
                value = ", ".join(value)
            elif isinstance(value, int):
                value = f"{value:,}"
            table.add_row(key.replace("_", " "), str(value))
        console.print(table)
