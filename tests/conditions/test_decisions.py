"""Evaluations go to the ledger once; changed ones are corrections; what-if records nothing."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from accord import book
from accord.cli.conditions import app
from accord.conditions.decisions import record
from accord.conditions.inputs import ComplianceDay, Inputs
from accord.conditions.machine import compile_conditions, run
from accord.plans import load_plan
from accord.store import Store, open_store

START = dt.date(2026, 1, 1)
PLAN = "defense-priorities-2025"


def _figures(index: float, days: int) -> list[dict[str, Any]]:
    return [
        {"party": p, "day": str(START + dt.timedelta(days=i)), "index": index}
        for i in range(days)
        for p in ("RU", "UA")
    ]


@pytest.fixture
def store(database_url: str) -> Any:
    with open_store(database_url) as opened:
        yield opened


def _condition_entries(store: Store) -> list[tuple[str, int | None]]:
    with store.engine.connect() as connection:
        query = text(
            "SELECT ref, corrects FROM ledger_entries WHERE kind = 'condition' ORDER BY seq"
        )
        return [tuple(r) for r in connection.execute(query)]


def test_each_day_is_recorded_once_and_a_changed_one_is_corrected(store: Store) -> None:
    machines = compile_conditions(load_plan(PLAN))
    end = START + dt.timedelta(days=9)
    figures = [ComplianceDay.model_validate(f) for f in _figures(0.95, 10)]
    first = record(store, run(machines, Inputs.of(figures), START, end))
    assert (first.appended, first.corrected, first.unchanged) == (30, 0, 0)
    again = record(store, run(machines, Inputs.of(figures), START, end))
    assert (again.appended, again.corrected, again.unchanged) == (0, 0, 30)
    struck = [
        f if f.day != end or f.party != "RU" else f.model_copy(update={"serious_violations": 1})
        for f in figures
    ]
    third = record(store, run(machines, Inputs.of(struck), START, end))
    assert third.corrected == 2  # the sanctions and the assets conditions on that day
    entries = _condition_entries(store)
    corrections = [(ref, c) for ref, c in entries if c is not None]
    assert {ref for ref, _ in corrections} == {
        f"relations.sanctions@{end}",
        f"relations.frozen_assets@{end}",
    }
    with store.engine.connect() as connection:
        assert book.verify(connection).ok
        payload = json.loads(
            connection.execute(
                text(
                    "SELECT payload FROM ledger_entries WHERE kind = 'condition' ORDER BY seq DESC"
                )
            ).first()[0]
        )
    assert payload["inputs"] == {"serious('RU', 1)": 1} and payload["outcome"] == "clock_restarted"


def test_status_and_what_if_from_the_command_line(
    store: Store, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = tmp_path / "inputs.json"
    inputs.write_text(json.dumps({"compliance": _figures(0.95, 200)}), encoding="utf-8")
    runner = CliRunner()
    common = ["--plan", PLAN, "--since", str(START), "--until", str(START + dt.timedelta(days=199))]
    status = runner.invoke(app, ["status", *common, "--inputs", str(inputs), "-d", database_url])
    assert status.exit_code == 0, status.output
    assert "relations.sanctions" in status.output and "granted: first phase" in status.output
    assert "waits for: CAATSA phase" in status.output and "ledger: 600 evaluations" in status.output
    what_if = ["what-if", *common, "--inputs", str(inputs), "--set", "RU=0.8", "--json"]
    # Without a store it says so, rather than weighing an empty one it made.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    refused = runner.invoke(app, what_if)
    assert refused.exit_code == 2 and "no accord store at accord.db" in refused.output
    assert not (elsewhere / "accord.db").exists()
    changed = runner.invoke(app, [*what_if, "-d", database_url])
    assert changed.exit_code == 0, changed.output
    by_term = {d["term"]: d for d in json.loads(changed.output)}
    assert by_term["relations.sanctions"]["what_if"] == "withheld"
    assert by_term["security.aid"]["first_difference"] is None
    assert len(_condition_entries(store)) == 600  # the what-if recorded nothing
