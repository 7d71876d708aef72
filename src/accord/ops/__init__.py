"""Mission operations: the theatre the observers work in, its sectors, the teams and their
bases, and each day's patrol plan.

Verification files incidents under `Sectors` and routes them to `Teams` (or to a
day's `Plan`); the simulator builds the same inputs from a scenario and plans
with `plan_patrols`, as a real mission plans from its own teams file.
"""

from accord.ops.patrols import (
    Incident,
    Plan,
    PlanRouting,
    Response,
    Route,
    Stop,
    plan_patrols,
    respond_any_day,
    responding_team,
    risk_shares,
)
from accord.ops.sectors import Sectors, load_risk
from accord.ops.teams import Base, Teams, TeamsFileError, load_teams, parse_teams
from accord.ops.theatre import daylight

__all__ = [
    "Base",
    "Incident",
    "Plan",
    "PlanRouting",
    "Response",
    "Route",
    "Sectors",
    "Stop",
    "Teams",
    "TeamsFileError",
    "daylight",
    "load_risk",
    "load_teams",
    "parse_teams",
    "plan_patrols",
    "respond_any_day",
    "responding_team",
    "risk_shares",
]
