"""`accord ingest`: observations from files or an MQTT broker into the store."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import SQLAlchemyError

from accord.cli.common import console, err_console, user_errors
from accord.store import BatchOutcome, Reject, StoreError, open_store
from accord.store.sources import registry_size
from accord.verify.ingest import DEFAULT_BATCH_SIZE, IngestSummary, ingest_file
from accord.verify.ingest_formats import FileFormat
from accord.verify.ingest_mqtt import DEFAULT_CLIENT_ID, ingest_mqtt
from accord.verify.ingest_stream import FileTail, ingest_stream

# Rejects printed per run; all of them are in the quarantine table.
_SHOWN_REJECTS = 20


class _Reporter:
    """Prints each committed batch (after its commit) and the first rejects."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.rejects_shown = 0

    def __call__(self, outcome: BatchOutcome, rejects: Sequence[Reject]) -> None:
        if not self.quiet:
            print(
                f"committed {outcome.source} {outcome.first_position}-{outcome.last_position}: "
                f"{len(outcome.accepted_ids)} accepted, {outcome.duplicates} duplicates, "
                f"{outcome.quarantined} quarantined",
                flush=True,
            )
        for reject in rejects:
            if self.rejects_shown < _SHOWN_REJECTS:
                err_console.print(
                    f"[yellow]quarantined[/yellow] {outcome.source}, {reject.detail}: "
                    f"{reject.reason}",
                    highlight=False,
                    soft_wrap=True,
                    markup=True,
                )
            self.rejects_shown += 1


def _summary(summary: IngestSummary, what: str) -> None:
    console.print(
        f"{summary.source}: {summary.records} {what}, {summary.accepted} accepted, "
        f"{summary.duplicates} duplicates, {summary.quarantined} quarantined "
        f"in {summary.seconds:.1f} s ({summary.records_per_second:,.0f}/s)"
        + (f", resumed after {summary.resumed_after}" if summary.resumed_after else ""),
        highlight=False,
        soft_wrap=True,
    )


def ingest(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="JSON Lines, CSV, GeoJSON or SensorThings JSON files.", exists=True),
    ] = None,
    mqtt: Annotated[
        str | None, typer.Option("--mqtt", help="Broker URL, e.g. mqtt://127.0.0.1:1883.")
    ] = None,
    follow: Annotated[
        Path | None,
        typer.Option(
            "--follow",
            help="A JSON Lines file to follow as it grows, line by line (resumes after the "
            "last line stored).",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    topic: Annotated[
        list[str] | None, typer.Option("--topic", "-t", help="Topic filter (repeatable).")
    ] = None,
    database: Annotated[
        str | None,
        typer.Option(
            "--database", "-d", help="Database URL (default $ACCORD_DATABASE_URL or accord.db)."
        ),
    ] = None,
    file_format: Annotated[
        FileFormat | None, typer.Option("--format", help="Format, when the suffix does not say.")
    ] = None,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Records per commit.")
    ] = DEFAULT_BATCH_SIZE,
    restart: Annotated[
        bool, typer.Option("--restart", help="Read files from the start, ignoring checkpoints.")
    ] = False,
    client_id: Annotated[
        str, typer.Option("--client-id", help="MQTT client id; names the persistent session.")
    ] = DEFAULT_CLIENT_ID,
    max_messages: Annotated[
        int | None, typer.Option("--max-messages", min=1, help="Stop after N messages.")
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option("--timeout", min=0, help="Stop after S seconds without a message."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only the summaries.")] = False,
) -> None:
    """Store observations; bad records go to the quarantine with their line and reason."""
    if not files and not mqtt and not follow:
        err_console.print(
            "[red]error[/red] give FILE..., --follow FILE and/or --mqtt URL --topic T"
        )
        raise typer.Exit(2)
    if mqtt and not topic:
        err_console.print("[red]error[/red] --mqtt needs at least one --topic")
        raise typer.Exit(2)
    report = _Reporter(quiet)
    with user_errors():
        try:
            with open_store(database) as store:
                with store.engine.connect() as connection:
                    if not registry_size(connection):
                        err_console.print("no source registry: sources are not checked")
                for path in files or []:
                    done = ingest_file(
                        store,
                        path,
                        file_format=file_format,
                        batch_size=batch_size,
                        resume=not restart,
                        on_commit=report,
                    )
                    _summary(done, "records")
                if mqtt:
                    heard = ingest_mqtt(
                        store,
                        mqtt,
                        topic or [],
                        client_id=client_id,
                        max_messages=max_messages,
                        idle_timeout_s=timeout,
                        on_commit=report,
                    )
                    _summary(heard, "messages")
                if follow:
                    tail = FileTail(follow, resume=not restart)
                    followed = ingest_stream(
                        store,
                        tail,
                        max_messages=max_messages,
                        idle_timeout_s=timeout,
                        batch_size=batch_size,
                        on_commit=report,
                    )
                    _summary(followed, "lines")
        except (StoreError, SQLAlchemyError) as exc:
            err_console.print(f"[red]error[/red] database: {exc}", highlight=False)
            raise typer.Exit(2) from None


if __name__ == "__main__":
    typer.run(ingest)
