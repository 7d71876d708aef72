"""What the dashboard reads from the API: the data's span per role, and the workflow
steps each role may take."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from tests.service.conftest import Seeded, make_client, observation

from accord.store import open_store


def test_the_span_is_of_the_data_each_role_may_see(client: TestClient, seeded: Seeded) -> None:
    # An observation a day before every incident: staff see it, a party does not.
    early = observation(1, observed_at="2026-08-31T06:30:00Z")
    stored = client.post("/api/observations", json=early, headers=seeded.headers("admin"))
    assert stored.status_code == 200, stored.text
    analyst = client.get("/api/span", headers=seeded.headers("analyst")).json()
    assert analyst == {
        "first": "2026-08-31T06:30:00Z",
        "last": "2026-09-01T11:05:00Z",
        "first_day": "2026-08-31",
        "last_day": "2026-09-01",
    }
    # liaison:RU sees both RU incidents (09:00, 10:00), not UA's of 11:00 nor the observation.
    ru = client.get("/api/span", headers=seeded.headers("liaison:RU")).json()
    assert (ru["first"], ru["last"]) == ("2026-09-01T09:00:00Z", "2026-09-01T10:05:00Z")
    public = client.get("/api/span").json()  # only the published incident
    assert (public["first"], public["last"]) == ("2026-09-01T09:00:00Z", "2026-09-01T09:05:00Z")


def test_an_empty_store_has_no_span(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path / 'empty.db'}") as store, make_client(store) as client:
        assert client.get("/api/span").json() == {
            "first": None,
            "last": None,
            "first_day": None,
            "last_day": None,
        }


def test_me_lists_the_steps_the_role_may_take(client: TestClient, seeded: Seeded) -> None:
    staff = client.get("/api/me", headers=seeded.headers("analyst")).json()["transitions"]
    assert staff["detected"] == ["closed", "confirmed", "disputed", "referred"]
    assert "closed" not in staff  # final
    liaison = client.get("/api/me", headers=seeded.headers("liaison:UA")).json()["transitions"]
    assert set(liaison) == {"detected", "confirmed", "handled_locally", "referred"}
    assert all(targets == ["disputed"] for targets in liaison.values())
    observer = client.get("/api/me", headers=seeded.headers("observer")).json()
    assert observer["transitions"] == {}
