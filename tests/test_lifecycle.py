"""`accord run` on every shipped plan: each monitored under its own zones and rules, each
plan with rules breached in its simulated days and the breach found; a plan with none says
monitoring is skipped. A plan named by id or by path gives the same figures.

The runs use a busy version of the default scenario (test data, not a shipped figure): thirty
times the rate of forces entering the rules' zones and cameras dense over them, so two days
breach the zone rules too; `accord run` itself uses the default as it is.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from accord import book
from accord.cli.main import app
from accord.ledger.signing import load_or_create_mission_key
from accord.plans import plan_ids, plan_path
from accord.sim.scenario import Violation, ViolationKind, load_scenario
from accord.store import open_store
from accord.store.ledger import LedgerDay
from accord.verify.observation import ObservedKind

DAYS = 2
# Plans whose terms compile to no rule on the shipped map (their notes say why).
UNRULED = {"mcfaul-2024", "ukraine-plan"}


def busier(process: Violation) -> Violation:
    if process.kind is not ViolationKind.restricted_band:
        return process
    return process.model_copy(update={"per_day": process.per_day * 30})


@pytest.fixture(scope="module")
def busy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    scenario = load_scenario("default")
    parties = {
        name: party.model_copy(update={"violations": [busier(v) for v in party.violations]})
        for name, party in {**scenario.parties, "others": scenario.others}.items()
        if party is not None
    }
    sensors = [
        s.model_copy(update={"spacing_km": 10.0, "range_km": 8.0})
        if s.over_rules and s.reports_side
        else s
        for s in scenario.sensors
    ]
    others = parties.pop("others")
    data = scenario.model_copy(
        update={"name": "busy", "parties": parties, "others": others, "sensors": sensors}
    ).model_dump(mode="json")
    path = tmp_path_factory.mktemp("scenario") / "busy.yaml"
    path.write_text(json.dumps(data), encoding="utf-8")  # JSON is YAML
    return path


def accord_run(out: Path, plan: str, scenario: Path) -> tuple[str, dict[str, Any]]:
    args = ["run", "-a", plan, "--days", str(DAYS), "--scenario", str(scenario), "-q", "-o"]
    result = CliRunner().invoke(app, [*args, str(out)])
    assert result.exit_code == 0, result.output
    return result.output, json.loads((out / "monitoring.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("plan", plan_ids())
def test_accord_run_monitors_each_shipped_plan_under_its_own_rules(
    plan: str, busy: Path, tmp_path: Path
) -> None:
    output, monitoring = accord_run(tmp_path, plan, busy)
    zones = json.loads((tmp_path / "zones.geojson").read_text(encoding="utf-8"))
    assert zones["accord"]["agreement"] == plan
    assert monitoring["agreement"] == plan
    if plan in UNRULED:
        assert f"{plan}: no rule sensors can check; monitoring skipped" in " ".join(output.split())
        assert monitoring["notes"] and not (tmp_path / "mission.db").exists()
        return
    scores = json.loads((tmp_path / "simulation" / "scores.json").read_text(encoding="utf-8"))
    assert monitoring["rules"] and all(r.split(":")[0] for r in monitoring["rules"])
    assert scores["scores"]["all"]["violations"] >= 1
    assert scores["scores"]["all"]["detected"] >= 1
    truth = (tmp_path / "simulation" / "truth.jsonl").read_text(encoding="utf-8").splitlines()
    violators = {json.loads(line)["party"] for line in truth if json.loads(line)["violation"]}
    assert violators <= set(monitoring["compliance"])  # every violator is a bound party
    assert_simulated_days_closed(tmp_path, monitoring)


def assert_simulated_days_closed(out: Path, monitoring: dict[str, Any]) -> None:
    """Every simulated day is closed in the run's store, signed with its mission key."""
    key = load_or_create_mission_key(out / "mission-key.pem")
    first = dt.date.fromisoformat(monitoring["first_day"])
    url = f"sqlite:///{out / 'mission.db'}"
    with open_store(url) as store, store.engine.connect() as connection:
        closed = set(connection.execute(select(LedgerDay.day)).scalars())
        check = book.verify(connection, public_key=key.public_key().public_bytes_raw())
    assert check.ok, check.problems
    assert {first + dt.timedelta(days=n) for n in range(DAYS)} <= closed
    assert monitoring["ledger_ok"]


def test_a_plan_named_by_path_gives_the_figures_it_gives_by_id(busy: Path, tmp_path: Path) -> None:
    plan = "us-framework-2025"
    _, by_id = accord_run(tmp_path / "id", plan, busy)
    _, by_path = accord_run(tmp_path / "path", str(plan_path(plan)), busy)
    figures = ("incidents", "violations", "detection_rate", "incidents_by_party", "compliance")
    assert by_id["incidents"] > 0
    assert {k: by_path[k] for k in figures} == {k: by_id[k] for k in figures}


def test_a_users_own_plan_joins_the_comparison_and_the_negotiation(
    busy: Path, tmp_path: Path
) -> None:
    text = plan_path("ukraine-plan").read_text(encoding="utf-8")
    mine = tmp_path / "my-plan.yaml"
    mine.write_text(text.replace("id: ukraine-plan", "id: my-plan", 1), encoding="utf-8")
    output, monitoring = accord_run(tmp_path / "out", str(mine), busy)
    compared = json.loads((tmp_path / "out" / "plans-compared.json").read_text(encoding="utf-8"))
    negotiation = json.loads((tmp_path / "out" / "negotiation.json").read_text(encoding="utf-8"))
    assert "my-plan" in [p["id"] for p in compared["plans"]]
    assert "my-plan" in [p["plan"] for p in negotiation["plans"]]
    assert monitoring["agreement"] == "my-plan"
    said = " ".join(output.split())
    assert "joins the comparison" in said
    # the negotiation line states its chances with their intervals, never a bare 0.00 or 1.00
    line = said[said.index("negotiation: ") :].split(" efficient packages")[0]
    assert "chance that every party accepts (95% intervals, 200 draws)" in line
    assert re.findall(r"(?<![\d.])[01]\.0+(?![\d.])(?! \((?:>=|<=) )", line) == []
    # and the backtest's score, as the negotiation page gives it with its misses
    backtest = negotiation["backtest"]
    assert (
        f"backtest: {backtest['reproduced']} of {backtest['responses']} recorded responses" in said
    )
    page = (tmp_path / "out" / "negotiation.html").read_text(encoding="utf-8")
    assert "Backtest: recorded responses to dated proposals" in page
    assert len(backtest["misses"]) == backtest["responses"] - backtest["reproduced"]


def test_rules_no_source_can_see_skip_monitoring_with_the_reason(
    busy: Path, tmp_path: Path
) -> None:
    scenario = load_scenario("default")
    blind = scenario.model_copy(
        update={
            "name": "blind",
            "sensors": [],
            "drones": None,
            "teams": scenario.teams.model_copy(update={"detect": {ObservedKind.firing: 0.7}}),
        }
    )
    path = tmp_path / "blind.yaml"
    path.write_text(json.dumps(blind.model_dump(mode="json")), encoding="utf-8")
    accord_run(tmp_path / "out", "us-framework-2025", busy)  # monitored: its files exist
    output, monitoring = accord_run(tmp_path / "out", "us-framework-2025", path)
    said = " ".join(output.split())
    assert "us-framework-2025: no rule sensors can check; monitoring skipped" in said
    reason = "security.foreign_troops:restricted: no source of 'blind' reports"
    assert any(n.startswith(reason) for n in monitoring["notes"]) and reason in said
    assert not (tmp_path / "out" / "monitoring.html").exists()
    assert not (tmp_path / "out" / "simulation").exists()
