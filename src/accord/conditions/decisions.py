"""Condition evaluations into the ledger, and what-if replays beside the record.

Every day's evaluation of every condition becomes one ledger entry (kind
`condition`, ref `TERM@DAY`) with the expression it checked, each input it
read and the outcome, appended in one transaction. A day already recorded is
never recorded again: the ledger keeps the first decision, and a later one
that disagrees is a correction entry that names it. What-if replays are
hypothetical and are never recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from accord.book import writing
from accord.conditions.machine import DayEvaluation, Run
from accord.store import Store
from accord.store.ledger import ENTRY_COLUMNS, Draft, LedgerEntryRow, append, row_entry

KIND = "condition"


def ref(evaluation: DayEvaluation) -> str:
    """The ledger ref of a day's evaluation of a condition: `term@day`."""
    return f"{evaluation.term_id}@{evaluation.day.isoformat()}"


@dataclass(frozen=True)
class Recorded:
    """How many evaluations `record` appended, corrected, or found already in the ledger."""

    appended: int
    corrected: int
    unchanged: int


def record(store: Store, runs: Sequence[Run]) -> Recorded:
    """Append the evaluations not yet in the ledger; correct those that changed."""
    evaluations = {ref(e): e for r in runs for e in r.evaluations}
    with writing(store) as connection:
        latest: dict[str, tuple[int, dict[str, object]]] = {}
        query = (
            select(*ENTRY_COLUMNS).where(LedgerEntryRow.kind == KIND).order_by(LedgerEntryRow.seq)
        )
        for row in connection.execute(query):
            entry = row_entry(row)
            if entry.ref in evaluations:
                latest[entry.ref] = (entry.seq, entry.payload)
        drafts, corrected = [], 0
        for key, evaluation in evaluations.items():
            payload = evaluation.as_payload()
            if key not in latest:
                drafts.append(Draft(KIND, key, payload))
            elif latest[key][1] != payload:
                drafts.append(Draft(KIND, key, payload, corrects=latest[key][0]))
                corrected += 1
        append(connection, drafts)
    return Recorded(len(drafts) - corrected, corrected, len(evaluations) - len(drafts))


@dataclass(frozen=True)
class Divergence:
    """Where a replay's decisions part from the baseline's, for one condition."""

    term_id: str
    first_day: dt.date | None
    baseline_final: str
    changed_final: str
    baseline: list[DayEvaluation]
    changed: list[DayEvaluation]


def compare(baseline: Sequence[Run], changed: Sequence[Run]) -> list[Divergence]:
    """Per condition: the first day its state differs, and both lists of decisions."""
    result = []
    for before, after in zip(baseline, changed, strict=True):
        first = next(
            (
                a.day
                for a, b in zip(before.evaluations, after.evaluations, strict=True)
                if a.after != b.after
            ),
            None,
        )
        result.append(
            Divergence(
                before.machine.term_id,
                first,
                before.state.describe(before.machine),
                after.state.describe(after.machine),
                before.decisions(),
                after.decisions(),
            )
        )
    return result
