"""Areas of a concentration: where a party's detections in one window are one body of troops.

Caps and exercises add up what sources saw, and two sources that watched the
same troops must not count them twice (6,500 troops seen by two radars are
not 13,000). So a window's detections are grouped into areas: the largest
detection founds an area, every detection within `area_km` of it joins it,
and the largest of the rest founds the next (a leader grouping: no chains, an
area is at most twice `area_km` across, and the result does not depend on the
order detections arrived in). Within an area the largest count stands for
everything seen there; areas are added up. That is a lower estimate within an
area (two sources that saw different units there count as one) and adds only
what lies apart.

Before grouping, each source's counts are kept per grid cell of `area_km`: a
sensor that reports the same place every ten minutes has seen it once, a
drone that crossed two areas has seen both.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np
from numba import njit
from numpy.typing import NDArray
from ruamel.yaml import YAML

from accord.geo.geodesy import KM_PER_DEGREE, great_circle_km_one
from accord.verify.rules import Rule, RuleSet

if TYPE_CHECKING:
    from accord.verify.findings import Notices, Tallies

NO_CELL = -1  # a tally without a location (holdings declared by zone)
_COLUMNS = 1 << 20  # cells per row, far more than a row of 0.5 km cells holds


@dataclass(frozen=True)
class Areas:
    """How far an area reaches from its largest detection, km (`verify/data/tallies.yaml`)."""

    km: float

    @classmethod
    def shipped(cls) -> Areas:
        """The area size shipped in verify/data/tallies.yaml."""
        text = (resources.files("accord.verify") / "data" / "tallies.yaml").read_text("utf-8")
        loaded: dict[str, Any] = YAML(typ="safe").load(text)
        return cls(float(loaded["area_km"]))


AREAS = Areas.shipped()


def cells(lon: NDArray[np.float64], lat: NDArray[np.float64], km: float) -> NDArray[np.int64]:
    """Grid cells about `km` on a side: rows of equal height, each cut into columns `km`
    wide at its middle latitude; `NO_CELL` where there is no location."""
    located = np.isfinite(lon) & np.isfinite(lat)
    step = km / KM_PER_DEGREE
    row = np.floor((np.where(located, lat, 0.0) + 90.0) / step)
    middle = np.radians(np.minimum(-90.0 + (row + 0.5) * step, 89.9))
    width = step / np.cos(middle)
    column = np.floor((np.where(located, lon, 0.0) + 180.0) / width)
    return np.where(located, row * _COLUMNS + column, NO_CELL).astype(np.int64)


def largest_per_key(*keys: NDArray[np.integer], count: NDArray[np.int64]) -> NDArray[np.int64]:
    """The row of each distinct key (a tuple of integer columns: codes, not strings, which
    sort several times slower) with the largest count, the first in row order on a tie,
    in key order."""
    if not count.size:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((-count, *reversed(keys)))
    same = np.ones(order.size - 1, dtype=bool)
    for key in keys:
        ordered = key[order]
        same &= ordered[1:] == ordered[:-1]
    first = np.concatenate([[True], ~same])
    return order[first]


def group(
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    count: NDArray[np.int64],
    tie: NDArray[np.str_],
    km: float,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Each row's area and each area's leader (its largest detection), areas numbered from
    the largest; ties between counts go to the smaller `tie` (an observation id), so the
    areas depend on the rows, not their order."""
    order = np.lexsort((tie, -count))
    label, leaders = _lead(lon[order], lat[order], float(km))
    area = np.empty(order.size, dtype=np.int64)
    area[order] = label
    return area, order[leaders]


@njit(cache=True)
def _lead(
    lon: NDArray[np.float64], lat: NDArray[np.float64], km: float
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Leader grouping of rows sorted largest first: a row joins the first leader within
    `km`, else leads an area of its own."""
    n = lon.size
    label = np.full(n, -1, dtype=np.int64)
    leaders = np.empty(n, dtype=np.int64)
    found = 0
    reach = km / KM_PER_DEGREE  # in degrees of latitude
    for i in range(n):
        for a in range(found):
            j = leaders[a]
            if abs(lat[i] - lat[j]) > reach:
                continue
            if great_circle_km_one(lon[j], lat[j], lon[i], lat[i]) <= km:
                label[i] = a
                break
        if label[i] < 0:
            leaders[found] = i
            label[i] = found
            found += 1
    return label, leaders[:found]


def zone_names(mask: NDArray[np.uint64], zone_ids: tuple[str, ...]) -> NDArray[np.str_]:
    """The zones each point lies in, as comma-separated ids (from the zone index's mask)."""
    distinct, inverse = np.unique(mask, return_inverse=True)
    names = [
        ",".join(z for bit, z in enumerate(zone_ids) if int(m) >> bit & 1)
        for m in distinct.tolist()
    ]
    return np.array(names or [""], dtype=np.str_)[inverse.reshape(-1)]


def covering(
    notified: Notices,
    party: str,
    time_ns: int,
    lon: float,
    lat: float,
    zones: str,
    plan_zones: tuple[str, ...],
) -> tuple[bool, list[str]]:
    """Whether a notification of `party` covers an area, whose largest detection was at
    (lon, lat) at `time_ns` inside `zones`: its period, its zone and its notified area
    must all hold. If none does, why each of the party's notices for that time does not
    (an unknown zone id is named as such: it never matches anything)."""
    when = np.datetime_as_string(np.datetime64(time_ns, "ns"), unit="m")
    mine = np.flatnonzero(
        (notified.party == party) & (notified.start_ns <= time_ns) & (notified.end_ns >= time_ns)
    )
    if not mine.size:
        return False, [f"no notification of {party} covers {when}"]
    inside = set(zones.split(","))
    reasons = []
    for i in mine.tolist():
        ref, zone = str(notified.observation_id[i]), str(notified.zone[i])
        if zone and zone not in plan_zones:
            listed = ", ".join(plan_zones)
            reasons.append(
                f"{ref} names zone '{zone}', not a zone of the plan (its zones: {listed})"
            )
            continue
        if zone and zone not in inside:
            reasons.append(f"{ref} is for zone {zone}; the area at {lat:.2f} N {lon:.2f} E is not")
            continue
        radius = float(notified.radius_km[i])
        if np.isfinite(radius):
            centre = float(notified.lon[i]), float(notified.lat[i])
            away = float(great_circle_km_one(centre[0], centre[1], lon, lat))
            if not away <= radius:
                reasons.append(
                    f"{ref} notified {radius:g} km around {centre[1]:.2f} N {centre[0]:.2f} E, "
                    f"and the area is {away:.0f} km from there"
                )
                continue
        return True, []
    return False, reasons


def exercise_areas(
    ruleset: RuleSet,
    rule: Rule,
    tallies: Tallies,
    notified: Notices,
    party: str,
    leaders: NDArray[np.int64],
) -> tuple[NDArray[np.bool_], str]:
    """Which areas (by the tally leading each) count against an exercise rule, and the
    finding's state: a notified area is lawful where the term limits exercises (no zone)
    and still banned in a zone that bans them."""
    covers = [
        covering(
            notified,
            party,
            int(tallies.time_ns[i]),
            float(tallies.lon[i]),
            float(tallies.lat[i]),
            str(tallies.zones[i]),
            ruleset.zone_ids,
        )
        for i in leaders.tolist()
    ]
    covered = np.array([c for c, _ in covers], dtype=bool)
    reasons = list(dict.fromkeys(r for c, why in covers if not c for r in why))
    why = "; ".join(reasons[:3]) + (f"; and {len(reasons) - 3} more" if len(reasons) > 3 else "")
    if rule.zone_id is not None:
        every, banned = np.ones(covered.size, dtype=bool), "notified but banned in this zone"
        if covered.all():
            return every, banned
        told = int(covered.sum())
        part = f"{told} of {covered.size} areas {banned}, the rest " if told else ""
        return every, f"{part}not notified: {why}"
    lawful = int(tallies.count[leaders[covered]].sum())
    more = f" ({lawful:,} more in notified areas)" if covered.any() else ""
    return ~covered, f"not notified: {why}{more}"
