"""What conditions are evaluated over: daily compliance per party, obligations, reviews.

`ComplianceDay` is the small typed input shared with verification: one party,
one UTC day, its compliance index and its count of serious violations
(incidents of high or critical severity). `from_store` reads them through
`accord.verify.compliance`; `load_inputs` reads them from a JSON file, which
is how a what-if replays a period with other figures.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import Field

from accord.agreement.model import StrictModel
from accord.store import Store
from accord.verify.compliance import PeriodFigures, Weights, period_figures, stored_columns


class ComplianceDay(StrictModel):
    """One party's compliance on one UTC day."""

    party: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    day: dt.date
    index: float = Field(ge=0, le=1)
    serious_violations: int = Field(0, ge=0)
    # The same figures counting corroborated violations too, for incentives whose
    # agreement says so; None when the inputs do not carry them.
    corroborated_index: float | None = Field(None, ge=0, le=1)
    corroborated_serious: int | None = Field(None, ge=0)

    def counted(self, grade: str) -> tuple[float, int]:
        """(index, serious violations) counting violations of at least `grade`."""
        if grade == "verified":
            return self.index, self.serious_violations
        if self.corroborated_index is None or self.corroborated_serious is None:
            raise ValueError(
                f"{self.party} on {self.day}: the inputs give no figures counting corroborated "
                "violations, which this condition counts (corroborated_index, "
                "corroborated_serious)"
            )
        return self.corroborated_index, self.corroborated_serious


class ObligationOutcome(StrictModel):
    """An obligation (a term id) recorded as met or missed on a day."""

    term: str
    day: dt.date
    met: bool


class ReviewOutcome(StrictModel):
    """The reviewing body's decision on a phase, e.g. Congress under CAATSA."""

    term: str
    phase: str
    day: dt.date
    approved: bool


class InputFile(StrictModel):
    """The inputs file as written: compliance days, obligation outcomes, review outcomes."""

    compliance: list[ComplianceDay] = Field(default_factory=list)
    obligations: list[ObligationOutcome] = Field(default_factory=list)
    reviews: list[ReviewOutcome] = Field(default_factory=list)


@dataclass
class Inputs:
    """Everything a condition may read, indexed for day-by-day evaluation."""

    compliance: dict[tuple[str, dt.date], ComplianceDay] = field(default_factory=dict)
    obligations: list[ObligationOutcome] = field(default_factory=list)
    reviews: list[ReviewOutcome] = field(default_factory=list)

    @classmethod
    def of(
        cls,
        compliance: Iterable[ComplianceDay],
        obligations: Iterable[ObligationOutcome] = (),
        reviews: Iterable[ReviewOutcome] = (),
    ) -> Inputs:
        """Inputs from lists of compliance days, obligations and reviews."""
        return cls({(c.party, c.day): c for c in compliance}, list(obligations), list(reviews))

    def overridden(self, other: Inputs) -> Inputs:
        """These inputs with `other`'s figures, obligations and reviews taking precedence."""
        return Inputs(
            self.compliance | other.compliance,
            other.obligations or self.obligations,
            other.reviews or self.reviews,
        )

    def days(self) -> list[dt.date]:
        """Every day some party's compliance is known for, in order: the days a run steps over."""
        return sorted({day for _, day in self.compliance})

    def window(self, party: str, days: int, on: dt.date) -> list[ComplianceDay] | None:
        """The party's last `days` daily figures up to `on`; None when any is missing."""
        found = []
        for back in range(days):
            figure = self.compliance.get((party, on - dt.timedelta(days=back)))
            if figure is None:
                return None
            found.append(figure)
        return found

    def review(self, term: str, phase: str, on: dt.date) -> ReviewOutcome | None:
        """The latest review of a condition's phase decided on or before `on`, if any."""
        decided = [r for r in self.reviews if r.term == term and r.phase == phase and r.day <= on]
        return max(decided, key=lambda r: r.day) if decided else None

    def obligation(self, term: str, on: dt.date) -> ObligationOutcome | None:
        """The latest outcome of an obligation known on or before `on`, if any."""
        known = [o for o in self.obligations if o.term == term and o.day <= on]
        return max(known, key=lambda o: o.day) if known else None


def load_inputs(path: Path) -> Inputs:
    """Inputs from a JSON file: {"compliance": [...], "obligations": [...], "reviews": [...]}."""
    data: Any = json.loads(path.read_text(encoding="utf-8"))
    parsed = InputFile.model_validate(data)
    return Inputs.of(parsed.compliance, parsed.obligations, parsed.reviews)


def from_store(
    store: Store, parties: Iterable[str], first: dt.date, last: dt.date, agreement_id: str | None
) -> list[ComplianceDay]:
    """Daily figures for each party from verification's incidents, first..last inclusive:
    the period's incidents read once, and the one formula applied counting verified
    violations and counting corroborated ones too."""
    columns = stored_columns(store, first, last + dt.timedelta(days=1), agreement_id)
    weights = Weights.shipped()
    counted = period_figures(columns, weights)
    wider = period_figures(columns, weights.counting("corroborated"))
    nothing = PeriodFigures(first, 1)  # index 1, nothing serious: no incident that day
    days = []
    day = first
    while day <= last:
        for party in parties:
            figure = counted.get((party, day), nothing)
            also = wider.get((party, day), nothing)
            days.append(
                ComplianceDay(
                    party=party,
                    day=day,
                    index=figure.index,
                    serious_violations=figure.serious,
                    corroborated_index=also.index,
                    corroborated_serious=also.serious,
                )
            )
        day += dt.timedelta(days=1)
    return days
