# ruff: noqa: F401, F811 (the shared fixtures are imported from test_pipeline)
"""Hand-made cases an outside tester found verification confidently wrong on: episodes,
evidence grades, attribution from evidence only, late evidence, rulings, and a compliance
figure a compliant party passes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select
from tests.verify.test_pipeline import ingest, sighting, store, verifier

from accord.store import Store
from accord.store.verification import StoredIncident
from accord.verify.batch import Verifier, batch_from_observations, verify_batch
from accord.verify.compliance import Weights, compliance
from accord.verify.evidence import Grade, registered
from accord.verify.observation import Observation
from accord.verify.pipeline import run_verification
from accord.verify.rulings import record_investigation, rule_on_dispute
from accord.verify.workflow import incident_detail, list_incidents, transition


def observed(records: list[dict[str, Any]]) -> list[Observation]:
    return [Observation.model_validate(r) for r in records]


def test_tanks_parked_seven_hours_are_one_incident(verifier: Verifier) -> None:
    """Sightings every hour and three-quarters of four tanks at one spot: one episode."""
    seen = [
        sighting(
            i, 37.0, 48.0, 0, source_id="drone-1", observed_at=f"2025-06-10T{6 + i:02d}:45:00Z"
        )
        for i in range(0, 8, 2)
    ]
    result = verify_batch(verifier, batch_from_observations(observed(seen)))
    assert len(result.findings) == 4
    [incident] = result.drafts
    assert (incident.last_ns - incident.first_ns) / 3.6e12 == 6.0


def _left_and_came_back() -> list[dict[str, Any]]:
    """Tanks seen at 06:45 and 08:45, a patrol finds the spot empty at 09:30, tanks
    there again at 10:45: two episodes, however short the time-out's reach."""
    seen = [
        sighting(i, 37.0, 48.0, 0, source_id="drone-1", observed_at=f"2025-06-10T{h}:45:00Z")
        for i, h in ((1, "06"), (2, "08"), (4, "10"))
    ]
    empty = sighting(3, 37.002, 48.0, 0, count=0, source_id="patrol-1", source_type="patrol")
    return [*seen[:2], empty | {"observed_at": "2025-06-10T09:30:00Z"}, seen[2]]


def test_a_sighting_of_the_place_without_them_ends_the_episode(verifier: Verifier) -> None:
    result = verify_batch(verifier, batch_from_observations(observed(_left_and_came_back())))
    assert len(result.findings) == 3  # the patrol's count of nothing is no breach
    first, second = result.drafts
    assert [len(first.members), len(second.members)] == [2, 1]
    assert second.first_ns > first.last_ns
    # A patrol that sees nothing 5 km away ends nothing.
    far = _left_and_came_back()
    far[2] = far[2] | {"lon": 37.07}
    assert len(verify_batch(verifier, batch_from_observations(observed(far))).drafts) == 1


def test_the_live_path_clears_as_the_batch_does(
    store: Store, tmp_path: Path, verifier: Verifier
) -> None:
    """Fed one observation a poll, the stored incidents are the batch's, and the first
    says which observation cleared it; a late sighting from before the clearing still
    joins the first episode."""
    records = _left_and_came_back()
    for record in records:
        ingest(store, tmp_path, [record])
        run_verification(store, verifier)
    late = sighting(5, 37.0, 48.0, 0, source_id="drone-1", observed_at="2025-06-10T07:45:00Z")
    ingest(store, tmp_path, [late])
    run_verification(store, verifier)
    first, second = sorted(list_incidents(store), key=lambda i: i.first_seen_us)
    assert (first.findings, second.findings) == (3, 1)
    with store.engine.connect() as connection:
        row = connection.execute(
            select(StoredIncident.cleared_by, StoredIncident.cleared_us).where(
                StoredIncident.id == first.id
            )
        ).one()
    assert row.cleared_by == "s3"
    assert row.cleared_us == int(datetime(2025, 6, 10, 9, 30, tzinfo=UTC).timestamp() * 1e6)
    _, _, history = incident_detail(store, first.id)
    assert history[-1].reason == "cleared: the place seen without it (s3)"
    assert history[-1].at == datetime(2025, 6, 10, 9, 30, tzinfo=UTC)
    batch = verify_batch(verifier, batch_from_observations(observed([*records, late])))
    assert sorted(len(d.members) for d in batch.drafts) == [1, 3]


def test_a_count_of_nothing_is_no_breach(verifier: Verifier) -> None:
    empty = observed([sighting(1, 37.0, 48.0, 0, count=0, source_type="patrol")])
    assert len(verify_batch(verifier, batch_from_observations(empty)).findings) == 0


def test_two_sensors_of_one_network_do_not_corroborate(verifier: Verifier) -> None:
    pair = [
        sighting(1, 37.0, 48.0, 0, source_id="seis-1", source_type="seismic"),
        sighting(2, 37.001, 48.0, 1, source_id="seis-2", source_type="seismic"),
    ]
    [one] = verify_batch(verifier, batch_from_observations(observed(pair))).drafts
    assert one.grade == Grade.reported and one.networks == ["seismic"]
    # Another network (a camera) corroborates; an observer patrol verifies alone.
    camera = sighting(3, 37.0, 48.001, 2, source_id="cam-1", source_type="camera")
    [two] = verify_batch(verifier, batch_from_observations(observed([*pair, camera]))).drafts
    assert two.grade == Grade.corroborated
    patrol = sighting(4, 37.0, 48.0, 3, source_id="OT-01-1", source_type="patrol")
    [three] = verify_batch(verifier, batch_from_observations(observed([pair[0], patrol]))).drafts
    assert three.grade == Grade.verified
    # Independence is what the registry says: two arrays of seismic sensors are two networks.
    split = Verifier(
        verifier.ruleset,
        verifier.index,
        verifier.teams,
        verifier.sectors,
        networks=registered({"seis-1": "array-north", "seis-2": "array-south"}),
    )
    [four] = verify_batch(split, batch_from_observations(observed(pair))).drafts
    assert four.grade == Grade.corroborated and four.networks == ["array-north", "array-south"]


def _fire(i: int, lon: float, category: str, bearing: float, **change: Any) -> dict[str, Any]:
    firing = {"category": category, "bearing_deg": bearing}
    firing |= {"distance_min_m": 1500, "distance_max_m": 2500}
    if category == "explosion":
        firing["explosion"] = "impact"
    record = sighting(i, lon, 48.0, 0, kind="firing", source_type="acoustic", firing=firing)
    record.pop("side"), record.pop("side_confidence")
    return record | change


def test_a_partys_own_blast_in_its_half_is_not_charged_to_the_other(verifier: Verifier) -> None:
    """A demining blast (or own shelling) in Ukraine's half of the DMZ: a breach of the
    ceasefire, but an impact does not say who fired: undetermined, never Russia."""
    blast = _fire(1, 36.95, "explosion", 90.0)  # lands about 2 km east: Ukraine's half
    result = verify_batch(verifier, batch_from_observations(observed([blast])))
    assert result.findings.party.tolist() == [""]
    assert "does not say who fired" in result.findings.attribution[0]
    # Fire traced to an origin on Ukraine's ground beyond the DMZ is Ukraine's, wherever
    # it lands.
    shot = _fire(2, 36.95, "bursts_and_shots", 270.0)  # origin 2 km west, beyond the DMZ
    seen_from_russia = _fire(3, 37.03, "bursts_and_shots", 270.0, id="s3")
    seen_from_russia["firing"] |= {"distance_min_m": 8000, "distance_max_m": 10000}
    result = verify_batch(verifier, batch_from_observations(observed([shot, seen_from_russia])))
    assert set(result.findings.party.tolist()) == {"UA"}
    assert "origin of fire traced" in result.findings.attribution[0]


def test_a_recon_group_is_charged_to_its_own_side(verifier: Verifier) -> None:
    """Russian troops seen on Ukraine's half of the DMZ are Russia's; unidentified ones
    are nobody's, whichever half they stand on."""
    recon = sighting(1, 36.97, 48.0, 0, kind="personnel")
    unknown = sighting(2, 36.97, 48.3, 0, kind="personnel")
    unknown.pop("side"), unknown.pop("side_confidence")
    result = verify_batch(verifier, batch_from_observations(observed([recon, unknown])))
    by_lat = dict(zip(result.findings.lat.tolist(), result.findings.party.tolist(), strict=True))
    assert by_lat == {48.0: "RU", 48.3: ""}
    assert sorted(d.party for d in result.drafts) == ["", "RU"]


def test_late_evidence_raises_a_referred_incident(
    store: Store,
    tmp_path: Path,
    verifier: Verifier,
) -> None:
    ingest(store, tmp_path, [sighting(1, 37.0, 48.0, 0, source_type="camera", kind="vehicle")])
    run_verification(store, verifier, now=datetime(2025, 6, 10, 6, 1, tzinfo=UTC))
    [incident] = list_incidents(store)
    assert (incident.grade, incident.investigation) == ("reported", "requested")
    transition(store, incident.id, "referred", actor="hq", reason="asked for by UA")
    # A radar return an hour later at the same place: another network.
    radar = sighting(2, 37.001, 48.0, 0, source_type="radar", kind="vehicle")
    ingest(store, tmp_path, [radar | {"observed_at": "2025-06-10T07:00:00Z"}])
    run_verification(store, verifier, now=datetime(2025, 6, 10, 7, 1, tzinfo=UTC))
    [raised] = list_incidents(store)
    assert (raised.id, raised.state, raised.grade) == (incident.id, "referred", "corroborated")
    _, _, history = incident_detail(store, incident.id)
    assert history[-1].reason.startswith("evidence raised: corroborated by 2 independent")
    assert history[-1].at == datetime(2025, 6, 10, 7, 0, tzinfo=UTC)  # the data's clock


def test_investigation_and_ruling_decide_what_counts(
    store: Store,
    tmp_path: Path,
    verifier: Verifier,
) -> None:
    ingest(
        store,
        tmp_path,
        [
            sighting(1, 37.0, 48.0, 0, source_type="camera", kind="vehicle"),
            sighting(2, 37.0, 48.5, 0, source_type="camera", kind="vehicle"),
        ],
    )
    run_verification(store, verifier, now=datetime(2025, 6, 10, 6, 1, tzinfo=UTC))
    first, second = sorted(list_incidents(store), key=lambda i: i.lat)
    day = date(2025, 6, 10)
    assert compliance(store, "RU", "day", day, record=False).current.index == 1.0
    assert record_investigation(store, first.id, found=True, actor="OT-01", reason="2 APCs")
    assert record_investigation(store, second.id, found=False, actor="OT-02", reason="nothing")
    figures = compliance(store, "RU", "day", day, record=False).current
    assert (figures.established, figures.score) == (1, 4.0)  # verified; a full DMZ: high
    assert dict(figures.reported_by_kind) == {"presence": 1}
    # Russia disputes the verified one; the joint commission dismisses it.
    transition(store, first.id, "disputed", actor="RU", reason="a civilian truck")
    assert rule_on_dispute(store, first.id, upheld=False, actor="JC", reason="truck") == "closed"
    assert compliance(store, "RU", "day", day, record=False).current.index == 1.0
    with store.engine.connect() as connection:
        ruling = connection.execute(
            select(StoredIncident.ruling).where(StoredIncident.id == first.id)
        ).scalar()
    assert ruling == "dismissed"


def test_a_compliant_party_passes_and_a_verified_breach_does_not(
    store: Store,
    tmp_path: Path,
    verifier: Verifier,
) -> None:
    """A week of single-source noise against both parties: both indices stay at 1. A
    patrol sees Russian armour in the DMZ: Russia's day falls below 0.9, Ukraine's not."""
    rng = np.random.default_rng(7)
    noise = []
    for i in range(40):
        record = sighting(
            i,
            float(rng.uniform(36.96, 37.04)),
            float(rng.uniform(47.1, 48.9)),
            0,
            source_id=f"cam-{i}",
            source_type="camera",
            kind="vehicle",
            side=str(rng.choice(["UA", "RU"])),
            observed_at=f"2025-06-{9 + i % 7:02d}T{i % 24:02d}:00:00Z",
        )
        noise.append(record)
    ingest(store, tmp_path, noise)
    run_verification(store, verifier, now=datetime(2025, 6, 16, tzinfo=UTC))
    for party in ("UA", "RU"):
        week = compliance(store, party, "week", date(2025, 6, 11), record=False).current
        assert week.incidents > 0 and week.established == 0 and week.index == 1.0
    patrol = sighting(99, 37.0, 48.0, 0, source_type="patrol", source_id="OT-01-1")
    ingest(store, tmp_path, [patrol | {"observed_at": "2025-06-17T10:00:00Z"}])
    run_verification(store, verifier, now=datetime(2025, 6, 17, 11, tzinfo=UTC))
    weights = Weights.shipped()
    ru = compliance(store, "RU", "day", date(2025, 6, 17), weights=weights, record=False)
    ua = compliance(store, "UA", "day", date(2025, 6, 17), weights=weights, record=False)
    assert ru.current.index < 0.9 and ru.current.serious == 1
    assert ua.current.index == 1.0
    # What the conditions read, over the whole period at once, is the same figure.
    from accord.conditions.inputs import from_store

    days = {
        (d.party, d.day): d
        for d in from_store(store, ("RU", "UA"), date(2025, 6, 9), date(2025, 6, 17), None)
    }
    assert days[("RU", date(2025, 6, 17))].index == ru.current.index
    assert days[("RU", date(2025, 6, 17))].serious_violations == 1
    assert all(d.index == 1.0 for (party, day), d in days.items() if day < date(2025, 6, 17))
