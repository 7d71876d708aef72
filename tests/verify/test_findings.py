"""Each rule kind fires on hand-built breaches and stays quiet on compliant observations.

The world: the line of contact runs north-south along 37 E; Ukraine's side is
west of it, Russia's east. A full DMZ 36.95-37.05 E, a partial one 36.8-37.2 E
(no MLRS, at most 500 troops), a band on Russia's side 38.5-39 E, and a
withdrawal region 35-35.5 E, 47-47.5 N that Ukraine must leave 30 days after
the ceasefire of 2025-05-01.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest
import shapely
from tests.support import plan, term

from accord.agreement import Agreement
from accord.geo.classify import ZoneIndex
from accord.geo.geodesy import destination
from accord.geo.zones import Zone
from accord.ops import Base, Teams
from accord.verify.batch import Verifier, batch_from_observations, verify_batch
from accord.verify.findings import SOURCE_RELIABILITY, UnknownSourceType
from accord.verify.observation import Observation, SourceType
from accord.verify.rules import compile_rules

TERMS = [
    term(
        "ceasefire.dmz",
        "ceasefire",
        "dmz",
        prohibits=["heavy_weapons"],
        zone={"type": "dmz", "along": "line_of_contact", "width": "5 mi", "regime": "full"},
    ),
    term(
        "ceasefire.partial",
        "ceasefire",
        "dmz",
        prohibits=["mlrs"],
        caps=[{"item": "military_forces", "limit": 500}],
        zone={"type": "dmz", "along": "line_of_contact", "width": "30 km", "regime": "partial"},
    ),
    term(
        "relations.posture",
        "relations",
        "russian_posture",
        binds=["RU"],
        prohibits=["military_forces"],
        zone={"type": "band", "along": "NATO-RU", "distance": "100 mi", "side": "RU"},
    ),
    term(
        "assurances.foreign",
        "assurances",
        "foreign_forces",
        binds=["UA", "RU", "NATO"],
        prohibits=["foreign_forces"],
        zone={"type": "region", "regions": ["Ukraine", "Russia"]},
    ),
    term("security.exercises", "security", "force_size", prohibits=["exercise"]),
    term(
        "territory.withdrawal",
        "territory",
        "withdrawal",
        binds=["UA"],
        prohibits=["military_forces"],
        zone={"type": "region", "regions": ["Kursk"]},
        deadline={"after": "ceasefire", "within": "30 days"},
    ),
]
BOXES = {
    "side.UA": ("side", (35, 47, 37, 49), "UA"),
    "side.RU": ("side", (37, 47, 39, 49), "RU"),
    "ceasefire.dmz": ("dmz", (36.95, 47, 37.05, 49), None),
    "ceasefire.partial": ("dmz", (36.8, 47, 37.2, 49), None),
    "relations.posture": ("band", (38.5, 47, 39, 49), "RU"),
    "assurances.foreign": ("region", (35, 47, 39, 49), None),
    "territory.withdrawal": ("region", (35, 47, 35.5, 47.5), None),
}


def world_agreement() -> Agreement:
    return plan(*TERMS, parties=("UA", "RU", "US", "NATO"))


def world_zones() -> list[Zone]:
    return [
        Zone(zid, kind, ("UA", "RU"), shapely.box(*box), {"side": side} if side else {})
        for zid, (kind, box, side) in BOXES.items()
    ]


@pytest.fixture(scope="module")
def verifier() -> Verifier:
    zones = world_zones()
    rules = compile_rules(
        world_agreement(), zones, events={"ceasefire": datetime(2025, 5, 1, tzinfo=UTC)}
    )
    teams = Teams(bases=[Base(id="west", lon=36.0, lat=48.0), Base(id="east", lon=38.0, lat=48.0)])
    return Verifier(rules, ZoneIndex.build(zones, cell_m=500.0), teams)


_IDS = iter(range(1_000_000))


def obs(lon: float, lat: float = 48.0, kind: str = "armour", **fields: Any) -> Observation:
    record = {
        "id": f"o{next(_IDS)}",
        "source_id": "drone-1",
        "source_type": "drone",
        "observed_at": "2025-06-10T06:00:00Z",
        "lon": lon,
        "lat": lat,
        "uncertainty_m": 50,
        "kind": kind,
        "count": 1,
    } | fields
    return Observation.model_validate(record)


def found(verifier: Verifier, *observations: Observation) -> list[tuple[str, str]]:
    """(rule id, party) of every finding, sorted."""
    result = verify_batch(verifier, batch_from_observations(observations))
    rule_ids = [verifier.ruleset.rules[r].id for r in result.findings.rule]
    return sorted(zip(rule_ids, result.findings.party.tolist(), strict=True))


RU = {"side": "RU", "side_confidence": 0.9}


def test_presence_in_a_full_dmz(verifier: Verifier) -> None:
    assert ("ceasefire.dmz:presence", "RU") in found(verifier, obs(37.0, **RU))
    # Unidentified troops in the DMZ are a breach, whose is undetermined: the side of the
    # line they stand on is not evidence of whose they are.
    assert ("ceasefire.dmz:presence", "") in found(verifier, obs(36.97, kind="personnel"))
    recon = obs(36.97, kind="personnel", **RU)  # a Russian group seen on Ukraine's half
    assert ("ceasefire.dmz:presence", "RU") in found(verifier, recon)
    assert ("ceasefire.dmz:presence", "UA") not in found(verifier, recon)
    # A count of nothing is a look at the place without it, not a sighting.
    assert found(verifier, obs(36.97, kind="personnel", count=0)) == []
    assert found(verifier, obs(36.5), obs(37.5, **RU)) == []


def test_partial_dmz_bans_listed_kinds_and_caps_troops(verifier: Verifier) -> None:
    assert found(verifier, obs(36.85, kind="mlrs")) == [("ceasefire.partial:presence", "")]
    assert found(verifier, obs(36.85, kind="artillery")) == []
    ua = {"side": "UA", "side_confidence": 0.9}  # a tally counts only a reported side
    troops = [
        obs(36.85, kind="personnel", count=300, source_id="cam-1", **ua),
        obs(36.86, kind="personnel", count=250, source_id="cam-1", **ua),  # same source: max
        # Another area, 55 km south: 300 + 250 > 500.
        obs(36.9, 47.5, kind="personnel", count=250, source_id="cam-2", **ua),
    ]
    assert found(verifier, *troops[:2]) == []  # 300 <= 500
    assert found(verifier, *troops) == [("ceasefire.partial:cap:military_forces", "UA")]
    declared = obs(
        36.85,
        kind="personnel",
        count=900,
        source_id="UA-mod",
        source_type="data_exchange",
        side="UA",
        side_confidence=1.0,
        notification={"subject": "holdings", "party": "UA", "zone": "ceasefire.partial"},
    )
    assert found(verifier, troops[0], declared) == [("ceasefire.partial:cap:military_forces", "UA")]


def test_restricted_band(verifier: Verifier) -> None:
    # Unidentified vehicles in Russia's band: a breach if Russia's, whose is undetermined.
    assert found(verifier, obs(38.7, kind="vehicle")) == [("relations.posture:restricted", "")]
    assert found(verifier, obs(38.2, kind="vehicle")) == []


def test_foreign_forces(verifier: Verifier) -> None:
    foreign = obs(36.0, side="US", side_confidence=0.8)
    assert found(verifier, foreign) == [("assurances.foreign:foreign_forces", "US")]
    assert found(verifier, obs(36.0, side="UA", side_confidence=0.8)) == []


def test_exercise_above_the_threshold_without_notice(verifier: Verifier) -> None:
    troops = [  # two areas 89 km apart: 6,000 + 4,000
        obs(38.0, kind="personnel", count=6000, source_id="radar-1", **RU),
        obs(38.1, 47.2, kind="personnel", count=4000, source_id="radar-2", **RU),
    ]
    assert found(verifier, *troops) == [("security.exercises:exercise", "RU")]
    assert found(verifier, troops[0]) == []
    notice = obs(
        38.0,
        kind="personnel",
        count=10000,
        source_id="RU-mod",
        source_type="notification",
        side="RU",
        side_confidence=1.0,
        notification={
            "subject": "exercise",
            "party": "RU",
            "starts_at": "2025-06-09T00:00:00Z",
            "ends_at": "2025-06-12T00:00:00Z",
            "radius_km": 120,
        },
    )
    assert found(verifier, *troops, notice) == []


def test_deadline_to_leave_a_region(verifier: Verifier) -> None:
    after = obs(35.2, 47.2, kind="personnel", observed_at="2025-06-10T06:00:00Z")
    before = obs(35.2, 47.2, kind="personnel", observed_at="2025-05-20T06:00:00Z")
    assert found(verifier, after) == [("territory.withdrawal:deadline", "")]
    assert found(verifier, before) == []


def _fire(
    lon: float,
    bearing: float,
    near_m: float,
    far_m: float,
    category: str = "explosion",
    **fields: Any,
) -> Observation:
    firing = {
        "category": category,
        "bearing_deg": bearing,
        "distance_min_m": near_m,
        "distance_max_m": far_m,
    } | ({"explosion": "impact"} if category == "explosion" else {})
    return obs(lon, kind="firing", source_type="acoustic", firing=firing, **fields)


def fired(verifier: Verifier, observation: Observation) -> list[str]:
    """Parties breaching the full DMZ's ceasefire (the partial DMZ's rule would repeat them)."""
    return [p for r, p in found(verifier, observation) if r == "ceasefire.dmz:firing"]


def test_firing_geometry(verifier: Verifier) -> None:
    lon, lat = destination(np.array([36.5]), np.array([48.0]), np.array([90.0]), np.array([11e3]))
    assert lon[0] == pytest.approx(36.5 + 11 / (111.195 * np.cos(np.radians(48))), abs=1e-3)
    assert lat[0] == pytest.approx(48.0, abs=1e-3)
    # Russian fire landing on Ukraine's side, 11 km east of an observer at 36.5 E.
    assert fired(verifier, _fire(36.5, 90, 10e3, 12e3, **RU)) == ["RU"]
    # An impact alone does not say who fired it: undetermined, never "from across the line".
    assert fired(verifier, _fire(36.5, 90, 10e3, 12e3)) == [""]
    # An impact inside the DMZ breaches whoever fired.
    assert fired(verifier, _fire(36.9, 90, 5e3, 7e3, side="UA", side_confidence=0.7)) == ["UA"]
    # A muzzle flash across the line, seen from Ukraine's side.
    assert fired(verifier, _fire(36.8, 90, 20e3, 30e3, "muzzle_flash")) == ["RU"]
    # Compliant: own fire landing on own side far from the DMZ; a flash on one's own side.
    assert fired(verifier, _fire(36.0, 270, 4e3, 6e3, side="UA", side_confidence=0.9)) == []
    assert fired(verifier, _fire(36.0, 270, 2e3, 4e3, "muzzle_flash")) == []


def test_a_ceasefire_line_without_a_dmz_bans_fire_across_it() -> None:
    """A line has no inside: only fire across it breaches, fire near it does not."""
    line_term = term(
        "ceasefire.line",
        "ceasefire",
        "dmz",
        prohibits=["firing"],
        zone={"type": "ceasefire_line", "along": "line_of_contact"},
    )
    zones = [
        *(z for z in world_zones() if z.kind == "side"),
        Zone(
            "ceasefire.line",
            "ceasefire_line",
            ("UA", "RU"),
            shapely.LineString([(37, 47), (37, 49)]),
        ),
    ]
    rules = compile_rules(plan(line_term), zones)
    assert [r.id for r in rules.rules] == ["ceasefire.line:firing"]
    assert not any("firing" in note for note in rules.notes)
    teams = Teams(bases=[Base(id="west", lon=36.0, lat=48.0), Base(id="east", lon=38.0, lat=48.0)])
    line_only = Verifier(rules, ZoneIndex.build(zones, cell_m=500.0), teams)

    def breaches(observation: Observation) -> list[str]:
        return [p for r, p in found(line_only, observation) if r == "ceasefire.line:firing"]

    assert breaches(_fire(36.5, 90, 10e3, 12e3, **RU)) == ["RU"]  # landed across the line
    # Ukraine's own impact 1 km short of the line: in a DMZ this would breach, here not.
    assert breaches(_fire(36.9, 90, 1e3, 2e3, side="UA", side_confidence=0.9)) == []


def test_every_source_type_has_a_reliability() -> None:
    assert set(SOURCE_RELIABILITY) == {t.value for t in SourceType}


def test_an_unknown_source_type_is_an_error_naming_the_observation(verifier: Verifier) -> None:
    """Once weighed 0.5 without a word, from an archive or a batch made elsewhere."""
    batch = batch_from_observations([obs(37.0), obs(37.01)])
    types = batch.columns.source_type.astype("U16")
    types[1] = "satellite"
    odd = replace(batch, columns=replace(batch.columns, source_type=types))
    with pytest.raises(UnknownSourceType, match=r"observation o\d+: source type 'satellite'"):
        verify_batch(verifier, odd)
