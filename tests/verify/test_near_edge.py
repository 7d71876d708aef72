"""Findings within a zone edge's stated uncertainty of its edge are marked undetermined.

The shipped map states 21 m (20 m simplification, 1 m rounding), so its DMZ's edge
is good to 22 m: a vehicle closer than that to the edge may be on either side of it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from sqlalchemy import select
from tests.support import plan, term

from accord.geo import line_of_contact, shipped_control, zones_from_agreement
from accord.geo.projection import from_theatre, to_theatre
from accord.store import open_store
from accord.store.verification import StoredFinding
from accord.verify.batch import Verifier, batch_from_observations, verify_batch
from accord.verify.evidence import Grade
from accord.verify.findings import NEAR_EDGE
from accord.verify.ingest import ingest_file
from accord.verify.observation import Observation
from accord.verify.pipeline import run_verification

AGREEMENT = plan(
    term(
        "ceasefire.dmz",
        "ceasefire",
        "dmz",
        prohibits=["military_forces"],
        zone={"type": "dmz", "along": "line_of_contact", "width": "5 mi", "regime": "full"},
    ),
    term(
        "territory.kursk",
        "territory",
        "withdrawal",
        binds=["UA"],
        prohibits=["military_forces"],
        zone={"type": "region", "regions": ["Kursk"]},
    ),
)


@pytest.fixture(scope="module")
def verifier() -> Verifier:
    return Verifier.for_agreement(AGREEMENT)


@pytest.fixture(scope="module")
def raw_verifier() -> Verifier:
    """The same map stated exact, as a user's raw map is."""
    return Verifier.for_agreement(AGREEMENT, edge_uncertainty_m=0.0)


def across_edge(metres: list[float]) -> list[tuple[float, float]]:
    """Points at these distances outside (+) or inside (-) the DMZ's edge, on its normal
    at the first place along the main line where the edge runs straight for 2 km."""
    line = line_of_contact(shipped_control())
    zones, _ = zones_from_agreement(AGREEMENT, line)
    dmz = to_theatre(next(z for z in zones if z.kind == "dmz").geometry)
    for fraction in np.linspace(0.3, 0.7, 41):
        on_line = to_theatre(line.main.interpolate(fraction, normalized=True))
        edge = shapely.get_coordinates(shapely.shortest_line(on_line, dmz.boundary))[1]
        normal = edge - shapely.get_coordinates(on_line)[0]
        normal /= np.hypot(*normal)
        points = [shapely.Point(edge + d * normal) for d in metres]
        if all(
            abs(shapely.distance(p, dmz.boundary) - abs(d)) < 0.5 and dmz.contains(p) == (d < 0)
            for p, d in zip(points, metres, strict=True)
        ):
            return [tuple(shapely.get_coordinates(from_theatre(p))[0]) for p in points]
    raise AssertionError("no straight stretch of the DMZ's edge")


def vehicle(lon: float, lat: float, ident: str, kind: str = "vehicle", **more: Any) -> Observation:
    return Observation.model_validate(
        {
            "id": ident,
            "source_id": "drone-1",
            "source_type": "drone",
            "observed_at": "2026-08-23T06:00:00Z",
            "lon": lon,
            "lat": lat,
            "uncertainty_m": 10,
            "kind": kind,
            "count": 1,
            "side": "RU",
            "side_confidence": 0.9,
        }
        | more
    )


def findings(verifier: Verifier, *observations: Observation) -> dict[str, tuple[bool, str]]:
    """Per observation id and rule: (near the edge, attribution)."""
    found = verify_batch(verifier, batch_from_observations(observations)).findings
    rules = [verifier.ruleset.rules[r].id for r in found.rule]
    return {
        f"{key}@{rule}": (bool(near), str(why))
        for key, rule, near, why in zip(
            found.key, rules, found.near_edge, found.attribution, strict=True
        )
    }


def test_near_the_dmz_edge_is_undetermined_and_deep_inside_is_a_plain_finding(
    verifier: Verifier, raw_verifier: Verifier
) -> None:
    (out_lon, out_lat), (near_lon, near_lat), (deep_lon, deep_lat) = across_edge(
        [50.0, -15.0, -2_000.0]
    )
    batch = [
        vehicle(out_lon, out_lat, "outside"),
        vehicle(near_lon, near_lat, "near"),
        vehicle(deep_lon, deep_lat, "deep"),
    ]
    got = findings(verifier, *batch)
    assert "outside@ceasefire.dmz:presence" not in got  # 50 m outside: no finding at all
    assert got["near@ceasefire.dmz:presence"] == (True, f"reported by the source; {NEAR_EDGE}")
    assert got["deep@ceasefire.dmz:presence"] == (False, "reported by the source")
    # On a map stated exact the same vehicle (15 m inside, a 10 m fix) is a plain finding;
    # with a 50 m fix its place may reach across the edge, and it is near the edge again.
    raw = findings(raw_verifier, *batch)
    assert raw["near@ceasefire.dmz:presence"] == (False, "reported by the source")
    vague = vehicle(near_lon, near_lat, "vague", uncertainty_m=50)
    assert findings(raw_verifier, vague)["vague@ceasefire.dmz:presence"][0]


def test_a_coarser_map_widens_what_is_undetermined() -> None:
    # A map its user states good to 100 m (as the first shipped map, simplified at 500 m,
    # was not): a vehicle 50 m inside the drawn edge may truly be 50 m outside.
    coarse = Verifier.for_agreement(AGREEMENT, edge_uncertainty_m=100.0)
    (lon, lat), (deep_lon, deep_lat) = across_edge([-50.0, -2_000.0])
    got = findings(coarse, vehicle(lon, lat, "inside"), vehicle(deep_lon, deep_lat, "deep"))
    assert got["inside@ceasefire.dmz:presence"][0] is True
    assert got["deep@ceasefire.dmz:presence"][0] is False


def test_fire_near_the_edge_is_not_marked(verifier: Verifier) -> None:
    ((lon, lat),) = across_edge([-10.0])
    shot = vehicle(
        lon, lat, "shot", kind="firing", firing={"category": "explosion", "explosion": "impact"}
    )
    got = findings(verifier, shot)
    assert got["shot@ceasefire.dmz:firing"][0] is False  # only where-forces-are rules


def test_a_region_simplified_at_1_km_marks_findings_within_1_km_of_its_edge(
    verifier: Verifier,
) -> None:
    # Kursk oblast's edge with Belgorod oblast, near 36.6 E 51.1 N, and points on either
    # side of it, found by walking north from Belgorod's side.
    kursk = next(z for z in verifier.ruleset.rules if z.id == "territory.kursk:restricted")
    assert kursk.zone_id == "territory.kursk"
    index = verifier.index
    assert index.edge_uncertainty_m[index.zone_ids.index("territory.kursk")] == 1_001.0
    lat = np.linspace(50.5, 51.5, 2_001)
    inside = index.masks(np.full(lat.size, 36.6), lat) & np.uint64(
        1 << index.zone_ids.index("territory.kursk")
    )
    first = int(np.argmax(inside != 0))  # the first point north of the edge
    near, deep = lat[first + 1], lat[first + 60]  # within 111 m, and 3.3 km north of it
    got = findings(
        verifier,
        vehicle(36.6, near, "near", side="UA"),
        vehicle(36.6, deep, "deep", side="UA"),
    )
    assert got["near@territory.kursk:restricted"][0] is True
    assert got["deep@territory.kursk:restricted"][0] is False


def test_the_store_keeps_the_mark(verifier: Verifier, tmp_path: Path) -> None:
    ((near_lon, near_lat), (deep_lon, deep_lat)) = across_edge([-15.0, -2_000.0])
    records = [
        vehicle(near_lon, near_lat, "near").model_dump(mode="json", exclude_none=True),
        vehicle(deep_lon, deep_lat, "deep").model_dump(mode="json", exclude_none=True),
    ]
    path = tmp_path / "batch.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    with open_store(f"sqlite:///{tmp_path / 'accord.db'}") as store:
        ingest_file(store, path)
        run_verification(store, verifier, now=datetime(2026, 8, 23, 7, tzinfo=UTC))
        with store.engine.connect() as connection:
            rows = connection.execute(
                select(StoredFinding.key, StoredFinding.near_edge, StoredFinding.attribution)
            ).all()
    assert {(key, near) for key, near, _ in rows} == {("near", True), ("deep", False)}
    assert {why for key, _, why in rows if key == "near"} == {
        f"reported by the source; {NEAR_EDGE}"
    }


def test_a_patrol_near_the_edge_does_not_establish_a_breach(verifier: Verifier) -> None:
    """A patrol's sighting 15 m inside the DMZ's edge (which may be 22 m off) does not
    verify a breach: the incident stays reported, and no party's compliance counts it;
    2 km inside, the same sighting verifies one."""
    (near_lon, near_lat), (deep_lon, deep_lat) = across_edge([-15.0, -2_000.0])
    near = vehicle(near_lon, near_lat, "near", source_type="patrol", source_id="OT-01-1")
    deep = vehicle(deep_lon, deep_lat, "deep", source_type="patrol", source_id="OT-01-2")
    [edge] = verify_batch(verifier, batch_from_observations([near])).drafts
    [inside] = verify_batch(verifier, batch_from_observations([deep])).drafts
    assert (Grade(edge.grade), Grade(inside.grade)) == (Grade.reported, Grade.verified)
