"""`accord archive` and `accord replay` end to end, and the comparison of two agreements."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from accord.verify.batch import Verifier
from accord.verify.compliance import Weights

from .conftest import require

archive_cli = require("accord.cli.archive")
replay_cli = require("accord.cli.replay")
compare_module = require("accord.scale.compare")
replay_module = require("accord.scale.replay")


def test_narrower_dmz_finds_less_and_scores_better(
    archive: Path, verifier: Verifier, narrow_verifier: Verifier
):
    # The archive has no patrols: count corroborated violations, so indices can differ.
    weights = Weights.shipped().counting("corroborated")
    full, narrow = replay_module.replay_many(archive, [verifier, narrow_verifier], weights=weights)
    result = compare_module.compare(full, narrow, (verifier, narrow_verifier)).as_dict()
    # Troops and vehicles in the DMZ breach the full ban only; heavy weapons breach both.
    assert result["only_second"] == 0
    assert set(result["only_first_kinds"]) == {"personnel", "vehicle"}
    assert (
        result["first"]["breaching_observations"] - result["only_first"]
        == result["second"]["breaching_observations"]
    )
    # Indices need not rise: fewer findings can split one day-long episode into several,
    # each counted (single linkage); the comparison shows both figures for every day.
    days = result["compliance"]
    assert days and {d["party"] for d in days} == {"UA", "RU"}
    assert all(0 <= d["first"] <= 1 and 0 <= d["second"] <= 1 for d in days)
    assert any(d["first_incidents"] != d["second_incidents"] for d in days)


def test_commands(archive: Path, tmp_path: Path) -> None:
    app = typer.Typer()
    app.add_typer(archive_cli.app, name="archive")
    app.command("replay")(replay_cli.replay)
    runner = CliRunner()
    stats = runner.invoke(app, ["archive", "stats", str(archive), "--json"])
    assert stats.exit_code == 0, stats.output
    assert json.loads(stats.output)["rows"] == 3004
    missing = runner.invoke(app, ["archive", "stats", str(tmp_path)])
    assert missing.exit_code == 2 and "no Parquet files" in missing.output
    database = f"sqlite:///{tmp_path / 'in.db'}"
    imported = runner.invoke(app, ["archive", "import", str(archive), "--database", database])
    assert imported.exit_code == 0 and "imported 3,004 observations" in imported.output
    plan = runner.invoke(
        app, ["replay", "--archive", str(tmp_path), "--agreement", "defense-priorities-2025"]
    )
    assert plan.exit_code == 2 and "no Parquet files" in plan.output
