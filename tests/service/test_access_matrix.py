"""Every role against every endpoint: who gets an answer, who is refused, who sees what;
every answer checked against its route's response model, and every route of the
app held to a row here, so a route added without one fails."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import TypeAdapter
from sqlalchemy.orm import Session
from tests.service.conftest import ROLES, Seeded, api_routes, incident_row, make_client

from accord.verify.workflow import incident_ref

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
    ("GET", "/api/reports/daily?date=2026-09-01&edition=mission", None, STAFF),
    ("GET", "/api/reports/daily.pdf?date=2026-09-01&party=RU", None, STAFF | {"liaison:RU"}),
    ("GET", "/api/negotiation/report", None, STAFF | LIAISONS),
    ("GET", "/api/basemap", None, set(ROLES)),
    ("GET", "/api/places?bbox=37,47,38,48&limit=3", None, set(ROLES)),
    ("POST", "/api/observations", "observation", STAFF | {"observer"}),
    ("POST", "/api/observations/batch", "batch", STAFF | {"observer"}),
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
    # A fresh incident of party UA, team T1 for each role: a step is taken once.
    ("POST", "/api/incidents/{fresh}/transition", "dispute", STAFF | {"liaison:UA"}),
    ("GET", "/api/ledger/consistency?first=1", None, STAFF | LIAISONS),  # after publishing
    ("GET", "/ogc", None, set(ROLES)),
    ("GET", "/ogc/api", None, set(ROLES)),
    ("GET", "/ogc/conformance", None, set(ROLES)),
    ("GET", "/ogc/collections", None, set(ROLES)),
    ("GET", "/ogc/collections/incidents", None, set(ROLES)),
    ("GET", "/ogc/collections/patrols/queryables", None, set(ROLES)),
    ("GET", "/ogc/collections/zones/items?limit=2", None, set(ROLES)),
    ("GET", "/ogc/collections/zones/items/line-of-contact", None, set(ROLES)),
    ("GET", "/ogc/collections/incidents/items", None, STAFF | LIAISONS | {"observer"}),
    ("GET", "/ogc/collections/incidents/items/{ru}", None, STAFF | {"liaison:RU"}),
    ("GET", "/ogc/collections/patrols/items", None, STAFF | {"observer"}),
]


def expected(role: str, allowed: set[str], method: str, path: str) -> set[int]:
    """200 when allowed; 401 for the public; 404 for an incident hidden from a role
    that may read incidents (so its existence does not leak); else 403."""
    if role in allowed:
        return {200}
    if role == "public":
        return {401}
    hidden = "/incidents/INC-" in path or "/incidents/items/INC-" in path
    if method == "POST" and not (path.endswith("/transition") and role in LIAISONS):
        hidden = False  # refused for its role before the incident is looked up
    return {404} if hidden and role in LIAISONS | {"observer"} else {403}


def _fresh_incident(seeded: Seeded) -> str:
    with Session(seeded.store.engine) as session:
        row = incident_row("UA", "T1")
        session.add(row)
        session.commit()
        return incident_ref(row.id)


def _observation(name: str) -> dict[str, object]:
    return {
        "id": name,
        "source_id": "drone-7",
        "source_type": "drone",
        "observed_at": "2026-09-01T10:00:00Z",
        "lon": 37.5,
        "lat": 47.9,
        "uncertainty_m": 100,
        "kind": "armour",
    }


def _request(client: TestClient, seeded: Seeded, role: str, method: str, path: str, body: object):
    fresh = _fresh_incident(seeded) if "{fresh}" in path else None
    path = path.format(ua=seeded.ua, ru=seeded.ru, published_ru=seeded.published_ru, fresh=fresh)
    if body == "observation":
        body = _observation(f"matrix-{role}")
    elif body == "batch":
        body = [_observation(f"matrix-batch-{role}-{n}") for n in (1, 2)]
    elif body == "dispute":
        body = {"state": "disputed", "reason": "our unit was 20 km away"}
    return path, client.request(method, path, json=body, headers=seeded.headers(role))


def serving_route(app: FastAPI, method: str, path: str) -> Any | None:
    """The route that answers `method path` (the first that matches, as the router
    takes them), or None: a path of the dashboard's files or of no route."""
    bare = path.partition("?")[0]
    for route in api_routes(app):
        if method in route.methods and route.path_regex.match(bare):
            return route
    return None


def unmatched_routes(app: FastAPI, requests: Iterable[tuple[str, str]]) -> list[str]:
    """The /api and /ogc routes of `app` that none of the requests reaches."""
    reached = set()
    for method, path in requests:
        route = serving_route(app, method, path)
        if route is not None:
            reached.add(f"{method} {route.path}")
    return [
        f"{method} {route.path}"
        for route in api_routes(app)
        if route.path.startswith(("/api", "/ogc"))
        for method in sorted(route.methods)
        if f"{method} {route.path}" not in reached
    ]


def _answer_problem(app: FastAPI, method: str, path: str, answer: object) -> str | None:
    """Why a 200 answer does not fit its route's response model, or None when it does."""
    route = serving_route(app, method, path)
    assert route is not None, f"{method} {path} reaches no route"
    if route.response_model is None:
        return None  # HTML, PDF, the base map and the schema documents: not JSON models
    try:
        TypeAdapter(route.response_model).validate_python(answer)
    except ValueError as exc:
        return str(exc)
    return None


def test_every_role_against_every_endpoint(client: TestClient, seeded: Seeded) -> None:
    wrong = []
    for method, template, body, allowed in ENDPOINTS:
        for role in ROLES:
            path, response = _request(client, seeded, role, method, template, body)
            want = expected(role, allowed, method, path)
            if response.status_code not in want:
                wrong.append(f"{role} {method} {path}: {response.status_code}, want {want}")
            elif response.status_code == 200 and "json" in response.headers["content-type"]:
                problem = _answer_problem(client.app, method, path, response.json())  # type: ignore[arg-type]
                if problem is not None:
                    wrong.append(f"{role} {method} {path}: off its model: {problem}")
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


# The ledger proofs' own rows (LEDGER) reach /api/ledger/proofs/{ref}.
ROWS = [(method, path) for method, path, _, _ in ENDPOINTS] + [
    ("GET", f"/api/ledger/proofs/{ref}") for ref, _ in LEDGER
]


def test_every_route_has_a_row_in_the_matrix(client: TestClient) -> None:
    assert unmatched_routes(client.app, ROWS) == []  # type: ignore[arg-type]


def test_a_route_added_without_a_row_is_reported(seeded: Seeded) -> None:
    app = make_client(seeded.store).app
    assert isinstance(app, FastAPI)
    app.add_api_route("/api/plans/{plan_id}/terms", lambda plan_id: [], methods=["GET"])
    app.add_api_route("/api/plans/compare", lambda: {}, methods=["POST"])
    assert unmatched_routes(app, ROWS) == [
        "GET /api/plans/{plan_id}/terms",
        "POST /api/plans/compare",
    ]


def test_an_answer_off_its_model_is_reported(client: TestClient) -> None:
    """GeoJSON routes answer with their own response class, which FastAPI does not
    check against the model: the matrix's check is what holds them to it."""
    app = client.app
    assert isinstance(app, FastAPI)
    page = {"type": "FeatureCollection", "features": [], "numberMatched": 0}
    assert _answer_problem(app, "GET", "/ogc/collections/zones/items", page) is not None
    assert _answer_problem(app, "GET", "/api/span", {"first": None}) is not None
