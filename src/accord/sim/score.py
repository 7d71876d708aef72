"""Scoring verification against ground truth.

An incident is matched to the true events whose observations are among its
evidence. A violation is detected when any incident holds one of its
observations (at the earliest such observation's time) and confirmed when
such an incident was confirmed (at the time of the finding that confirmed
it). An incident holding no observation of a violation is a false incident:
a false alarm, or lawful activity reported inside a zone. Attribution is
right when the incident's party is the violator's. Times to detection and
confirmation are measured from the violation's start. Incidents presented as
established (corroborated or verified evidence) are scored apart: their
precision and false ones a day are what a mission would sign; a false
incident that is only reported is a report, counted beside.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

NS_PER_HOUR = 3_600_000_000_000


@dataclass(frozen=True)
class TrueEvent:
    """A simulated event as it really happened: the ground truth scoring checks against."""

    event_id: str
    kind: str
    party: str
    start_ns: int
    violation: bool = True


@dataclass(frozen=True)
class IncidentRecord:
    """What verification made of some observations, as the scorer needs it."""

    incident_id: int
    party: str
    observations: tuple[str, ...]  # the observation ids in its evidence
    confirmed_ns: int | None = None  # when it became confirmed (None: never)
    confirmed_by_patrol: bool = False
    established: bool = False  # its evidence is corroborated or verified


@dataclass(frozen=True)
class KindScore:
    """How one kind of violation was caught: counts and hours to detection and confirmation."""

    violations: int
    detected: int
    confirmed: int
    detect_hours: tuple[float, ...]  # one per detected violation
    confirm_hours: tuple[float, ...]  # one per confirmed violation
    both_hours: tuple[tuple[float, float], ...] = ()  # (detect, confirm), inf when never

    @property
    def detection_rate(self) -> float:
        """The share of violations detected; NaN when there were none."""
        return self.detected / self.violations if self.violations else float("nan")

    @property
    def confirmation_rate(self) -> float:
        """The share of violations confirmed; NaN when there were none."""
        return self.confirmed / self.violations if self.violations else float("nan")

    def within(self, detect_hours: float, confirm_hours: float) -> float:
        """Share of violations detected and confirmed within the given times."""
        if not self.violations:
            return float("nan")
        ok = sum(1 for d, c in self.both_hours if d <= detect_hours and c <= confirm_hours)
        return ok / self.violations

    def summary(self) -> dict[str, Any]:
        """The kind's scores as JSON, with the median and 90th-percentile hours."""
        return {
            "violations": self.violations,
            "detected": self.detected,
            "confirmed": self.confirmed,
            "detection_rate": _round(self.detection_rate),
            "confirmation_rate": _round(self.confirmation_rate),
            "detect_hours_median": _quantile(self.detect_hours, 0.5),
            "detect_hours_p90": _quantile(self.detect_hours, 0.9),
            "confirm_hours_median": _quantile(self.confirm_hours, 0.5),
            "confirm_hours_p90": _quantile(self.confirm_hours, 0.9),
        }


@dataclass(frozen=True)
class Scores:
    """How verification did against the ground truth, by kind and over all."""

    days: float
    by_kind: dict[str, KindScore]
    incidents: int
    false_incidents: int
    false_confirmed: int  # false incidents that verification nonetheless confirmed
    attributed_right: int
    attributed: int  # true incidents with a party named
    confirmed_violations: int
    confirmed_by_patrol: int
    missed: tuple[str, ...] = field(default=())  # violation ids never detected
    established: int = 0  # incidents with corroborated or verified evidence
    false_established: int = 0

    @property
    def precision_established(self) -> float:
        """Of incidents presented as established, the share holding a true violation."""
        if not self.established:
            return float("nan")
        return 1 - self.false_established / self.established

    @property
    def false_incidents_per_day(self) -> float:
        """Incidents with no true event behind them, per day."""
        return self.false_incidents / self.days if self.days else float("nan")

    @property
    def attribution_accuracy(self) -> float:
        """The share of attributed incidents put to the right party."""
        return self.attributed_right / self.attributed if self.attributed else float("nan")

    @property
    def patrol_share(self) -> float:
        """Of confirmed violations, the share first confirmed by an observer patrol."""
        if not self.confirmed_violations:
            return float("nan")
        return self.confirmed_by_patrol / self.confirmed_violations

    def total(self) -> KindScore:
        """Every kind's scores together."""
        kinds = list(self.by_kind.values())
        return KindScore(
            sum(k.violations for k in kinds),
            sum(k.detected for k in kinds),
            sum(k.confirmed for k in kinds),
            tuple(h for k in kinds for h in k.detect_hours),
            tuple(h for k in kinds for h in k.confirm_hours),
            tuple(h for k in kinds for h in k.both_hours),
        )

    def summary(self) -> dict[str, Any]:
        """Plain figures (JSON), the same bytes for the same run."""
        return {
            "days": self.days,
            "all": self.total().summary(),
            "by_kind": {k: self.by_kind[k].summary() for k in sorted(self.by_kind)},
            "incidents": self.incidents,
            "false_incidents": self.false_incidents,
            "false_incidents_per_day": _round(self.false_incidents_per_day),
            "false_incidents_confirmed": self.false_confirmed,
            "established_incidents": self.established,
            "false_established_per_day": _round(
                self.false_established / self.days if self.days else float("nan")
            ),
            "precision_established": _round(self.precision_established),
            "attribution_accuracy": _round(self.attribution_accuracy),
            "confirmed_by_patrol_share": _round(self.patrol_share),
            "missed": len(self.missed),
        }


def _round(value: float) -> float | None:
    return None if not np.isfinite(value) else round(float(value), 6)


def _quantile(values: Sequence[float], q: float) -> float | None:
    return _round(float(np.quantile(np.array(values), q))) if values else None


def score(
    events: Sequence[TrueEvent],
    observation_truth: Mapping[str, str],
    observation_time_ns: Mapping[str, int],
    incidents: Sequence[IncidentRecord],
    days: float,
) -> Scores:
    """Match incidents to the true events behind their evidence and measure the result."""
    by_id = {e.event_id: e for e in events}
    detected_ns: dict[str, int] = {}
    confirmed_ns: dict[str, tuple[int, bool]] = {}
    false = false_confirmed = right = named = false_established = 0
    for incident in incidents:
        behind = [observation_truth.get(o, "") for o in incident.observations]
        mine = [
            (b, o)
            for b, o in zip(behind, incident.observations, strict=True)
            if b in by_id and by_id[b].violation
        ]
        if not mine:
            false += 1
            false_confirmed += incident.confirmed_ns is not None
            false_established += incident.established
            continue
        for event_id, observation in mine:
            seen = observation_time_ns[observation]
            detected_ns[event_id] = min(detected_ns.get(event_id, seen), seen)
        counts: dict[str, int] = {}
        for event_id, _ in mine:
            counts[event_id] = counts.get(event_id, 0) + 1
        main = min(counts, key=lambda e: (-counts[e], e))
        if incident.party:
            named += 1
            right += incident.party == by_id[main].party
        if incident.confirmed_ns is not None:
            for event_id in sorted(counts):
                previous = confirmed_ns.get(event_id)
                if previous is None or incident.confirmed_ns < previous[0]:
                    confirmed_ns[event_id] = (incident.confirmed_ns, incident.confirmed_by_patrol)
    by_kind: dict[str, KindScore] = {}
    for kind in sorted({e.kind for e in events if e.violation}):
        mine_events = [e for e in events if e.violation and e.kind == kind]
        detect, confirm, both = [], [], []
        for event in mine_events:
            d = c = float("inf")
            if event.event_id in detected_ns:
                d = max(0.0, (detected_ns[event.event_id] - event.start_ns) / NS_PER_HOUR)
                detect.append(d)
            if event.event_id in confirmed_ns:
                c = max(0.0, (confirmed_ns[event.event_id][0] - event.start_ns) / NS_PER_HOUR)
                confirm.append(c)
            both.append((d, c))
        by_kind[kind] = KindScore(
            len(mine_events), len(detect), len(confirm), tuple(detect), tuple(confirm), tuple(both)
        )
    missed = tuple(e.event_id for e in events if e.violation and e.event_id not in detected_ns)
    return Scores(
        days,
        by_kind,
        len(incidents),
        false,
        false_confirmed,
        right,
        named,
        len(confirmed_ns),
        sum(1 for _, patrol in confirmed_ns.values() if patrol),
        missed,
        sum(1 for i in incidents if i.established),
        false_established,
    )
