"""Compliance figures against hand-computed ones, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from accord.store import Store, open_store
from accord.store.verification import ComplianceRecord, StoredIncident
from accord.verify.compliance import Weights, compliance, period_start


def incident(day: int, hour: int, **change: Any) -> dict[str, Any]:
    seen = int(datetime(2025, 6, day, hour, tzinfo=UTC).timestamp()) * 1_000_000
    now = datetime.now(UTC)
    base = {
        "agreement_id": "p",
        "rule_id": "r",
        "term_id": "t",
        "kind": "presence",
        "state": "detected",
        "severity": 2,
        "first_seen_us": seen,
        "last_seen_us": seen,
        "lon": 37.0,
        "lat": 48.0,
        "sector": "S01",
        "party": "RU",
        "party_confidence": 1.0,
        "attribution": "reported",
        "confidence": 0.8,
        "sources": "[]",
        "source_types": "[]",
        "kinds": "armour",
        "findings": 1,
        "count": 1,
        "team": "OT-01",
        "team_distance_km": 1.0,
        "escalation": "",
        "confirmed": False,
        "created_at": now,
        "updated_at": now,
    }
    return base | change


@pytest.fixture
def store(database_url: str) -> Any:
    with open_store(database_url) as opened:
        with opened.engine.begin() as connection:
            connection.execute(
                StoredIncident.__table__.insert(),
                [
                    # Wednesday 11 June: three of Russia's, one of Ukraine's.
                    incident(11, 6, severity=3, confirmed=True, state="confirmed"),
                    incident(11, 9, kind="firing", sector="S02", party_confidence=0.5),
                    incident(11, 23, state="closed"),  # dismissed: never confirmed
                    incident(11, 12, party="UA", severity=4, confirmed=True),
                    # Tuesday 10 June (the day before, same week).
                    incident(10, 8, severity=1, confirmed=True),
                    # Previous week: Thursday 5 June.
                    incident(5, 8, severity=4, confirmed=True, sector="S07"),
                ],
            )
        yield opened


def test_day_figures_equal_the_hand_computed_ones(store: Store) -> None:
    result = compliance(store, "RU", "day", date(2025, 6, 11), agreement_id="p")
    day = result.current
    assert (day.incidents, day.confirmed, day.unconfirmed) == (3, 1, 2)
    assert dict(day.by_kind) == {"presence": 2, "firing": 1}
    assert dict(day.by_severity) == {"high": 1, "medium": 2}
    assert dict(day.by_sector) == {"S01": 2, "S02": 1}
    # high 4 x confirmed 1 x 1.0 + medium 2 x unconfirmed 0.5 x 0.5 + medium 2 x dismissed 0
    assert day.score == pytest.approx(4.5)
    assert day.index == pytest.approx(1 / (1 + 4.5 / 4.0))
    before = result.previous
    assert (before.start, before.incidents, before.score) == (date(2025, 6, 10), 1, 1.0)
    assert before.index == pytest.approx(1 / (1 + 1 / 4))
    assert "index = 1 / (1 + score / (half_score_per_day x days))" in result.formula


def test_week_figures_and_the_record(store: Store) -> None:
    assert period_start(date(2025, 6, 11), "week") == date(2025, 6, 9)
    result = compliance(store, "RU", "week", date(2025, 6, 11), agreement_id="p")
    assert (result.current.incidents, result.current.score) == (4, pytest.approx(5.5))
    assert result.current.index == pytest.approx(1 / (1 + 5.5 / 28))
    assert (result.previous.start, result.previous.incidents) == (date(2025, 6, 2), 1)
    assert result.previous.score == pytest.approx(8.0)
    compliance(store, "RU", "week", date(2025, 6, 12), agreement_id="p")  # recomputed: replaced
    with store.engine.connect() as connection:
        rows = connection.execute(select(ComplianceRecord.__table__)).all()
    assert len(rows) == 1
    # What is stored is the published figure, rounded as the ledger holds it.
    assert rows[0].compliance_index == round(result.current.index, 4)
    assert json.loads(rows[0].figures)["previous"]["incidents"] == 1


def test_a_party_with_nothing_against_it_scores_one(store: Store) -> None:
    assert compliance(store, "BY", "day", date(2025, 6, 11), record=False).current.index == 1.0


def test_weights_must_cover_every_severity() -> None:
    with pytest.raises(ValueError, match="severity_weight lacks"):
        Weights.from_data(
            {"severity_weight": {"low": 1}, "confirmation_weight": {}, "half_score_per_day": 1}
        )
