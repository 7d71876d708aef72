"""The read-mostly side of the API core: plans and their comparison, the negotiation
analysis, zones, patrol routes, compliance, conditions and the ledger.

Results that depend only on shipped data (zones, negotiation) are computed
once per process and kept; everything from the store is read per request.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from typing import Any

import shapely
from shapely.geometry import shape
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from accord import book
from accord.agreement.compare import compare
from accord.conditions.inputs import Inputs, from_store
from accord.conditions.machine import compile_conditions
from accord.conditions.machine import run as run_conditions
from accord.geo.control import shipped_control
from accord.geo.line import line_of_contact
from accord.geo.places import load_places
from accord.geo.zones import zones_from_agreement, zones_geojson
from accord.ledger import trust
from accord.negotiate.analysis import Setting, summary
from accord.plans import UnknownPlanError, load_plan, plan_ids
from accord.report.compare import to_html as comparison_html
from accord.report.negotiation import render as negotiation_html
from accord.service.access import incident_scope, may, may_see_entry, require, team_patrol
from accord.service.auth import PARTIES, Actor, Role
from accord.service.errors import BadRequest
from accord.service.settings import ServiceSettings
from accord.store import Store
from accord.store.ledger import LedgerDay
from accord.store.schema import StoredObservation
from accord.store.verification import StoredIncident
from accord.verify.compliance import compliance

NEGOTIATION_DRAWS = 100


def shipped_plan(plan_id: str) -> Any:
    """A shipped plan by id; a path is refused, so the API never reads server files."""
    if plan_id not in plan_ids():
        raise UnknownPlanError(plan_id)
    return load_plan(plan_id)


def parse_day(text: str, what: str) -> dt.date:
    """A query's YYYY-MM-DD day, or a BadRequest naming the parameter."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadRequest(f"{what}={text!r} is not a date; write YYYY-MM-DD") from None


def parse_party(party: str) -> str:
    """A party named in a query, or a BadRequest listing the parties there are."""
    if party not in PARTIES:
        raise BadRequest(f"party={party!r}: use one of {', '.join(PARTIES)}")
    return party


@cache
def zones_for(agreement_id: str) -> dict[str, Any]:
    """Zones of a shipped agreement and the line of contact, as GeoJSON (once per process)."""
    agreement = shipped_plan(agreement_id)
    line = line_of_contact(shipped_control())
    zones, notes = zones_from_agreement(agreement, line)
    collection = zones_geojson(zones, {"agreement": agreement.id, "notes": notes})
    for feature in collection["features"]:
        feature["id"] = feature["properties"]["term"]
    line_feature = {
        "type": "Feature",
        "id": "line-of-contact",
        "properties": {
            "term": "line-of-contact",
            "kind": "line",
            "label": "Line of contact",
            "binds": [],
        },
        "geometry": json.loads(json.dumps(line.main.__geo_interface__)),
    }
    collection["features"].insert(0, line_feature)
    return collection


def places_geojson(bbox: tuple[float, float, float, float], limit: int) -> dict[str, Any]:
    """The gazetteer's settlements in a box, most populous first, as GeoJSON points with
    their names in English, Ukrainian and Russian (the map's town labels)."""
    features = [
        {
            "type": "Feature",
            "id": place.geonameid,
            "properties": {
                "name": place.name,
                "name_uk": place.name_uk,
                "name_ru": place.name_ru,
                "population": place.population,
                "region": place.region,
            },
            "geometry": {"type": "Point", "coordinates": [place.lon, place.lat]},
        }
        for place in load_places().within(bbox, limit)
    ]
    return {"type": "FeatureCollection", "features": features}


@dataclass(frozen=True)
class Extent:
    """Where and when a collection's features lie: west, south, east, north in degrees,
    and the first and last time (RFC 3339), None where the features have no time."""

    bbox: tuple[float, float, float, float]
    start: str | None = None
    end: str | None = None


@cache
def zones_extent(agreement_id: str) -> Extent:
    """The bounds of every zone and the line (once per process; zones have no time)."""
    geometries = [shape(f["geometry"]) for f in zones_for(agreement_id)["features"]]
    west, south, east, north = (float(v) for v in shapely.total_bounds(geometries))
    return Extent((west, south, east, north))


@cache
def negotiation_setting() -> Setting:
    """The shipped negotiation setting, loaded once per process."""
    return Setting.load()


@cache
def negotiation_data() -> dict[str, Any]:
    """The analysis of every shipped plan, as JSON-ready data (once per process)."""
    data = summary(negotiation_setting(), draws=NEGOTIATION_DRAWS, seed=0)
    result: dict[str, Any] = json.loads(json.dumps(data, default=str))
    return result


class Catalog:
    """Plans, negotiation, zones, patrols, compliance, conditions, ledger."""

    def __init__(self, store: Store, settings: ServiceSettings) -> None:
        self.store = store
        self.settings = settings

    @property
    def zones(self) -> dict[str, Any]:
        """The configured agreement's zones on the shipped control map, as GeoJSON."""
        return zones_for(self.settings.agreement)

    # --- plans and negotiation --------------------------------------------------------

    def plans(self, actor: Actor) -> list[dict[str, Any]]:
        """A summary of each shipped plan (id, title, proposer, date, number of terms)."""
        require(actor, "plans.read")
        return [
            {
                "id": p.id,
                "title": p.title,
                "proposer": p.proposer,
                "date": str(p.date),
                "terms": len(p.terms),
            }
            for p in (shipped_plan(i) for i in plan_ids())
        ]

    def plan(self, actor: Actor, plan_id: str) -> dict[str, Any]:
        """A shipped plan as its file states it, as JSON."""
        require(actor, "plans.read")
        result: dict[str, Any] = json.loads(shipped_plan(plan_id).model_dump_json())
        return result

    def comparison_html(self, actor: Actor, ids: list[str]) -> str:
        """The plans compared side by side as an HTML page; every shipped plan if none named."""
        require(actor, "plans.read")
        plans = [shipped_plan(i) for i in (ids or plan_ids())]
        return comparison_html(compare(plans))

    def negotiation(self, actor: Actor) -> dict[str, Any]:
        """The negotiation analysis of the shipped plans, part by part."""
        require(actor, "negotiation.read")
        return negotiation_data()

    def negotiation_html(self, actor: Actor) -> str:
        """The negotiation report as one HTML page."""
        require(actor, "negotiation.read")
        return negotiation_html(negotiation_setting(), negotiation_data())

    # --- compliance and conditions ---------------------------------------------------

    def compliance(self, actor: Actor, party: str, period: str, day: str) -> dict[str, Any]:
        """A party's figures and index; read only (the recorded figures come from the job)."""
        require(actor, "compliance.read")
        if period not in ("day", "week"):
            raise BadRequest(f"period={period!r}: use day or week")
        result = compliance(
            self.store,
            parse_party(party),
            period,
            parse_day(day, "day"),
            agreement_id=self.settings.agreement,
            record=False,
        )
        return result.as_dict()

    def conditions(self, actor: Actor, since: str, until: str) -> list[dict[str, Any]]:
        """Each incentive's phase over the period, from the store's compliance figures."""
        require(actor, "conditions.read")
        first, last = parse_day(since, "since"), parse_day(until, "until")
        if last < first:
            raise BadRequest(f"until={last} is before since={first}")
        if (last - first).days > 3660:
            raise BadRequest("the period is over ten years; ask for a shorter one")
        agreement = shipped_plan(self.settings.agreement)
        machines = compile_conditions(agreement)
        parties = sorted({m.party for m in machines})
        inputs = Inputs.of(from_store(self.store, parties, first, last, agreement.id))
        return [
            {
                "term": item.machine.term_id,
                "kind": item.machine.kind.value,
                "party": item.machine.party,
                "state": item.state.describe(item.machine),
                "waiting_for": item.waiting_for(),
                "decisions": [d.as_payload() for d in item.decisions()],
            }
            for item in run_conditions(machines, inputs, first, last)
        ]

    # --- ledger ------------------------------------------------------------------

    def ledger_roots(self, actor: Actor) -> list[dict[str, Any]]:
        """The closed days' signed roots: what either party checks proofs against."""
        require(actor, "ledger.read")
        with Session(self.store.engine) as session:
            days = session.scalars(select(LedgerDay).order_by(LedgerDay.day)).all()
            return [
                {
                    "day": d.day.isoformat(),
                    "tree_size": d.tree_size,
                    "root": d.root,
                    "key_id": d.key_id,
                    "signature": d.signature,
                    "statement": d.statement,
                }
                for d in days
            ]

    def ledger_consistency(self, actor: Actor, first: int, second: int | None) -> dict[str, Any]:
        """Hashes only, so any role that reads the ledger may have it."""
        require(actor, "ledger.read")
        with self.store.engine.connect() as connection:
            entries = book.load_entries(connection)
        try:
            return trust.consistency_path(entries, first, second or len(entries))
        except ValueError as exc:
            raise BadRequest(str(exc)) from None

    def ledger_proof(self, actor: Actor, ref: str) -> dict[str, Any]:
        """The proof, if the actor may see the entry; else the answer a missing one gets."""
        require(actor, "ledger.read")
        return book.prove(
            self.store,
            ref,
            lambda connection, entry: may_see_entry(connection, actor, entry.kind, entry.ref),
        )

    # --- extents of the OGC collections -----------------------------------------------

    def extent(self, actor: Actor, collection: str) -> Extent | None:
        """The extent of the collection's features the actor may list: None when it may
        not read the collection or sees none of it, so an extent never tells a caller
        where or when there are features it could not list itself. One min/max query."""
        if collection == "zones":
            return zones_extent(self.settings.agreement)
        lon: Any
        lat: Any
        if collection == "incidents":
            if "incidents.read" not in may(actor):
                return None
            lon, lat = StoredIncident.lon, StoredIncident.lat
            first_us, last_us = StoredIncident.first_seen_us, StoredIncident.last_seen_us
            scope = [incident_scope(actor)]
        else:
            if "patrols.read" not in may(actor):
                return None
            lon, lat = StoredObservation.lon, StoredObservation.lat
            first_us = last_us = StoredObservation.observed_at_us
            scope = _patrol_reports(actor)
        query = select(
            func.min(lon),
            func.min(lat),
            func.max(lon),
            func.max(lat),
            func.min(first_us),
            func.max(last_us),
        ).where(*scope)
        with self.store.engine.connect() as connection:
            west, south, east, north, first, last = connection.execute(query).one()
        if west is None:
            return None
        return Extent((west, south, east, north), _iso(first), _iso(last))

    # --- patrols -------------------------------------------------------------------

    def patrols(
        self,
        actor: Actor,
        since_us: int | None = None,
        until_us: int | None = None,
    ) -> list[dict[str, Any]]:
        """Patrol routes as the patrols reported them: one LineString per patrol and day,
        through its reports in time order. An observer sees its own team's only."""
        require(actor, "patrols.read")
        query = select(
            StoredObservation.source_id,
            StoredObservation.observed_at_us,
            StoredObservation.lon,
            StoredObservation.lat,
        ).where(*_patrol_reports(actor))
        if since_us is not None:
            query = query.where(StoredObservation.observed_at_us >= since_us)
        if until_us is not None:
            query = query.where(StoredObservation.observed_at_us <= until_us)
        tracks: dict[tuple[str, dt.date], list[tuple[int, float, float]]] = defaultdict(list)
        with self.store.engine.connect() as connection:
            for source, at_us, lon, lat in connection.execute(
                query.order_by(StoredObservation.observed_at_us)
            ):
                day = dt.datetime.fromtimestamp(at_us / 1e6, dt.UTC).date()
                tracks[(source, day)].append((at_us, lon or 0.0, lat or 0.0))
        features = []
        for (source, day), points in sorted(tracks.items()):
            coordinates = [[lon, lat] for _, lon, lat in points]
            if len(coordinates) == 1:
                coordinates.append(coordinates[0])
            features.append(
                {
                    "type": "Feature",
                    "id": f"{source}/{day.isoformat()}",
                    "geometry": {"type": "LineString", "coordinates": coordinates},
                    "properties": {
                        "patrol": source,
                        "day": day.isoformat(),
                        "reports": len(points),
                        "start": _iso(points[0][0]),
                        "end": _iso(points[-1][0]),
                    },
                }
            )
        return features


def _patrol_reports(actor: Actor) -> list[ColumnElement[bool]]:
    """The patrol reports with a position that the actor may see (an observer: its team's)."""
    conditions = [StoredObservation.source_type == "patrol", StoredObservation.lon.is_not(None)]
    if actor.role is Role.observer:
        conditions.append(team_patrol(actor.team or ""))
    return conditions


def _iso(us: int) -> str:
    return dt.datetime.fromtimestamp(us / 1e6, dt.UTC).isoformat().replace("+00:00", "Z")
