"""Two agreements over the same archive: what one finds that the other does not.

Negotiators compare plans on paper; this compares them on what was actually
observed. Both agreements are replayed in one pass over the archive (each
partition is read once and checked against both rule sets), then the
breaching observations, the incidents by kind and each party's daily
compliance index are set side by side.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from accord.scale.replay import ReplayResult
from accord.verify.batch import Verifier

EXAMPLES = 5  # observation ids shown for each difference


@dataclass(frozen=True)
class Side:
    """One agreement's totals."""

    agreement_id: str
    findings: int
    incidents: int
    breaching_observations: int
    incidents_by_kind: dict[str, int]


@dataclass(frozen=True)
class ComplianceDelta:
    """A party's compliance index on one day under each agreement."""

    party: str
    day: date
    first: float  # index under the first agreement (1 with no incidents)
    second: float
    first_incidents: int
    second_incidents: int

    @property
    def change(self) -> float:
        """How much the index moves from the first agreement to the second."""
        return self.second - self.first


@dataclass(frozen=True)
class Comparison:
    """Two agreements over one archive: their totals and what one finds that the other does not."""

    first: Side
    second: Side
    only_first: int  # observations in breach under the first agreement only
    only_second: int
    only_first_kinds: dict[str, int]  # observed kinds of those
    only_second_kinds: dict[str, int]
    only_first_examples: list[str]
    only_second_examples: list[str]
    compliance: list[ComplianceDelta]

    def as_dict(self) -> dict[str, Any]:
        """The comparison as JSON."""
        return {
            "first": self.first.__dict__,
            "second": self.second.__dict__,
            "only_first": self.only_first,
            "only_second": self.only_second,
            "only_first_kinds": self.only_first_kinds,
            "only_second_kinds": self.only_second_kinds,
            "only_first_examples": self.only_first_examples,
            "only_second_examples": self.only_second_examples,
            "compliance": [
                {
                    "party": d.party,
                    "day": d.day.isoformat(),
                    "first": round(d.first, 4),
                    "second": round(d.second, 4),
                    "change": round(d.change, 4),
                    "first_incidents": d.first_incidents,
                    "second_incidents": d.second_incidents,
                }
                for d in self.compliance
            ],
        }


def _side(result: ReplayResult, verifier: Verifier) -> Side:
    kinds = Counter(verifier.ruleset.rules[d.rule].kind.value for d in result.drafts)
    points = result.findings.row >= 0
    return Side(
        result.agreement_id,
        len(result.findings),
        len(result.drafts),
        int(np.unique(result.findings.key[points]).size),
        dict(sorted(kinds.items())),
    )


def _breaching(result: ReplayResult) -> dict[str, str]:
    """Observation id to observed kind, for every observation some point rule flags."""
    points = result.findings.row >= 0
    return dict(
        zip(
            result.findings.key[points].tolist(),
            result.findings.observed_kind[points].tolist(),
            strict=True,
        )
    )


def compare(
    first: ReplayResult, second: ReplayResult, verifiers: tuple[Verifier, Verifier]
) -> Comparison:
    """Differences in findings and compliance between two replays of one archive."""
    if first.observations != second.observations:
        raise ValueError(
            f"the replays cover {first.observations:,} and {second.observations:,} "
            "observations; compare two agreements over the same archive"
        )
    one, two = _breaching(first), _breaching(second)
    only_one = sorted(set(one) - set(two))
    only_two = sorted(set(two) - set(one))
    deltas = []
    for party, day in sorted(set(first.compliance) | set(second.compliance)):
        a, b = first.compliance.get((party, day)), second.compliance.get((party, day))
        deltas.append(
            ComplianceDelta(
                party,
                day,
                a.index if a else 1.0,
                b.index if b else 1.0,
                a.incidents if a else 0,
                b.incidents if b else 0,
            )
        )
    return Comparison(
        _side(first, verifiers[0]),
        _side(second, verifiers[1]),
        len(only_one),
        len(only_two),
        dict(sorted(Counter(one[k] for k in only_one).items())),
        dict(sorted(Counter(two[k] for k in only_two).items())),
        only_one[:EXAMPLES],
        only_two[:EXAMPLES],
        deltas,
    )
