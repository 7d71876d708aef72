"""Caps and exercises: notifications match by party, zone, place and period; a rule charges
only the parties it binds, on positive evidence; sources that saw the same troops count
them once.

The hand-made world is the one of `test_findings`: the line along 37 E, Ukraine's side
west of it, Russia's east (both 35-39 E, 47-49 N), a partial DMZ 36.8-37.2 E capping
troops at 500, and a term that limits exercises everywhere (no zone). Areas join
detections within 25 km (`verify/data/tallies.yaml`).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from tests.support import plan, term

from accord.geo.classify import ZoneIndex
from accord.geo.zones import Zone
from accord.ops import Base, Teams
from accord.plans import load_plan
from accord.store import open_store
from accord.store.verification import StoredFinding, VerifyTally
from accord.verify.areas import AREAS
from accord.verify.batch import BatchResult, Verifier, batch_from_observations, verify_batch
from accord.verify.findings import Findings
from accord.verify.ingest import ingest_file
from accord.verify.observation import Observation
from accord.verify.pipeline import run_verification
from accord.verify.rules import compile_rules

DOCS = Path(__file__).resolve().parents[2] / "docs"
TERMS = [
    term(
        "ceasefire.partial",
        "ceasefire",
        "dmz",
        prohibits=["mlrs"],
        caps=[{"item": "military_forces", "limit": 500}],
        zone={"type": "dmz", "along": "line_of_contact", "width": "30 km", "regime": "partial"},
    ),
    term("security.exercises", "security", "force_size", prohibits=["exercise"]),
    # Binds Ukraine alone, so its fallback party used to be UA for anything unattributed.
    term(
        "assurances.drills", "assurances", "deployment_limits", binds=["UA"], prohibits=["exercise"]
    ),
]
BOXES = {
    "side.UA": ("side", (35, 47, 37, 49), "UA"),
    "side.RU": ("side", (37, 47, 39, 49), "RU"),
    "ceasefire.partial": ("dmz", (36.8, 47, 37.2, 49), None),
}
UA = {"side": "UA", "side_confidence": 0.9}
RU = {"side": "RU", "side_confidence": 0.9}


@pytest.fixture(scope="module")
def verifier() -> Verifier:
    zones = [
        Zone(zid, kind, ("UA", "RU"), shapely.box(*box), {"side": side} if side else {})
        for zid, (kind, box, side) in BOXES.items()
    ]
    teams = Teams(bases=[Base(id="west", lon=36.0, lat=48.0), Base(id="east", lon=38.0, lat=48.0)])
    return Verifier(compile_rules(plan(*TERMS), zones), ZoneIndex.build(zones, 500.0), teams)


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Verifier:
    """The Defense Priorities plan on the shipped map."""
    cache = tmp_path_factory.mktemp("zones")
    return Verifier.for_agreement(load_plan("defense-priorities-2025"), cache_dir=cache)


_IDS = iter(range(1_000_000))


def troops(lon: float, lat: float, count: int, source: str = "radar-1", **fields: Any) -> Any:
    record = {
        "id": f"t{next(_IDS)}",
        "source_id": source,
        "source_type": "radar",
        "observed_at": "2025-06-11T06:00:00Z",
        "lon": lon,
        "lat": lat,
        "uncertainty_m": 200,
        "kind": "personnel",
        "count": count,
    } | fields
    return Observation.model_validate(record)


def notice(party: str = "UA", **where: Any) -> Observation:
    place = {k: where.pop(k) for k in ("lon", "lat") if k in where}
    return Observation.model_validate(
        {
            "id": f"{party}-notice-{next(_IDS)}",
            "source_id": f"{party}-mod",
            "source_type": "notification",
            "observed_at": "2025-05-20T09:00:00Z",
            "kind": "personnel",
            "count": 12000,
            **place,
            "notification": {
                "subject": "exercise",
                "party": party,
                "starts_at": "2025-06-10T00:00:00Z",
                "ends_at": "2025-06-14T00:00:00Z",
            }
            | where,
        }
    )


def run(verifier: Verifier, *observations: Observation) -> BatchResult:
    return verify_batch(verifier, batch_from_observations(observations))


def of_rule(verifier: Verifier, findings: Findings, rule_id: str) -> list[tuple[str, str]]:
    """(party, detail) of the aggregate findings of one rule."""
    number = [r.id for r in verifier.ruleset.rules].index(rule_id)
    rows = np.flatnonzero(findings.rule == number).tolist()
    return [(str(findings.party[i]), findings.detail[i]) for i in rows]


def exercises(verifier: Verifier, *observations: Observation) -> list[tuple[str, str]]:
    return of_rule(verifier, run(verifier, *observations).findings, "security.exercises:exercise")


# --- 1. the documented notification, on the shipped plan --------------------------------


def documented_notices() -> list[dict[str, Any]]:
    text = (DOCS / "verify-ingest.md").read_text(encoding="utf-8")
    blocks = [json.loads(b) for b in re.findall(r"```json\n(.*?)```", text, re.S)]
    return [b for b in blocks if b.get("notification", {}).get("subject") == "exercise"]


def test_the_documented_notifications_excuse_their_exercise_on_the_shipped_plan(
    shipped: Verifier,
) -> None:
    found = documented_notices()
    assert len(found) == 2  # by zone, and by area
    for record in found:
        zone = record["notification"].get("zone")
        assert zone is None or zone in shipped.ruleset.zone_ids
        told = Observation.model_validate(record)
        seen = troops(23.62, 49.94, 12000, **UA)  # Yavoriv, inside both notices' places
        result = run(shipped, told, seen)
        [(party, text)] = of_rule(shipped, result.findings, "security.aid_limits:exercise")
        # The term bans exercises in Ukraine; notified, they are reported as such.
        assert party == "UA" and text.endswith("notified but banned in this zone"), text


def test_an_unknown_zone_in_a_notification_is_named_in_the_finding(shipped: Verifier) -> None:
    told = notice(zone="band.UA-BY")
    result = run(shipped, told, troops(23.62, 49.94, 12000, **UA))
    [(_, text)] = of_rule(shipped, result.findings, "security.aid_limits:exercise")
    assert "not notified" in text
    assert f"{told.id} names zone 'band.UA-BY', not a zone of the plan" in text
    assert "security.aid_limits" in text  # among the zones it could have named


def test_a_notice_for_one_of_two_areas_says_so_where_exercises_are_banned(
    shipped: Verifier,
) -> None:
    told = notice(lon=23.6, lat=49.95, radius_km=30)
    seen = [troops(23.62, 49.94, 6000, "radar-1", **UA), troops(30.5, 50.45, 5000, "r-2", **UA)]
    result = run(shipped, told, *seen)
    [(_, text)] = of_rule(shipped, result.findings, "security.aid_limits:exercise")
    assert text.startswith("11,000 troops of UA in one window (2 areas")
    assert "1 of 2 areas notified but banned in this zone, the rest not notified:" in text


# --- 2. a notification excuses its party, zone, place and period only --------------------


def test_a_notification_excuses_only_its_area(verifier: Verifier) -> None:
    told = notice(lon=36.0, lat=48.0, radius_km=30)
    assert exercises(verifier, told, troops(36.1, 48.1, 10000, **UA)) == []
    [(party, text)] = exercises(verifier, told, troops(35.5, 47.2, 10000, **UA))
    assert party == "UA" and "not notified" in text
    assert "notified 30 km around 48.00 N 36.00 E, and the area is 97 km from there" in text


def test_a_notification_excuses_only_its_party_and_period(verifier: Verifier) -> None:
    told = notice(lon=36.0, lat=48.0, radius_km=30)
    assert exercises(verifier, told, troops(36.0, 48.0, 10000, **RU)) != []
    after = troops(36.0, 48.0, 10000, observed_at="2025-06-15T06:00:00Z", **UA)
    [(_, text)] = exercises(verifier, told, after)
    assert "no notification of UA covers 2025-06-15T06:00" in text


def test_a_notification_by_zone_excuses_only_inside_that_zone(verifier: Verifier) -> None:
    told = notice(zone="side.UA")
    assert exercises(verifier, told, troops(36.0, 48.0, 10000, **UA)) == []
    [(_, text)] = exercises(verifier, told, troops(38.0, 48.0, 10000, **UA))
    assert "is for zone side.UA; the area at 48.00 N 38.00 E is not" in text


def test_an_exercise_notification_must_say_when_and_where() -> None:
    with pytest.raises(ValueError, match="says where"):
        notice()
    with pytest.raises(ValueError, match="radius_km is measured from lon and lat"):
        notice(radius_km=30)
    with pytest.raises(ValueError, match="needs starts_at and ends_at"):
        notice(zone="side.UA", starts_at=None)


# --- 3. a rule charges only a party it binds, on positive evidence -----------------------


def test_an_exercise_nobody_reported_the_side_of_is_undetermined(verifier: Verifier) -> None:
    # East of the map's sides, with no side reported: nobody's side is known. The rule
    # binding Ukraine alone used to charge it to Ukraine; a rule binding both, to neither.
    unknown = troops(40.0, 48.0, 10000)
    result = run(verifier, unknown)
    assert len(result.findings) == 0
    assert len(result.tallies) == 0  # nobody's: tallied for no party
    # Standing on Ukraine's side of the line is no evidence of whose troops they are.
    assert exercises(verifier, troops(36.0, 48.0, 10000)) == []
    assert exercises(verifier, troops(36.0, 48.0, 10000, **UA))[0][0] == "UA"


def test_a_rule_never_charges_a_party_it_does_not_bind(verifier: Verifier) -> None:
    # Russia's notified exercise inside Russia under a rule that binds only Ukraine.
    told = notice("RU", lon=40.0, lat=48.0, radius_km=30)
    result = run(verifier, told, troops(40.0, 48.0, 12000, **RU), troops(40.0, 48.05, 12000))
    drills = of_rule(verifier, result.findings, "assurances.drills:exercise")
    assert drills == []
    assert len(result.findings) == 0  # nor Russia's notified exercise, nor nobody's troops


# --- 4. troops seen by several sources are counted once ----------------------------------


def test_two_sources_of_one_exercise_count_it_once(verifier: Verifier) -> None:
    # 6,500 troops seen by two radars 1.5 km apart: one area, its largest count.
    same = [troops(36.0, 48.0, 6500, "radar-1", **UA), troops(36.02, 48.0, 6629, "radar-2", **UA)]
    assert exercises(verifier, *same) == []
    # Two bodies of 6,500, 111 km apart, are two areas and add up.
    apart = [troops(36.0, 48.0, 6500, "radar-1", **UA), troops(36.0, 47.0, 6500, "radar-2", **UA)]
    [(_, text)] = exercises(verifier, *apart)
    assert text.startswith("13,000 troops of UA in one window (2 areas of 25 km")


def test_one_source_that_saw_two_areas_counts_both(verifier: Verifier) -> None:
    drone = [troops(36.0, 48.0, 5000, "drone-1", **UA), troops(36.0, 47.0, 5000, "drone-1", **UA)]
    [(_, text)] = exercises(verifier, *drone)
    assert text.startswith("10,000 troops of UA")


def test_a_cap_counts_troops_seen_by_two_sources_once(verifier: Verifier) -> None:
    cap = "ceasefire.partial:cap:military_forces"
    same = [troops(36.9, 48.0, 300, "cam-1", **UA), troops(36.9, 48.01, 250, "cam-2", **UA)]
    assert of_rule(verifier, run(verifier, *same).findings, cap) == []  # 300 <= 500
    apart = [troops(36.9, 48.0, 300, "cam-1", **UA), troops(36.9, 47.5, 250, "cam-2", **UA)]
    [(party, text)] = of_rule(verifier, run(verifier, *apart).findings, cap)
    assert party == "UA" and text.startswith("550 personnel of UA (detected 550")


def test_areas_do_not_chain(verifier: Verifier) -> None:
    # A row of sightings every 20 km is not one area: each joins the largest near it.
    step = 20.0 / 111.195
    row = [troops(36.0, 47.1 + i * step, 3000 - i, f"cam-{i}", **UA) for i in range(8)]
    [(_, text)] = exercises(verifier, *row)
    # Areas led by the 1st, 3rd, 5th and 7th: 3,000 + 2,998 + 2,996 + 2,994.
    assert text.startswith("11,988 troops of UA in one window (4 areas")
    assert AREAS.km == 25.0  # the distance this test is drawn for


# --- the same over the store, across batches ---------------------------------------------


def test_the_store_merges_tallies_per_area_and_matches_stored_notices(
    verifier: Verifier, tmp_path: Path, database_url: str
) -> None:
    def ingest(name: str, *records: Observation) -> None:
        path = tmp_path / name
        path.write_text("".join(o.model_dump_json(exclude_none=True) + "\n" for o in records))
        ingest_file(store, path)

    now = datetime(2025, 6, 12, tzinfo=UTC)
    with open_store(database_url) as store:
        ingest("1.jsonl", notice(lon=36.0, lat=48.0, radius_km=30))
        ingest("2.jsonl", troops(36.0, 48.0, 6000, "radar-1", **UA))
        run_verification(store, verifier, now=now)
        # The same troops again, by a second radar and by the first: still one area.
        ingest("3.jsonl", troops(36.01, 48.0, 6500, "radar-2", **UA))
        ingest("4.jsonl", troops(36.0, 48.0, 6200, "radar-1", **UA))
        # A second area, 100 km south, outside the notified one.
        ingest("5.jsonl", troops(36.0, 47.1, 9500, "radar-3", **UA))
        run_verification(store, verifier, now=now)
        with store.engine.connect() as connection:
            stored = connection.execute(
                VerifyTally.__table__.select().where(
                    VerifyTally.rule_id == "security.exercises:exercise"
                )
            ).all()
            [finding] = connection.execute(
                StoredFinding.__table__.select().where(
                    StoredFinding.rule_id == "security.exercises:exercise"
                )
            ).all()
        assert sorted((t.source_id, t.count) for t in stored) == [
            ("radar-1", 6200),
            ("radar-2", 6500),
            ("radar-3", 9500),
        ]
        assert all("side.UA" in t.zones.split(",") for t in stored)
        assert finding.count == 9500
        assert finding.detail.startswith("9,500 troops of UA in one window (1 area of 25 km")
        assert finding.detail.endswith("(6,500 more in notified areas)")


def test_holdings_declared_by_zone_are_stored_without_a_place(
    verifier: Verifier, tmp_path: Path, database_url: str
) -> None:
    declared = {
        "id": "UA-holdings-1",
        "source_id": "UA-mod",
        "source_type": "data_exchange",
        "observed_at": "2025-06-11T00:00:00Z",
        "kind": "personnel",
        "count": 400,
        "side": "UA",
        "side_confidence": 1.0,
        "notification": {"subject": "holdings", "party": "UA", "zone": "ceasefire.partial"},
    }
    path = tmp_path / "holdings.jsonl"
    path.write_text(json.dumps(declared) + "\n")
    with open_store(database_url) as store:
        ingest_file(store, path)
        run_verification(store, verifier, now=datetime(2025, 6, 12, tzinfo=UTC))
        with store.engine.connect() as connection:
            [tally] = connection.execute(VerifyTally.__table__.select()).all()
    assert (tally.party, tally.count, tally.declared, tally.lon) == ("UA", 400, True, None)
