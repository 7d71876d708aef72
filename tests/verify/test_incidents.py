"""Correlation, fusion, workflow, escalation and routing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from tests.verify.test_compliance import incident

from accord.ops import Base, Teams
from accord.store import open_store
from accord.store.verification import StoredIncident
from accord.verify.findings import Findings
from accord.verify.incidents import Link, correlate, fuse
from accord.verify.workflow import (
    Escalation,
    IllegalTransition,
    IncidentView,
    incident_detail,
    transition,
)

T0 = 1_750_000_000 * 10**9
LINK = Link(2.0, 900.0)
MINUTE = 60 * 10**9


def findings(rows: list[dict[str, Any]]) -> Findings:
    base = {
        "rule": 0,
        "row": 0,
        "key": "k",
        "time_ns": T0,
        "lon": 37.0,
        "lat": 48.0,
        "uncertainty_m": 0.0,
        "party": "RU",
        "party_confidence": 0.8,
        "attribution": "reported",
        "source_id": "s",
        "source_type": "drone",
        "confidence": 0.8,
        "severity": 2,
        "count": 1,
        "observed_kind": "armour",
        "near_edge": False,
    }
    filled = [base | row for row in rows]
    return Findings(**{name: np.array([r[name] for r in filled]) for name in base})


def test_same_event_from_several_sources_is_one_incident() -> None:
    f = findings(
        [
            {"source_id": "drone-1", "confidence": 0.8},
            {
                "source_id": "radar-2",
                "confidence": 0.6,
                "lon": 37.01,
                "time_ns": T0 + 5 * MINUTE,
                "party": "UA",
                "party_confidence": 0.3,
            },
            {"source_id": "drone-1", "confidence": 0.9, "lat": 48.005},  # same source again
        ]
    )
    labels = correlate(f.rule, f.time_ns, f.lon, f.lat, [LINK])
    assert len(set(labels.tolist())) == 1
    [incident] = fuse(f, labels)
    assert incident.confidence == pytest.approx(1 - (1 - 0.9) * (1 - 0.6))  # best per source
    assert incident.sources == ["drone-1", "radar-2"]
    assert incident.party == "RU"
    assert incident.party_confidence == pytest.approx(1 - 0.2 * 0.2)
    assert incident.attribution.startswith("reported (2 of 3")


def test_distant_or_late_or_other_rule_findings_stay_apart() -> None:
    f = findings(
        [
            {},
            {"lon": 37.03},  # about 2.2 km east: beyond 2 km
            {"time_ns": T0 + 16 * MINUTE},  # beyond 15 minutes
            {"rule": 1},  # same place and time, another rule
        ]
    )
    labels = correlate(f.rule, f.time_ns, f.lon, f.lat, [LINK, LINK])
    assert len(set(labels.tolist())) == 4


def test_chains_of_near_findings_link_up() -> None:
    f = findings([{"lon": 37.0 + 0.02 * i, "time_ns": T0 + i * MINUTE} for i in range(5)])
    labels = correlate(f.rule, f.time_ns, f.lon, f.lat, [LINK])
    assert len(set(labels.tolist())) == 1


def test_nearest_team_by_great_circle() -> None:
    teams = Teams(bases=[Base(id="a", lon=36.0, lat=48.0), Base(id="b", lon=38.0, lat=48.0)])
    names, km = teams.nearest(np.array([36.2, 37.9]), np.array([48.0, 48.1]))
    assert names == ["a", "b"]
    assert km[0] == pytest.approx(0.2 * 111.195 * np.cos(np.radians(48)), rel=1e-3)


def test_shipped_teams_lie_along_the_line() -> None:
    teams = Teams.shipped()
    assert len(teams.ids) == 10
    assert ((teams.lon > 32) & (teams.lon < 39) & (teams.lat > 46) & (teams.lat < 50)).all()


def view(i: int, **change: Any) -> IncidentView:
    base = {
        "id": i,
        "state": "detected",
        "kinds": frozenset({"personnel"}),
        "severity": 2,
        "party": "RU",
        "sector": "S03",
        "first_seen": datetime(2025, 6, 10, tzinfo=UTC),
    }
    return IncidentView(**(base | change))


def test_escalation_rules_from_data() -> None:
    rules = Escalation.shipped()
    now = datetime(2025, 6, 10, 1, tzinfo=UTC)
    assert rules.reasons(view(1), [view(1)], now) == []
    assert rules.reasons(view(1, kinds=frozenset({"mlrs"})), [], now) == ["heavy weapons involved"]
    assert rules.reasons(view(1, severity=4), [], now) == ["critical severity"]
    three = [view(i, first_seen=now - timedelta(hours=i)) for i in range(3)]
    assert "three or more incidents" in rules.reasons(three[0], three, now)[0]
    assert rules.reasons(three[0], three[:2], now) == []
    assert rules.reasons(view(1), [], now + timedelta(hours=24)) == [
        "not resolved locally within 24 hours"
    ]
    assert rules.reasons(view(1, state="resolved", severity=4), [], now) == []
    with pytest.raises(ValueError, match="escalation rule 1: needs name and reason"):
        Escalation.from_data({"escalation": [{"name": "x", "colour": "red"}]})


def test_referrals_are_each_incidents_reasons_against_all_the_others() -> None:
    """Indexed once, the repeated-incidents rule counts what a scan of every pair counts,
    at the span's edges too."""
    rules = Escalation.shipped()
    rng = np.random.default_rng(4)
    now = datetime(2025, 6, 12, tzinfo=UTC)
    views = [
        view(
            i,
            party=str(rng.choice(["RU", "UA", ""])),
            sector=f"S0{rng.integers(1, 4)}",
            state=str(rng.choice(["detected", "confirmed", "resolved"])),
            first_seen=now - timedelta(hours=int(rng.integers(0, 72))),
        )
        for i in range(300)
    ]
    referred = {v.id: reasons for v, reasons in rules.referrals(views, now)}
    expected = {v.id: rules.reasons(v, views, now) for v in views}
    assert referred == {i: r for i, r in expected.items() if r}
    assert any("three or more" in r[0] for r in referred.values())
    # Whole hours apart, many pairs sit exactly 24 hours apart: the edge counts.
    edge = [view(1, first_seen=now), view(2, first_seen=now - timedelta(hours=24))]
    edge.append(view(3, first_seen=now + timedelta(hours=24)))
    assert "three or more" in " ".join(rules.reasons(edge[0], edge, now))


def test_workflow_records_and_refuses(database_url: str) -> None:
    with open_store(database_url) as store:
        now = datetime.now(UTC)
        with store.engine.begin() as connection:
            connection.execute(
                StoredIncident.__table__.insert(),
                incident(
                    1,
                    0,
                    first_seen_us=0,
                    last_seen_us=0,
                    party_confidence=0.7,
                    created_at=now,
                    updated_at=now,
                ),
            )
        with pytest.raises(
            IllegalTransition,
            match=r"INC-000001 is detected; it can go to "
            r"closed, confirmed, disputed, referred, not resolved",
        ):
            transition(store, 1, "resolved", actor="ot-01", reason="talked to both sides")
        with pytest.raises(IllegalTransition, match="needs who"):
            transition(store, 1, "confirmed", actor="ot-01", reason=" ")
        with pytest.raises(LookupError, match="no incident INC-000009"):
            transition(store, 9, "confirmed", actor="ot-01", reason="patrol saw it")
        steps = [
            ("confirmed", "patrol saw two tanks"),
            ("handled_locally", "local commander"),
            ("disputed", "RU says exercise"),
            ("resolved", "tanks withdrawn"),
            ("closed", "verified by patrol"),
        ]
        for state, why in steps:
            transition(store, 1, state, actor="ot-01", reason=why)
        with pytest.raises(IllegalTransition, match="closed; it can go to nothing"):
            transition(store, 1, "referred", actor="hq", reason="reopen")
        detail, _, history = incident_detail(store, 1)
        assert detail.state == "closed" and detail.confirmed
        assert [(h.from_state, h.to_state, h.reason) for h in history][-1] == (
            "resolved",
            "closed",
            "verified by patrol",
        )
        assert all(h.actor == "ot-01" and h.at.tzinfo is not None for h in history)


def _table_case() -> tuple[Findings, np.ndarray]:
    rows = [
        {"key": "a", "source_id": "radar-1", "source_type": "radar"},
        {"key": "b", "source_id": "drone-2", "time_ns": T0 + 2 * MINUTE, "party": "UA"},
        {"key": "c", "source_id": "patrol-3", "source_type": "patrol", "lat": 49.0},
        {"key": "d", "source_id": "radar-1", "source_type": "radar", "lat": 49.5, "party": ""},
        {"key": "e", "source_id": "radar-1", "source_type": "radar", "lat": 49.5},
    ]
    f = findings(rows)
    return f, correlate(f.rule, f.time_ns, f.lon, f.lat, [LINK])


def test_draft_table_is_the_drafts_column_by_column() -> None:
    from accord.verify.evidence import Grade
    from accord.verify.incidents import DraftTable, fuse_table

    f, labels = _table_case()
    table = fuse_table(f, labels)
    drafts = fuse(f, labels)
    assert len(table) == len(drafts) == 3
    assert [d.members.tolist() for d in drafts] == [[0, 1], [2], [3, 4]]
    assert drafts[0].sources == ["drone-2", "radar-1"] and drafts[2].sources == ["radar-1"]
    # Grades: two networks (radar and drone) corroborate, a patrol verifies alone, one
    # source seen twice is one line of evidence.
    assert table.grade.tolist() == [Grade.corroborated, Grade.verified, Grade.reported]
    assert [d.grade for d in drafts] == table.grade.tolist()
    assert table.confirmed.tolist() == [True, True, False]
    # Reordered and joined, members travel with their incidents.
    order = np.array([2, 0, 1])
    moved = table.take(order).drafts()
    assert [d.members.tolist() for d in moved] == [[3, 4], [0, 1], [2]]
    assert [d.sources for d in moved] == [drafts[i].sources for i in order]
    both = DraftTable.concat([table.take(np.array([1])), table.take(np.array([2, 0]))])
    assert [d.members.tolist() for d in both.drafts()] == [[2], [3, 4], [0, 1]]
    assert both.first_member.tolist() == [2, 3, 0]
    empty = fuse_table(f, np.zeros(0, dtype=np.int64))
    assert len(empty) == 0 and empty.drafts() == [] and empty.bounds.tolist() == [0]
    assert len(DraftTable.concat([empty, table])) == 3


def test_escalate_in_the_store_refers_what_the_rules_pick(database_url: str) -> None:
    """Escalation reads only the open incidents and those within reach of them; the
    referrals are still those the rules give over every stored incident, and logged."""
    from sqlalchemy import select

    from accord.store.verification import IncidentTransition
    from accord.verify.workflow import _view, escalate

    rows = [
        # Three of Russia's in S03 within a day (one closed: it still counts): referred.
        incident(11, 6, sector="S03"),
        incident(11, 9, sector="S03", state="closed"),
        incident(11, 20, sector="S03"),
        # Heavy weapons: referred; critical severity: referred; resolved: left alone.
        incident(11, 7, sector="S05", kinds="mlrs"),
        incident(11, 8, sector="S06", party="UA", severity=4),
        incident(11, 10, sector="S07", severity=4, state="resolved"),
        # Two alike only: they stay local. Closed ones ten days before: out of reach.
        incident(11, 5, sector="S09", party="UA"),
        incident(11, 6, sector="S09", party="UA"),
        *[incident(1 + i % 3, 1, sector="S03", state="closed") for i in range(6)],
    ]
    for row in rows:
        row["agreement_id"] = "plan"
        row["kinds"] = row["kinds"] if row["kinds"] == "mlrs" else "personnel"
    now = datetime(2025, 6, 11, 21, tzinfo=UTC)
    rules = Escalation.shipped()
    with open_store(database_url) as store:
        with store.engine.begin() as connection:
            connection.execute(StoredIncident.__table__.insert(), rows)
            stored = connection.execute(select(StoredIncident.__table__)).all()
        expected = {v.id for v, _ in rules.referrals([_view(r) for r in stored], now)}
        moved = escalate(store, "plan", rules, now)
        with store.engine.connect() as connection:
            states = dict(connection.execute(select(StoredIncident.id, StoredIncident.state)).all())
            logged = connection.execute(select(IncidentTransition.incident_id)).scalars().all()
    assert moved == len(expected) == 4
    assert {i for i, s in states.items() if s == "referred"} == expected == set(logged)
