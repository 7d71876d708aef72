"""`accord conditions`: where each incentive stands, and what other figures would change."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import SQLAlchemyError

from accord.cli.common import DatabaseOption, console, err_console, user_errors
from accord.conditions.decisions import compare, record
from accord.conditions.inputs import ComplianceDay, Inputs, from_store, load_inputs
from accord.conditions.machine import ConditionMachine, Run, compile_conditions, run
from accord.plans import load_plan
from accord.store import StoreError, open_store

app = typer.Typer(help="Conditional incentives: sanctions relief, aid tranches, assets, snap-back.")

Plan = Annotated[str, typer.Option("--plan", help="Plan id or agreement file.")]
Since = Annotated[str, typer.Option("--since", help="UTC day the conditions took effect.")]
Until = Annotated[
    str | None, typer.Option("--until", help="Last UTC day evaluated (default yesterday).")
]
InputsFile = Annotated[
    Path | None,
    typer.Option("--inputs", exists=True, help="JSON inputs (compliance, obligations, reviews)."),
]


def _day(text: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{what} {text!r} is not a date; write YYYY-MM-DD") from None


def _period(since: str, until: str | None) -> tuple[dt.date, dt.date]:
    yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    return _day(since, "--since"), _day(until, "--until") if until else yesterday


def _inputs(
    machines: list[ConditionMachine],
    inputs_file: Path | None,
    database: str | None,
    plan_id: str,
    period: tuple[dt.date, dt.date],
) -> Inputs:
    """The file's inputs over the store's figures (the store only when it is asked for)."""
    given = load_inputs(inputs_file) if inputs_file else Inputs()
    if inputs_file and database is None:
        return given
    parties = sorted({m.party for m in machines})
    try:
        with open_store(database, create=False) as store:
            stored = Inputs.of(from_store(store, parties, *period, plan_id))
    except (StoreError, SQLAlchemyError) as exc:
        err_console.print(f"[red]error[/red] database: {exc}", highlight=False)
        raise typer.Exit(2) from None
    return stored.overridden(given)


def _show(runs: list[Run]) -> None:
    for item in runs:
        machine = item.machine
        console.print(
            f"[bold]{machine.term_id}[/bold] ({machine.kind.value}, for {machine.party}, "
            f"from {', '.join(machine.providers)}): {item.state.describe(machine)}",
            highlight=False,
        )
        console.print(f"  waits for: {item.waiting_for()}", highlight=False, soft_wrap=True)
        for statement in machine.defaults():
            console.print(f"  default: {statement}", highlight=False, soft_wrap=True)
        if item.evaluations:
            last = item.evaluations[-1]
            evidence = ", ".join(f"{k} = {v}" for k, v in last.inputs.items()) or "none"
            console.print(f"  evidence on {last.day}: {evidence}", highlight=False, soft_wrap=True)
        for decision in item.decisions():
            console.print(
                f"  {decision.day}: {decision.outcome} -> {decision.after}", highlight=False
            )


@app.command()
def status(
    plan: Plan,
    since: Since,
    until: Until = None,
    database: DatabaseOption = None,
    inputs_file: InputsFile = None,
    record_: Annotated[
        bool, typer.Option("--record/--no-record", help="Append the evaluations to the ledger.")
    ] = True,
) -> None:
    """Each condition's phase, what it waits for, and the evidence; recorded in the ledger."""
    with user_errors():
        agreement = load_plan(plan)
        machines = compile_conditions(agreement)
        period = _period(since, until)
        runs = run(
            machines, _inputs(machines, inputs_file, database, agreement.id, period), *period
        )
    _show(runs)
    if record_:
        with open_store(database) as store:
            done = record(store, runs)
        console.print(
            f"ledger: {done.appended} evaluations appended, {done.corrected} corrected, "
            f"{done.unchanged} already recorded"
        )


@app.command("what-if")
def what_if(
    plan: Plan,
    since: Since,
    until: Until = None,
    database: DatabaseOption = None,
    inputs_file: InputsFile = None,
    set_index: Annotated[
        list[str] | None,
        typer.Option("--set", help="PARTY=INDEX: that party's index on every day (repeatable)."),
    ] = None,
    violation: Annotated[
        list[str] | None,
        typer.Option("--violation", help="PARTY@DAY: a serious violation that day (repeatable)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Replay the period with changed figures and show where the decisions differ (not recorded)."""
    with user_errors():
        agreement = load_plan(plan)
        machines = compile_conditions(agreement)
        period = _period(since, until)
        baseline = _inputs(machines, None, database, agreement.id, period)
        changed = baseline.overridden(load_inputs(inputs_file)) if inputs_file else baseline
        changed = _changed(changed, set_index or [], violation or [], period)
        divergences = compare(run(machines, baseline, *period), run(machines, changed, *period))
    if as_json:
        console.print_json(
            json.dumps(
                [
                    {
                        "term": d.term_id,
                        "first_difference": d.first_day.isoformat() if d.first_day else None,
                        "baseline": d.baseline_final,
                        "what_if": d.changed_final,
                        "what_if_decisions": [e.as_payload() for e in d.changed],
                    }
                    for d in divergences
                ]
            )
        )
        return
    for d in divergences:
        console.print(f"[bold]{d.term_id}[/bold]", highlight=False)
        if d.first_day is None:
            console.print(f"  no change: {d.baseline_final}", highlight=False)
            continue
        console.print(
            f"  from {d.first_day}: {d.baseline_final} -> would be {d.changed_final}",
            highlight=False,
        )
        for e in d.changed:
            console.print(f"  what-if {e.day}: {e.outcome} -> {e.after}", highlight=False)


def _changed(
    inputs: Inputs, set_index: list[str], violations: list[str], period: tuple[dt.date, dt.date]
) -> Inputs:
    figures = dict(inputs.compliance)
    for item in set_index:
        party, _, value = item.partition("=")
        try:
            index = float(value)
        except ValueError:
            raise typer.BadParameter(f"--set {item!r}: write PARTY=INDEX, e.g. RU=0.95") from None
        day = period[0]
        while day <= period[1]:
            old = figures.get((party, day))
            serious = old.serious_violations if old else 0
            figures[(party, day)] = ComplianceDay(
                party=party,
                day=day,
                index=index,
                serious_violations=serious,
                corroborated_index=index,  # the figure set, whichever grade counts
                corroborated_serious=old.corroborated_serious if old else serious,
            )
            day += dt.timedelta(days=1)
    for item in violations:
        party, _, when = item.partition("@")
        day = _day(when, f"--violation {item!r}:")
        old = figures.get((party, day))
        figures[(party, day)] = ComplianceDay(
            party=party,
            day=day,
            index=old.index if old else 0.0,
            serious_violations=(old.serious_violations if old else 0) + 1,
            corroborated_index=old.corroborated_index if old else 0.0,
            corroborated_serious=((old.corroborated_serious or 0) if old else 0) + 1,
        )
    return Inputs(figures, inputs.obligations, inputs.reviews)
