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


def test_places_in_a_box_are_public_and_most_populous_first(client: TestClient) -> None:
    """Around Kramatorsk: the towns there, largest first, with their Ukrainian and
    Russian names; no token needed, as the gazetteer is public data."""
    reply = client.get("/api/places", params={"bbox": "37.4,48.6,37.8,48.95", "limit": 3})
    assert reply.status_code == 200, reply.text
    features = reply.json()["features"]
    names = [f["properties"]["name"] for f in features]
    assert names == ["Kramatorsk", "Slovyansk", "Druzhkivka"]
    first = features[0]
    assert first["properties"]["name_uk"] == "Краматорськ"
    assert first["properties"]["name_ru"] == "Краматорск"
    lon, lat = first["geometry"]["coordinates"]
    assert 37.4 <= lon <= 37.8 and 48.6 <= lat <= 48.95
    populations = [f["properties"]["population"] for f in features]
    assert populations == sorted(populations, reverse=True)
    default = client.get("/api/places", params={"bbox": "37.4,48.6,37.8,48.95"}).json()
    assert len(default["features"]) > 3
    sea = client.get("/api/places", params={"bbox": "31,43,33,44"}).json()  # the Black Sea
    assert sea == {"type": "FeatureCollection", "features": []}


def test_places_refuse_a_bad_box_or_limit_saying_what_is_wrong(client: TestClient) -> None:
    cases = {
        "bbox=37.4,48.6,37.8": "west,south,east,north",
        "bbox=38,48,37,49": "west must be <= east",
        "bbox=37,48,38,95": "north=95.0 is not within ±90 degrees",
        "bbox=37,48,38,49&limit=0": "limit",
        "bbox=37,48,38,49&limit=501": "1 to 500",
        "limit=5": "bbox",
    }
    for query, expected in cases.items():
        reply = client.get(f"/api/places?{query}")
        assert reply.status_code == 400, query
        assert expected in reply.json()["detail"], (query, reply.json())
