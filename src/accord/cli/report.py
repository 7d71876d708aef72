"""`accord report`: the daily report (HTML, and PDF with --pdf)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from accord.cli.common import DatabaseOption, console, user_errors
from accord.report.daily import build_daily, to_pdf
from accord.report.i18n import DEFAULT_TZ
from accord.store import open_store

app = typer.Typer(help="Reports from the store: the daily report.")


@app.callback()
def report() -> None:
    """Reports from the store (a group, so more reports can join `daily`)."""


@app.command()
def daily(
    date: Annotated[str, typer.Option("--date", help="The report's day, YYYY-MM-DD.")],
    party: Annotated[
        str | None, typer.Option(help="A party's edition (UA or RU); default the public one.")
    ] = None,
    edition: Annotated[
        str | None,
        typer.Option(
            help="public (default), party (with --party) or mission (everything, with "
            "unpublished counts and internal notes)."
        ),
    ] = None,
    lang: Annotated[str, typer.Option(help="Labels' language: en, uk or ru.")] = "en",
    tz: Annotated[
        str, typer.Option(help="IANA time zone the times are shown in (offset stated).")
    ] = DEFAULT_TZ,
    pdf: Annotated[bool, typer.Option("--pdf", help="Also write the PDF.")] = False,
    output_dir: Annotated[Path, typer.Option("-o", "--output-dir", help="Folder.")] = Path("."),
    database: DatabaseOption = None,
) -> None:
    """The daily report for the 24 hours up to the day's 18:00 UTC cut-off, in the
    chosen edition, language and local time zone."""
    with user_errors():
        try:
            day = dt.date.fromisoformat(date)
        except ValueError:
            raise ValueError(f"--date {date!r} is not a date; write YYYY-MM-DD") from None
        with open_store(database, create=False) as store:
            report = build_daily(store, day, party, edition=edition, lang=lang, tz=tz)
        output_dir.mkdir(parents=True, exist_ok=True)
        stem = f"daily-{day.isoformat()}-{party or report.edition}"
        stem += "" if lang == "en" else f"-{lang}"
        written = [output_dir / f"{stem}.html"]
        written[0].write_text(report.html, encoding="utf-8")
        if pdf:
            written.append(output_dir / f"{stem}.pdf")
            written[1].write_bytes(to_pdf(report.html))
    console.print(
        f"daily report No. {report.number}: {report.incidents} incidents; wrote "
        + ", ".join(str(p) for p in written),
        highlight=False,
    )
