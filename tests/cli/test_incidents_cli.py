"""`accord incidents list`: readable at 80 columns, and whole in JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from tests.verify.test_pipeline import ingest, sighting, store, verifier  # noqa: F401
from typer.testing import CliRunner

from accord.cli.common import console
from accord.cli.incidents import app
from accord.store import Store
from accord.verify.batch import Verifier
from accord.verify.pipeline import run_verification

runner = CliRunner()


@pytest.fixture
def stored(store: Store, tmp_path: Path, verifier: Verifier) -> str:  # noqa: F811
    seen = [
        sighting(1, 37.0, 48.0, 0),
        sighting(2, 37.01, 48.5, 5, side=None, side_confidence=None, kind="personnel"),
    ]
    ingest(store, tmp_path, [{k: v for k, v in s.items() if v is not None} for s in seen])
    run_verification(store, verifier)
    return store.engine.url.render_as_string(hide_password=False)


def test_the_table_fits_80_columns(stored: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(console, "_width", 80)
    result = runner.invoke(app, ["list", "-d", stored])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80
    rows = [line for line in lines if line.startswith("INC-")]
    assert len(rows) == 2 and any("undetermined" in row for row in rows)
    assert "…" not in result.output  # nothing cut short
    assert "2 incident(s); times UTC" in result.output


def test_json_and_csv_carry_every_field(stored: str) -> None:
    listed = json.loads(runner.invoke(app, ["list", "-f", "json", "-d", stored]).output)
    assert {i["party"] for i in listed} == {"RU", "undetermined"}
    assert all(i["term"] == "ceasefire.dmz" and i["grade"] == "reported" for i in listed)
    text = runner.invoke(app, ["list", "--format", "csv", "-d", stored]).output
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["incident"] for r in rows] == [i["incident"] for i in listed]
    assert float(rows[0]["lon"]) == listed[0]["lon"]


def test_a_missing_store_is_refused_not_made(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    result = runner.invoke(app, ["list", "-d", f"sqlite:///{missing}"])
    assert result.exit_code == 2 and "no accord store at" in result.output
    assert not missing.exists()
