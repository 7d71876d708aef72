"""The daily report's editions: public, each party's and the mission's own."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete
from sqlalchemy.orm import Session
from tests.service.conftest import DAY, Seeded, incident_row
from tests.service.test_daily_sections import add_firing, finding

from accord.report.daily import build_daily
from accord.store.service import IncidentNote
from accord.store.verification import StoredFinding, StoredIncident
from accord.verify.workflow import parse_ref


def add_unpublished_mlrs(seeded: Seeded, party: str) -> None:
    with Session(seeded.store.engine) as session:
        row = incident_row(party, "T1", hours=-6, lon=36.3, lat=49.9, kind="mlrs")
        session.add(row)
        session.flush()
        session.add(finding(row, f"{party}-mlrs", "mlrs", 9, [f"{party}-mlrs"]))
        session.commit()


def test_no_party_edition_holds_the_other_partys_unpublished_incident(
    client: TestClient, seeded: Seeded
) -> None:
    """Every section, counts included: the UA edition is the same byte for byte whether
    or not the store holds RU's unpublished incidents."""
    firing = add_firing(client, seeded, publish=False)  # about RU, near Horlivka
    add_unpublished_mlrs(seeded, "RU")
    with_ru = build_daily(seeded.store, DAY, "UA")
    ru_edition = build_daily(seeded.store, DAY, "RU").html
    assert "Horlivka" in ru_edition and "multiple rocket launchers" in ru_edition  # to hide
    assert "Horlivka" not in with_ru.html
    assert "multiple rocket launchers" not in with_ru.html
    with Session(seeded.store.engine) as session:
        hidden = [parse_ref(seeded.ru), parse_ref(firing)] + [
            i.id for i in session.query(StoredIncident).filter(StoredIncident.kinds == "mlrs")
        ]
        session.execute(delete(IncidentNote).where(IncidentNote.incident_id.in_(hidden)))
        session.execute(delete(StoredFinding).where(StoredFinding.incident_id.in_(hidden)))
        session.execute(delete(StoredIncident).where(StoredIncident.id.in_(hidden)))
        session.commit()
    assert build_daily(seeded.store, DAY, "UA").html == with_ru.html


def test_mission_edition_holds_everything_and_the_notes(seeded: Seeded) -> None:
    mission = build_daily(seeded.store, DAY, edition="mission")
    assert mission.incidents == 3 and mission.edition == "mission"
    for ref in (seeded.ua, seeded.ru, seeded.published_ru):
        assert ref in mission.html
    assert "radar-2 is flaky" in mission.html  # notes: the mission's edition only
    assert "recorded 3 incidents in the period; 2 of them are not published yet" in mission.html
    assert "Mission edition" in mission.html
    for party in ("UA", "RU"):
        assert "radar-2 is flaky" not in build_daily(seeded.store, DAY, party).html
    with pytest.raises(ValueError, match="mission edition takes no party"):
        build_daily(seeded.store, DAY, "UA", edition="mission")
    with pytest.raises(ValueError, match="party edition needs a party"):
        build_daily(seeded.store, DAY, edition="party")
    with pytest.raises(ValueError, match="edition 'secret'"):
        build_daily(seeded.store, DAY, edition="secret")


def test_public_wording_says_nothing_is_published_yet(seeded: Seeded) -> None:
    public = build_daily(seeded.store, DAY)
    assert "1 incident has been published for this day" in public.html
    empty = build_daily(seeded.store, DAY + dt.timedelta(days=1)).html
    assert "No incidents have been published for this day yet" in empty
    assert "recorded 0" not in empty


def test_mission_edition_is_for_mission_staff(client: TestClient, seeded: Seeded) -> None:
    url = "/api/reports/daily?date=2026-09-01&edition=mission"
    for role, status in [
        ("admin", 200),
        ("analyst", 200),
        ("observer", 403),
        ("liaison:UA", 403),
        ("liaison:RU", 403),
        ("public", 401),
    ]:
        response = client.get(url, headers=seeded.headers(role))
        assert response.status_code == status, (role, response.text)
    body = client.get(url, headers=seeded.headers("analyst")).text
    assert "radar-2 is flaky" in body
    both = client.get(url + "&party=UA", headers=seeded.headers("analyst"))
    assert both.status_code == 400 and "takes no party" in both.text
    anonymous = client.get("/api/reports/daily?date=2026-09-01")
    assert anonymous.status_code == 200 and "Public edition" in anonymous.text
