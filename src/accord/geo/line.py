"""The line of contact: where the controlled area's edge is neither a border nor a coast.

Natural Earth 1:50m borders and coasts are coarse (vertices kilometres apart),
while control maps trace the real coast and border closely, so the controlled
area's edge is matched to the border or coast within a corridor of
`tolerance_km` either side. 3 km is enough to absorb Natural Earth's error along
the Russia-Ukraine border and the Azov and Black Sea coasts without eating
into the front line, which rarely runs that close to a coast for long.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass, field

import shapely
from shapely.geometry.base import BaseGeometry

from accord.geo.borders import Borders, load_borders
from accord.geo.control import ControlMap
from accord.geo.projection import KM_PER_MILE, area_km2, geodesic_buffer, length_km, to_theatre

DEFAULT_TOLERANCE_KM = 5.0
PLAUSIBLE_KM = (300.0, 3000.0)


class ImplausibleLineWarning(UserWarning):
    """A line of contact far shorter or longer than any front of this war."""


@dataclass(frozen=True)
class LineOfContact:
    """The line of contact of one control map, with its measures."""

    lines: BaseGeometry = field(repr=False)
    main: BaseGeometry = field(repr=False)
    control: ControlMap = field(repr=False)
    tolerance_km: float
    length_km: float
    main_length_km: float
    area_ru_km2: float
    area_ua_km2: float
    basis: str

    @property
    def date(self) -> dt.date | None:
        """The date of the control map the line is drawn from."""
        return self.control.date

    @property
    def edge_uncertainty_m(self) -> float:
        """How far the line may lie from that of the map it stands for (the map's own)."""
        return self.control.edge_uncertainty_m

    @property
    def main_length_miles(self) -> float:
        """The main line's length in statute miles."""
        return self.main_length_km / KM_PER_MILE

    @property
    def length_miles(self) -> float:
        """The whole line's length in statute miles."""
        return self.length_km / KM_PER_MILE

    def summary(self) -> dict[str, object]:
        """The line's date, source, tolerance and lengths, rounded for people."""
        return {
            "date": self.date.isoformat() if self.date else None,
            "source": self.control.source,
            "tolerance_km": self.tolerance_km,
            "main_length_km": round(self.main_length_km, 1),
            "main_length_miles": round(self.main_length_miles, 1),
            "length_km": round(self.length_km, 1),
            "length_miles": round(self.length_miles, 1),
            "parts": len(shapely.get_parts(self.lines)),
            "area_controlled_by_RU_km2": round(self.area_ru_km2),
            "area_controlled_by_UA_km2": round(self.area_ua_km2),
            "borders": self.basis,
            "edge_uncertainty_m": self.edge_uncertainty_m,
            "repairs": list(self.control.repairs),
        }


def border_corridor(borders: Borders, near: BaseGeometry, tolerance_km: float) -> BaseGeometry:
    """Land within tolerance_km of Ukraine's borders and coasts, around `near` (lon/lat)."""
    edges = shapely.intersection(
        borders.country("UKR").boundary, shapely.box(*near.bounds).buffer(1.0)
    )
    return geodesic_buffer(edges, tolerance_km, max_error_m=5.0)


def line_of_contact(
    control: ControlMap,
    borders: Borders | None = None,
    tolerance_km: float = DEFAULT_TOLERANCE_KM,
) -> LineOfContact:
    """Cut the border-and-coast corridor out of the controlled area's edge; keep the rest."""
    borders = borders or load_borders()
    ukraine = borders.country("UKR")
    corridor = border_corridor(borders, control.area, tolerance_km)
    lines = shapely.line_merge(shapely.difference(control.area.boundary, corridor))
    parts = [p for p in shapely.get_parts(lines) if not p.is_empty]
    if not parts:
        raise ValueError(
            f"{control.source}: the controlled area's edge lies entirely within "
            f"{tolerance_km} km of borders and coasts, so there is no line of contact"
        )
    main = max(parts, key=length_km)
    controlled = shapely.intersection(control.area, ukraine)
    line = LineOfContact(
        lines=shapely.MultiLineString(parts),
        main=main,
        control=control,
        tolerance_km=tolerance_km,
        length_km=length_km(shapely.MultiLineString(parts)),
        main_length_km=length_km(main),
        area_ru_km2=area_km2(controlled),
        area_ua_km2=area_km2(ukraine) - area_km2(controlled),
        basis=borders.basis,
    )
    low, high = PLAUSIBLE_KM
    if not low <= line.main_length_km <= high:
        warnings.warn(
            f"{control.source}: the main line of contact is {line.main_length_km:,.0f} km long, "
            f"outside the plausible {low:,.0f}-{high:,.0f} km; check the map and its date",
            ImplausibleLineWarning,
            stacklevel=2,
        )
    return line


@dataclass(frozen=True)
class LineChange:
    """What changed hands between two control maps, and how far the line moved."""

    gained_by_ru_km2: float
    gained_by_ua_km2: float
    max_shift_km: float
    mean_shift_km: float

    def summary(self) -> dict[str, float]:
        """Area gained by each side and how far the line moved, rounded for people."""
        return {
            "gained_by_RU_km2": round(self.gained_by_ru_km2, 1),
            "gained_by_UA_km2": round(self.gained_by_ua_km2, 1),
            "net_to_RU_km2": round(self.gained_by_ru_km2 - self.gained_by_ua_km2, 1),
            "max_shift_km": round(self.max_shift_km, 2),
            "mean_shift_km": round(self.mean_shift_km, 3),
        }


def change(before: LineOfContact, after: LineOfContact) -> LineChange:
    """Area that changed hands by direction; the line's largest shift (Hausdorff distance
    between the main lines) and its mean shift (area changed over the mean line length)."""
    ukraine = load_borders().country("UKR")
    old = shapely.intersection(before.control.area, ukraine)
    new = shapely.intersection(after.control.area, ukraine)
    to_ru = area_km2(shapely.difference(new, old))
    to_ua = area_km2(shapely.difference(old, new))
    hausdorff_km = shapely.hausdorff_distance(to_theatre(before.main), to_theatre(after.main)) / 1e3
    mean_length = (before.main_length_km + after.main_length_km) / 2.0
    return LineChange(to_ru, to_ua, hausdorff_km, (to_ru + to_ua) / mean_length)
