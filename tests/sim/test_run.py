"""Runs through the real ingest and verification: reproducible from the seed, scored."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord import book
from accord.ledger.proofs import statement_signed
from accord.report.daily import build_daily
from accord.sim import simulate, week_summary
from accord.sim.scenario import load_scenario
from accord.store import open_store
from accord.store.ledger import LedgerDay, from_us
from accord.store.schema import StoredObservation
from accord.store.sources import list_sources, monitoring_start
from accord.verify.observation import Observation


def test_same_seed_same_bytes_and_scores(tmp_path: Path):
    first = simulate("default", 2, 11, tmp_path / "a")
    second = simulate("default", 2, 11, tmp_path / "b")
    for name in ("observations.jsonl", "truth.jsonl", "scores.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert first.summary() == second.summary()
    other = simulate("default", 2, 12, tmp_path / "c")
    assert (tmp_path / "c" / "observations.jsonl").read_bytes() != (
        tmp_path / "a" / "observations.jsonl"
    ).read_bytes()
    assert other.summary() != first.summary()


def test_outputs_are_the_schema_and_the_truth_accounts_for_them(tmp_path: Path):
    result = simulate("default", 2, 5, tmp_path)
    lines = (tmp_path / "observations.jsonl").read_text().splitlines()
    ids = [Observation.model_validate_json(line).id for line in lines]
    assert len(ids) == len(set(ids)) == result.observations
    truth = [json.loads(line) for line in (tmp_path / "truth.jsonl").read_text().splitlines()]
    accounted = [o for t in truth for o in t["observations"]]
    assert sorted(accounted) == sorted(ids)  # every observation has a true cause or is false
    violations = [t for t in truth if t["violation"]]
    assert len(violations) == result.violations > 0
    scores = json.loads((tmp_path / "scores.json").read_text())["scores"]
    assert scores["all"]["violations"] == result.violations
    assert 0 < scores["all"]["detected"] <= result.violations


def test_week_summary_against_ground_truth():
    summary = week_summary(seed=2)
    assert summary["days"] == 7 and summary["violations"] > 20
    assert 0 < summary["confirmation_rate"] <= summary["detection_rate"] <= 1
    assert summary["false_incidents_per_day"] >= 0
    assert set(summary["by_kind"]) >= {"dmz_patrol", "firing", "heavy_weapons"}


def test_every_source_is_registered_before_it_reports(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'sim.db'}"
    result = simulate("default", 1, 4, database_url=url)
    with open_store(url) as store, store.engine.connect() as connection:
        assert store.counts()["quarantine"] == 0
        assert len(store.observation_ids()) == result.observations
        assert monitoring_start(connection) == load_scenario("default").start
        registry = {s.source_id: s for s in list_sources(connection)}
        reporting = connection.exec_driver_sql(
            "SELECT DISTINCT source_id, source_type FROM observations"
        ).all()
    assert {"patrol", "drone", "seismic"} <= {kind for _, kind in reporting}
    for source_id, source_type in reporting:
        assert registry[source_id].source_type == source_type
    networks: dict[str, set[str]] = {}
    for source in registry.values():
        networks.setdefault(source.source_type, set()).add(source.network)
    assert networks["seismic"] == {"mission-seismic"}  # one array: shared ground and processing
    assert networks["drone"] == {"mission-drone"}
    patrols = [s for s in registry.values() if s.source_type == "patrol"]
    assert len(networks["patrol"]) == len({s.source_id.rsplit("-", 1)[0] for s in patrols}) > 1
    assert all(s.lon is not None for s in registry.values() if s.source_type == "seismic")


def test_simulated_days_are_closed_signed_and_shown_in_the_daily_report(tmp_path: Path):
    """A run starting mid-afternoon (not the shipped start): each calendar day it touches
    is closed with a root that verifies under the mission's key; a second run into the
    same store re-closes nothing and keeps the entries in time order."""
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes_raw()
    shipped = load_scenario("default")
    scenario = shipped.model_copy(update={"start": shipped.start + timedelta(hours=15)})
    url = f"sqlite:///{tmp_path / 'sim.db'}"
    simulate(scenario, 1, 4, database_url=url, mission_key=key)
    first_day = scenario.start.date()
    with open_store(url) as store:
        with Session(store.engine) as session:
            days = {d.day: d for d in session.scalars(select(LedgerDay))}
            observed = session.scalars(select(StoredObservation.observed_at_us)).all()
        with store.engine.connect() as connection:
            check = book.verify(connection, public_key=public)
            entries = book.load_entries(connection)
        assert check.ok, check.problems
        assert check.days == len(days)
        data_days = {from_us(us).date() for us in observed}
        assert data_days == {first_day, first_day + timedelta(days=1)}  # the run spans two
        last = max(e.day for e in entries)
        assert sorted(days) == [
            first_day + timedelta(days=n) for n in range((last - first_day).days + 1)
        ]
        by_day = {day: [e for e in entries if e.day == day] for day in days}
        for day in data_days:  # each day's observations are recorded on that day
            assert any(e.kind == "observation" for e in by_day[day])
        for day, sealed in days.items():
            assert sealed.tree_size == len(by_day[day])
            assert statement_signed(sealed.statement.encode(), sealed.signature, public)
        report = build_daily(store, first_day + timedelta(days=1))
        assert days[first_day + timedelta(days=1)].root in report.html
        assert "is not closed yet" not in report.html
    simulate(scenario, 1, 4, database_url=url, mission_key=key)
    with open_store(url) as store:
        with Session(store.engine) as session:
            again = {d.day: d.statement for d in session.scalars(select(LedgerDay))}
        with store.engine.connect() as connection:
            check = book.verify(connection, public_key=public)
            times = [e.recorded_at for e in book.load_entries(connection)]
    assert check.ok, check.problems
    assert times == sorted(times)
    assert {d: again[d] for d in days} == {d: s.statement for d, s in days.items()}
    assert min(set(again) - set(days)) == last + timedelta(days=1)
