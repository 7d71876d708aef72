"""Issue 15, part 4: nothing leaks across parties or teams, and no token speaks for
a source it does not stand for."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.service.conftest import Seeded, notice, observation, patrol

from accord.service.auth import Role, create_token
from accord.store.ledger import LedgerEntryRow


def _step(client: TestClient, seeded: Seeded, ref: str, state: str = "confirmed") -> None:
    body = {"state": state, "reason": "two independent sources"}
    answer = client.post(
        f"/api/incidents/{ref}/transition", json=body, headers=seeded.headers("analyst")
    )
    assert answer.status_code == 200, answer.text


def _seq(seeded: Seeded, ref: str) -> str:
    with seeded.store.engine.connect() as connection:
        seqs = connection.scalars(select(LedgerEntryRow.seq).where(LedgerEntryRow.ref == ref))
        return str(list(seqs)[-1])


def _proof(client: TestClient, seeded: Seeded, role: str, ref: str) -> tuple[int, str]:
    answer = client.get(f"/api/ledger/proofs/{ref}", headers=seeded.headers(role))
    return answer.status_code, answer.text


def _as_missing(client: TestClient, seeded: Seeded, role: str, ref: str, missing: str) -> None:
    """The hidden entry's answer is the missing one's, byte for byte but for the ref asked."""
    hidden = _proof(client, seeded, role, ref)
    absent = _proof(client, seeded, role, missing)
    assert hidden == (absent[0], absent[1].replace(missing, ref))
    assert absent[0] == 404


def test_a_party_cannot_see_the_ledger_entries_of_the_others_hidden_incident(
    client: TestClient, seeded: Seeded
) -> None:
    _step(client, seeded, seeded.ua)
    _step(client, seeded, seeded.ru)
    _step(client, seeded, seeded.ru, "referred")  # two entries: the old answer listed both seqs
    for role, hidden, own in (
        ("liaison:UA", seeded.ru, seeded.ua),
        ("liaison:RU", seeded.ua, seeded.ru),
    ):
        _as_missing(client, seeded, role, hidden, "INC-999999")
        _as_missing(client, seeded, role, _seq(seeded, hidden), "999999")
        status, text = _proof(client, seeded, role, _seq(seeded, own))
        assert status == 404 and "not closed yet" in text  # seen, only not sealed


def test_a_party_cannot_see_the_ledger_entry_of_the_others_notification(
    client: TestClient, seeded: Seeded
) -> None:
    for party in ("UA", "RU"):
        answer = client.post(
            "/api/observations", json=notice(party), headers=seeded.headers("admin")
        )
        assert answer.status_code == 200, answer.text
    _as_missing(client, seeded, "liaison:UA", "RU-notice-1", "XX-notice-1")
    _as_missing(client, seeded, "liaison:RU", "UA-notice-1", "XX-notice-1")
    assert "not closed yet" in _proof(client, seeded, "liaison:UA", "UA-notice-1")[1]
    assert "not closed yet" in _proof(client, seeded, "analyst", "RU-notice-1")[1]


def test_an_observer_cannot_forge_a_partys_notification(client: TestClient, seeded: Seeded) -> None:
    forged = client.post("/api/observations", json=notice("RU"), headers=seeded.headers("observer"))
    assert forged.status_code == 403
    assert "record 1: source_type" in forged.json()["detail"]
    assert seeded.store.counts()["observations"] == 0


def test_a_liaison_declares_for_its_own_party_only(client: TestClient, seeded: Seeded) -> None:
    headers = seeded.headers("liaison:UA")
    other = client.post("/api/observations", json=notice("RU"), headers=headers)
    assert other.status_code == 403 and "notification.party" in other.json()["detail"]
    sensor = client.post("/api/observations", json=observation(1), headers=headers)
    assert sensor.status_code == 403 and "source_type" in sensor.json()["detail"]
    own = client.post("/api/observations", json=notice("UA"), headers=headers)
    assert own.status_code == 200 and own.json()["accepted_ids"] == ["UA-notice-1"]


def test_an_observer_cannot_post_as_another_teams_patrol(
    client: TestClient, seeded: Seeded
) -> None:
    headers = seeded.headers("observer")  # team T1
    batch = [patrol("T1", 1, 9), patrol("T2", 2, 10), patrol("T10", 3, 11)]
    refused = client.post("/api/observations/batch", json=batch, headers=headers)
    assert refused.status_code == 403
    detail = refused.json()["detail"]
    assert "record 2: source_id: 'T2-patrol-1'" in detail and "record 3:" in detail
    assert "record 1" not in detail
    assert seeded.store.counts()["observations"] == 0  # the whole batch, before storing
    own = client.post("/api/observations/batch", json=batch[:1], headers=headers)
    assert own.status_code == 200 and own.json()["accepted"] == 1


def test_team_scope_is_an_exact_match(client: TestClient, seeded: Seeded) -> None:
    admin = seeded.headers("admin")
    teams = ("OT-0", "OT-01", "OT_0", "T%")
    for n, team in enumerate(teams):
        answer = client.post("/api/observations", json=patrol(team, n, 9 + n), headers=admin)
        assert answer.status_code == 200, answer.text
    for team in ("OT-0", "O__0", "T%"):
        secret = create_token(seeded.store, Role.observer, name=team, team=team)[1]
        seen = client.get("/api/patrols", headers={"Authorization": f"Bearer {secret}"})
        patrols = {f["properties"]["patrol"] for f in seen.json()["features"]}
        assert patrols == ({f"{team}-patrol-1"} if team in teams else set()), team
