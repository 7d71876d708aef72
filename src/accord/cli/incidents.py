"""`accord incidents`: list, show and move incidents through their workflow."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table

from accord.cli.common import DatabaseOption, console, err_console, user_errors
from accord.store import open_store
from accord.store.verification import StoredIncident
from accord.verify.rules import Severity
from accord.verify.rulings import record_investigation, rule_on_dispute
from accord.verify.workflow import (
    IllegalTransition,
    State,
    clocks,
    incident_detail,
    incident_ref,
    list_incidents,
    parse_ref,
    transition,
)

app = typer.Typer(help="Incidents: findings about one event, and their workflow.")


def _when(us: int) -> str:
    return datetime.fromtimestamp(us / 1e6, UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _stamp(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%SZ}" if moment else "not known"


class ListFormat(StrEnum):
    """How `accord incidents list` writes the incidents: a table, JSON or CSV."""

    table = "table"
    json = "json"
    csv = "csv"


def _listed(row: StoredIncident) -> dict[str, Any]:
    """One incident as `list --format json|csv` gives it: every figure, full precision."""
    return {
        "incident": incident_ref(row.id),
        "first_seen": _when(row.first_seen_us),
        "last_seen": _when(row.last_seen_us),
        "term": row.term_id,
        "kind": row.kind,
        "party": row.party or "undetermined",
        "party_confidence": row.party_confidence,
        "severity": Severity(row.severity).name,
        "state": row.state,
        "grade": row.grade,
        "sector": row.sector,
        "lon": row.lon,
        "lat": row.lat,
        "team": row.team,
        "sources": len(json.loads(row.sources)),
        "confidence": row.confidence,
    }


@app.command("list")
def list_(
    state: Annotated[State | None, typer.Option(help="Only incidents in this state.")] = None,
    party: Annotated[
        str | None, typer.Option(help="Only incidents attributed to this party.")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.", min=1)] = 50,
    format_: Annotated[
        ListFormat, typer.Option("--format", "-f", help="A table to read, or json or csv.")
    ] = ListFormat.table,
    database: DatabaseOption = None,
) -> None:
    """Incidents, newest first; `show` gives one in full."""
    with user_errors(), open_store(database, create=False) as store:
        rows = list_incidents(store, state=state.value if state else None, party=party, limit=limit)
    if format_ is ListFormat.json:
        typer.echo(json.dumps([_listed(r) for r in rows], indent=2))
        return
    if format_ is ListFormat.csv:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=_FIELDS)
        writer.writeheader()
        writer.writerows(_listed(r) for r in rows)
        typer.echo(out.getvalue(), nl=False)
        return
    # Seven columns, the party over its evidence grade, fit a terminal of 80 columns;
    # the term, team and figures are in `show` and in json/csv.
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1, 0, 0), show_edge=False)
    for name in ("incident", "first seen", "kind", "severity", "party\nevidence", "state"):
        table.add_column(name, no_wrap=name in ("incident", "first seen"))
    table.add_column("sector")
    for r in rows:
        table.add_row(
            incident_ref(r.id),
            datetime.fromtimestamp(r.first_seen_us / 1e6, UTC).strftime("%m-%d %H:%M"),
            r.kind.replace("_", " "),
            Severity(r.severity).name,
            f"{r.party or 'undetermined'}\n{r.grade}",
            r.state,
            r.sector,
        )
    console.print(table)
    console.print(f"{len(rows)} incident(s); times UTC", highlight=False)


_FIELDS = [
    "incident", "first_seen", "last_seen", "term", "kind", "party", "party_confidence",
    "severity", "state", "grade", "sector", "lon", "lat", "team", "sources", "confidence",
]  # fmt: skip


@app.command("show")
def show(
    incident: Annotated[str, typer.Argument(help="INC-000012 or 12.")],
    database: DatabaseOption = None,
) -> None:
    """One incident: what, where, whose and why, its evidence and its history."""
    with user_errors(), open_store(database, create=False) as store:
        try:
            row, findings, history = incident_detail(store, parse_ref(incident))
        except LookupError as exc:
            err_console.print(f"[red]error[/red] {exc.args[0]}", highlight=False)
            raise typer.Exit(1) from None
        console.print(
            f"{incident_ref(row.id)}  {row.state}  {Severity(row.severity).name}  "
            f"evidence {row.grade} ({', '.join(json.loads(row.networks)) or 'no network'})"
            + (f", investigation {row.investigation}" if row.investigation else "")
            + (f", ruling {row.ruling}" if row.ruling else "")
            + "\n"
            f"breach of {row.term_id} ({row.rule_id}), kinds {row.kinds}\n"
            f"seen {_when(row.first_seen_us)} .. {_when(row.last_seen_us)} at "
            f"{row.lat:.4f} N {row.lon:.4f} E, sector {row.sector}\n"
            f"party {row.party or 'undetermined'} ({row.party_confidence:.2f}): {row.attribution}\n"
            f"confidence {row.confidence:.2f} (noisy-OR over {len(json.loads(row.sources))} "
            f"sources: {', '.join(json.loads(row.sources))})\n"
            f"routed to {row.team} ({row.team_distance_km:.1f} km)"
            + (f"\nreferred to headquarters: {row.escalation}" if row.escalation else ""),
            highlight=False,
            soft_wrap=True,
        )
        console.print("evidence:", highlight=False)
        for f in findings:
            console.print(
                f"  {_when(f.observed_at_us)} {f.source_id} ({f.source_type}) {f.observed_kind} "
                f"x{f.count}: {f.detail}; observations {', '.join(json.loads(f.evidence))}",
                highlight=False,
                soft_wrap=True,
            )
        console.print("history:", highlight=False)
        for h in history:
            data, taken = clocks(h)
            console.print(
                f"  data {_stamp(data)}, taken {_stamp(taken)}: {h.from_state or '-'} -> "
                f"{h.to_state} by {h.actor}: {h.reason}",
                highlight=False,
                soft_wrap=True,
            )


@app.command("transition")
def transition_(
    incident: Annotated[str, typer.Argument(help="INC-000012 or 12.")],
    state: Annotated[State, typer.Argument(help="The state to move it to.")],
    actor: Annotated[str, typer.Option(help="Who moves it (team, officer, party).")],
    reason: Annotated[str, typer.Option(help="Why.")],
    database: DatabaseOption = None,
) -> None:
    """Move an incident along its workflow; illegal steps are refused with the legal ones."""
    with user_errors(), open_store(database, create=False) as store:
        try:
            done = transition(store, parse_ref(incident), state.value, actor=actor, reason=reason)
        except (IllegalTransition, LookupError) as exc:
            err_console.print(f"[red]error[/red] {exc.args[0]}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        console.print(
            f"{incident_ref(done.incident_id)}: {done.from_state} -> {done.to_state} "
            f"by {done.actor} at {done.at:%Y-%m-%d %H:%M:%SZ}",
            highlight=False,
        )


def _decided(incident: str, decide: Callable[[int], str], shown: str) -> None:
    """Run one decision on an incident, printing its outcome or the refusal."""
    number = parse_ref(incident)
    try:
        outcome = decide(number)
    except (IllegalTransition, LookupError) as exc:
        err_console.print(f"[red]error[/red] {exc.args[0]}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    console.print(f"{incident_ref(number)}: {shown}{outcome}", highlight=False)


@app.command("investigate")
def investigate(
    incident: Annotated[str, typer.Argument(help="INC-000012 or 12.")],
    found: Annotated[
        bool, typer.Option("--found/--not-found", help="Did the team find it on the spot?")
    ],
    actor: Annotated[str, typer.Option(help="The team or officer who went.")],
    reason: Annotated[str, typer.Option(help="What they saw.")],
    database: DatabaseOption = None,
) -> None:
    """Record an investigation's result: found verifies the incident; not found keeps its
    grade (a breach that ended leaves nothing to find) and says so in its history."""
    with user_errors(), open_store(database, create=False) as store:
        _decided(
            incident,
            lambda n: record_investigation(store, n, found=found, actor=actor, reason=reason),
            "evidence ",
        )


@app.command("rule")
def rule(
    incident: Annotated[str, typer.Argument(help="INC-000012 or 12.")],
    upheld: Annotated[
        bool, typer.Option("--upheld/--dismissed", help="The joint commission's ruling.")
    ],
    actor: Annotated[str, typer.Option(help="Who rules, e.g. 'joint commission'.")],
    reason: Annotated[str, typer.Option(help="The ruling's grounds.")],
    database: DatabaseOption = None,
) -> None:
    """The joint commission's ruling on a disputed incident: upheld (verified, resolved)
    or dismissed (closed; no party's compliance counts it)."""
    with user_errors(), open_store(database, create=False) as store:
        _decided(
            incident,
            lambda n: rule_on_dispute(store, n, upheld=upheld, actor=actor, reason=reason),
            "",
        )
