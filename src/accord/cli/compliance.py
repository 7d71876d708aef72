"""`accord compliance`: a party's incidents and compliance index for a day or a week."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Annotated

import typer
from rich.table import Table

from accord.cli.common import DatabaseOption, console, user_errors
from accord.store import open_store
from accord.verify.compliance import FORMULA, PeriodFigures
from accord.verify.compliance import compliance as compute


def _rows(current: PeriodFigures, previous: PeriodFigures) -> list[tuple[str, str, str]]:
    rows = [
        ("incidents (any grade)", str(current.incidents), str(previous.incidents)),
        ("established (counted)", str(current.established), str(previous.established)),
        ("serious established", str(current.serious), str(previous.serious)),
        ("dismissed", str(current.dismissed), str(previous.dismissed)),
    ]
    for label, now, before in (
        ("grade", current.by_grade, previous.by_grade),
        ("established kind", current.by_kind, previous.by_kind),
        ("established severity", current.by_severity, previous.by_severity),
        ("established sector", current.by_sector, previous.by_sector),
        ("reported only, kind", current.reported_by_kind, previous.reported_by_kind),
        ("reported only, sector", current.reported_by_sector, previous.reported_by_sector),
    ):
        for key in sorted(set(now) | set(before)):
            rows.append((f"{label} {key}", str(now[key]), str(before[key])))
    rows += [
        ("score", f"{current.score:.2f}", f"{previous.score:.2f}"),
        ("compliance index", f"{current.index:.3f}", f"{previous.index:.3f}"),
    ]
    return rows


def compliance(
    party: Annotated[str, typer.Option("--party", help="Party id, e.g. RU or UA.")],
    period: Annotated[
        str, typer.Option("--period", help="day or week (Monday to Sunday).")
    ] = "day",
    day: Annotated[
        str | None,
        typer.Option("--date", help="A day in the period, YYYY-MM-DD (default today, UTC)."),
    ] = None,
    plan: Annotated[
        str | None, typer.Option("--plan", help="Only incidents under this plan id.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    database: DatabaseOption = None,
) -> None:
    """Established violations by kind, severity and sector, and what is only reported beside
    them, against the previous period; the compliance index with its formula."""
    with user_errors():
        when = date.fromisoformat(day) if day else datetime.now(UTC).date()
        with open_store(database, create=False) as store:
            result = compute(store, party, period, when, agreement_id=plan)
        if as_json:
            print(json.dumps(result.as_dict(), indent=2))
            return
        current, previous = result.current, result.previous
        table = Table(
            "figure",
            f"{period} from {current.start}",
            f"previous ({previous.start})",
            title=f"{party} compliance",
        )
        for row in _rows(current, previous):
            table.add_row(*row)
        console.print(table)
        counted = result.as_dict()["counted_grade"]
        console.print(
            f"{FORMULA}; counted grade: {counted}; weights in verify/data/compliance.yaml",
            highlight=False,
            soft_wrap=True,
        )
