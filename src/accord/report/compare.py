"""Render a plan comparison for a terminal, Markdown, HTML, CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from accord import __version__
from accord.agreement.compare import CellState, Comparison
from accord.agreement.vocabulary import AREA_TITLES, Area
from accord.report.render import environment

FORMATS = ("text", "markdown", "html", "csv", "json")
_ISSUE_WIDTH = 14
_PLAN_MIN_WIDTH = 20


def _chunks(comparison: Comparison, width: int) -> Iterator[range]:
    """Plans per table so that each column stays readable at this width."""
    per_table = max(1, (width - _ISSUE_WIDTH - 4) // (_PLAN_MIN_WIDTH + 3))
    for start in range(0, len(comparison.plans), per_table):
        yield range(start, min(start + per_table, len(comparison.plans)))


def to_rich(comparison: Comparison, width: int = 80) -> RenderableType:
    """Tables for a terminal: one per area, split by plans to fit the width."""
    parts: list[RenderableType] = []
    chunks = list(_chunks(comparison, width))
    total = len(comparison.plans)
    for area in Area:
        rows = comparison.rows_in(area)
        for chunk in chunks if rows else []:
            title = AREA_TITLES[area]
            if len(chunks) > 1:
                first, last = chunk.start + 1, chunk.stop
                span = f"plan {first}" if first == last else f"plans {first}-{last}"
                title += f"  ({span} of {total})"
            table = Table(
                title=title,
                title_justify="left",
                title_style="bold",
                box=box.SIMPLE_HEAD,
                expand=True,
                pad_edge=False,
            )
            table.add_column("Issue", style="bold", width=_ISSUE_WIDTH, overflow="fold")
            for i in chunk:
                table.add_column(comparison.plans[i].id, overflow="fold", ratio=1)
            for row in rows:
                cells = []
                for i in chunk:
                    cell = row.cells[i]
                    style = {"open": "italic dim", "silent": "dim"}.get(cell.state.value, "")
                    cells.append(Text(cell.short(), style=style))
                table.add_row(row.title, *cells)
            parts.append(table)
    return Group(*parts)


def to_text(comparison: Comparison, width: int = 80) -> str:
    """The comparison as plain text for a terminal of `width` columns."""
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(to_rich(comparison, width))
    return console.export_text()


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(comparison: Comparison) -> str:
    """The comparison as Markdown: one table per area."""
    lines = []
    for area in Area:
        rows = comparison.rows_in(area)
        if not rows:
            continue
        lines += [f"## {AREA_TITLES[area]}", ""]
        lines.append("| Issue | " + " | ".join(p.id for p in comparison.plans) + " |")
        lines.append("|---" * (len(comparison.plans) + 1) + "|")
        for row in rows:
            cells = " | ".join(_md(c.full()) for c in row.cells)
            lines.append(f"| {_md(row.title)} | {cells} |")
        lines.append("")
    return "\n".join(lines)


def to_csv(comparison: Comparison) -> str:
    """The comparison as CSV: one row per issue, one column per plan."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["area", "issue", *(p.id for p in comparison.plans)])
    for row in comparison.rows:
        writer.writerow([row.area.value, row.issue, *(c.full() for c in row.cells)])
    return out.getvalue()


def to_json(comparison: Comparison) -> str:
    """The comparison as JSON text."""
    return json.dumps(comparison.to_json(), indent=2, ensure_ascii=False)


def to_html(comparison: Comparison, title: str = "Peace plans compared") -> str:
    """The comparison as one self-contained HTML page."""
    template = environment().get_template("compare.html.j2")
    areas = [(area, AREA_TITLES[area], comparison.rows_in(area)) for area in Area]
    return template.render(
        title=title,
        comparison=comparison,
        areas=[a for a in areas if a[2]],
        CellState=CellState,
        version=__version__,
    )


def render(comparison: Comparison, fmt: str, width: int = 80) -> str:
    """The comparison in one of FORMATS."""
    renderers = {
        "text": lambda: to_text(comparison, width),
        "markdown": lambda: to_markdown(comparison),
        "html": lambda: to_html(comparison),
        "csv": lambda: to_csv(comparison),
        "json": lambda: to_json(comparison),
    }
    if fmt not in renderers:
        raise ValueError(f"unknown format '{fmt}'; use one of {', '.join(FORMATS)}")
    return renderers[fmt]()
