"""Simulation: scenarios with ground truth, run through the real ingest and verification, scored.

`simulate` runs a scenario, `week_summary` gives the main job its figures,
`sweep` compares monitoring regimes by cost, `plan_patrols` and
`responding_team` plan the observer teams' day.
"""

from accord.sim.patrols import Plan, Response, plan_patrols, responding_team
from accord.sim.run import RunResult, simulate, week_summary
from accord.sim.scenario import Regime, Scenario, ScenarioError, load_scenario, scenario_ids
from accord.sim.score import IncidentRecord, Scores, TrueEvent, score

__all__ = [
    "IncidentRecord",
    "Plan",
    "Regime",
    "Response",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "Scores",
    "TrueEvent",
    "load_scenario",
    "plan_patrols",
    "responding_team",
    "scenario_ids",
    "score",
    "simulate",
    "week_summary",
]
