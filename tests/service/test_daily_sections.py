"""The daily report's SMM sections: places, violations by area, weapons by type."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy.orm import Session
from tests.service.conftest import DAY, Seeded, incident_row, observation

from accord.geo.geodesy import GEOD
from accord.geo.places import load_places
from accord.report.daily import build_daily
from accord.report.daily_sections import where
from accord.store.service import IncidentPublication
from accord.store.verification import StoredFinding, StoredIncident
from accord.verify.observation import Observation
from accord.verify.workflow import incident_ref


def test_points_are_named_from_the_gazetteer() -> None:
    kharkiv = load_places().find("Kharkiv")
    lon, lat, _ = GEOD.fwd(kharkiv.lon, kharkiv.lat, 225.0, 4_000.0)
    named = where(lon, lat)
    assert named.place == "4 km SW of Kharkiv" and named.area == "Kharkiv oblast"
    assert where(kharkiv.lon, kharkiv.lat).place == "near Kharkiv"
    assert where(lon, lat, "uk").settlement == "Харків"
    assert where(lon, lat, "ru").area == "Харьковская область"


def finding(
    incident: StoredIncident, key: str, kind: str, count: int, evidence: list[str]
) -> StoredFinding:
    return StoredFinding(
        rule_id=incident.rule_id,
        key=key,
        term_id=incident.term_id,
        kind=incident.kind,
        observed_at_us=incident.first_seen_us,
        lon=incident.lon,
        lat=incident.lat,
        party=incident.party,
        party_confidence=0.8,
        attribution="side reported by the sensor",
        source_id="seis-1",
        source_type="seismic",
        confidence=0.9,
        severity=incident.severity,
        count=count,
        observed_kind=kind,
        evidence=json.dumps(evidence),
        detail="",
        incident_id=incident.id,
    )


def add_firing(client: TestClient, seeded: Seeded, *, publish: bool) -> str:
    """A firing incident near Horlivka from two observations: 4 explosions, 7 bursts."""
    horlivka = load_places().find("Horlivka")
    records = [
        observation(
            101,
            source_type="seismic",
            kind="firing",
            count=4,
            lon=horlivka.lon,
            lat=horlivka.lat,
            firing={"category": "explosion", "explosion": "impact"},
            harm={
                "civilians_injured": 2,
                "damage": [{"object": "house", "description": "roof hit by shelling"}],
            },
        ),
        observation(
            102,
            source_type="acoustic",
            kind="firing",
            count=7,
            lon=horlivka.lon,
            lat=horlivka.lat,
            firing={"category": "bursts_and_shots"},
        ),
    ]
    for record in records:
        response = client.post("/api/observations", json=record, headers=seeded.headers("admin"))
        assert response.status_code == 200, response.text
    row = incident_row("RU", "T2", hours=-4, lon=horlivka.lon, lat=horlivka.lat, kind="firing")
    row.kind, row.rule_id, row.term_id = "firing", "dmz.firing", "ceasefire.dmz"
    with Session(seeded.store.engine) as session:
        session.add(row)
        session.flush()
        session.add_all(
            [
                finding(row, "api-obs-101", "firing", 4, ["api-obs-101"]),
                finding(row, "api-obs-102", "firing", 7, ["api-obs-102", "api-obs-101"]),
            ]
        )
        if publish:
            session.add(
                IncidentPublication(
                    incident_id=row.id, published_at=row.created_at, published_by="analyst"
                )
            )
        session.commit()
        return incident_ref(row.id)


def test_violations_by_area_count_explosions_and_bursts(client: TestClient, seeded: Seeded) -> None:
    add_firing(client, seeded, publish=True)
    html = build_daily(seeded.store, DAY).html
    # One observation cited by two findings counts once.
    assert (
        '<tr><td>Donetsk oblast</td><td>Horlivka</td><td class="n">1</td>'
        '<td class="n">4</td><td class="n">7</td><td class="n">0</td></tr>' in html
    )
    assert "near Horlivka (Donetsk oblast)" in html


def test_weapons_in_violation_by_type_and_number(seeded: Seeded) -> None:
    with Session(seeded.store.engine) as session:
        row = incident_row("UA", "T1", hours=-5, lon=36.3, lat=49.9, kind="mlrs,armour")
        session.add(row)
        session.flush()
        session.add_all(
            [
                finding(row, "o-1", "mlrs", 4, ["o-1"]),
                finding(row, "o-2", "mlrs", 6, ["o-2"]),  # the same launchers seen again
                finding(row, "o-3", "armour", 2, ["o-3"]),
            ]
        )
        session.add(
            IncidentPublication(incident_id=row.id, published_at=row.created_at, published_by="a")
        )
        session.commit()
    html = build_daily(seeded.store, DAY).html
    assert (
        "<tr><td>multiple rocket launchers</td><td>Kharkiv oblast</td><td>UA</td>"
        '<td class="n">1</td><td class="n">6</td></tr>' in html
    )
    assert "<tr><td>armour</td><td>Kharkiv oblast</td><td>UA</td>" in html
    # An incident without stored findings counts by its own summary (seeded: 3 artillery).
    assert "<tr><td>artillery</td><td>Donetsk oblast</td><td>RU</td>" in html


def test_civilian_harm_has_its_own_section(client: TestClient, seeded: Seeded) -> None:
    assert "None reported." in build_daily(seeded.store, DAY).html.split("Civilian casualties")[1]
    add_firing(client, seeded, publish=True)
    lone = observation(
        103,
        source_type="patrol",
        source_id="T1-patrol-1",
        lon=36.3,
        lat=49.9,
        kind="personnel",
        count=0,
        harm={"civilians_killed": 1},
    )
    response = client.post("/api/observations", json=lone, headers=seeded.headers("admin"))
    assert response.status_code == 200, response.text
    public = build_daily(seeded.store, DAY).html
    assert "Civilians killed: 0; injured: 2" in public
    assert "house: roof hit by shelling" in public
    # A patrol's report tied to no incident: the mission's edition only.
    mission = build_daily(seeded.store, DAY, edition="mission").html
    assert "Civilians killed: 1; injured: 2" in mission
    assert "T1-patrol-1" in mission and "T1-patrol-1" not in public


@pytest.mark.parametrize(
    ("harm", "message"),
    [
        ({}, "harm reports nothing"),
        ({"civilians_killed": True}, "a number of people is needed here, not true"),
        ({"civilians_injured": -1}, "greater than or equal to 0"),
        ({"damage": [{"description": "burnt"}]}, "damage.0.object"),
        ({"deaths": 2}, "harm.deaths"),
    ],
)
def test_bad_harm_is_refused_saying_where(harm: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError) as error:
        Observation.model_validate(observation(1) | {"harm": harm})
    text = str(error.value)
    assert message in text and "harm" in text
