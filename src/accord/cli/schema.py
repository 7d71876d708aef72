"""`accord schema`: the JSON Schemas that senders validate against."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from accord.cli.common import write_or_print
from accord.verify.observation import observation_json_schema

app = typer.Typer(help="JSON Schemas of accord's inputs.")


@app.command("observation")
def observation(
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Write to this file.")
    ] = None,
) -> None:
    """Print the JSON Schema of an observation (what `accord ingest` accepts)."""
    write_or_print(json.dumps(observation_json_schema(), indent=2), output)
