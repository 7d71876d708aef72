"""Compliance per party and period: incidents counted every way, and one index.

For a party over a period of D days (a day, or a week starting on Monday):

    score = sum over the party's incidents first seen in the period of
            severity_weight[severity] * confirmation_weight * attribution confidence
    index = 1 / (1 + score / (half_score_per_day * D))

The confirmation weight is `confirmed` for an incident confirmed at any time,
`dismissed` for one closed without ever being confirmed, `unconfirmed`
otherwise. The weights are data (`verify/data/compliance.yaml`); the index
is 1 with no incidents and 0.5 at a score of half_score_per_day per day.
Each figure is given for the period and for the one before it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, insert, select

from accord.store import Store
from accord.store.database import WRITE
from accord.store.ledger import Draft as LedgerDraft
from accord.store.ledger import append as append_to_ledger
from accord.store.ledger import latest_seq
from accord.store.verification import ComplianceRecord, StoredIncident
from accord.verify.incidents import data_file
from accord.verify.rules import Severity
from accord.verify.workflow import State

PERIOD_DAYS = {"day": 1, "week": 7}
FORMULA = (
    "index = 1 / (1 + score / (half_score_per_day x days)); score = sum over incidents of "
    "severity weight x confirmation weight x attribution confidence"
)


@dataclass(frozen=True)
class Weights:
    severity: Mapping[str, float]
    confirmed: float
    unconfirmed: float
    dismissed: float
    half_score_per_day: float

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Weights:
        missing = {s.name for s in Severity} - set(data["severity_weight"])
        if missing:
            raise ValueError(f"compliance weights: severity_weight lacks {sorted(missing)}")
        confirmation = data["confirmation_weight"]
        return cls(
            {k: float(v) for k, v in data["severity_weight"].items()},
            float(confirmation["confirmed"]),
            float(confirmation["unconfirmed"]),
            float(confirmation["dismissed"]),
            float(data["half_score_per_day"]),
        )

    @classmethod
    def shipped(cls) -> Weights:
        return cls.from_data(data_file("compliance.yaml"))


@dataclass
class PeriodFigures:
    """One party's incidents over one period."""

    start: date
    days: int
    incidents: int = 0
    confirmed: int = 0
    unconfirmed: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    by_severity: Counter[str] = field(default_factory=Counter)
    by_sector: Counter[str] = field(default_factory=Counter)
    score: float = 0.0
    index: float = 1.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "days": self.days,
            "incidents": self.incidents,
            "confirmed": self.confirmed,
            "unconfirmed": self.unconfirmed,
            "by_kind": dict(sorted(self.by_kind.items())),
            "by_severity": dict(sorted(self.by_severity.items())),
            "by_sector": dict(sorted(self.by_sector.items())),
            "score": round(self.score, 4),
            "index": round(self.index, 4),
        }


@dataclass(frozen=True)
class Compliance:
    party: str
    period: str
    current: PeriodFigures
    previous: PeriodFigures
    formula: str = FORMULA

    def as_dict(self) -> dict[str, Any]:
        return {
            "party": self.party,
            "period": self.period,
            "formula": self.formula,
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


def figures(
    store: Store,
    party: str,
    start: date,
    days: int,
    weights: Weights,
    agreement_id: str | None = None,
) -> PeriodFigures:
    """Count and score the party's incidents first seen in [start, start + days)."""
    query = select(StoredIncident).where(
        StoredIncident.party == party,
        StoredIncident.first_seen_us >= _us(start),
        StoredIncident.first_seen_us < _us(start + timedelta(days=days)),
    )
    if agreement_id:
        query = query.where(StoredIncident.agreement_id == agreement_id)
    with store.engine.connect() as connection:
        rows = connection.execute(query).all()
    result = PeriodFigures(start, days)
    for row in rows:
        result.incidents += 1
        result.confirmed += row.confirmed
        result.unconfirmed += not row.confirmed
        result.by_kind[row.kind] += 1
        result.by_severity[Severity(row.severity).name] += 1
        result.by_sector[row.sector] += 1
        if row.confirmed:
            factor = weights.confirmed
        elif row.state == State.closed:
            factor = weights.dismissed
        else:
            factor = weights.unconfirmed
        severity = weights.severity[Severity(row.severity).name]
        result.score += severity * factor * row.party_confidence
    result.index = 1.0 / (1.0 + result.score / (weights.half_score_per_day * days))
    return result


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
    result = Compliance(party, period, current, previous)
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
