"""Rules compiled from an agreement: one per checkable consequence of a term, none by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import shapely
from tests.support import plan

from accord.agreement import Agreement
from accord.geo.zones import Zone
from accord.plans import load_plan
from accord.verify.rules import (
    HEAVY_WEAPONS,
    ITEM_KINDS,
    RULE_BUILDERS,
    RuleKind,
    Severity,
    builds,
    compile_rules,
)

SOURCE = [{"doc": "d"}]


def term(term_id: str, **fields: Any) -> dict[str, Any]:
    base = {
        "id": term_id,
        "area": "ceasefire",
        "issue": "dmz",
        "kind": "rule",
        "label": "A term",
        "summary": "A term for tests.",
        "binds": ["UA", "RU"],
        "consent": ["UA", "RU"],
        "sources": SOURCE,
    }
    return base | fields


def agreement(*terms: dict[str, Any]) -> Agreement:
    return plan(
        *terms,
        parties=(
            {"id": "UA", "name": "Ukraine"},
            {"id": "RU", "name": "Russia"},
            {"id": "US", "name": "United States"},
            {"id": "EUR", "name": "Europe", "kind": "group"},
            {"id": "NATO", "name": "NATO", "kind": "alliance", "members": ["US", "EUR"]},
        ),
    )


def zone(zone_id: str, kind: str, box: tuple[float, float, float, float], **props: Any) -> Zone:
    return Zone(zone_id, kind, ("UA", "RU"), shapely.box(*box), props)


DMZ = term(
    "ceasefire.dmz",
    zone={"type": "dmz", "along": "line_of_contact", "width": "5 mi", "regime": "full"},
    prohibits=["heavy_weapons"],
)
PARTIAL = term(
    "ceasefire.partial",
    zone={"type": "dmz", "along": "line_of_contact", "width": "20 km", "regime": "partial"},
    prohibits=["mlrs"],
    caps=[{"item": "military_forces", "limit": 500}, {"item": "armour"}],
)
BAND = term(
    "relations.posture",
    area="relations",
    issue="russian_posture",
    binds=["RU"],
    zone={"type": "band", "along": "NATO-RU", "distance": "100 mi", "side": "RU"},
    prohibits=["military_forces", "warship"],
)
FOREIGN = term(
    "assurances.foreign",
    area="assurances",
    issue="foreign_forces",
    binds=["UA", "RU", "NATO"],
    zone={"type": "region", "regions": ["Ukraine", "Russia"]},
    prohibits=["foreign_forces", "exercise"],
)
WITHDRAW = term(
    "territory.withdrawal",
    area="territory",
    issue="withdrawal",
    binds=["UA"],
    zone={"type": "region", "regions": ["Kursk"]},
    prohibits=["military_forces"],
    deadline={"after": "ceasefire", "within": "30 days"},
)
NEGOTIATE = term(
    "relations.caps",
    area="relations",
    issue="force_caps",
    status="to_negotiate",
    binds=["EUR", "RU"],
    zone={"type": "band", "along": "NATO-RU"},
    caps=[{"item": "military_forces"}],
)
MONITORS = term(
    "ceasefire.monitoring",
    issue="monitoring",
    kind="obligation",
    deadline={"after": "ceasefire", "within": "30 days"},
)


def zones() -> list[Zone]:
    return [
        zone("side.UA", "side", (35, 47, 37, 49), side="UA"),
        zone("side.RU", "side", (37, 47, 39, 49), side="RU"),
        zone("ceasefire.dmz", "dmz", (36.95, 47, 37.05, 49)),
        zone("ceasefire.partial", "dmz", (36.8, 47, 37.2, 49)),
        zone("relations.posture", "band", (38.5, 47, 39, 49), side="RU"),
        zone("assurances.foreign", "region", (35, 47, 39, 49)),
        zone("territory.withdrawal", "region", (35, 47, 35.5, 47.5)),
    ]


CEASEFIRE = datetime(2025, 5, 1, tzinfo=UTC)


def test_each_term_compiles_to_the_rules_it_implies() -> None:
    plan = agreement(DMZ, PARTIAL, BAND, FOREIGN, WITHDRAW, NEGOTIATE, MONITORS)
    rules = compile_rules(plan, zones(), events={"ceasefire": CEASEFIRE})
    by_id = {r.id: r for r in rules.rules}
    assert set(by_id) == {
        "ceasefire.dmz:presence",
        "ceasefire.dmz:firing",
        "ceasefire.partial:presence",
        "ceasefire.partial:firing",
        "ceasefire.partial:cap:military_forces",
        "relations.posture:restricted",
        "assurances.foreign:foreign_forces",
        "assurances.foreign:exercise",
        "territory.withdrawal:deadline",
    }
    # A full DMZ admits no military kind, whatever the term lists.
    assert by_id["ceasefire.dmz:presence"].kinds == ITEM_KINDS["military_forces"]
    assert by_id["ceasefire.partial:presence"].kinds == {"mlrs"}
    cap = by_id["ceasefire.partial:cap:military_forces"]
    assert (cap.kind, cap.limit, cap.kinds) == (RuleKind.cap, 500, {"personnel"})
    assert by_id["assurances.foreign:foreign_forces"].hosts >= {"UA", "RU"}
    assert by_id["assurances.foreign:exercise"].limit == 9_000
    deadline = by_id["territory.withdrawal:deadline"]
    assert deadline.active_from == datetime(2025, 5, 31, tzinfo=UTC)
    assert by_id["ceasefire.dmz:presence"].severity is Severity.high  # heavy weapons among them
    assert all(r.term_id == r.id.split(":")[0] for r in rules.rules)


def test_what_cannot_be_checked_is_noted_not_dropped() -> None:
    plan = agreement(PARTIAL, BAND, NEGOTIATE, MONITORS, WITHDRAW)
    notes = "\n".join(compile_rules(plan, zones()).notes)
    assert "ceasefire.partial: cap on armour has no level" in notes
    assert "relations.posture: no observation kind reports warship" in notes
    assert "relations.caps: status to_negotiate, not enforced" in notes
    assert "ceasefire.monitoring: obligation with no zone" in notes
    assert "territory.withdrawal: the deadline's event has no date" in notes


def test_groups_bind_their_members() -> None:
    plan = agreement(term("security.x", binds=["NATO"], prohibits=["exercise"]))
    [rule] = compile_rules(plan, zones()).rules
    assert rule.zone_id is None  # no zone: the limit holds wherever they exercise
    assert {"NATO", "US", "EUR", "POL", "USA"} <= rule.parties


@pytest.mark.parametrize("item", ["heavy_weapons"])
def test_item_mapping_covers_observed_kinds(item: str) -> None:
    assert ITEM_KINDS[item] == HEAVY_WEAPONS == {"armour", "artillery", "mlrs", "missile_launcher"}
    assert "firing" not in ITEM_KINDS["military_forces"]


def test_the_shipped_plan_compiles_on_the_shipped_map() -> None:
    plan = load_plan("defense-priorities-2025")
    drawn = [
        zone(z, k, (35, 47, 39, 49))
        for z, k in (
            ("side.UA", "side"),
            ("side.RU", "side"),
            ("ceasefire.dmz", "dmz"),
            ("relations.russian_posture", "band"),
            ("assurances.foreign_forces", "region"),
        )
    ]
    rules = compile_rules(plan, drawn)
    ids = {r.id for r in rules.rules}
    assert {"ceasefire.dmz:presence", "ceasefire.dmz:firing"} <= ids
    assert "relations.russian_posture:restricted" in ids
    # "Neither hosts foreign forces" binds only the hosts: nobody it binds is foreign there.
    assert "assurances.foreign_forces:foreign_forces" not in ids
    assert any("binds only the hosts" in n for n in rules.notes if n.startswith("assurances.f"))


def test_every_rule_kind_has_exactly_one_builder() -> None:
    made = [kind for kinds, _ in RULE_BUILDERS for kind in kinds]
    assert sorted(made) == sorted(RuleKind)
    with pytest.raises(ValueError, match="already have a builder"):
        builds(RuleKind.cap)(lambda compiling: [])
    assert len(RULE_BUILDERS) == len({id(b) for _, b in RULE_BUILDERS})
