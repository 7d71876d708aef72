"""The daily report's place-based sections, the way the OSCE mission wrote them:
where each incident was ("near X (oblast)" or "4 km SW of X"), ceasefire
violations by area with explosions and bursts counted, the weapons and forces
found in violation by type and number, and civilian casualties and damage.

Every figure is computed from the incidents an edition holds and the findings and
observations behind them, so an edition never counts what it may not show; only
the mission's edition adds harm reported by observations tied to no incident.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.geo.places import REGION_NAMES, load_places, region_at, region_name
from accord.report.i18n import translations
from accord.store.schema import StoredObservation
from accord.store.verification import StoredFinding, StoredIncident
from accord.verify.observation import FiringCategory
from accord.verify.rules import RuleKind

# Closer than this to a settlement, a point is "near" it (the OSCE mission's wording);
# farther, it is placed by distance and direction from it.
NEAR_KM = 2.0
UNKNOWN_AREA = "-"


@dataclass(frozen=True)
class Where:
    """A point named for a reader: its oblast and its place relative to a settlement."""

    area: str  # the oblast (or krai, city) in the report's language, "-" outside all
    place: str  # "near Horlivka" or "4 km SW of Horlivka"
    settlement: str


@lru_cache(maxsize=4096)
def where(lon: float, lat: float, lang: str = "en") -> Where:
    """Name a point from the shipped gazetteer, in one of its languages."""
    nearest = load_places().nearest(lon, lat)
    settlement = nearest.place.label(lang)
    region = region_at(lon, lat)
    area = (
        region_name(region.name, lang)
        if region is not None and region.name in REGION_NAMES
        else (region.name if region is not None else UNKNOWN_AREA)
    )
    _ = translations(lang).gettext
    if nearest.distance_km < NEAR_KM:
        place = _("near %(place)s") % {"place": settlement}
    else:
        place = _("%(km).0f km %(direction)s of %(place)s") % {
            "km": nearest.distance_km,
            "direction": _compass(lang)[nearest.direction],
            "place": settlement,
        }
    return Where(area, place, settlement)


@lru_cache(maxsize=8)
def _compass(lang: str) -> dict[str, str]:
    """The 8 compass points as each language abbreviates them."""
    _ = translations(lang).gettext
    return {
        "N": _("N"),
        "NE": _("NE"),
        "E": _("E"),
        "SE": _("SE"),
        "S": _("S"),
        "SW": _("SW"),
        "W": _("W"),
        "NW": _("NW"),
    }


@dataclass(frozen=True)
class FiringTally:
    """Ceasefire violations in one area near one settlement: incidents and what the
    observations behind them counted, by the missions' firing categories."""

    area: str
    settlement: str
    incidents: int
    explosions: int
    bursts: int
    other: int  # projectiles in flight, muzzle flashes, illumination flares


@dataclass(frozen=True)
class WeaponTally:
    """Weapons or forces of one kind found in violation in one area."""

    kind: str
    area: str
    party: str
    incidents: int
    number: int  # the largest count reported in each incident, summed


def _evidence(session: Session, incident_ids: Sequence[int]) -> dict[int, list[StoredFinding]]:
    by_incident: dict[int, list[StoredFinding]] = defaultdict(list)
    if not incident_ids:
        return by_incident
    query = select(StoredFinding).where(StoredFinding.incident_id.in_(incident_ids))
    for finding in session.scalars(query):
        by_incident[finding.incident_id].append(finding)
    return by_incident


def _evidence_ids(findings: dict[int, list[StoredFinding]]) -> set[str]:
    return {
        ref for rows in findings.values() for f in rows for ref in json.loads(f.evidence or "[]")
    }


@dataclass(frozen=True)
class HarmReport:
    """Civilian casualties and damage one observation reported."""

    at_us: int
    source: str
    where: Where | None
    killed: int
    injured: int
    damage: tuple[tuple[str, str], ...]  # (object, description)


def harm_reported(
    session: Session,
    incidents: Iterable[StoredIncident],
    start_us: int,
    end_us: int,
    *,
    every_observation: bool,
    lang: str = "en",
) -> list[HarmReport]:
    """The observations of the period that report harm to civilians: those behind the
    edition's incidents, or with `every_observation` (the mission's edition) all."""
    # The typed record as validated is kept whole; harm lives in it, not in a column.
    query = (
        select(StoredObservation)
        .where(
            StoredObservation.observed_at_us >= start_us,
            StoredObservation.observed_at_us < end_us,
            StoredObservation.record.contains('"harm":', autoescape=True),
        )
        .order_by(StoredObservation.observed_at_us)
    )
    allowed = None
    if not every_observation:
        allowed = _evidence_ids(_evidence(session, [i.id for i in incidents]))
        if not allowed:
            return []
    found = []
    for row in session.scalars(query):
        harm = json.loads(row.record).get("harm")
        if not harm or (allowed is not None and row.observation_id not in allowed):
            continue
        named = (
            where(row.lon, row.lat, lang) if row.lon is not None and row.lat is not None else None
        )
        damage = tuple((d["object"], d.get("description", "")) for d in harm.get("damage", []))
        found.append(
            HarmReport(
                row.observed_at_us,
                row.source_id,
                named,
                int(harm.get("civilians_killed", 0)),
                int(harm.get("civilians_injured", 0)),
                damage,
            )
        )
    return found


def firing_by_area(
    session: Session, incidents: Iterable[StoredIncident], lang: str = "en"
) -> list[FiringTally]:
    """Firing incidents by area and nearest settlement, with the rounds their firing
    observations reported: explosions, bursts and shots, and the rest."""
    firing = [i for i in incidents if i.kind == RuleKind.firing.value]
    findings = _evidence(session, [i.id for i in firing])
    wanted = _evidence_ids(findings)
    categories: dict[str, tuple[str, int]] = {}
    if wanted:
        query = select(
            StoredObservation.observation_id,
            StoredObservation.firing_category,
            StoredObservation.count,
        ).where(
            StoredObservation.observation_id.in_(sorted(wanted)),
            StoredObservation.firing_category.is_not(None),
        )
        categories = {
            ref: (category or "", count) for ref, category, count in session.execute(query)
        }
    tallies: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for incident in firing:
        named = where(incident.lon, incident.lat, lang)
        tally = tallies[(named.area, named.settlement)]
        tally["incidents"] += 1
        seen: set[str] = set()
        for finding in findings.get(incident.id, []):
            for ref in json.loads(finding.evidence or "[]"):
                if ref in seen or ref not in categories:
                    continue
                seen.add(ref)  # one observation counts once, however many rules it broke
                category, count = categories[ref]
                if category == FiringCategory.explosion.value:
                    tally["explosions"] += count
                elif category == FiringCategory.bursts_and_shots.value:
                    tally["bursts"] += count
                else:
                    tally["other"] += count
    return [
        FiringTally(area, settlement, t["incidents"], t["explosions"], t["bursts"], t["other"])
        for (area, settlement), t in sorted(tallies.items())
    ]


def weapons_in_violation(
    session: Session, incidents: Iterable[StoredIncident], lang: str = "en"
) -> list[WeaponTally]:
    """The kinds and numbers of weapons and forces in the non-firing incidents (zones,
    caps, deadlines), by area and party, as the findings reported them."""
    held = [i for i in incidents if i.kind != RuleKind.firing.value]
    findings = _evidence(session, [i.id for i in held])
    incidents_of: Counter[tuple[str, str, str]] = Counter()
    number_of: Counter[tuple[str, str, str]] = Counter()
    for incident in held:
        largest: dict[str, int] = {}
        for finding in findings.get(incident.id, []):
            kind = finding.observed_kind
            largest[kind] = max(largest.get(kind, 0), finding.count)
        if not largest:  # no findings stored: the incident's own summary
            kinds = [k for k in incident.kinds.split(",") if k] or [incident.kind]
            largest = dict.fromkeys(kinds, incident.count)
        area = where(incident.lon, incident.lat, lang).area
        for kind, count in largest.items():
            key = (kind, area, incident.party or "")
            incidents_of[key] += 1
            number_of[key] += count
    return [
        WeaponTally(kind, area, party, incidents_of[(kind, area, party)], number)
        for (kind, area, party), number in sorted(number_of.items())
    ]
