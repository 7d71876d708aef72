"""Every role against every endpoint: who gets an answer, who is refused, who sees what."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from tests.service.conftest import ROLES, Seeded

STAFF = {"admin", "analyst"}
LIAISONS = {"liaison:UA", "liaison:RU"}
SIGNED_IN = set(ROLES) - {"public"}

# (method, path, body, roles answered 200); `{ua}` etc. are filled per test.
ENDPOINTS: list[tuple[str, str, object, set[str]]] = [
    ("GET", "/api/me", None, SIGNED_IN),
    ("GET", "/api/notifications", None, STAFF | LIAISONS),
    ("GET", "/api/incidents", None, STAFF | LIAISONS | {"observer"}),
    ("GET", "/api/alerts", None, STAFF),
    ("GET", "/api/compliance/UA?day=2026-09-01", None, STAFF | LIAISONS),
    ("GET", "/api/conditions?since=2026-08-30&until=2026-09-01", None, STAFF | LIAISONS),
    ("GET", "/api/plans", None, STAFF | LIAISONS),
    ("GET", "/api/plans/mcfaul-2024", None, STAFF | LIAISONS),
    ("GET", "/api/plans/compare?plan=mcfaul-2024&plan=russia-plan", None, STAFF | LIAISONS),
    ("GET", "/api/negotiation", None, STAFF | LIAISONS),
    ("GET", "/api/ledger/roots", None, STAFF | LIAISONS),
    ("GET", "/api/zones", None, set(ROLES)),
    ("GET", "/api/span", None, set(ROLES)),
    ("GET", "/api/patrols", None, STAFF | {"observer"}),
    ("GET", "/api/reports/daily?date=2026-09-01", None, set(ROLES)),
    ("GET", "/api/reports/daily?date=2026-09-01&party=UA", None, STAFF | {"liaison:UA"}),
    ("GET", "/api/reports/daily?date=2026-09-01&party=RU", None, STAFF | {"liaison:RU"}),
    ("POST", "/api/observations", "observation", STAFF | {"observer"}),
    (
        "POST",
        "/api/field-reports",
        {"kind": "jamming", "at": "2026-09-01T08:00:00Z", "description": "GPS lost at 300 m"},
        STAFF | {"observer"},
    ),
    ("GET", "/api/incidents/{ua}", None, STAFF | {"observer", "liaison:UA"}),
    ("GET", "/api/incidents/{ru}", None, STAFF | {"liaison:RU"}),
    ("GET", "/api/incidents/{published_ru}", None, STAFF | LIAISONS),
    ("POST", "/api/incidents/{ru}/notes", {"text": "check radar-2"}, STAFF),
    ("POST", "/api/incidents/{ua}/publish", None, STAFF),
    ("GET", "/ogc/collections/zones/items?limit=2", None, set(ROLES)),
    ("GET", "/ogc/collections/incidents/items", None, STAFF | LIAISONS | {"observer"}),
    ("GET", "/ogc/collections/patrols/items", None, STAFF | {"observer"}),
]


def expected(role: str, allowed: set[str], method: str, path: str) -> set[int]:
    """200 when allowed; 401 for the public; 404 for an incident hidden from a role
    that may read incidents (so its existence does not leak); else 403."""
    if role in allowed:
        return {200}
    if role == "public":
        return {401}
    hidden = method == "GET" and "/api/incidents/INC-" in path
    return {404} if hidden and role in LIAISONS | {"observer"} else {403}


def _request(client: TestClient, seeded: Seeded, role: str, method: str, path: str, body: object):
    path = path.format(ua=seeded.ua, ru=seeded.ru, published_ru=seeded.published_ru)
    if body == "observation":
        body = {
            "id": f"matrix-{role}",
            "source_id": "drone-7",
            "source_type": "drone",
            "observed_at": "2026-09-01T10:00:00Z",
            "lon": 37.5,
            "lat": 47.9,
            "uncertainty_m": 100,
            "kind": "armour",
        }
    return path, client.request(method, path, json=body, headers=seeded.headers(role))


def test_every_role_against_every_endpoint(client: TestClient, seeded: Seeded) -> None:
    wrong = []
    for method, template, body, allowed in ENDPOINTS:
        for role in ROLES:
            path, response = _request(client, seeded, role, method, template, body)
            want = expected(role, allowed, method, path)
            if response.status_code not in want:
                wrong.append(f"{role} {method} {path}: {response.status_code}, want {want}")
            elif response.status_code >= 400:
                problem = response.json()
                if not problem["detail"] or problem["status"] != response.status_code:
                    wrong.append(f"{role} {method} {path}: error without a message")
    assert not wrong, "\n".join(wrong)


def _ids(client: TestClient, seeded: Seeded, role: str) -> set[str]:
    response = client.get("/api/incidents", headers=seeded.headers(role))
    assert response.status_code == 200
    return {item["id"] for item in response.json()["items"]}


def test_each_role_sees_exactly_its_incidents(client: TestClient, seeded: Seeded) -> None:
    every = {seeded.ua, seeded.ru, seeded.published_ru}
    assert _ids(client, seeded, "analyst") == every
    assert _ids(client, seeded, "liaison:UA") == {seeded.ua, seeded.published_ru}
    assert _ids(client, seeded, "liaison:RU") == {seeded.ru, seeded.published_ru}
    assert _ids(client, seeded, "observer") == {seeded.ua}  # team T1's task


def test_internal_notes_reach_mission_staff_only(client: TestClient, seeded: Seeded) -> None:
    staff = client.get(f"/api/incidents/{seeded.ru}", headers=seeded.headers("analyst")).json()
    party = client.get(f"/api/incidents/{seeded.ru}", headers=seeded.headers("liaison:RU")).json()
    assert [n["text"] for n in staff["notes"]] == ["source radar-2 is flaky"]
    assert "notes" not in party


def test_a_party_sees_only_its_own_notifications(client: TestClient, seeded: Seeded) -> None:
    admin = seeded.headers("admin")
    for party in ("UA", "RU"):
        record = {
            "id": f"{party}-notice",
            "source_id": f"{party}-mod",
            "source_type": "notification",
            "observed_at": "2026-08-30T09:00:00Z",
            "kind": "personnel",
            "count": 800,
            "notification": {
                "subject": "exercise",
                "party": party,
                "zone": "band.UA-BY",
                "starts_at": "2026-09-02T00:00:00Z",
                "ends_at": "2026-09-03T00:00:00Z",
            },
        }
        assert client.post("/api/observations", json=record, headers=admin).status_code == 200
    seen = client.get("/api/notifications", headers=seeded.headers("liaison:UA")).json()
    assert [n["notification"]["party"] for n in seen["items"]] == ["UA"]
    assert client.get("/api/notifications", headers=admin).json()["total"] == 2


@pytest.mark.parametrize("target", ["confirmed", "referred", "closed"])
def test_a_liaison_may_only_dispute(client: TestClient, seeded: Seeded, target: str) -> None:
    headers = seeded.headers("liaison:UA")
    body = {"state": target, "reason": "we say so"}
    refused = client.post(f"/api/incidents/{seeded.ua}/transition", json=body, headers=headers)
    assert refused.status_code == 403
    disputed = client.post(
        f"/api/incidents/{seeded.ua}/transition",
        json={"state": "disputed", "reason": "our unit was 20 km away"},
        headers=headers,
    )
    assert disputed.status_code == 200
    assert disputed.json()["state"] == "disputed"


def test_revoked_and_unknown_tokens_are_refused(client: TestClient, seeded: Seeded) -> None:
    from accord.service.auth import revoke_token

    assert client.get("/api/me", headers={"Authorization": "Bearer acc_nope"}).status_code == 401
    assert client.get("/api/me", headers={"Authorization": "Basic x"}).status_code == 401
    me = client.get("/api/me", headers=seeded.headers("observer")).json()
    assert me == {
        "role": "observer",
        "label": "observer",
        "name": "observer",
        "party": None,
        "team": "T1",
        "may": [
            "field_reports.read",
            "field_reports.submit",
            "incidents.read",
            "me.read",
            "observations.submit",
            "patrols.read",
            "reports.public",
            "span.read",
            "zones.read",
        ],
        "transitions": {},
    }
    revoke_token(seeded.store, 3)
    assert client.get("/api/me", headers=seeded.headers("observer")).status_code == 401


# Ledger entries (by ref) and the roles that may see them; the day is not closed,
# so a visible entry answers "not closed yet" and a hidden one as a missing entry.
LEDGER: list[tuple[str, set[str]]] = [
    ("{ua}", STAFF | {"liaison:UA"}),
    ("{ru}", STAFF | {"liaison:RU"}),
    ("{published_ru}", STAFF | LIAISONS),
    ("UA-notice-1", STAFF | {"liaison:UA"}),
    ("RU-notice-1", STAFF | {"liaison:RU"}),
    ("api-obs-1", STAFF),  # evidence of no incident: the mission's own reading
]


def test_every_role_against_every_ledger_entry(client: TestClient, seeded: Seeded) -> None:
    from tests.service.conftest import notice, observation

    analyst, admin = seeded.headers("analyst"), seeded.headers("admin")
    for ref in (seeded.ua, seeded.ru, seeded.published_ru):
        body = {"state": "confirmed", "reason": "two sources"}
        assert client.post(
            f"/api/incidents/{ref}/transition", json=body, headers=analyst
        ).is_success
    for record in (notice("UA"), notice("RU"), observation(1)):
        assert client.post("/api/observations", json=record, headers=admin).is_success
    wrong = []
    for template, allowed in LEDGER:
        ref = template.format(ua=seeded.ua, ru=seeded.ru, published_ru=seeded.published_ru)
        for role in ROLES:
            answer = client.get(f"/api/ledger/proofs/{ref}", headers=seeded.headers(role))
            if role == "public":
                want = (401, "needs a token")
            elif role == "observer":
                want = (403, "ledger.read")
            elif role in allowed:
                want = (404, "is not closed yet")
            else:
                want = (404, f"no ledger entry has seq or ref '{ref}'")
            if answer.status_code != want[0] or want[1] not in answer.json()["detail"]:
                wrong.append(f"{role} {ref}: {answer.status_code} {answer.text}, want {want}")
    assert not wrong, "\n".join(wrong)
