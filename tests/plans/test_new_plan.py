"""A plan nobody wrote the code around: every 2025 construct, through every stage.

`data/analyst-2025.yaml` uses each construct the November 2025 drafts brought (ceding
held land as a buffer, a force cap, an amnesty, a guarantee tied to conduct,
elections by a deadline, assets split by shares, the plant under the IAEA,
navigation, a council with penalties, a ceasefire line with no DMZ). It must
validate, map with every term explained, draw every zone, run as the main job, and its
rules must reach the right verdicts on observations made by hand.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import shapely
from typer.testing import CliRunner

from accord.agreement import load_agreement
from accord.cli.main import app
from accord.geo import line_of_contact, shipped_control
from accord.geo.zones import compile_zones
from accord.negotiate.files import load_preferences
from accord.negotiate.mapping import plan_package
from accord.verify.batch import Verifier, batch_from_observations, verify_batch
from accord.verify.observation import Observation

PLAN = Path(__file__).parent / "data" / "analyst-2025.yaml"
runner = CliRunner()
_LINE = line_of_contact(shipped_control())


def test_it_validates_with_its_zones_drawn() -> None:
    result = runner.invoke(app, ["plans", "validate", str(PLAN)])
    assert result.exit_code == 0, result.output


def test_every_term_maps_and_each_construct_selects_its_option() -> None:
    prefs = load_preferences()
    mapped = plan_package(load_agreement(PLAN), prefs.domain)
    plan = load_agreement(PLAN)
    assert [t.term for t in mapped.terms] == [t.id for t in plan.terms]
    unexplained = [t.term for t in mapped.terms if not t.selections and not t.outside]
    assert unexplained == []
    outside = [t.term for t in mapped.terms if t.outside]
    assert outside == []  # every construct has an issue to count toward
    package = prefs.scenario().describe(mapped.package)
    assert {k: v for k, v in package.items() if v is not None} == {
        "line": "cede_held",
        "recognition": "de_facto",
        "dmz": "none",
        "force_cap": "about_600k",
        "nato_expansion": "halted",
        "foreign_forces": "none_in_either",
        "guarantee": "lapsing",
        "elections": "within_100_days",
        "frozen_assets": "split",
        "nuclear_plant": "shared_output",
        "navigation": "dnipro_and_black_sea",
        "amnesty": "full",
        "humanitarian": "exchange_only",
        "disputes": "council_with_penalties",
    }


def test_every_zone_is_drawn_with_an_area_or_a_length() -> None:
    plan = load_agreement(PLAN)
    line = line_of_contact(shipped_control())
    zones, undrawn = compile_zones(plan, line)
    assert undrawn == []
    drawn = {z.id: z for z in zones}
    spatial = [t.id for t in plan.terms if t.zone is not None]
    assert set(spatial) <= set(drawn)
    donetsk = drawn["territory.donetsk"]
    assert 1_000 < donetsk.area_km2 < 26_600  # Ukraine's part only, not the whole oblast
    assert drawn["security.no_nato_troops"].area_km2 > 500_000
    assert drawn["ceasefire.line"].properties["length_km"] > 900


def test_it_runs_through_the_main_job(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", "-a", str(PLAN), "--days", "1", "-q", "-o", str(out)])
    assert result.exit_code == 0, result.output
    monitoring = json.loads((out / "monitoring.json").read_text(encoding="utf-8"))
    assert monitoring["agreement"] == "analyst-2025"
    rules = set(monitoring["rules"])
    assert {"territory.donetsk:restricted", "ceasefire.line:firing"} <= rules
    assert "security.no_nato_troops:foreign_forces" in rules
    compared = json.loads((out / "plans-compared.json").read_text(encoding="utf-8"))
    assert "analyst-2025" in [p["id"] for p in compared["plans"]]
    negotiation = json.loads((out / "negotiation.json").read_text(encoding="utf-8"))
    assert "analyst-2025" in [p["plan"] for p in negotiation["plans"]]


# --- verdicts: what the verifier concludes on this plan's rules, from hand-made observations


@pytest.fixture(scope="module")
def verifier() -> Verifier:
    return Verifier.for_agreement(load_agreement(PLAN))


def _seen(i: int, lon: float, lat: float, **change: Any) -> Observation:
    record = {
        "id": f"o{i}",
        "source_id": f"drone-{i}",
        "source_type": "drone",
        "observed_at": "2025-12-10T06:00:00Z",
        "lon": lon,
        "lat": lat,
        "uncertainty_m": 50,
        "kind": "armour",
        "count": 3,
        "side": "UA",
        "side_confidence": 0.9,
    } | change
    return Observation.model_validate({k: v for k, v in record.items() if v is not None})


def _fire(i: int, lon: float, lat: float, category: str, bearing: float) -> Observation:
    firing = {"category": category, "bearing_deg": bearing}
    firing |= {"distance_min_m": 8000, "distance_max_m": 10000}
    if category == "explosion":
        firing |= {"explosion": "impact", "distance_min_m": 1500, "distance_max_m": 2500}
    no_side = {"side": None, "side_confidence": None, "kind": "firing", "count": 1}
    return _seen(i, lon, lat, source_type="acoustic", firing=firing, **no_side)


def _verdicts(verifier: Verifier, seen: list[Observation]) -> dict[str, tuple[str, str, str]]:
    """Per observation that made a finding: its rule, the party charged and why."""
    result = verify_batch(verifier, batch_from_observations(seen))
    f = result.findings
    return {
        str(f.key[i]): (
            verifier.ruleset.rules[int(f.rule[i])].id,
            str(f.party[i]),
            str(f.attribution[i]),
        )
        for i in range(len(f))
    }


def test_forces_in_the_ceded_land_and_foreign_troops(verifier: Verifier) -> None:
    """Ukraine cedes its part of Donetsk: its forces seen there are a breach charged to it;
    Russia's are not (the term does not bind Russia); unidentified ones are a breach of
    nobody's; a look that finds nothing is none. German troops in Ukraine break the ban
    on NATO troops; Ukraine's own troops in Kyiv break nothing."""
    donetsk = {z.id: z for z in compile_zones(load_agreement(PLAN), _LINE)[0]}[
        "territory.donetsk"
    ].geometry
    x, y = donetsk.representative_point().coords[0]
    for dx, dy in ((0, 0), (0.05, 0), (-0.05, 0.02), (0, 0.05)):
        assert donetsk.boundary.distance(shapely.Point(x + dx, y + dy)) > 0.1  # well inside
    seen = [
        _seen(1, x, y),
        _seen(2, x + 0.05, y, side="RU"),
        _seen(3, x - 0.05, y + 0.02, side=None, side_confidence=None),
        _seen(4, x, y + 0.05, count=0),
        _seen(5, 30.52, 50.45, side="DEU", kind="personnel", count=40),
        _seen(6, 30.52, 50.45, kind="personnel", count=400),
    ]
    verdicts = _verdicts(verifier, seen)
    assert set(verdicts) == {"o1", "o3", "o5"}
    assert verdicts["o1"] == ("territory.donetsk:restricted", "UA", "reported by the source")
    assert verdicts["o3"][:2] == ("territory.donetsk:restricted", "")
    assert verdicts["o5"][:2] == ("security.no_nato_troops:foreign_forces", "DEU")


def test_fire_across_a_line_with_no_dmz(verifier: Verifier) -> None:
    """A ceasefire line with no DMZ: fire heard on Ukraine's side whose origin lies across
    the line is Russia's; an impact alone is a breach whose firer is undetermined; fire
    heard on Ukraine's side from its own rear breaks nothing."""
    point = _LINE.main.interpolate(0.4, normalized=True)
    west = point.x - 0.12  # Ukraine's side here, about 9 km from the line
    seen = [
        _fire(1, west, point.y, "bursts_and_shots", 90.0),  # origin 8-10 km east: across
        _fire(2, west, point.y, "bursts_and_shots", 270.0),  # origin further west: own rear
        _fire(3, west, point.y, "explosion", 90.0),  # lands 2 km east, still Ukraine's side
    ]
    verdicts = _verdicts(verifier, seen)
    assert set(verdicts) == {"o1", "o3"}
    assert verdicts["o1"] == (
        "ceasefire.line:firing",
        "RU",
        "origin of fire traced to ground the party holds",
    )
    assert verdicts["o3"] == (
        "ceasefire.line:firing",
        "",
        "undetermined: impact; an impact alone does not say who fired",
    )
