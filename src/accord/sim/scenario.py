"""Scenarios as data: the monitoring regime and the parties' behaviour, read with precise errors.

A scenario names the agreement whose zones are monitored, the fixed sensors,
drone sorties and observer teams that monitor them, each party's violation
processes, the false alarms and the costs. Everything a sweep varies is a
field here, so a regime is a scenario with a few figures changed
(`Scenario.with_regime`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from accord.agreement.loader import plain_yaml
from accord.agreement.model import StrictModel
from accord.ops.teams import Base, Teams
from accord.verify.observation import ObservedKind

_DATA = resources.files("accord.sim") / "data"


class ScenarioError(ValueError):
    """A scenario file that cannot be used: says which file, where, and what would be right."""


class ViolationKind(StrEnum):
    """The violation processes a party may run (the issue's list)."""

    dmz_patrol = "dmz_patrol"  # a patrol entering the DMZ
    heavy_weapons = "heavy_weapons"  # heavy weapons brought back into the DMZ
    firing = "firing"  # fire across the line
    fortification = "fortification"  # digging or building in the DMZ
    restricted_band = "restricted_band"  # forces inside a zone a rule restricts (band, region)
    exercise = "exercise"  # an exercise above the threshold without notification


class SensorGroup(StrictModel):
    """Fixed sensors of one type in rows parallel to the line, or on a grid over a zone: one
    named by id, or (`over_rules`) the zones away from the line that the plan's rules check,
    so a scenario fits any plan."""

    type: Literal["seismic", "acoustic", "radar", "camera"]
    spacing_km: float = Field(gt=0)
    rows_km: list[float] = Field(default=[0.0], min_length=1)  # offsets from the line, + RU side
    zone: str | None = None  # place on a grid over this zone instead of along the line
    over_rules: bool = False  # place on a grid over the rules' zones away from the line
    range_km: float = Field(gt=0)
    detect: dict[ObservedKind, float]  # probability at zero distance, by kind
    falloff: Literal["linear", "gaussian"] = "gaussian"
    night_factor: float = Field(default=1.0, ge=0, le=1)
    false_alarms_per_day: float = Field(default=0.0, ge=0)  # per sensor
    outage_per_day: float = Field(default=0.0, ge=0)  # chance a sensor fails on a given day
    outage_hours: float = Field(default=24.0, gt=0)
    uncertainty_m: float = Field(default=500.0, gt=0)
    reports_side: bool = False  # can it tell whose forces (cameras can, seismometers cannot)

    @field_validator("detect")
    @classmethod
    def _probabilities(cls, value: dict[ObservedKind, float]) -> dict[ObservedKind, float]:
        for kind, p in value.items():
            if not 0 <= p <= 1:
                raise ValueError(f"probability for {kind.value} is {p}; write a number 0-1")
        return value

    @property
    def along_line(self) -> bool:
        """Whether the group lies in rows along the line, not on a grid over a zone."""
        return self.zone is None and not self.over_rules


class Drones(StrictModel):
    """Drone sorties: each flies a stretch of the line with a swath either side."""

    sorties_per_day: float = Field(ge=0)
    line_km_per_sortie: float = Field(gt=0)  # endurance x speed, less transit
    swath_km: float = Field(gt=0)  # width covered, centred on the line
    endurance_hours: float = Field(gt=0)
    daylight_only: bool = False
    detect: dict[ObservedKind, float]
    night_factor: float = Field(default=0.7, ge=0, le=1)
    jamming: float = Field(default=0.0, ge=0, le=1)  # chance a pass is jammed, every sector
    jamming_by_sector: dict[str, float] = Field(default_factory=dict)  # S01...: overrides `jamming`
    false_alarms_per_sortie: float = Field(default=0.0, ge=0)
    uncertainty_m: float = Field(default=50.0, gt=0)


class ScenarioTeams(Teams):
    """The mission's teams (`accord.ops.Teams`) as a scenario fields them: `count` sites
    spread evenly along the line unless bases are listed, and what their patrols see."""

    bases: list[Base] = Field(default_factory=list)
    count: int = Field(ge=1)
    observers: int = Field(ge=1)  # a sweep's regime varies it
    sight_km: float = Field(gt=0)  # how far from its route a patrol sees
    detect: dict[ObservedKind, float]
    respond: bool = True  # send patrols to unconfirmed incidents


class HotSpot(StrictModel):
    """A sector where a party's violations gather more than elsewhere."""

    sector: str  # S01, S02... (50 km stretches of the main line, from its first vertex)
    weight: float = Field(gt=0)


class Bursts(StrictModel):
    """Flare-ups: on a few days the rate is multiplied."""

    per_month: float = Field(ge=0)
    days: float = Field(gt=0)
    factor: float = Field(ge=1)


class Violation(StrictModel):
    """One violation process of one party."""

    kind: ViolationKind
    per_day: float = Field(ge=0)
    observed_as: list[ObservedKind] = Field(default_factory=list)  # kinds seen; default by kind
    count: tuple[int, int] = (1, 1)  # troops, vehicles or rounds, low-high
    duration_hours: tuple[float, float] = (1.0, 4.0)
    depth_km: tuple[float, float] | None = None  # distance from the line (firing, exercise)
    hot_spots: list[HotSpot] = Field(default_factory=list)
    bursts: Bursts | None = None
    night_share: float = Field(default=0.0, ge=0, le=1)  # deliberately at night
    jamming_share: float = Field(default=0.0, ge=0, le=1)  # under jamming of drones


class Party(StrictModel):
    """What one party does in a scenario: its violations and its notified exercises."""

    violations: list[Violation] = Field(default_factory=list)
    notified_exercises_per_month: float = Field(default=0.0, ge=0)


class Background(StrictModel):
    """Lawful activity on each side near the DMZ that sensors also see."""

    per_day: float = Field(ge=0)
    depth_km: tuple[float, float] = (5.0, 15.0)  # from the line, beyond the DMZ edge


class Costs(StrictModel):
    """Planning assumptions in US dollars; each figure's basis is in the scenario file."""

    observer_per_year: float = Field(ge=0)
    sensor_unit: dict[str, float]  # purchase and installation, by sensor type
    sensor_upkeep_per_year: dict[str, float]
    sensor_life_years: float = Field(gt=0)
    drone_sortie: float = Field(ge=0)
    basis: str  # where the figures come from


class Target(StrictModel):
    """What a regime must achieve: share of a kind detected and confirmed within deadlines."""

    kind: ViolationKind
    share: float = Field(gt=0, le=1)
    detect_hours: float = Field(gt=0)
    confirm_hours: float = Field(gt=0)


class Scenario(StrictModel):
    """A scenario file: the agreement, the period, the monitoring set-up and what the parties do."""

    name: str
    description: str
    agreement: str
    control_date: date | None = None
    start: datetime
    events: dict[str, datetime] = Field(default_factory=dict)
    sector_km: float = Field(default=50.0, gt=0)
    sensors: list[SensorGroup] = Field(default_factory=list)
    drones: Drones | None = None
    teams: ScenarioTeams
    parties: dict[str, Party]
    others: Party | None = None  # parties `parties` omits, and process kinds it gives none of
    background: Background = Background(per_day=0.0)
    costs: Costs
    target: Target | None = None
    notes: list[str] = Field(default_factory=list)

    @field_validator("start")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("time has no timezone: write it in UTC, e.g. 2026-09-01T00:00:00Z")
        return value.astimezone(UTC)

    def with_regime(self, regime: Regime) -> Scenario:
        """This scenario with a sweep's figures in place of its own."""
        teams = self.teams.model_copy(update={"observers": regime.observers})
        sensors = [
            s.model_copy(
                update={
                    "spacing_km": regime.sensor_spacing_km * s.spacing_km / self.base_spacing_km
                }
            )
            if s.along_line
            else s
            for s in self.sensors
        ]
        drones = self.drones
        if drones is not None:
            drones = drones.model_copy(
                update={
                    "sorties_per_day": regime.drone_sorties_per_day,
                    "jamming": regime.jamming,
                    "jamming_by_sector": {},
                }
            )
        return self.model_copy(update={"teams": teams, "sensors": sensors, "drones": drones})

    @property
    def base_spacing_km(self) -> float:
        """The closest spacing of the line's sensor groups (what a sweep's spacing scales)."""
        return min((s.spacing_km for s in self.sensors if s.along_line), default=1.0)

    def regime(self) -> Regime:
        """The scenario's monitoring regime: observers, sensor spacing, drone sorties, jamming."""
        return Regime(
            observers=self.teams.observers,
            sensor_spacing_km=self.base_spacing_km,
            drone_sorties_per_day=self.drones.sorties_per_day if self.drones else 0.0,
            jamming=self.drones.jamming if self.drones else 0.0,
        )


class Regime(StrictModel):
    """The four figures a sweep varies."""

    observers: int = Field(ge=1)
    sensor_spacing_km: float = Field(gt=0)
    drone_sorties_per_day: float = Field(ge=0)
    jamming: float = Field(ge=0, le=1)


def scenario_ids() -> list[str]:
    """Ids of the shipped scenarios, sorted."""
    return sorted(p.name.removesuffix(".yaml") for p in _DATA.iterdir() if p.name.endswith(".yaml"))


def scenario_text(name: str) -> tuple[str, str]:
    """(where, text) for a shipped id or a path."""
    path = Path(name)
    if path.suffix in (".yaml", ".yml") or path.exists():
        try:
            return str(path), path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ScenarioError(f"{name}: cannot read the scenario file ({exc.strerror})") from None
    if name not in scenario_ids():
        known = ", ".join(scenario_ids())
        raise ScenarioError(f"no scenario '{name}': use a shipped id ({known}) or a .yaml path")
    return f"{name}.yaml", (_DATA / f"{name}.yaml").read_text(encoding="utf-8")


def load_scenario(name: str) -> Scenario:
    """A shipped scenario by id, or a file; errors name file, line, field and the fix."""
    where, text = scenario_text(name)
    try:
        data = YAML(typ="rt").load(text)
    except YAMLError as exc:
        raise ScenarioError(f"{where}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ScenarioError(f"{where}: a scenario is a mapping of fields (name, agreement, ...)")
    try:
        return Scenario.model_validate(plain_yaml(data))
    except ValidationError as exc:
        problems = [_problem(where, data, error) for error in exc.errors()]
        raise ScenarioError("\n".join(problems)) from None


def _problem(where: str, data: Any, error: Any) -> str:
    location = error["loc"]
    field = ".".join(str(part) for part in location) or "(top)"
    line = _line(data, location)
    at = f"{where}:{line}" if line else where
    message = error["msg"]
    if error["type"] == "extra_forbidden":
        message = "unknown field (misspelt?); see docs/sim.md for the fields a scenario takes"
    elif error["type"] == "missing":
        message = "required field is missing"
    elif "input" in error and error["type"] not in ("missing",):
        message += f" (got {error['input']!r})"
    return f"{at}: {field}: {message}"


def _line(data: Any, location: tuple[Any, ...]) -> int | None:
    """1-based line of the deepest part of `location` that exists in the file."""
    node, line = data, None
    for part in location:
        lc = getattr(node, "lc", None)
        if isinstance(node, dict) and part in node:
            line = lc.key(part)[0] + 1 if lc is not None else line
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            line = lc.item(part)[0] + 1 if lc is not None else line
            node = node[part]
        else:
            break
    return line
