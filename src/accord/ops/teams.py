"""The mission's observer teams: where each is based and how its patrols go out.

A teams file is YAML: the mission's operating figures, then its teams'
bases (id, name, lon, lat, and optionally the patrols that team fields a
day). Every figure has a default a real mission would plan with (below); a
team gives its own `patrols`, or the mission's `observers` on duty are
shared evenly among the teams that give none, `observers_per_patrol` to a
patrol; with neither, a team fields one patrol a day. Problems are reported
by file, line, team and field, all at once.

Incidents are routed to the team whose base is nearest (great circle) unless a
day's patrol plan says who can be there sooner (`accord.ops.patrols`).
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import Field, ValidationError
from pydantic_core import ErrorDetails
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from accord.agreement.loader import FileProblem, SourceMap, plain_yaml
from accord.agreement.model import StrictModel
from accord.geo.geodesy import great_circle_km


class Base(StrictModel):
    """One team and its base."""

    id: str = Field(min_length=1)
    name: str = ""
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    patrols: int | None = Field(default=None, ge=1)  # a day; default from `observers`


class Teams(StrictModel):
    """The mission's teams and the figures that bound their patrols."""

    bases: list[Base] = Field(min_length=1)
    observers: int | None = Field(default=None, ge=1)  # in the mission, all teams together
    observers_per_patrol: int = Field(default=4, ge=1)
    on_duty_share: float = Field(default=0.5, gt=0, le=1)  # of observers out on patrol a day
    speed_kmh: float = Field(default=40.0, gt=0)
    road_factor: float = Field(default=1.3, ge=1)  # road distance over straight distance
    duty_hours: float = Field(default=10.0, gt=0, le=24)
    daylight_only: bool = True  # patrol between sunrise and sunset (at the base)
    dwell_minutes: float = Field(default=30.0, ge=0)  # time spent at each sector visited
    response_deadline_hours: float = Field(default=24.0, gt=0)  # to reach an unconfirmed incident

    @classmethod
    def shipped(cls) -> Teams:
        """The teams accord ships: ten along the main line of its shipped map."""
        where = resources.files("accord.ops") / "data" / "teams.yaml"
        return parse_teams(where.read_text(encoding="utf-8"), "teams.yaml")

    @property
    def ids(self) -> tuple[str, ...]:
        """The teams' ids, in the order of their bases."""
        return tuple(b.id for b in self.bases)

    @property
    def lon(self) -> NDArray[np.float64]:
        """The bases' longitudes, in team order."""
        return np.array([b.lon for b in self.bases])

    @property
    def lat(self) -> NDArray[np.float64]:
        """The bases' latitudes, in team order."""
        return np.array([b.lat for b in self.bases])

    def patrols_per_team(self) -> list[int]:
        """Patrols each team fields a day (see the module's note)."""
        pooled = [b for b in self.bases if b.patrols is None]
        on_duty = int((self.observers or 0) * self.on_duty_share)
        shares = iter(
            on_duty // len(pooled) + (1 if k < on_duty % len(pooled) else 0)
            for k in range(len(pooled))
        )
        return [
            b.patrols
            if b.patrols is not None
            else max(1, next(shares) // self.observers_per_patrol)
            for b in self.bases
        ]

    def nearest(
        self, lon: NDArray[np.float64], lat: NDArray[np.float64]
    ) -> tuple[list[str], NDArray[np.float64]]:
        """The nearest team to each point and its distance in km."""
        km = great_circle_km(lon[:, None], lat[:, None], self.lon[None, :], self.lat[None, :])
        pick = np.argmin(km, axis=1)
        ids = self.ids
        return [ids[i] for i in pick], km[np.arange(len(pick)), pick]

    def route(
        self, lon: NDArray[np.float64], lat: NDArray[np.float64], when_ns: NDArray[np.int64]
    ) -> tuple[list[str], NDArray[np.float64]]:
        """Bases do not move: the nearest one, whatever the time."""
        return self.nearest(lon, lat)


class TeamsFileError(ValueError):
    """A teams file that cannot be used, with every problem found in it."""

    def __init__(self, problems: list[FileProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def load_teams(path: str | Path) -> Teams:
    """A mission's teams file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else f"not UTF-8 text ({exc.reason})"
        raise TeamsFileError([FileProblem(str(path), 1, 1, "", f"cannot read: {why}")]) from None
    return parse_teams(text, str(path))


def parse_teams(text: str, where: str) -> Teams:
    """Teams from YAML text; `where` names the file in problems."""
    try:
        root = YAML(typ="rt").load(text)
    except YAMLError as exc:
        raise TeamsFileError([FileProblem(where, 1, 1, "", f"not valid YAML: {exc}")]) from None
    if not isinstance(root, dict):
        problem = "a teams file is a mapping: bases (a list of teams) and the mission's figures"
        raise TeamsFileError([FileProblem(where, 1, 1, "", problem)])
    try:
        return Teams.model_validate(plain_yaml(root))
    except ValidationError as exc:
        source = SourceMap(where, root)
        problems = [source.problem(e["loc"], _message(root, e)) for e in exc.errors()]
        raise TeamsFileError(sorted(problems, key=lambda p: (p.line, p.column))) from None


def _message(root: Any, error: ErrorDetails) -> str:
    """What is wrong, naming the team when the problem is in one."""
    loc, kind = error["loc"], error["type"]
    if kind == "missing":
        text = f"missing required field '{loc[-1]}'"
    elif kind == "extra_forbidden":
        model = Base if len(loc) == 3 and loc[0] == "bases" else Teams
        text = f"unknown field '{loc[-1]}'; valid fields here: {', '.join(model.model_fields)}"
    else:
        text = f"{error['msg']} (got {json.dumps(error.get('input'), default=str)})"
    if len(loc) >= 2 and loc[0] == "bases" and isinstance(loc[1], int):
        team = root["bases"][loc[1]]
        named = team.get("id") if isinstance(team, dict) else None
        return f"team {loc[1] + 1}{f' ({named})' if named else ''}: {text}"
    return text
