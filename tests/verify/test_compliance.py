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
        "networks": "[]",
        "grade": "reported",
        "investigation": "",
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
    verified = {"grade": "verified", "confirmed": True, "state": "confirmed"}
    with open_store(database_url) as opened:
        with opened.engine.begin() as connection:
            connection.execute(
                StoredIncident.__table__.insert(),
                [
                    # Wednesday 11 June: five of Russia's, one of Ukraine's, one undetermined.
                    incident(11, 6, severity=3, **verified),
                    incident(11, 9, kind="firing", sector="S02"),  # reported: beside the index
                    incident(11, 23, state="closed"),  # dismissed: closed, never established
                    incident(11, 10, grade="corroborated", confirmed=True, sector="S03"),
                    incident(11, 12, party="UA", severity=4, **verified),
                    incident(11, 13, party="", severity=4, **verified),  # nobody's
                    # Tuesday 10 June (the day before, same week).
                    incident(10, 8, severity=1, **verified),
                    # Previous week: Thursday 5 June.
                    incident(5, 8, severity=4, sector="S07", **verified),
                ],
            )
        yield opened


def test_day_figures_equal_the_hand_computed_ones(store: Store) -> None:
    result = compliance(store, "RU", "day", date(2025, 6, 11), agreement_id="p")
    day = result.current
    assert (day.incidents, day.established, day.dismissed, day.serious) == (4, 1, 1, 1)
    assert dict(day.by_grade) == {"verified": 1, "reported": 2, "corroborated": 1}
    assert dict(day.by_kind) == {"presence": 1}
    assert dict(day.by_severity) == {"high": 1}
    # What is only reported is shown beside the index, never inside it.
    assert dict(day.reported_by_kind) == {"firing": 1, "presence": 1}
    assert dict(day.reported_by_sector) == {"S02": 1, "S03": 1}
    # Only the verified high one counts: 4.
    assert day.score == pytest.approx(4.0)
    assert day.index == pytest.approx(1 / (1 + 4.0 / 4.0))
    before = result.previous
    assert (before.start, before.incidents, before.score) == (date(2025, 6, 10), 1, 1.0)
    assert before.index == pytest.approx(1 / (1 + 1 / 4))
    assert "index = 1 / (1 + score / (half_score_per_day x days))" in result.formula
    assert "default" in result.as_dict()["counted_grade"]


def test_an_agreement_may_count_corroborated_violations(store: Store) -> None:
    weights = Weights.shipped().counting("corroborated")
    day = compliance(store, "RU", "day", date(2025, 6, 11), weights=weights, record=False)
    assert (day.current.established, day.current.score) == (2, pytest.approx(6.0))
    assert "default" not in day.as_dict()["counted_grade"]
    with pytest.raises(ValueError, match="evidence grade 'sure'"):
        Weights.shipped().counting("sure")


def test_week_figures_and_the_record(store: Store) -> None:
    assert period_start(date(2025, 6, 11), "week") == date(2025, 6, 9)
    result = compliance(store, "RU", "week", date(2025, 6, 11), agreement_id="p")
    assert (result.current.incidents, result.current.score) == (5, pytest.approx(5.0))
    assert result.current.index == pytest.approx(1 / (1 + 5.0 / 28))
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
            {"severity_weight": {"low": 1}, "counted_grade": "verified", "half_score_per_day": 1}
        )
