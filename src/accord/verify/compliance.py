"""Compliance per party and period: one formula over incidents, whatever produced them.

For a party over a period of D days (a day, or a week starting on Monday):

    score = sum over the party's established violations first seen in the period of
            severity_weight[severity]
    index = 1 / (1 + score / (half_score_per_day * D))

A violation is established when its evidence grade is at least the counted
grade (`verified` by default: seen by an observer patrol, declared by the
party, or upheld after investigation; `corroborated` where the agreement
says so) and it was not dismissed (closed without being established, or
ruled unfounded by the joint commission). Attribution is on positive
evidence only (`accord.verify.findings`), so an undetermined incident is no
party's. What is merely reported is counted beside the index, by grade, kind
and sector, OSCE-style, never inside it.

`period_figures` is the formula: the stored path (`compliance`, the reports,
the conditions) and a replay (`accord.scale.replay`) both call it, over the
same columns.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import delete, insert, select

from accord.columns import ColumnTable
from accord.store import Store
from accord.store.database import WRITE
from accord.store.ledger import Draft as LedgerDraft
from accord.store.ledger import append as append_to_ledger
from accord.store.ledger import latest_seq
from accord.store.verification import ComplianceRecord, StoredIncident
from accord.verify.evidence import Grade
from accord.verify.incidents import data_file
from accord.verify.rules import Severity
from accord.verify.workflow import State

DISMISSED = "dismissed"  # the joint commission's ruling that a disputed incident was unfounded

PERIOD_DAYS = {"day": 1, "week": 7}
FORMULA = (
    "index = 1 / (1 + score / (half_score_per_day x days)); score = sum of severity weights "
    "over the party's established violations (grade at least the counted grade, not "
    "dismissed); reported ones are counted beside it"
)
_NS_PER_DAY = 86_400 * 10**9
_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class Weights:
    """How the compliance formula weighs incidents: by severity, from which grade on,
    and how fast a score halves."""

    severity: Mapping[str, float]
    counted: Grade  # the lowest grade that establishes a violation
    half_score_per_day: float
    counted_is_default: bool = True  # the agreement did not say which grade counts

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Weights:
        """Weights from the compliance settings, with every severity required."""
        missing = {s.name for s in Severity} - set(data["severity_weight"])
        if missing:
            raise ValueError(f"compliance weights: severity_weight lacks {sorted(missing)}")
        return cls(
            {k: float(v) for k, v in data["severity_weight"].items()},
            Grade.named(str(data["counted_grade"])),
            float(data["half_score_per_day"]),
        )

    @classmethod
    def shipped(cls) -> Weights:
        """The weights shipped in verify/data/compliance.yaml."""
        return cls.from_data(data_file("compliance.yaml"))

    def counting(self, grade: Grade | str | None) -> Weights:
        """These weights counting `grade` as the agreement says (None: keep the default)."""
        if grade is None:
            return self
        chosen = grade if isinstance(grade, Grade) else Grade.named(grade)
        return Weights(self.severity, chosen, self.half_score_per_day, False)


@dataclass
class PeriodFigures:
    """One party's incidents over one period: what counts, and what is only reported."""

    start: date
    days: int
    incidents: int = 0  # attributed to the party, any grade
    established: int = 0  # counted in the score
    by_grade: Counter[str] = field(default_factory=Counter)  # every incident, by grade
    dismissed: int = 0
    serious: int = 0  # established violations of high or critical severity
    by_kind: Counter[str] = field(default_factory=Counter)  # established
    by_severity: Counter[str] = field(default_factory=Counter)  # established
    by_sector: Counter[str] = field(default_factory=Counter)  # established
    reported_by_kind: Counter[str] = field(default_factory=Counter)  # not established
    reported_by_sector: Counter[str] = field(default_factory=Counter)  # not established
    score: float = 0.0
    index: float = 1.0

    def as_dict(self) -> dict[str, Any]:
        """The period's figures as JSON-ready values."""
        return {
            "start": self.start.isoformat(),
            "days": self.days,
            "incidents": self.incidents,
            "established": self.established,
            "serious": self.serious,
            "dismissed": self.dismissed,
            "by_grade": dict(sorted(self.by_grade.items())),
            "by_kind": dict(sorted(self.by_kind.items())),
            "by_severity": dict(sorted(self.by_severity.items())),
            "by_sector": dict(sorted(self.by_sector.items())),
            "reported_by_kind": dict(sorted(self.reported_by_kind.items())),
            "reported_by_sector": dict(sorted(self.reported_by_sector.items())),
            "score": round(self.score, 4),
            "index": round(self.index, 4),
        }


@dataclass(frozen=True)
class IncidentColumns(ColumnTable):
    """What the formula reads of each incident, column by column."""

    party: NDArray[np.str_]
    first_ns: NDArray[np.int64]
    severity: NDArray[np.int8]
    grade: NDArray[np.int8]
    kind: NDArray[np.str_]
    sector: NDArray[np.str_]
    dismissed: NDArray[np.bool_]


SERIOUS = (Severity.high, Severity.critical)


def period_figures(
    incidents: IncidentColumns, weights: Weights, period: str = "day"
) -> dict[tuple[str, date], PeriodFigures]:
    """Each party's figures per period it has incidents in: the compliance formula."""
    days = PERIOD_DAYS[period]
    out: dict[tuple[str, date], PeriodFigures] = {}
    if not len(incidents):
        return out
    day = (incidents.first_ns // _NS_PER_DAY).tolist()
    severity_names = {int(level): level.name for level in Severity}
    grade_names = {int(g): g.name for g in Grade}
    counted = (
        (incidents.grade >= weights.counted) & ~incidents.dismissed & (incidents.party != "")
    ).tolist()
    for i, party in enumerate(incidents.party.tolist()):
        if not party:
            continue  # undetermined: no party's
        start = period_start(_EPOCH + timedelta(days=int(day[i])), period)
        figures = out.setdefault((party, start), PeriodFigures(start, days))
        figures.incidents += 1
        figures.by_grade[grade_names[int(incidents.grade[i])]] += 1
        figures.dismissed += bool(incidents.dismissed[i])
        kind, sector = str(incidents.kind[i]), str(incidents.sector[i])
        if counted[i]:
            level = int(incidents.severity[i])
            figures.established += 1
            figures.serious += level >= min(SERIOUS)
            figures.by_kind[kind] += 1
            figures.by_severity[severity_names[level]] += 1
            figures.by_sector[sector] += 1
            figures.score += weights.severity[severity_names[level]]
        elif not incidents.dismissed[i]:
            figures.reported_by_kind[kind] += 1
            figures.reported_by_sector[sector] += 1
    for figures in out.values():
        figures.index = compliance_index(figures.score, days, weights)
    return dict(sorted(out.items()))


def compliance_index(score: float, days: int, weights: Weights) -> float:
    """1 with nothing established, 0.5 at half_score_per_day per day."""
    return 1.0 / (1.0 + score / (weights.half_score_per_day * days))


@dataclass(frozen=True)
class Compliance:
    """A party's compliance in one period, beside the period before and what counted."""

    party: str
    period: str
    current: PeriodFigures
    previous: PeriodFigures
    counted: str = Grade.verified.name
    counted_is_default: bool = True
    formula: str = FORMULA

    def as_dict(self) -> dict[str, Any]:
        """The compliance as JSON-ready values, saying which grade counted and why."""
        counted = self.counted + (
            " (the default: the agreement does not say)" if self.counted_is_default else ""
        )
        return {
            "party": self.party,
            "period": self.period,
            "formula": self.formula,
            "counted_grade": counted,
            "current": self.current.as_dict(),
            "previous": self.previous.as_dict(),
        }


def compliance_ref(agreement_id: str, party: str, period: str, start: date) -> str:
    """How a published compliance figure is named in the ledger."""
    return f"{agreement_id}/{party}/{period}/{start.isoformat()}"


def period_start(day: date, period: str) -> date:
    """The day itself, or the Monday of its ISO week."""
    if period not in PERIOD_DAYS:
        raise ValueError(f"period {period!r}: use day or week")
    return day - timedelta(days=day.weekday()) if period == "week" else day


def _us(day: date) -> int:
    return int(datetime.combine(day, time.min, tzinfo=UTC).timestamp()) * 1_000_000


def stored_columns(
    store: Store, start: date, end: date, agreement_id: str | None, party: str | None = None
) -> IncidentColumns:
    """The formula's columns of the stored incidents first seen in [start, end)."""
    table = StoredIncident.__table__
    query = select(
        table.c.party,
        table.c.first_seen_us,
        table.c.severity,
        table.c.grade,
        table.c.kind,
        table.c.sector,
        table.c.state,
        table.c.confirmed,
        table.c.ruling,
    ).where(table.c.first_seen_us >= _us(start), table.c.first_seen_us < _us(end))
    if agreement_id:
        query = query.where(table.c.agreement_id == agreement_id)
    if party is not None:
        query = query.where(table.c.party == party)
    with store.engine.connect() as connection:
        rows = connection.execute(query).all()
    grade = np.array([int(Grade.named(r.grade)) for r in rows], dtype=np.int8)
    return IncidentColumns(
        party=np.array([r.party for r in rows], dtype=np.str_),
        first_ns=np.array([r.first_seen_us * 1000 for r in rows], dtype=np.int64),
        severity=np.array([r.severity for r in rows], dtype=np.int8),
        grade=grade,
        kind=np.array([r.kind for r in rows], dtype=np.str_),
        sector=np.array([r.sector for r in rows], dtype=np.str_),
        # Closed without ever being established, or ruled unfounded: dismissed.
        dismissed=np.array(
            [r.ruling == DISMISSED or (r.state == State.closed and not r.confirmed) for r in rows],
            dtype=bool,
        ),
    )


def figures(
    store: Store,
    party: str,
    start: date,
    days: int,
    weights: Weights,
    agreement_id: str | None = None,
) -> PeriodFigures:
    """The party's figures over [start, start + days), by `period_figures`."""
    period = {1: "day", 7: "week"}.get(days)
    if period is None or period_start(start, period) != start:
        raise ValueError(f"figures: a day, or a week from a Monday, not {days} days from {start}")
    columns = stored_columns(store, start, start + timedelta(days=days), agreement_id, party)
    found = period_figures(columns, weights, period)
    return found.get((party, start), PeriodFigures(start, days))


def compliance(
    store: Store,
    party: str,
    period: str,
    day: date,
    *,
    weights: Weights | None = None,
    agreement_id: str | None = None,
    record: bool = True,
) -> Compliance:
    """The party's figures for the period holding `day` and the one before; with `record`,
    the current period is saved (replacing an earlier computation)."""
    weights = weights or Weights.shipped()
    start = period_start(day, period)
    days = PERIOD_DAYS[period]
    current = figures(store, party, start, days, weights, agreement_id)
    previous = figures(store, party, start - timedelta(days=days), days, weights, agreement_id)
    result = Compliance(
        party, period, current, previous, weights.counted.name, weights.counted_is_default
    )
    if record:
        _record(store, result, agreement_id or "")
    return result


def _record(store: Store, result: Compliance, agreement_id: str) -> None:
    with store.engine.connect() as connection:
        connection = connection.execution_options(**WRITE)
        with connection.begin():
            connection.execute(
                delete(ComplianceRecord).where(
                    ComplianceRecord.agreement_id == agreement_id,
                    ComplianceRecord.party == result.party,
                    ComplianceRecord.period == result.period,
                    ComplianceRecord.start == result.current.start,
                )
            )
            # The stored figure is the published one (rounded as in the ledger), so what
            # conditions read is exactly what the parties can check.
            published = result.as_dict()
            connection.execute(
                insert(ComplianceRecord),
                {
                    "agreement_id": agreement_id,
                    "party": result.party,
                    "period": result.period,
                    "start": result.current.start,
                    "compliance_index": published["current"]["index"],
                    "score": published["current"]["score"],
                    "figures": json.dumps(published),
                    "computed_at": datetime.now(UTC),
                },
            )
            # Published figures go to the ledger; a recomputation is a correction
            # that names the figure it supersedes, never an overwrite.
            ref = compliance_ref(agreement_id, result.party, result.period, result.current.start)
            append_to_ledger(
                connection,
                [
                    LedgerDraft(
                        "compliance",
                        ref,
                        json.loads(json.dumps(result.as_dict(), default=str)),
                        corrects=latest_seq(connection, "compliance", ref),
                    )
                ],
            )
