"""Issue 15, part 6: inputs that used to be a 500 are a 4xx that says what was wrong."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.service.conftest import Seeded, make_client, observation

HUGE = "99999999999999999999"  # over a BIGINT


@pytest.mark.parametrize(
    "path",
    [
        f"/api/incidents?offset={HUGE}",
        f"/api/notifications?offset={HUGE}",
        f"/ogc/collections/incidents/items?offset={HUGE}",
        f"/api/incidents?limit={HUGE}",
    ],
)
def test_an_offset_or_limit_past_any_integer_is_a_400(
    client: TestClient, seeded: Seeded, path: str
) -> None:
    answer = client.get(path, headers=seeded.headers("analyst"))
    assert answer.status_code == 400
    assert "offset" in answer.json()["detail"] or "limit" in answer.json()["detail"]


@pytest.mark.parametrize("collection", ["zones", "patrols", "incidents"])
@pytest.mark.parametrize("bbox", ["nan,nan,nan,nan", "inf,0,1,1", "0,-inf,1,1"])
def test_a_bbox_of_nan_or_infinity_is_a_400(
    client: TestClient, seeded: Seeded, collection: str, bbox: str
) -> None:
    answer = client.get(
        f"/ogc/collections/{collection}/items?bbox={bbox}", headers=seeded.headers("analyst")
    )
    assert answer.status_code == 400 and "bbox" in answer.json()["detail"]


def test_a_bbox_out_of_range_names_the_value(client: TestClient, seeded: Seeded) -> None:
    answer = client.get("/ogc/collections/zones/items?bbox=30,44,200,53")
    assert answer.status_code == 400
    assert "east=200.0 is not within ±180 degrees" in answer.json()["detail"]


def test_an_incident_id_past_any_integer_is_not_a_500(client: TestClient, seeded: Seeded) -> None:
    headers = seeded.headers("analyst")
    long = client.get(f"/api/incidents/INC-{'9' * 400}", headers=headers)
    assert long.status_code == 400 and "ref" in long.json()["detail"]
    feature = client.get(f"/ogc/collections/incidents/items/INC-{HUGE}", headers=headers)
    assert feature.status_code == 404 and "no incident" in feature.json()["detail"]
    proof = client.get(f"/api/ledger/proofs/{HUGE}", headers=headers)
    assert proof.status_code == 404 and "no ledger entry" in proof.json()["detail"]


def test_a_chunked_body_over_the_limit_is_a_413(seeded: Seeded) -> None:
    record = (b"[" + b",".join([b'{"id": "x", "remarks": "' + b"a" * 1000 + b'"}'] * 5_500)) + b"]"
    assert len(record) > 5_500_000

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(record), 65_536):
            yield record[start : start + 65_536]

    with make_client(seeded.store) as client:
        answer = client.post(
            "/api/observations/batch",
            content=chunks(),
            headers={**seeded.headers("admin"), "Content-Type": "application/json"},
        )
    assert answer.status_code == 413 and "5000000 bytes" in answer.json()["detail"]


def test_an_empty_batch_is_refused_by_the_schema(client: TestClient, seeded: Seeded) -> None:
    answer = client.post("/api/observations/batch", json=[], headers=seeded.headers("admin"))
    assert answer.status_code == 422 and "at least 1" in answer.json()["detail"]
    one = client.post(
        "/api/observations/batch", json=[observation(1)], headers=seeded.headers("admin")
    )
    assert one.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/compliance/UA?day=0",
        "/api/incidents?until=0.5",
        "/api/incidents?since=1700000000",
        "/api/reports/daily?date=20260901",
        "/api/compliance/UA?day=0001-01-01",
    ],
)
def test_days_and_times_are_taken_only_as_the_schema_writes_them(
    client: TestClient, seeded: Seeded, path: str
) -> None:
    answer = client.get(path, headers=seeded.headers("analyst"))
    assert answer.status_code == 400, answer.text


def test_a_coordinate_is_a_number_not_a_boolean(client: TestClient, seeded: Seeded) -> None:
    report = {"kind": "jamming", "at": "2026-09-01T08:00:00Z", "description": "GPS lost"}
    headers = seeded.headers("observer")
    wrong = client.post(
        "/api/field-reports", json=report | {"lon": 0.0, "lat": False}, headers=headers
    )
    assert wrong.status_code == 422 and "lat" in wrong.json()["detail"]
    half = client.post(
        "/api/field-reports", json=report | {"lon": 37.5, "lat": None}, headers=headers
    )
    assert half.status_code == 422 and "lon and lat come together" in half.json()["detail"]
    right = client.post("/api/field-reports", json=report | {"lon": 37, "lat": 48}, headers=headers)
    assert right.status_code == 200


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_a_body_nested_too_deep_is_a_clear_400(
    client: TestClient, seeded: Seeded, depth: int
) -> None:
    """100,000 levels (200 KB) came back as "There was an error parsing the body"."""
    deep = "[" * depth + "]" * depth
    answer = client.post(
        "/api/observations/batch",
        content=deep,
        headers={**seeded.headers("admin"), "Content-Type": "application/json"},
    )
    assert answer.status_code == 400
    assert answer.json()["detail"] == (
        "the body is nested deeper than 65 levels (at character 66); send flatter records"
    )
    after = client.post(
        "/api/observations/batch", json=[observation(7)], headers=seeded.headers("admin")
    )
    assert after.status_code == 200  # the server goes on
