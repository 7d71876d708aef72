"""A plan nobody wrote the code around: every 2025 construct, through every stage.

`data/analyst-2025.yaml` uses each construct the November 2025 drafts brought (ceding
held land as a buffer, a force cap, an amnesty, a guarantee tied to conduct,
elections by a deadline, assets split by shares, the plant under the IAEA,
navigation, a council with penalties, a ceasefire line with no DMZ). It must
validate, map with every term explained, draw every zone, and run as the main job.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from accord.agreement import load_agreement
from accord.cli.main import app
from accord.geo import line_of_contact, shipped_control
from accord.geo.zones import compile_zones
from accord.negotiate.files import load_preferences
from accord.negotiate.mapping import plan_package

PLAN = Path(__file__).parent / "data" / "analyst-2025.yaml"
runner = CliRunner()


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
