"""Observations through the API: the same validation, idempotency and quarantine as files."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.service.conftest import Seeded, make_client, observation


def test_single_and_batch_are_stored_once(client: TestClient, seeded: Seeded) -> None:
    headers = seeded.headers("observer")
    one = client.post("/api/observations", json=observation(1), headers=headers).json()
    assert (one["accepted"], one["accepted_ids"]) == (1, ["api-obs-1"])
    batch = [observation(1), observation(2), observation(3)]
    again = client.post("/api/observations/batch", json=batch, headers=headers).json()
    assert (again["accepted"], again["duplicates"], again["quarantined"]) == (2, 1, 0)
    assert seeded.store.counts()["observations"] == 3


def test_a_malformed_batch_is_judged_record_by_record(client: TestClient, seeded: Seeded) -> None:
    batch = [
        observation(10),
        observation(11, lon=None),  # a drone needs lon and lat
        "not an object",
        observation(12, kind="spaceship"),
        observation(13),
    ]
    result = client.post(
        "/api/observations/batch", json=batch, headers=seeded.headers("analyst")
    ).json()
    assert result["accepted_ids"] == ["api-obs-10", "api-obs-13"]
    assert [r["record"] for r in result["rejected"]] == [2, 3, 4]
    assert "lon and lat" in result["rejected"][0]["reason"]
    assert "JSON object" in result["rejected"][1]["reason"]
    assert "kind" in result["rejected"][2]["reason"]
    quarantined = seeded.store.quarantined()
    assert len(quarantined) == 3 and all(q.source.startswith("api:analyst") for q in quarantined)


def test_a_reused_id_with_other_content_is_a_conflict(client: TestClient, seeded: Seeded) -> None:
    headers = seeded.headers("admin")
    client.post("/api/observations", json=observation(20), headers=headers)
    changed = client.post("/api/observations", json=observation(20, count=9), headers=headers)
    assert changed.json()["accepted"] == 0
    assert changed.json()["quarantined"] == 1


def test_limits_refuse_large_bodies_batches_and_pages(seeded: Seeded) -> None:
    with make_client(seeded.store, max_body_bytes=2_000, max_batch_records=2) as small:
        headers = seeded.headers("admin")
        big = [observation(i) for i in range(40)]
        too_big = small.post("/api/observations/batch", json=big, headers=headers)
        assert too_big.status_code == 413 and "bytes" in too_big.json()["detail"]
        three = [observation(i) for i in range(3)]
        too_many = small.post("/api/observations/batch", json=three, headers=headers)
        assert too_many.status_code == 413 and "at most 2" in too_many.json()["detail"]
        page = small.get("/api/incidents?limit=100000", headers=headers)
        assert page.status_code == 400 and "limit" in page.json()["detail"]


def test_rate_limit_per_token(seeded: Seeded) -> None:
    with make_client(seeded.store, rate_limit_per_minute=3) as limited:
        codes = [
            limited.get("/api/me", headers=seeded.headers("analyst")).status_code for _ in range(4)
        ]
        assert codes == [200, 200, 200, 429]
        # another token has its own allowance
        assert limited.get("/api/me", headers=seeded.headers("admin")).status_code == 200


def test_workflow_through_the_api_is_in_the_ledger(client: TestClient, seeded: Seeded) -> None:
    headers = seeded.headers("analyst")
    path = f"/api/incidents/{seeded.ua}/transition"
    done = client.post(
        path, json={"state": "confirmed", "reason": "patrol saw it"}, headers=headers
    )
    assert done.status_code == 200
    assert done.json()["history"][-1]["actor"] == "analyst:analyst"
    illegal = client.post(path, json={"state": "detected", "reason": "undo"}, headers=headers)
    assert illegal.status_code == 409
    assert "can go to" in illegal.json()["detail"]
    proof = client.get(f"/api/ledger/proofs/{seeded.ua}", headers=headers)
    assert proof.status_code == 404 and "not closed yet" in proof.json()["detail"]
