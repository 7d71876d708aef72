"""`accord replay`: verification over an archive, in one process or on a Dask cluster."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from accord.cli.common import EdgeOption, console, user_errors
from accord.cli.verify import ControlOption, EventOption, cache_dir, parse_events
from accord.plans import load_plan
from accord.verify.batch import Verifier


def replay(
    archive: Annotated[
        str, typer.Option("--archive", "-a", help="Archive folder or URL (s3://, gs://, ...).")
    ],
    agreement: Annotated[
        str, typer.Option("--agreement", "--plan", "-p", help="Plan id or agreement file.")
    ],
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786."),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", "-w", help="Without --scheduler: a local cluster of N processes."
        ),
    ] = None,
    compare_with: Annotated[
        str | None,
        typer.Option("--compare", help="A second plan: differences in findings and compliance."),
    ] = None,
    control: ControlOption = None,
    edge_uncertainty_m: EdgeOption = None,
    event: EventOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """Replay the archive through verification: findings, incidents, daily compliance."""
    with user_errors():
        try:
            from accord.scale.compare import compare
            from accord.scale.replay import close_client, dask_client, replay_many
        except ImportError as exc:
            raise ValueError(f"replay needs pyarrow ({exc}): pip install 'accord[scale]'") from None
        events = parse_events(event)
        verifiers = [
            Verifier.for_agreement(
                load_plan(plan),
                control=control,
                events=events,
                cache_dir=cache_dir(),
                edge_uncertainty_m=edge_uncertainty_m,
            )
            for plan in [agreement] + ([compare_with] if compare_with else [])
        ]
        client = dask_client(scheduler, workers)
        try:
            with Progress(
                TextColumn("partitions"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=True,
                disable=as_json,
            ) as bar:
                task = bar.add_task("replay", total=None)
                results = replay_many(
                    archive,
                    verifiers,
                    client=client,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
        finally:
            close_client(client)
        output: dict[str, Any] = {"replays": [_summary(r) for r in results]}
        if compare_with is not None:
            output["comparison"] = compare(
                results[0], results[1], (verifiers[0], verifiers[1])
            ).as_dict()
        if as_json:
            console.print_json(json.dumps(output))
            return
        for result in results:
            _print(result)
        if compare_with is not None:
            _print_comparison(output["comparison"])


def _summary(result: Any) -> dict[str, Any]:
    return result.summary() | {
        "compliance": [
            {"party": party, "day": day.isoformat(), **figures.as_dict()}
            for (party, day), figures in result.compliance.items()
        ]
    }


def _print(result: Any) -> None:
    s = result.summary()
    console.print(
        f"{s['agreement']}: {s['observations']:,} observations in {s['partitions']:,} partitions "
        f"on {s['workers']} worker(s), {s['seconds']['wall']:.1f} s "
        f"({s['observations_per_s']:,} observations/s): {s['findings']:,} findings, "
        f"{s['incidents']:,} incidents ({s['confirmed']:,} corroborated or verified)",
        highlight=False,
        soft_wrap=True,
    )
    table = Table(title=f"daily compliance under {s['agreement']}")
    for column in ("party", "day", "incidents", "established", "score", "index"):
        table.add_column(column, justify="left" if column in ("party", "day") else "right")
    for (party, day), figures in result.compliance.items():
        table.add_row(
            party,
            day.isoformat(),
            f"{figures.incidents:,}",
            f"{figures.established:,}",
            f"{figures.score:.2f}",
            f"{figures.index:.3f}",
        )
    console.print(table)


def _print_comparison(comparison: dict[str, Any]) -> None:
    first, second = comparison["first"], comparison["second"]
    table = Table(title="comparison")
    table.add_column("")
    table.add_column(first["agreement_id"], justify="right")
    table.add_column(second["agreement_id"], justify="right")
    for key in ("findings", "incidents", "breaching_observations"):
        table.add_row(key.replace("_", " "), f"{first[key]:,}", f"{second[key]:,}")
    for kind in sorted(set(first["incidents_by_kind"]) | set(second["incidents_by_kind"])):
        table.add_row(
            f"incidents: {kind}",
            f"{first['incidents_by_kind'].get(kind, 0):,}",
            f"{second['incidents_by_kind'].get(kind, 0):,}",
        )
    table.add_row(
        "in breach under one only",
        f"{comparison['only_first']:,} {comparison['only_first_kinds']}",
        f"{comparison['only_second']:,} {comparison['only_second_kinds']}",
    )
    console.print(table)
    deltas = Table(title="daily compliance index")
    for column in ("party", "day", first["agreement_id"], second["agreement_id"], "change"):
        deltas.add_column(column)
    for row in comparison["compliance"]:
        deltas.add_row(
            row["party"] or "(undetermined)",
            row["day"],
            f"{row['first']:.3f}",
            f"{row['second']:.3f}",
            f"{row['change']:+.3f}",
        )
    console.print(deltas)
