"""A seeded store behind the app, one token per role, and an in-process client.

The store holds incidents about each party (one of them published), each
party's notifications, patrol reports of two teams and a field report, so
every access rule has something to show or to hide.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from accord.service.app import create_app
from accord.service.auth import Role, create_token
from accord.service.settings import ServiceSettings
from accord.store import Store, open_store
from accord.store.service import IncidentNote, IncidentPublication
from accord.store.verification import StoredIncident
from accord.verify.workflow import incident_ref

DAY = dt.date(2026, 9, 1)
NOON = dt.datetime.combine(DAY, dt.time(12), dt.UTC)
ROLES = ("admin", "analyst", "observer", "liaison:UA", "liaison:RU", "public")


def us(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


def incident_row(
    party: str,
    team: str,
    *,
    hours: float = 0,
    severity: int = 2,
    state: str = "detected",
    lon: float = 37.6,
    lat: float = 48.0,
    kind: str = "armour",
) -> StoredIncident:
    seen = NOON + dt.timedelta(hours=hours)
    return StoredIncident(
        agreement_id="defense-priorities-2025",
        rule_id="dmz.presence",
        term_id="ceasefire.dmz",
        kind="presence",
        state=state,
        severity=severity,
        first_seen_us=us(seen),
        last_seen_us=us(seen + dt.timedelta(minutes=5)),
        lon=lon,
        lat=lat,
        sector="S07",
        party=party,
        party_confidence=0.8,
        attribution="side reported by the sensor",
        confidence=0.9,
        sources=json.dumps(["drone-1", "radar-2"]),
        source_types=json.dumps(["drone", "radar"]),
        kinds=kind,
        findings=2,
        count=3,
        team=team,
        team_distance_km=12.0,
        escalation="",
        confirmed=False,
        created_at=seen,
        updated_at=seen,
    )


def observation(i: int, **change: object) -> dict[str, object]:
    return {
        "id": f"api-obs-{i}",
        "source_id": "drone-7",
        "source_type": "drone",
        "observed_at": "2026-09-01T10:00:00Z",
        "lon": 37.5,
        "lat": 47.9,
        "uncertainty_m": 100,
        "kind": "armour",
        "count": 2,
    } | change


def notice(party: str) -> dict[str, object]:
    return {
        "id": f"{party}-notice-1",
        "source_id": f"{party}-mod",
        "source_type": "notification",
        "observed_at": "2026-08-30T09:00:00Z",
        "kind": "personnel",
        "count": 800,
        "side": party,
        "side_confidence": 1.0,
        "notification": {
            "subject": "exercise",
            "party": party,
            "starts_at": "2026-09-02T00:00:00Z",
            "ends_at": "2026-09-03T00:00:00Z",
            "zone": "band.UA-BY",
        },
    }


def patrol(team: str, i: int, hour: int) -> dict[str, object]:
    return {
        "id": f"{team}-p-{i}",
        "source_id": f"{team}-patrol-1",
        "source_type": "patrol",
        "observed_at": f"2026-09-01T{hour:02d}:00:00Z",
        "lon": 37.4 + i / 10,
        "lat": 47.9,
        "uncertainty_m": 50,
        "kind": "personnel",
        "count": 0,
    }


@dataclass
class Seeded:
    store: Store
    tokens: dict[str, str]
    ua: str  # unpublished incident about UA, team T1
    ru: str  # unpublished incident about RU, team T2
    published_ru: str  # published incident about RU, team T2

    def headers(self, role: str) -> dict[str, str]:
        token = self.tokens.get(role)
        return {"Authorization": f"Bearer {token}"} if token else {}


def seed(store: Store) -> Seeded:
    rows = [
        incident_row("UA", "T1", hours=-1, lon=37.7),
        incident_row("RU", "T2", hours=-2, severity=2, lon=38.1, lat=48.3),
        incident_row("RU", "T2", hours=-3, severity=1, lon=38.3, lat=48.5, kind="artillery"),
    ]
    with Session(store.engine) as session:
        session.add_all(rows)
        session.flush()
        session.add(
            IncidentPublication(incident_id=rows[2].id, published_at=NOON, published_by="analyst")
        )
        session.add(
            IncidentNote(
                incident_id=rows[1].id, author="analyst", at=NOON, text="source radar-2 is flaky"
            )
        )
        session.commit()
        refs = [incident_ref(r.id) for r in rows]
    tokens = {}
    bindings = {
        "admin": (Role.admin, None, None),
        "analyst": (Role.analyst, None, None),
        "observer": (Role.observer, None, "T1"),
        "liaison:UA": (Role.liaison, "UA", None),
        "liaison:RU": (Role.liaison, "RU", None),
    }
    for label, (role, party, team) in bindings.items():
        tokens[label] = create_token(store, role, name=label, party=party, team=team)[1]
    return Seeded(store, tokens, *refs)


def api_routes(app: FastAPI) -> list[Any]:
    """The app's API routes, each with its full path and in the order the router tries
    them (FastAPI from 0.16x keeps an included router nested in `app.routes`)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # an older FastAPI lists them flat
        return [r for r in app.routes if isinstance(r, APIRoute)]
    return [c for c in iter_route_contexts(app.routes) if isinstance(c.original_route, APIRoute)]


def make_client(store: Store, **settings: object) -> TestClient:
    return TestClient(create_app(ServiceSettings(**settings), store))  # type: ignore[arg-type]


@pytest.fixture
def seeded(database_url: str) -> Iterator[Seeded]:
    with open_store(database_url) as store:
        yield seed(store)


@pytest.fixture
def client(seeded: Seeded) -> Iterator[TestClient]:
    with make_client(seeded.store) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def sqlite_seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """One SQLite store for the read-only tests that need a live server."""
    path = tmp_path_factory.mktemp("service") / "accord.db"
    with open_store(f"sqlite:///{path}") as store:
        seeded = seed(store)
        client = make_client(store)
        for record in [
            observation(1),
            notice("UA"),
            notice("RU"),
            patrol("T1", 1, 9),
            patrol("T1", 2, 11),
            patrol("T2", 1, 10),
        ]:
            response = client.post(
                "/api/observations", json=record, headers=seeded.headers("admin")
            )
            assert response.status_code == 200, response.text
        yield seeded


@dataclass
class Live:
    url: str
    seeded: Seeded


@contextmanager
def serving(app: FastAPI, log_level: str = "warning") -> Iterator[str]:
    """`app` under uvicorn on 127.0.0.1 (a free port) while the block runs; its URL."""
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level=log_level))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start within 20 s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live(sqlite_seeded: Seeded) -> Iterator[Live]:
    """The app under uvicorn, for real HTTP clients."""
    with serving(create_app(ServiceSettings(), sqlite_seeded.store)) as url:
        yield Live(url, sqlite_seeded)
