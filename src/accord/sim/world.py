"""The map a scenario plays on: the agreement's zones, the verifier, and line coordinates.

Positions are drawn in line coordinates, `along_km` from the first vertex of
the main line of contact and `offset_km` across it (positive on Russia's
side), then turned into metres in the theatre projection and lon/lat. The
verifier is the real one (`accord.verify.pipeline.Verifier`) with the
scenario's observer teams and sectors; it is built once per process and
agreement, since the zone index takes seconds to compile.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import cache

import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from accord.agreement import Agreement
from accord.geo.classify import SIDE_OF_RU, SIDE_OF_UA, ZoneIndex
from accord.geo.control import control_for
from accord.geo.geodesy import GEOD
from accord.geo.line import line_of_contact
from accord.geo.projection import THEATRE_CRS, to_theatre
from accord.geo.zones import Zone, zones_from_agreement
from accord.ops import Base, Sectors, Teams
from accord.ops.theatre import daylight as daylight  # sim.events reads it from here
from accord.plans import load_plan
from accord.sim.scenario import Scenario, ScenarioTeams
from accord.verify.batch import Verifier
from accord.verify.rules import Rule, RuleSet, compile_rules

_PROBE_KM = 2.0  # how far across the line a probe goes to tell which side is which
_TANGENT_M = 1000.0  # the line's direction is taken over +-1 km, smoothing its jagged vertices


@dataclass(frozen=True)
class World:
    """Everything geometric a run needs, shared by every run of one agreement and map."""

    agreement: Agreement
    verifier: Verifier
    zones: tuple[Zone, ...]
    main_m: BaseGeometry  # main line in theatre metres
    length_km: float  # along the projected main line
    dmz_half_width_km: float  # 0 when the agreement draws no DMZ
    dmz_id: str | None

    @property
    def ruleset(self) -> RuleSet:
        """The rules verification checks in this world."""
        return self.verifier.ruleset

    def rule_zones(self) -> list[str]:
        """Zones the rules check away from the line: bands, regions, exclusion zones."""
        dmz = set(self.ruleset.dmz_ids)
        return sorted({r.zone_id for r in self.ruleset.rules if r.zone_id and r.zone_id not in dmz})

    def binds(self, rule: Rule) -> list[str]:
        """The parties with forces the rule's term binds (for foreign forces: those not at
        home): an alliance binds its members, since only they field forces."""
        term = next(t for t in self.agreement.terms if t.id == rule.term_id)
        members = {p.id: p.members for p in self.agreement.parties}
        forces: list[str] = []
        todo = list(term.binds)
        while todo:
            party = todo.pop(0)
            if members.get(party):
                todo.extend(members[party])
            elif party not in forces and party not in rule.hosts:
                forces.append(party)
        return forces

    @property
    def index(self) -> ZoneIndex:
        """The zone index verification classifies with."""
        return self.verifier.index

    def sector_names(self, sector_km: float) -> list[str]:
        """The names of the line's sectors of `sector_km` each, S01 first."""
        return [f"S{n:02d}" for n in range(1, int(np.ceil(self.length_km / sector_km)) + 1)]

    def place(
        self, along_km: NDArray[np.float64], offset_km: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """(x_m, y_m, lon, lat) of points `offset_km` across the line (+ Russia's side)."""
        along_m = np.clip(along_km, 0.0, self.length_km) * 1000.0
        here = shapely.line_interpolate_point(self.main_m, along_m)
        ahead = shapely.line_interpolate_point(
            self.main_m, np.minimum(along_m + _TANGENT_M, self.length_km * 1000)
        )
        behind = shapely.line_interpolate_point(self.main_m, np.maximum(along_m - _TANGENT_M, 0.0))
        x0, y0 = shapely.get_x(here), shapely.get_y(here)
        dx = shapely.get_x(ahead) - shapely.get_x(behind)
        dy = shapely.get_y(ahead) - shapely.get_y(behind)
        norm = np.hypot(dx, dy) + 1e-12
        left_x, left_y = -dy / norm, dx / norm  # unit normal to the left of travel
        sign = self._ru_on_left(x0, y0, left_x, left_y)
        x = x0 + sign * left_x * offset_km * 1000.0
        y = y0 + sign * left_y * offset_km * 1000.0
        lon, lat = to_lonlat(x, y)
        return x, y, lon, lat

    def _ru_on_left(
        self,
        x0: NDArray[np.float64],
        y0: NDArray[np.float64],
        left_x: NDArray[np.float64],
        left_y: NDArray[np.float64],
    ) -> NDArray[np.float64]:
        """+1 where Russia's side lies left of the line's direction, else -1."""
        probe = _PROBE_KM * 1000.0
        lon_l, lat_l = to_lonlat(x0 + left_x * probe, y0 + left_y * probe)
        lon_r, lat_r = to_lonlat(x0 - left_x * probe, y0 - left_y * probe)
        left = self.index.classify(lon_l, lat_l).side
        right = self.index.classify(lon_r, lat_r).side
        ru_left = (left == SIDE_OF_RU) | ((left != SIDE_OF_UA) & (right == SIDE_OF_UA))
        return np.where(ru_left, 1.0, -1.0)

    def line_coordinates(
        self, x_m: NDArray[np.float64], y_m: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """(along_km, distance_km) of projected points from the main line."""
        points = shapely.points(np.column_stack([x_m, y_m]))
        along = shapely.line_locate_point(self.main_m, points) / 1000.0
        away = shapely.distance(self.main_m, points) / 1000.0
        return np.asarray(along), np.asarray(away)

    def zone(self, zone_id: str) -> Zone:
        """The zone with this id; a ValueError naming the zones drawn otherwise."""
        for zone in self.zones:
            if zone.id == zone_id:
                return zone
        known = ", ".join(z.id for z in self.zones)
        raise ValueError(f"zone '{zone_id}' is not drawn for {self.agreement.id}; zones: {known}")


@cache
def _transformers() -> tuple[Transformer, Transformer]:
    forward = Transformer.from_crs("EPSG:4326", THEATRE_CRS, always_xy=True)
    return forward, Transformer.from_crs(THEATRE_CRS, "EPSG:4326", always_xy=True)


def to_lonlat(
    x_m: NDArray[np.float64], y_m: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Theatre-projection metres back to longitude and latitude."""
    _, inverse = _transformers()
    lon, lat = inverse.transform(np.asarray(x_m), np.asarray(y_m))
    return np.asarray(lon), np.asarray(lat)


def to_metres(
    lon: NDArray[np.float64], lat: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Longitude and latitude as metres in the theatre's projection, where distances are true."""
    forward, _ = _transformers()
    x, y = forward.transform(np.asarray(lon), np.asarray(lat))
    return np.asarray(x), np.asarray(y)


def azimuth_distance(
    lon1: NDArray[np.float64],
    lat1: NDArray[np.float64],
    lon2: NDArray[np.float64],
    lat2: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Bearing (0-360 degrees) and geodesic distance in metres from point 1 to point 2."""
    forward, _, metres = GEOD.inv(lon1, lat1, lon2, lat2)
    return np.mod(np.asarray(forward), 360.0), np.asarray(metres)


def mission_teams(world: World, teams: ScenarioTeams) -> ScenarioTeams:
    """The scenario's teams with their bases: those listed, else `count` sites at the
    middles of equal stretches of the line (OT-01, OT-02, ...)."""
    if teams.bases:
        return teams
    along = (np.arange(teams.count) + 0.5) * world.length_km / teams.count
    _, _, lon, lat = world.place(along, np.zeros(teams.count))
    bases = [
        Base(id=f"OT-{i + 1:02d}", lon=float(x), lat=float(y))
        for i, (x, y) in enumerate(zip(lon, lat, strict=True))
    ]
    return teams.model_copy(update={"bases": bases})


# Worlds built in this process, by the plan's content, map date and event dates.
_WORLDS: dict[tuple[str, date | None, tuple], World] = {}


def _world(agreement: Agreement, control_date: date | None, events: tuple) -> World:
    key = (agreement.model_dump_json(), control_date, events)
    if key not in _WORLDS:
        _WORLDS[key] = _new_world(agreement, control_date, events)
    return _WORLDS[key]


def _new_world(agreement: Agreement, control_date: date | None, events: tuple) -> World:
    line = line_of_contact(control_for(None, control_date))
    drawn, notes = zones_from_agreement(agreement, line)
    # Only the zones some rule checks (and the sides) are compiled: a drawn zone no rule
    # uses, such as all of Europe for a term still to be negotiated, costs seconds to index.
    used = {r.zone_id for r in compile_rules(agreement, drawn, notes, events=dict(events)).rules}
    zones = [z for z in drawn if z.kind == "side" or z.id in used]
    ruleset = compile_rules(agreement, zones, notes, events=dict(events))
    index = ZoneIndex.build(zones)
    main_m = to_theatre(line.main)
    dmz = next((z for z in zones if z.kind == "dmz"), None)
    half = 0.0
    if dmz is not None:
        width = float(dmz.properties.get("width_km", 0.0))
        split = dmz.properties.get("split") or {"RU": 0.5, "UA": 0.5}
        half = width * min(float(v) for v in split.values())
    verifier = Verifier(ruleset, index, Teams(bases=[Base(id="none", lon=0.0, lat=0.0)]))
    return World(
        agreement,
        verifier,
        tuple(zones),
        main_m,
        main_m.length / 1000.0,
        half,
        dmz.id if dmz else None,
    )


def build_world(scenario: Scenario, agreement: Agreement | None = None) -> World:
    """The world of `agreement` (by default the scenario's own plan), with the scenario's
    observer teams and sectors in the verifier."""
    events = tuple(sorted(scenario.events.items()))
    plan = agreement or load_plan(scenario.agreement)
    base = _world(plan, scenario.control_date, events)
    sectors = Sectors(shapely.LineString(_main_lonlat(base)), length_km=scenario.sector_km)
    verifier = replace(base.verifier, teams=mission_teams(base, scenario.teams), sectors=sectors)
    return replace(base, verifier=verifier)


def _main_lonlat(world: World) -> NDArray[np.float64]:
    xy = shapely.get_coordinates(world.main_m)
    lon, lat = to_lonlat(xy[:, 0], xy[:, 1])
    return np.column_stack([lon, lat])
