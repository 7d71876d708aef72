"""Side-by-side comparison of agreements: one row per issue, one column per plan.

The comparison is data; `accord.report.compare` renders it for a terminal,
Markdown, HTML, CSV or JSON, so the CLI, the API and the reports agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from accord.agreement.model import Agreement
from accord.agreement.vocabulary import AREA_TITLES, ISSUES, Area


class CellState(StrEnum):
    """What a plan says on an issue: terms on it, silence, or the whole area left open."""

    terms = "terms"  # the plan has terms on this issue
    silent = "silent"  # the plan covers the area but not this issue
    open = "open"  # the plan's documents leave the whole area open


@dataclass(frozen=True)
class Entry:
    """A plan's term as a comparison cell shows it."""

    term_id: str
    label: str
    summary: str
    status: str
    kind: str
    position_of: str | None = None

    @property
    def marks(self) -> str:
        """Prefix saying a term is not yet agreed, a fallback, or one side's position."""
        out = {"to_negotiate": "(tbd) ", "fallback": "(fallback) "}.get(self.status, "")
        return out + (f"({self.position_of} position) " if self.position_of else "")


@dataclass(frozen=True)
class Cell:
    """What one plan says on one issue, with the terms that say it."""

    state: CellState
    entries: tuple[Entry, ...] = ()
    note: str = ""

    def short(self) -> str:
        """Compact text for narrow views."""
        if self.state is CellState.open:
            return "open"
        if self.state is CellState.silent:
            return "—"
        return "; ".join(e.marks + e.label for e in self.entries)

    def full(self) -> str:
        """Complete text for documents."""
        if self.state is CellState.open:
            return f"Open: {self.note}"
        if self.state is CellState.silent:
            return "Not addressed"
        return " ".join(f"{e.marks}{e.summary}" for e in self.entries)


@dataclass(frozen=True)
class Row:
    """One issue across the plans compared."""

    area: Area
    issue: str
    title: str
    cells: tuple[Cell, ...]


@dataclass
class Comparison:
    """Plans side by side, issue by issue, as every renderer of a comparison reads them."""

    plans: list[Agreement]
    rows: list[Row] = field(default_factory=list)

    def rows_in(self, area: Area) -> list[Row]:
        """The issues of one area, in order."""
        return [r for r in self.rows if r.area is area]

    def to_json(self) -> dict[str, Any]:
        """The comparison as JSON: the plans, and each issue's cells."""
        return {
            "plans": [
                {"id": p.id, "title": p.title, "proposer": p.proposer, "date": p.date}
                for p in self.plans
            ],
            "rows": [
                {
                    "area": r.area.value,
                    "issue": r.issue,
                    "title": r.title,
                    "cells": {
                        plan.id: {
                            "state": cell.state.value,
                            "note": cell.note or None,
                            "terms": [e.__dict__ for e in cell.entries],
                        }
                        for plan, cell in zip(self.plans, r.cells, strict=True)
                    },
                }
                for r in self.rows
            ],
        }


def _deal_entries(plan: Agreement) -> tuple[Entry, ...]:
    entries = []
    for deal in plan.deals:
        after = f" after {', '.join(deal.after)}" if deal.after else ""
        who = "-".join(deal.signatories)
        entries.append(
            Entry(
                term_id=deal.id,
                label=f"{deal.id} ({who}){after}",
                summary=f"{deal.title}: signed by {', '.join(deal.signatories)}{after}"
                + (f"; {deal.conditions}" if deal.conditions else "")
                + ".",
                status="proposed",
                kind="deal",
            )
        )
    return tuple(entries)


def _cell(plan: Agreement, area: Area, issue: str) -> Cell:
    note = plan.open_note(area)
    if note is not None:
        return Cell(CellState.open, note=note)
    entries = tuple(
        Entry(t.id, t.label, t.summary, t.status, t.kind.value, t.position_of)
        for t in plan.terms
        if t.area is area and t.issue == issue
    )
    if area is Area.sequencing and issue == "deals":
        entries = _deal_entries(plan) + entries
    return Cell(CellState.terms, entries) if entries else Cell(CellState.silent)


def compare(plans: list[Agreement], areas: list[Area] | None = None) -> Comparison:
    """Rows for every issue any plan addresses (deals are the sequencing area's
    `deals` issue), and one row for each area no plan addresses, so every area
    appears and no term is left out."""
    result = Comparison(plans=plans)
    for area in areas or list(Area):
        addressed = {t.issue for p in plans for t in p.terms if t.area is area}
        if area is Area.sequencing and any(p.deals for p in plans):
            addressed.add("deals")
        issues = [i for i in ISSUES[area] if i in addressed]
        if not issues:
            result.rows.append(
                Row(area, "", AREA_TITLES[area], tuple(_cell(p, area, "") for p in plans))
            )
            continue
        for issue in issues:
            cells = tuple(_cell(p, area, issue) for p in plans)
            result.rows.append(Row(area, issue, ISSUES[area][issue], cells))
    return result
