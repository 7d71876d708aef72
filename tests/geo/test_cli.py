"""`accord geo` commands through typer's runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accord.cli.geo import app
from accord.geo import LineOfContact, Zone

runner = CliRunner()


def test_line_prints_length_and_areas(shipped_line: LineOfContact, tmp_path: Path) -> None:
    out = tmp_path / "line.geojson"
    result = runner.invoke(app, ["line", "--json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout[: result.stdout.rindex("}") + 1])
    assert summary["main_length_km"] == pytest.approx(shipped_line.main_length_km, abs=0.1)
    assert summary["area_controlled_by_RU_km2"] == round(shipped_line.area_ru_km2)
    features = json.loads(out.read_text())["features"]
    assert sum(f["properties"]["main"] for f in features) == 1


def test_zones_writes_geojson_and_prints_the_dmz(shipped_zones: list[Zone], tmp_path: Path) -> None:
    out = tmp_path / "zones.geojson"
    result = runner.invoke(app, ["zones", "--agreement", "defense-priorities-2025", "-o", str(out)])
    assert result.exit_code == 0, result.output
    dmz = next(z for z in shipped_zones if z.kind == "dmz")
    assert f"{dmz.area_km2:,.0f}" in result.stdout
    doc = json.loads(out.read_text())
    kinds = {f["properties"]["kind"] for f in doc["features"]}
    assert {"side", "dmz", "band"} <= kinds
    assert "2013" in doc["accord"]["line"]["borders"]


def test_compile_and_classify_a_csv(tmp_path: Path) -> None:
    index = tmp_path / "index.npz"
    result = runner.invoke(
        app, ["compile", "-a", "defense-priorities-2025", "-o", str(index), "--kinds", "side,dmz"]
    )
    assert result.exit_code == 0, result.output
    points = tmp_path / "points.csv"
    points.write_text("id,lon,lat\na,30.52,50.45\nb,37.80,48.00\nc,2.35,48.85\n")
    result = runner.invoke(app, ["classify", str(index), str(points)])
    assert result.exit_code == 0, result.output
    rows = [line.split(",") for line in result.stdout.strip().splitlines()]
    assert rows[0] == ["id", "lon", "lat", "zones", "mask", "side"]
    assert [r[-1] for r in rows[1:]] == ["UA", "RU", ""]


def test_errors_name_the_problem(tmp_path: Path) -> None:
    result = runner.invoke(app, ["line", "--control", str(tmp_path / "missing.geojson")])
    assert result.exit_code == 2
    assert "missing.geojson: no such file" in result.output
    result = runner.invoke(app, ["line", "--date", "22/08/2026"])
    assert result.exit_code == 2 and "write YYYY-MM-DD" in result.output


@pytest.mark.shared_data
def test_change_between_two_dates(control_dir: Path) -> None:
    result = runner.invoke(
        app, ["change", "2026-07-01", "2026-08-22", "--control", str(control_dir), "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["from"] == "2026-07-01" and summary["gained_by_RU_km2"] > 0


def test_zones_lists_an_empty_zone_as_not_drawn_and_the_line_by_length(tmp_path: Path) -> None:
    from .test_zones import _plan_with

    plan = tmp_path / "plan.yaml"
    plan.write_text(
        _plan_with(
            "{type: held_area, regions: [Kursk], held_by: UA, on: 2026-08-22}\n"
            "{type: ceasefire_line}"
        )
    )
    result = runner.invoke(app, ["zones", "--agreement", str(plan)])
    assert result.exit_code == 0, result.output
    rows = {line.split("│")[1].strip(): line for line in result.stdout.splitlines() if "│" in line}
    assert "territory.t0" not in rows
    assert "km long" in rows["territory.t1"]
    assert "not drawn territory.t0: held_area draws to 0 km2" in result.stderr


def test_derive_remakes_the_control_map_stating_its_uncertainty(tmp_path: Path) -> None:
    source = tmp_path / "deepstatemap_data_20260101.geojson"
    square = [[36.0, 48.0], [36.5, 48.0], [36.5, 48.5], [36.0, 48.5], [36.0, 48.0]]
    feature = {"type": "Polygon", "coordinates": [square]}
    source.write_text(json.dumps({"type": "Feature", "properties": {}, "geometry": feature}))
    result = runner.invoke(app, ["derive", "--control", str(source), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    props = json.loads((tmp_path / "o" / "control_20260101.geojson").read_text())["features"][0][
        "properties"
    ]
    assert props["edge_uncertainty_m"] == 21.0 and "GPL-3.0" in props["derived_from"]
    assert runner.invoke(app, ["derive", "--out", str(tmp_path)]).exit_code == 2


def test_a_stated_edge_uncertainty_reaches_the_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["line", "--json", "--edge-uncertainty-m", "75"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["edge_uncertainty_m"] == 75.0
    assert runner.invoke(app, ["line", "--edge-uncertainty-m", "-1"]).exit_code == 2


@pytest.mark.shared_data
def test_edges_measures_the_shipped_dmz_against_the_raw_map(control_dir: Path) -> None:
    raw = control_dir / "deepstatemap_data_20260822.geojson"
    result = runner.invoke(app, ["edges", "--reference", str(raw), "--json"])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    assert row["zone"] == "ceasefire.dmz" and row["points"] > 15_000
    assert row["p95_m"] <= 50.0 and row["max_m"] <= row["stated_m"] == 22.0
