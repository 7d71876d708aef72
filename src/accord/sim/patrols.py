"""A scenario's patrol plan: the mission's planning (`accord.ops.patrols`) on the
scenario's teams, with each sector's risk from what the scenario's parties do."""

from __future__ import annotations

from datetime import date

import numpy as np

from accord.ops import Incident, Plan, plan_patrols
from accord.sim.scenario import Scenario
from accord.sim.world import World, mission_teams


def sector_risk(world: World, scenario: Scenario) -> dict[str, float]:
    """Risk per sector: the expected violations a day of every party's processes, spread
    over the sectors by their hot spots; sums to 1."""
    names = world.sector_names(scenario.sector_km)
    risk = np.zeros(len(names))
    for party in scenario.parties.values():
        for process in party.violations:
            weight = np.ones(len(names))
            for spot in process.hot_spots:
                if spot.sector in names:
                    weight[names.index(spot.sector)] = spot.weight
            risk += process.per_day * weight / weight.sum()
    total = risk.sum()
    shares = risk / total if total > 0 else np.full(len(names), 1.0 / len(names))
    return dict(zip(names, shares.tolist(), strict=True))


def scenario_plan(
    world: World,
    scenario: Scenario,
    day: date,
    *,
    incidents: list[Incident] | None = None,
    seconds: float | None = None,
) -> Plan:
    """The day's routes for the scenario's teams over the world's sectors (`plan_patrols`)."""
    sectors = world.verifier.sectors
    if sectors is None:
        raise ValueError("the world has no sectors: build it with `build_world`")
    return plan_patrols(
        mission_teams(world, scenario.teams),
        sectors,
        day,
        risk=sector_risk(world, scenario),
        incidents=incidents,
        seconds=seconds,
    )
