"""`accord plans`: list, show, compare, diff, validate; the vocabulary and the schema."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markdown import Markdown
from rich.markup import escape
from rich.table import Table

from accord.agreement import AgreementFileError, load_agreement
from accord.agreement.compare import compare
from accord.agreement.describe import typed_fields, vocabulary_table
from accord.agreement.diff import diff_agreements
from accord.agreement.loader import SourceMap, locate_problems
from accord.agreement.schema import agreement_json_schema
from accord.agreement.vocabulary import AREA_TITLES, Area
from accord.cli.common import console, err_console, user_errors, write_or_print
from accord.plans import load_all, load_plan
from accord.report.compare import FORMATS, render
from accord.report.vocabulary import to_markdown as vocabulary_markdown

app = typer.Typer(help="The peace plans as data: list, show, compare, diff, validate.")

Format = Annotated[
    str, typer.Option("--format", "-f", help=f"Output format: {', '.join(FORMATS)}.")
]
Output = Annotated[str | None, typer.Option("--output", "-o", help="Write to this file.")]


@app.command("list")
def list_plans(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the shipped plans."""
    with user_errors():
        plans = load_all()
    if as_json:
        rows = [
            {
                "id": p.id,
                "title": p.title,
                "proposer": p.proposer,
                "date": p.date,
                "terms": len(p.terms),
                "open_areas": [o.area.value for o in p.open],
            }
            for p in plans
        ]
        write_or_print(json.dumps(rows, indent=2), None)
        return
    table = Table(title="Shipped plans")
    table.add_column("id", style="bold")
    table.add_column("proposer")
    table.add_column("date")
    table.add_column("terms", justify="right")
    table.add_column("open areas")
    for p in plans:
        table.add_row(
            p.id,
            p.proposer,
            p.date,
            str(len(p.terms)),
            ", ".join(o.area.value for o in p.open) or "—",
        )
    console.print(table)


@app.command()
def show(
    plan: Annotated[str, typer.Argument(help="A shipped plan id or a path to a plan file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON.")] = False,
) -> None:
    """Show one plan term by term, area by area."""
    with user_errors():
        agreement = load_plan(plan)
    if as_json:
        write_or_print(agreement.model_dump_json(indent=2, exclude_defaults=True), None)
        return
    console.print(f"[bold]{agreement.title}[/bold] ({agreement.id})")
    console.print(f"{agreement.proposer}, {agreement.date}", highlight=False)
    console.print(agreement.summary.strip(), highlight=False)
    for area in Area:
        console.rule(AREA_TITLES[area])
        note = agreement.open_note(area)
        if note:
            console.print(f"[italic]Open:[/italic] {note}", highlight=False)
        for term in agreement.terms_in(area):
            status = "" if term.status == "proposed" else f" [yellow]({term.status})[/yellow]"
            console.print(f"[bold]{term.id}[/bold] [dim]{term.kind.value}[/dim]{status}")
            console.print(f"  {term.summary}", highlight=False)
            for name, value in typed_fields(term):
                console.print(f"  [cyan]{name}[/cyan]: {escape(value)}", highlight=False)
            refs = "; ".join(
                f"{agreement.document(s.doc).title}" + (f", {s.section}" if s.section else "")
                for s in term.sources
            )
            console.print(f"  [dim]source: {escape(refs)}[/dim]", highlight=False)
    if agreement.deals:
        console.rule("Deals")
        for deal in agreement.deals:
            after = f" after {', '.join(deal.after)}" if deal.after else ""
            console.print(
                f"[bold]{deal.id}[/bold] {deal.title}: {', '.join(deal.signatories)}{after}",
                highlight=False,
            )


@app.command("compare")
def compare_plans(
    plans: Annotated[
        list[str] | None, typer.Argument(help="Plan ids or files; all if none.")
    ] = None,
    area: Annotated[
        list[Area] | None, typer.Option("--area", "-a", help="Only this area (repeatable).")
    ] = None,
    fmt: Format = "text",
    output: Output = None,
) -> None:
    """Compare plans side by side: one row per issue, one column per plan."""
    with user_errors():
        agreements = [load_plan(p) for p in plans] if plans else load_all()
        comparison = compare(agreements, area)
        width = console.width if output in (None, "-") else 80
        text = render(comparison, fmt, width=min(width, 200))
    write_or_print(text, output)


@app.command()
def diff(
    a: Annotated[str, typer.Argument(help="The plan to diff from.")],
    b: Annotated[str, typer.Argument(help="The plan to diff to.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Terms added, removed and changed from plan A to plan B."""
    with user_errors():
        result = diff_agreements(load_plan(a), load_plan(b))
    if as_json:
        write_or_print(json.dumps(result.to_json(), indent=2, ensure_ascii=False), None)
        return
    console.print(f"[bold]{result.a}[/bold] → [bold]{result.b}[/bold]")
    if result.empty:
        console.print("No differences.")
    for term in result.added:
        console.print(f"[green]+ {term.id}[/green]  {term.summary}", highlight=False)
    for term in result.removed:
        console.print(f"[red]- {term.id}[/red]  {term.summary}", highlight=False)
    for change in result.changed:
        console.print(f"[yellow]~ {change.term_id}[/yellow]")
        for f in change.changes:
            console.print(f"    {f.path}: {f.old!r} → {f.new!r}", highlight=False)
    for area_name in result.opened:
        console.print(f"[red]area {area_name} is open in {result.b}[/red]")
    for area_name in result.closed:
        console.print(f"[green]area {area_name} is covered in {result.b}[/green]")


@app.command()
def validate(
    files: Annotated[list[str], typer.Argument(help="Agreement files to check.")],
) -> None:
    """Check agreement files, zones included (on the shipped control map); print every
    problem; exit 1 if any file has one."""
    from accord.geo import line_of_contact, shipped_control
    from accord.geo.checks import zone_problems
    from accord.negotiate.files import load_domain
    from accord.negotiate.mapping import plan_package

    failed = 0
    line = None
    for name in files:
        try:
            agreement = load_agreement(name)
            line = line or line_of_contact(shipped_control())
            # Everything found after loading, reported at once: zones the map cannot
            # draw, and negotiation options that are unknown or contradict each other.
            problems = locate_problems(name, zone_problems(agreement, line))
            try:
                plan_package(agreement, load_domain(), SourceMap.read(name))
            except AgreementFileError as mapping:
                problems.extend(mapping.problems)
            if problems:
                raise AgreementFileError(sorted(problems, key=lambda p: (p.line, p.column)))
        except AgreementFileError as exc:
            failed += 1
            for problem in exc.problems:
                err_console.print(f"[red]error[/red] {problem}", highlight=False, soft_wrap=True)
            continue
        console.print(
            f"[green]ok[/green] {name}: {agreement.id}, {len(agreement.terms)} terms",
            highlight=False,
            soft_wrap=True,
        )
    if failed:
        err_console.print(f"{failed} of {len(files)} file(s) have problems.")
        raise typer.Exit(1)


@app.command()
def vocabulary(
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="Output format: text, markdown, json.")
    ] = "text",
    output: Output = None,
) -> None:
    """The areas, issues, kinds, zone types, units and negotiation options plans use."""
    from accord.negotiate.files import load_domain

    with user_errors():
        table = vocabulary_table()
        table["negotiation"] = [
            {
                "issue": issue.id,
                "area": issue.area,
                "title": issue.title,
                "options": {o.id: o.title for o in issue.options},
            }
            for issue in load_domain().issues
        ]
        if fmt == "json":
            text = json.dumps(table, indent=2, ensure_ascii=False)
        elif fmt in ("markdown", "text"):
            text = vocabulary_markdown(table)
        else:
            raise ValueError(f"unknown format '{fmt}'; use one of text, markdown, json")
    if fmt == "text" and output in (None, "-"):
        console.print(Markdown(text))
        return
    write_or_print(text, output)


@app.command()
def schema(output: Output = None) -> None:
    """Print the JSON Schema of agreement files, for other tools to validate with."""
    write_or_print(json.dumps(agreement_json_schema(), indent=2), output)
