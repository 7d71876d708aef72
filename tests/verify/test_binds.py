"""A rule charges only the parties its term binds: a ban on NATO troops never charges Russia.

The world is a box theatre: the line of contact runs north-south along 37 E,
Ukraine's side west of it, Russia's (occupied Ukraine included) east of it;
the region "Ukraine" covers both sides, 35-39 E.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import shapely
from tests.support import plan as support_plan
from tests.support import term

from accord.agreement import Agreement
from accord.geo.classify import ZoneIndex
from accord.geo.zones import Zone
from accord.ops import Base, Teams
from accord.verify.batch import Verifier, batch_from_observations, verify_batch
from accord.verify.observation import Observation
from accord.verify.rules import compile_rules

NO_NATO_TROOPS = term(
    "security.no_nato_troops",
    "security",
    "foreign_troops",
    binds=["NATO"],
    consent=["NATO", "RU"],
    zone={"type": "region", "regions": ["Ukraine"]},
    prohibits=["foreign_forces"],
)
NO_NATO_ARMOUR = term(
    "security.no_nato_armour",
    "security",
    "foreign_troops",
    binds=["NATO"],
    consent=["NATO", "RU"],
    zone={"type": "region", "regions": ["Ukraine"]},
    prohibits=["armour"],
)
RU_POSITION = term(
    "territory.withdrawal",
    "territory",
    "withdrawal",
    binds=["UA"],
    status="to_negotiate",
    position_of="RU",
    zone={"type": "region", "regions": ["Ukraine"]},
    prohibits=["military_forces"],
)


UA_CEASEFIRE = term(
    "ceasefire.dmz",
    "ceasefire",
    "dmz",
    binds=["UA"],
    zone={"type": "dmz", "along": "line_of_contact", "width": "5 mi", "regime": "partial"},
    prohibits=["mlrs"],
)


def plan(*terms: dict[str, Any]) -> Agreement:
    return support_plan(*terms, plan_id="no-nato-troops", parties=("UA", "RU", "US", "NATO"))


def verifier(agreement: Agreement) -> Verifier:
    boxes = {
        "side.UA": ("side", (35, 47, 37, 49), {"side": "UA"}),
        "side.RU": ("side", (37, 47, 39, 49), {"side": "RU"}),
        **{t.id: ("region", (35, 47, 39, 49), {}) for t in agreement.terms},
        "ceasefire.dmz": ("dmz", (36.95, 47, 37.05, 49), {}),
    }
    zones = [Zone(z, k, ("UA", "RU"), shapely.box(*b), p) for z, (k, b, p) in boxes.items()]
    rules = compile_rules(agreement, zones)
    teams = Teams(bases=[Base(id="west", lon=36.0, lat=48.0)])
    return Verifier(rules, ZoneIndex.build(zones, cell_m=500.0), teams)


_IDS = iter(range(1_000_000))


def obs(lon: float, **fields: Any) -> Observation:
    record = {
        "id": f"o{next(_IDS)}",
        "source_id": "drone-1",
        "source_type": "drone",
        "observed_at": datetime(2025, 6, 10, 6, tzinfo=UTC).isoformat(),
        "lon": lon,
        "lat": 48.0,
        "uncertainty_m": 50,
        "kind": "armour",
        "count": 3,
    } | fields
    return Observation.model_validate(record)


def charged(check: Verifier, *observations: Observation) -> list[tuple[str, str]]:
    result = verify_batch(check, batch_from_observations(observations))
    rules = [check.ruleset.rules[r].id for r in result.findings.rule]
    return sorted(zip(rules, result.findings.party.tolist(), strict=True))


RUSSIAN_ARMOUR = (
    obs(38.0, side="RU", side_confidence=0.9),  # reported Russian, in occupied Ukraine
    obs(38.2),  # unattributed, on Russia's side of the line
    obs(36.5, side="RU", side_confidence=0.9),  # reported Russian, on Ukraine's side
)
US_UNIT = obs(36.0, side="US", side_confidence=0.8)


def test_a_ban_on_nato_troops_charges_the_us_unit_and_never_russia() -> None:
    check = verifier(plan(NO_NATO_TROOPS))
    assert charged(check, *RUSSIAN_ARMOUR) == []
    assert charged(check, *RUSSIAN_ARMOUR, US_UNIT) == [
        ("security.no_nato_troops:foreign_forces", "US")
    ]


def test_a_ban_on_nato_armour_takes_no_unattributed_or_russian_row() -> None:
    check = verifier(plan(NO_NATO_ARMOUR))
    assert charged(check, *RUSSIAN_ARMOUR, US_UNIT) == [
        ("security.no_nato_armour:restricted", "US")
    ]


def test_a_partys_reported_position_is_not_enforced() -> None:
    check = verifier(plan(NO_NATO_TROOPS, RU_POSITION))
    assert [r.term_id for r in check.ruleset.rules] == ["security.no_nato_troops"]
    assert any("RU's reported position" in n for n in check.ruleset.notes)
    ukrainian = obs(36.5, side="UA", side_confidence=0.9, kind="personnel")
    assert charged(check, ukrainian) == []


def test_fire_breaches_a_ceasefire_only_by_a_party_it_binds() -> None:
    check = verifier(plan(UA_CEASEFIRE))
    assert "ceasefire.dmz:firing" in [r.id for r in check.ruleset.rules]
    impact = {"kind": "firing", "firing": {"category": "explosion", "explosion": "impact"}}
    by_russia = obs(36.5, side="RU", side_confidence=0.9, **impact)  # lands on Ukraine's side
    by_ukraine = obs(37.5, side="UA", side_confidence=0.9, **impact)  # lands on Russia's side
    assert charged(check, by_russia) == []
    assert charged(check, by_russia, by_ukraine) == [("ceasefire.dmz:firing", "UA")]
