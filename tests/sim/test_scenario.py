"""Scenario files: the shipped ones load; mistakes are reported with file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.sim.scenario import Regime, ScenarioError, load_scenario, scenario_ids


def test_shipped_scenarios_load():
    assert scenario_ids() == ["default", "iran-iraq"]
    default = load_scenario("default")
    assert default.teams.observers < 500
    assert default.start.tzinfo is not None
    assert load_scenario("iran-iraq").teams.observers > 0


def test_errors_name_file_line_field_and_fix(tmp_path: Path):
    text = (Path(__file__).parents[2] / "src/accord/sim/data/default.yaml").read_text()
    text = text.replace("  sorties_per_day: 30", "  sorties_per_dya: 30")
    text = text.replace("    spacing_km: 10\n", "    spacing_km: -10\n", 1)
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(str(path))
    message = str(caught.value)
    line = text.splitlines().index("  sorties_per_dya: 30") + 1
    assert f"bad.yaml:{line}: drones.sorties_per_dya: unknown field" in message
    assert "drones.sorties_per_day: required field is missing" in message
    assert "sensors.0.spacing_km: Input should be greater than 0 (got -10)" in message


def test_unknown_scenario_and_naive_time(tmp_path: Path):
    with pytest.raises(ScenarioError, match=r"use a shipped id \(default, iran-iraq\)"):
        load_scenario("nowhere")
    text = (Path(__file__).parents[2] / "src/accord/sim/data/default.yaml").read_text()
    path = tmp_path / "naive.yaml"
    path.write_text(text.replace("start: 2026-09-01T00:00:00Z", "start: 2026-09-01T00:00:00"))
    with pytest.raises(ScenarioError, match=r"start: .*no timezone"):
        load_scenario(str(path))


def test_regime_replaces_the_swept_figures():
    default = load_scenario("default")
    changed = default.with_regime(
        Regime(observers=200, sensor_spacing_km=20, drone_sorties_per_day=5, jamming=0.3)
    )
    assert changed.teams.observers == 200
    assert changed.regime().sensor_spacing_km == 20
    line = [s.spacing_km for s in changed.sensors if s.along_line]
    assert line == [40, 40, 20]  # groups keep their ratios to the closest spacing
    assert changed.drones is not None and changed.drones.jamming_by_sector == {}
