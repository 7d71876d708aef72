"""Verification over the store, on SQLite and PostgreSQL: incremental, idempotent, escalating."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import shapely
from sqlalchemy import func, select
from tests.support import plan as support_plan

from accord.geo.classify import ZoneIndex
from accord.geo.zones import Zone
from accord.ops import Base, Sectors, Teams
from accord.store import Store, open_store
from accord.store.verification import IncidentTransition, StoredFinding, StoredIncident
from accord.verify.batch import Verifier
from accord.verify.ingest import ingest_file
from accord.verify.pipeline import checkpoint, run_verification
from accord.verify.rules import compile_rules
from accord.verify.workflow import incident_detail, list_incidents

DMZ_TERM = {
    "id": "ceasefire.dmz",
    "area": "ceasefire",
    "issue": "dmz",
    "kind": "rule",
    "label": "Full DMZ",
    "summary": "A full DMZ along the line.",
    "binds": ["UA", "RU"],
    "consent": ["UA", "RU"],
    "sources": [{"doc": "d"}],
    "prohibits": ["military_forces"],
    "zone": {"type": "dmz", "along": "line_of_contact", "width": "5 mi", "regime": "full"},
}


@pytest.fixture(scope="module")
def verifier() -> Verifier:
    plan = support_plan(
        DMZ_TERM, parties=({"id": "UA", "name": "Ukraine"}, {"id": "RU", "name": "Russia"})
    )
    zones = [
        Zone("side.UA", "side", ("UA",), shapely.box(35, 47, 37, 49), {"side": "UA"}),
        Zone("side.RU", "side", ("RU",), shapely.box(37, 47, 39, 49), {"side": "RU"}),
        Zone("ceasefire.dmz", "dmz", ("UA", "RU"), shapely.box(36.95, 47, 37.05, 49)),
    ]
    teams = Teams(
        bases=[Base(id="north", lon=37.0, lat=48.6), Base(id="south", lon=37.0, lat=47.2)]
    )
    sectors = Sectors(shapely.LineString([(37.0, 47.0), (37.0, 49.0)]))
    return Verifier(
        compile_rules(plan, zones), ZoneIndex.build(zones, cell_m=500.0), teams, sectors
    )


@pytest.fixture
def store(database_url: str) -> Any:
    with open_store(database_url) as opened:
        yield opened


def sighting(i: int, lon: float, lat: float, minute: int, **change: Any) -> dict[str, Any]:
    return {
        "id": f"s{i}",
        "source_id": f"drone-{i}",
        "source_type": "drone",
        "observed_at": f"2025-06-10T06:{minute:02d}:00Z",
        "lon": lon,
        "lat": lat,
        "uncertainty_m": 50,
        "kind": "armour",
        "count": 2,
        "side": "RU",
        "side_confidence": 0.8,
    } | change


def ingest(store: Store, tmp_path: Path, records: list[dict[str, Any]]) -> None:
    path = tmp_path / f"batch-{len(store.batches())}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    ingest_file(store, path)


def count(store: Store, table: Any) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


NOW = datetime(2025, 6, 10, 7, 0, tzinfo=UTC)


def test_incremental_idempotent_and_correlated(store: Store, tmp_path: Path, verifier: Verifier):
    ingest(
        store,
        tmp_path,
        [
            sighting(1, 37.0, 48.0, 0),
            sighting(2, 37.005, 48.003, 5, source_type="radar"),  # same event, second source
            sighting(3, 37.0, 48.5, 5),  # 55 km away: another incident
            sighting(4, 36.0, 48.0, 5),  # outside the DMZ: compliant
        ],
    )
    first = run_verification(store, verifier, batch_size=3, now=NOW)
    assert (first.observations, first.batches, first.findings) == (4, 2, 3)
    assert first.incidents_new == 2
    incidents = {i.lat > 48.2: i for i in list_incidents(store)}
    near, far = incidents[False], incidents[True]
    assert json.loads(near.sources) == ["drone-1", "drone-2"]
    assert near.state == "referred"  # confirmed by two sources, then armour: to headquarters
    assert near.confidence == pytest.approx(1 - (1 - 0.8) * (1 - 0.7))
    assert (near.party, near.sector, near.team) == ("RU", "S03", "north")
    assert "heavy weapons" in near.escalation
    _, findings, history = incident_detail(store, near.id)
    assert [f.key for f in findings] == ["s1", "s2"]
    assert [(h.from_state, h.to_state) for h in history] == [
        ("", "detected"),
        ("detected", "confirmed"),
        ("confirmed", "referred"),
    ]
    assert far.findings == 1 and far.sector == "S04"  # 167 km along the line
    # Nothing new: nothing done.
    again = run_verification(store, verifier, now=NOW)
    assert (again.observations, again.findings) == (0, 0)
    assert count(store, StoredFinding) == 3
    # A later observation of the far event joins its incident and confirms it.
    ingest(store, tmp_path, [sighting(5, 37.001, 48.5, 9, source_type="patrol")])
    later = run_verification(store, verifier, now=NOW)
    assert (later.findings, later.incidents_new, later.incidents_updated) == (1, 0, 1)
    assert checkpoint(store, "test-plan") == 5
    assert count(store, StoredIncident) == 2
    assert count(store, IncidentTransition) >= 5


def test_unresolved_incidents_go_to_headquarters(store: Store, tmp_path: Path, verifier: Verifier):
    ingest(store, tmp_path, [sighting(1, 37.0, 48.0, 0, kind="personnel")])
    run_verification(store, verifier, now=NOW)
    [incident] = list_incidents(store)
    assert incident.state == "detected" and incident.escalation == ""
    run_verification(store, verifier, now=datetime(2025, 6, 11, 7, 0, tzinfo=UTC))
    [incident] = list_incidents(store)
    assert incident.state == "referred"
    assert incident.escalation == "not resolved locally within 24 hours"


def test_transitions_and_compliance_figures_are_in_the_ledger(
    store: Store, tmp_path: Path, verifier: Verifier
) -> None:
    from accord.book import load_entries, verify
    from accord.verify.compliance import compliance
    from accord.verify.workflow import transition

    ingest(store, tmp_path, [sighting(1, 37.0, 48.0, 0, kind="personnel")])
    run_verification(store, verifier, now=NOW)
    [incident] = list_incidents(store)
    transition(store, incident.id, "confirmed", actor="team north", reason="patrol saw it")
    day = NOW.date()
    compliance(store, "RU", "day", day, agreement_id="test-plan")
    compliance(store, "RU", "day", day, agreement_id="test-plan")  # recomputed: a correction
    with store.engine.connect() as connection:
        entries = load_entries(connection)
        assert verify(connection).ok
    steps = [e.payload for e in entries if e.kind == "incident_transition"]
    assert [(s["from_state"], s["to_state"]) for s in steps] == [
        ("", "detected"),
        ("detected", "confirmed"),
    ]
    assert steps[-1]["actor"] == "team north"
    figures = [e for e in entries if e.kind == "compliance"]
    assert [f.ref for f in figures] == ["test-plan/RU/day/2025-06-10"] * 2
    assert figures[0].corrects is None
    assert figures[1].corrects == figures[0].seq


TAMPERED_INCIDENTS = {
    "party": ("UPDATE incidents SET party = 'UA'", "party is 'UA', ledger entry"),
    "severity": ("UPDATE incidents SET severity = 1", "severity is 1, ledger entry"),
    "state": ("UPDATE incidents SET state = 'dismissed'", "state is 'dismissed', ledger entry"),
    "deletion": (
        "DELETE FROM findings; DELETE FROM incident_transitions; DELETE FROM incidents",
        "in ledger entry",
    ),
    "publication": (
        "INSERT INTO incident_publications (incident_id, published_at, published_by)"
        " SELECT id, '2025-06-10 08:00:00', 'insider' FROM incidents",
        "published in the store, but no ledger entry records it",
    ),
}


@pytest.mark.parametrize("edit", list(TAMPERED_INCIDENTS))
def test_an_edited_incident_is_caught_by_the_ledger(
    store: Store, tmp_path: Path, verifier: Verifier, edit: str
) -> None:
    """Changing an incident's party let RU's compliance rise while `ledger verify` said ok."""
    from sqlalchemy import text

    from accord.book import verify

    ingest(store, tmp_path, [sighting(1, 37.0, 48.0, 0), sighting(2, 37.001, 48.0, 1)])
    run_verification(store, verifier, now=NOW)
    [incident] = list_incidents(store)
    statement, named = TAMPERED_INCIDENTS[edit]
    with store.engine.connect() as connection, connection.begin():
        assert verify(connection).ok
        for part in statement.split("; "):
            connection.execute(text(part))
        result = verify(connection)
        connection.rollback()
    ref = f"incident INC-{incident.id:06d}: "
    assert any(p.startswith(ref) and named in p for p in result.problems), result.problems


def test_escalation_runs_on_the_datas_own_time(store: Store, tmp_path: Path, verifier: Verifier):
    """A replay of June in any later month refers nothing before the data says 24 hours
    have passed: on the wall clock every replayed incident was referred at once."""
    ingest(store, tmp_path, [sighting(1, 37.0, 48.0, 0, kind="personnel")])
    run_verification(store, verifier)  # no `now`: the data's clock, 2025-06-10 06:00
    [incident] = list_incidents(store)
    assert incident.state == "detected"
    # A day and a half later in the data, a quiet sighting elsewhere moves the clock on.
    later = sighting(2, 35.5, 47.5, 0, kind="personnel", observed_at="2025-06-11T18:00:00Z")
    ingest(store, tmp_path, [later])
    run_verification(store, verifier)
    states = {i.id: i.state for i in list_incidents(store)}
    assert states[incident.id] == "referred"
