"""The OGC collections' queryables (OGC API - Features Part 3) and the property filters
they allow as query parameters (`?state=referred&severity=high`).

Each queryable has a JSON Schema type and, where the values are a fixed set, its
enum: both come from the code (workflow states, severities, parties), never from
the stored rows, so the queryables tell a caller nothing about incidents it may
not see. A filter narrows what the caller may see; it never widens it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement

from accord.service.errors import BadRequest
from accord.store.service import PARTIES
from accord.store.verification import StoredIncident
from accord.verify.rules import Severity
from accord.verify.workflow import State

Value = str | int | bool


@dataclass(frozen=True)
class Queryable:
    """One property a collection's items may be filtered on, by equality."""

    name: str
    title: str
    type: str = "string"  # a JSON Schema type: string, integer or boolean
    enum: tuple[str, ...] = ()
    format: str | None = None  # "date" for YYYY-MM-DD

    def schema(self) -> dict[str, Any]:
        """The property's JSON Schema, as the queryables document and the OpenAPI give it."""
        out: dict[str, Any] = {"title": self.title, "type": self.type}
        if self.enum:
            out["enum"] = list(self.enum)
        if self.format:
            out["format"] = self.format
        return out

    def parse(self, text: str) -> Value:
        """The value of `name=text`, or a 400 that says what the property takes."""
        if self.enum and text not in self.enum:
            raise BadRequest(f"{self.name}={text!r}: use one of {', '.join(self.enum)}")
        if self.type == "boolean":
            if text not in ("true", "false"):
                raise BadRequest(f"{self.name}={text!r}: use true or false")
            return text == "true"
        if self.type == "integer":
            if not re.fullmatch(r"-?[0-9]{1,18}", text):
                raise BadRequest(f"{self.name}={text!r}: give a whole number")
            return int(text)
        if self.format == "date":
            try:
                if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
                    raise ValueError(text)
                return dt.date.fromisoformat(text).isoformat()
            except ValueError:
                raise BadRequest(f"{self.name}={text!r}: write a day as YYYY-MM-DD") from None
        return text


INCIDENTS = (
    Queryable("state", "Workflow state", enum=tuple(s.value for s in State)),
    Queryable("party", "Party the incident is attributed to", enum=PARTIES),
    Queryable("severity", "Severity", enum=tuple(s.name for s in Severity)),
    Queryable("kind", "Kind of rule broken (presence, movement, ...)"),
    Queryable("term", "Agreement term the rule comes from"),
    Queryable("rule", "Rule id"),
    Queryable("sector", "Monitoring sector"),
    Queryable("team", "Observer team the incident is routed to"),
    Queryable("confirmed", "Confirmed by a second independent source", type="boolean"),
)
ZONES = (
    Queryable("term", "Agreement term (or line-of-contact)"),
    Queryable("kind", "Kind of zone: line, side, dmz, band, region, exclusion"),
    Queryable("status", "The term's status in the agreement"),
)
PATROLS = (
    Queryable("patrol", "Patrol (source id of its reports)"),
    Queryable("day", "Day of the route (UTC)", format="date"),
)
QUERYABLES: dict[str, tuple[Queryable, ...]] = {
    "zones": ZONES,
    "incidents": INCIDENTS,
    "patrols": PATROLS,
}
GEOMETRY_FORMAT = {
    "zones": "geometry-any",
    "incidents": "geometry-point",
    "patrols": "geometry-linestring",
}

# The incidents' filters are SQL conditions inside the caller's scope; the value a
# client writes is the one the feature shows (a severity's name, not its number).
_INCIDENT_COLUMN: dict[str, Any] = {
    "state": StoredIncident.state,
    "party": StoredIncident.party,
    "severity": StoredIncident.severity,
    "kind": StoredIncident.kind,
    "term": StoredIncident.term_id,
    "rule": StoredIncident.rule_id,
    "sector": StoredIncident.sector,
    "team": StoredIncident.team,
    "confirmed": StoredIncident.confirmed,
}


def queryables_document(collection: str, href: str) -> dict[str, Any]:
    """The collection's queryables as a JSON Schema (Part 3, /collections/{id}/queryables)."""
    properties: dict[str, Any] = {
        "geometry": {"format": GEOMETRY_FORMAT[collection], "x-ogc-role": "primary-geometry"}
    }
    properties.update({q.name: q.schema() for q in QUERYABLES[collection]})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": href,
        "type": "object",
        "title": f"Queryables of {collection}",
        "properties": properties,
        "additionalProperties": False,
    }


def property_filters(collection: str, query: Mapping[str, str]) -> dict[str, Value]:
    """The queryables named in the query string, each parsed to its type."""
    return {q.name: q.parse(query[q.name]) for q in QUERYABLES[collection] if q.name in query}


def incident_conditions(filters: Mapping[str, Value]) -> list[ColumnElement[bool]]:
    """The incidents' property filters as SQL conditions."""
    conditions = []
    for name, value in filters.items():
        stored = Severity[str(value)].value if name == "severity" else value
        conditions.append(_INCIDENT_COLUMN[name] == stored)
    return conditions


def matches(feature: Mapping[str, Any], filters: Mapping[str, Value]) -> bool:
    """Whether a feature's properties equal every filter (zones and patrols, in memory)."""
    properties = feature.get("properties") or {}
    return all(properties.get(name) == value for name, value in filters.items())
