"""The scorer on hand-built streams whose answers are known."""

from __future__ import annotations

import pytest

from accord.sim.score import NS_PER_HOUR, IncidentRecord, TrueEvent, score

H = NS_PER_HOUR
EVENTS = [
    TrueEvent("V1", "heavy_weapons", "RU", 0),
    TrueEvent("V2", "heavy_weapons", "UA", 10 * H),
    TrueEvent("V3", "firing", "RU", 20 * H),  # never seen: a missed violation
    TrueEvent("L1", "lawful", "UA", 5 * H, violation=False),
]
TRUTH = {"o1": "V1", "o2": "V1", "o3": "V2", "o4": "V2", "o5": "F1", "o6": "L1"}
TIMES = {"o1": 1 * H, "o2": 3 * H, "o3": 12 * H, "o4": 40 * H, "o5": 7 * H, "o6": 6 * H}


def scores():
    incidents = [
        # V1 seen at 1 h, confirmed at 3 h by a patrol, attributed right.
        IncidentRecord(1, "RU", ("o1", "o2"), confirmed_ns=3 * H, confirmed_by_patrol=True),
        # V2 seen at 12 h; a second incident confirms it late (40 h), attributed wrongly.
        IncidentRecord(2, "RU", ("o3",)),
        IncidentRecord(3, "UA", ("o4",), confirmed_ns=40 * H),
        # A false alarm, and lawful activity reported inside the zone: false incidents.
        IncidentRecord(4, "UA", ("o5",)),
        IncidentRecord(5, "UA", ("o6",), confirmed_ns=6 * H),
    ]
    return score(EVENTS, TRUTH, TIMES, incidents, days=2.0)


def test_detection_confirmation_and_delays():
    result = scores()
    heavy = result.by_kind["heavy_weapons"]
    assert (heavy.violations, heavy.detected, heavy.confirmed) == (2, 2, 2)
    assert heavy.detect_hours == (1.0, 2.0)
    assert heavy.confirm_hours == (3.0, 30.0)  # V2's confirmation is late
    assert heavy.within(6, 24) == 0.5  # only V1 meets "within 6 h, confirmed within 24 h"
    assert heavy.summary()["confirm_hours_median"] == 16.5


def test_missed_violation():
    result = scores()
    firing = result.by_kind["firing"]
    assert (firing.violations, firing.detected, firing.confirmed) == (1, 0, 0)
    assert result.missed == ("V3",)
    assert firing.summary()["detect_hours_median"] is None
    assert result.total().detection_rate == pytest.approx(2 / 3)


def test_false_incidents_attribution_and_patrol_share():
    result = scores()
    assert (result.incidents, result.false_incidents, result.false_confirmed) == (5, 2, 1)
    assert result.false_incidents_per_day == 1.0
    assert result.attribution_accuracy == pytest.approx(2 / 3)  # incident 2 names RU for UA
    assert result.patrol_share == 0.5  # V1 by a patrol, V2 by a second source
    assert "lawful" not in result.by_kind
