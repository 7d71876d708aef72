"""Simulation: scenarios with ground truth, run through the real ingest and verification, scored.

`simulate` runs a scenario, `week_summary` gives the main job its figures,
`sweep` compares monitoring regimes by cost, `scenario_plan` plans the
scenario's observer teams' day (with `accord.ops`' planning).
"""

from accord.sim.patrols import scenario_plan
from accord.sim.run import RunResult, simulate, week_summary
from accord.sim.scenario import Regime, Scenario, ScenarioError, load_scenario, scenario_ids
from accord.sim.score import IncidentRecord, Scores, TrueEvent, score

__all__ = [
    "IncidentRecord",
    "Regime",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "Scores",
    "TrueEvent",
    "load_scenario",
    "scenario_ids",
    "scenario_plan",
    "score",
    "simulate",
    "week_summary",
]
