"""`accord patrols plan --teams`: a mission's own teams on the shipped line, no scenario."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from accord.cli.main import app

runner = CliRunner()

TEAMS = """\
observers: 24
observers_per_patrol: 4
daylight_only: false
duty_hours: 9
bases:
  - {id: KUP, name: Kupiansk, lon: 37.6, lat: 49.7}
  - {id: KRA, name: Kramatorsk, lon: 37.55, lat: 48.72}
  - {id: ZAP, name: Zaporizhzhia, lon: 35.14, lat: 47.84}
"""


def test_plan_a_missions_teams_with_its_risks(tmp_path: Path) -> None:
    teams = tmp_path / "teams.yaml"
    teams.write_text(TEAMS, encoding="utf-8")
    risk = tmp_path / "risk.csv"
    risk.write_text("sector,risk\nS07,3\nS16,1\n", encoding="utf-8")
    out = tmp_path / "routes.geojson"
    args = [
        "patrols",
        "plan",
        "--date",
        "2026-09-01",
        "--teams",
        str(teams),
        "--risk",
        str(risk),
        "-o",
        str(out),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "teams.yaml: patrols on 2026-09-01" in result.output
    routes = json.loads(out.read_text(encoding="utf-8"))
    lines = [f for f in routes["features"] if f["geometry"]["type"] == "LineString"]
    assert lines and {f["properties"]["team"] for f in lines} <= {"KUP", "KRA", "ZAP"}
    assert all(f["properties"]["leaves"] >= "2026-09-01T06:00:00Z" for f in lines)
    assert all(f["properties"]["returns"] <= "2026-09-01T15:00:00Z" for f in lines)
    visited = {s for f in lines for s in f["properties"]["sectors"]}
    assert {"S07", "S16"} <= visited
    assert routes["properties"]["covered_risk"] == 1.0


def test_a_bad_teams_file_names_line_team_and_field(tmp_path: Path) -> None:
    teams = tmp_path / "teams.yaml"
    teams.write_text(TEAMS.replace("lat: 48.72", "lat: north"), encoding="utf-8")
    result = runner.invoke(app, ["patrols", "plan", "--date", "2026-09-01", "--teams", str(teams)])
    assert result.exit_code == 2
    assert "teams.yaml:7:" in result.output and "bases[1].lat: team 2 (KRA)" in result.output


def test_teams_and_scenario_are_one_or_the_other(tmp_path: Path) -> None:
    teams = tmp_path / "teams.yaml"
    teams.write_text(TEAMS, encoding="utf-8")
    both = [
        "patrols",
        "plan",
        "--date",
        "2026-09-01",
        "--teams",
        str(teams),
        "--scenario",
        "default",
    ]
    assert runner.invoke(app, both).exit_code == 2
    risk_alone = ["patrols", "plan", "--date", "2026-09-01", "--risk", str(teams)]
    result = runner.invoke(app, risk_alone)
    assert result.exit_code == 2 and "--risk and --control go with --teams" in result.output
