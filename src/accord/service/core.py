"""The API core: what the server does, as functions of typed inputs and an `Actor`,
returning plain data. It knows no web framework; `app.py` only adapts it to HTTP.

Observations enter through the same validation, idempotency and quarantine as
file ingest (`prepare_batch` and `Store.commit_batch`): a batch is judged
record by record, so a bad record is quarantined with its reason and the good
ones are stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictFloat, model_validator
from sqlalchemy import ColumnElement, func, insert, select
from sqlalchemy.orm import Session

from accord.geo.places import check_language
from accord.report.daily import DailyReport, build_daily, edition_of
from accord.report.i18n import DEFAULT_TZ, zone
from accord.service.access import (
    incident_scope,
    may_transition,
    party_edition,
    require,
    submission_refusal,
)
from accord.service.auth import Actor, Role
from accord.service.errors import BadRequest, Forbidden, NotFound, PayloadTooLarge
from accord.service.settings import ServiceSettings
from accord.store import Store
from accord.store.database import BIGINT_MAX, WRITE
from accord.store.ledger import Draft as LedgerDraft
from accord.store.ledger import append as append_to_ledger
from accord.store.schema import StoredObservation
from accord.store.service import FieldReport, IncidentNote, IncidentPublication
from accord.store.verification import StoredIncident
from accord.verify.ingest import prepare_batch
from accord.verify.ingest_formats import decode
from accord.verify.rules import Severity
from accord.verify.workflow import (
    State,
    clocks,
    incident_detail,
    incident_ref,
    parse_ref,
    transition,
)


@dataclass(frozen=True)
class Page:
    """A checked limit/offset pair: the API's only way to page."""

    limit: int
    offset: int = 0

    @classmethod
    def parse(cls, limit: int | None, offset: int | None, settings: ServiceSettings) -> Page:
        """The page asked for; a limit over the server's largest page is cut to it."""
        limit = settings.page_limit_default if limit is None else limit
        offset = offset or 0
        if limit < 1:
            raise BadRequest(f"limit={limit}: give 1 to {settings.page_limit_max}")
        if offset < 0:
            raise BadRequest(f"offset={offset}: give 0 or more")
        return cls(min(limit, settings.page_limit_max), offset)


def us_to_iso(us: int) -> str:
    """Microseconds since the epoch as an ISO 8601 UTC time ending in Z."""
    return datetime.fromtimestamp(us / 1e6, UTC).isoformat().replace("+00:00", "Z")


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None


def iso_to_us(moment: datetime) -> int:
    """An aware time as microseconds since the epoch; a time without an offset is refused."""
    if moment.tzinfo is None:
        raise BadRequest(f"time {moment.isoformat()} has no UTC offset; add Z or +00:00")
    return int(moment.timestamp() * 1_000_000)


def _written(pattern: str, example: str) -> BeforeValidator:
    """Text only in the RFC 3339 form (or a date from Python code), never pydantic's
    lax forms (numbers as Unix times), so what the server takes is what its schema says."""
    shape = re.compile(pattern)

    def check(value: object) -> object:
        if isinstance(value, dt.date):
            return value
        if not (isinstance(value, str) and shape.match(value)):
            raise ValueError(f"{value!r}: write it like {example}")
        return value

    return BeforeValidator(check)


IsoDay = Annotated[dt.date, _written(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "2026-09-01")]
IsoTime = Annotated[
    datetime, _written(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}", "2026-09-01T08:00:00Z")
]


class TransitionRequest(BaseModel):
    """A move of an incident to another state of its workflow, with the reason for the record."""

    state: str = Field(description="The state to move to, e.g. confirmed or referred.")
    reason: str = Field(min_length=1, max_length=2000, description="Why, for the record.")


class NoteRequest(BaseModel):
    """An internal note on an incident, for the mission's staff."""

    text: str = Field(min_length=1, max_length=8000)


class FieldReportRequest(BaseModel):
    """A field report; lon and lat come together or not at all (the schema says so too)."""

    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {
                    "properties": {"lon": {"type": "number"}, "lat": {"type": "number"}},
                    "required": ["lon", "lat"],
                },
                {"properties": {"lon": {"type": "null"}, "lat": {"type": "null"}}},
            ]
        }
    )

    kind: str = Field(pattern="^(restriction|jamming)$", description="restriction or jamming")
    at: IsoTime = Field(description="When, with a UTC offset.")
    lon: StrictFloat | None = Field(None, ge=-180, le=180)
    lat: StrictFloat | None = Field(None, ge=-90, le=90)
    party: str | None = Field(None, pattern="^(UA|RU)$", description="Who imposed it.")
    description: str = Field(min_length=1, max_length=4000)

    @model_validator(mode="after")
    def _located_or_not(self) -> Self:
        if (self.lon is None) != (self.lat is None):
            raise ValueError("lon and lat come together: give both or neither")
        return self


def incident_json(row: StoredIncident, published: bool) -> dict[str, Any]:
    """An incident as the API, the OGC collection and the dashboard show it."""
    return {
        "id": incident_ref(row.id),
        "number": row.id,
        "state": row.state,
        "kind": row.kind,
        "term": row.term_id,
        "rule": row.rule_id,
        "severity": Severity(row.severity).name,
        "first_seen": us_to_iso(row.first_seen_us),
        "last_seen": us_to_iso(row.last_seen_us),
        "lon": row.lon,
        "lat": row.lat,
        "sector": row.sector,
        "party": row.party or None,
        "party_confidence": round(row.party_confidence, 4),
        "attribution": row.attribution,
        "confidence": round(row.confidence, 4),
        "sources": json.loads(row.sources),
        "source_types": json.loads(row.source_types),
        "observed_kinds": [k for k in row.kinds.split(",") if k],
        "team": row.team,
        "escalation": row.escalation or None,
        "confirmed": row.confirmed,
        "published": published,
    }


class Core:
    """The server's operations over one store."""

    def __init__(self, store: Store, settings: ServiceSettings) -> None:
        self.store = store
        self.settings = settings

    # --- observations and field reports -------------------------------------------

    def submit_observations(self, actor: Actor, records: Sequence[Any]) -> dict[str, Any]:
        """Store a batch as file ingest would; each bad record is quarantined with its reason.

        A record whose source the token may not speak for (another team's patrol, a
        party's notice from an observer) refuses the whole batch before anything is
        stored: forging is not a data error to quarantine, and a 403 means nothing
        happened."""
        require(actor, "observations.submit")
        if not records:
            raise BadRequest("the batch is empty: send one observation or a list of them")
        if len(records) > self.settings.max_batch_records:
            raise PayloadTooLarge(
                f"{len(records)} records in one batch; send at most "
                f"{self.settings.max_batch_records} per request"
            )
        refused = [
            f"record {n}: {reason}"
            for n, record in enumerate(records, 1)
            if (reason := submission_refusal(actor, record)) is not None
        ]
        if refused:
            raise Forbidden(
                f"nothing was stored: {actor.label} may not submit these as their source: "
                + "; ".join(refused[:20])
                + (f"; and {len(refused) - 20} more" if len(refused) > 20 else "")
            )
        texts = [json.dumps(r, sort_keys=True, separators=(",", ":")) for r in records]
        source = f"api:{actor.label}:{actor.name}"
        scope = hashlib.sha256(source.encode()).hexdigest()
        sourced = [
            decode(n, f"record {n}", text, value)
            for n, (text, value) in enumerate(zip(texts, records, strict=True), 1)
        ]
        pending = prepare_batch(
            sourced,
            source=source,
            fingerprint=None,
            position_label="record",
            reject_scope=scope,
            keyed_by_position=False,
        )
        rejected = [
            {"record": r.position, "reason": r.reason}
            for r in sorted(pending.rejects, key=lambda r: r.position)
        ]
        outcome = self.store.commit_batch(pending)
        accepted = set(outcome.accepted_ids)
        conflicts = outcome.quarantined - len(rejected)
        return {
            "records": len(records),
            "accepted": len(accepted),
            "duplicates": outcome.duplicates,
            "quarantined": outcome.quarantined,
            "accepted_ids": sorted(accepted),
            "rejected": rejected,
            "conflicts": max(conflicts, 0),
            "batch": outcome.batch_id,
        }

    def submit_field_report(self, actor: Actor, report: FieldReportRequest) -> dict[str, Any]:
        """Store an observer's field report under the caller's team; the stored row."""
        require(actor, "field_reports.submit")
        at_us = iso_to_us(report.at)
        row: dict[str, Any] = {
            "kind": report.kind,
            "team": actor.team or "mission",
            "at_us": at_us,
            "lon": report.lon,
            "lat": report.lat,
            "party": report.party,
            "description": report.description,
            "reported_by": actor.name,
        }
        with self.store.engine.connect() as connection:
            connection = connection.execution_options(**WRITE)
            with connection.begin():
                new_id = connection.execute(
                    insert(FieldReport).returning(FieldReport.id), row
                ).scalar_one()
        return {"id": new_id, **row, "at": us_to_iso(at_us)}

    def notifications(self, actor: Actor, page: Page) -> dict[str, Any]:
        """The parties' notices and declarations; a liaison sees its own party's only."""
        require(actor, "notifications.read")
        query = select(StoredObservation).where(StoredObservation.notification_party.is_not(None))
        if actor.role is Role.liaison:
            query = query.where(StoredObservation.notification_party == actor.party)
        with Session(self.store.engine) as session:
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            rows = session.scalars(
                query.order_by(StoredObservation.seq).limit(page.limit).offset(page.offset)
            ).all()
            items = [json.loads(r.record) for r in rows]
        return {"total": total, "items": items, "limit": page.limit, "offset": page.offset}

    # --- incidents ---------------------------------------------------------------

    def _published(self, session: Session, ids: Sequence[int]) -> set[int]:
        if not ids:
            return set()
        query = select(IncidentPublication.incident_id).where(
            IncidentPublication.incident_id.in_(ids)
        )
        return set(session.scalars(query))

    def incidents(
        self,
        actor: Actor,
        page: Page,
        *,
        state: str | None = None,
        party: str | None = None,
        since_us: int | None = None,
        until_us: int | None = None,
        bbox: tuple[float, float, float, float] | None = None,
        where: Sequence[ColumnElement[bool]] = (),
    ) -> dict[str, Any]:
        """The incidents the actor may see, newest first, with the total for paging;
        `where` adds conditions on the table (the OGC collection's property filters),
        always inside the actor's scope."""
        require(actor, "incidents.read")
        query = select(StoredIncident).where(incident_scope(actor), *where)
        if state is not None:
            if state not in {s.value for s in State}:
                states = ", ".join(s.value for s in State)
                raise BadRequest(f"state={state!r}: use one of {states}")
            query = query.where(StoredIncident.state == state)
        if party is not None:
            query = query.where(StoredIncident.party == party)
        if since_us is not None:
            query = query.where(StoredIncident.last_seen_us >= since_us)
        if until_us is not None:
            query = query.where(StoredIncident.first_seen_us <= until_us)
        if bbox is not None:
            west, south, east, north = bbox
            query = query.where(
                StoredIncident.lon.between(west, east), StoredIncident.lat.between(south, north)
            )
        with Session(self.store.engine) as session:
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            rows = session.scalars(
                query.order_by(StoredIncident.first_seen_us.desc(), StoredIncident.id.desc())
                .limit(page.limit)
                .offset(page.offset)
            ).all()
            published = self._published(session, [r.id for r in rows])
            items = [incident_json(r, r.id in published) for r in rows]
        return {"total": total, "items": items, "limit": page.limit, "offset": page.offset}

    def data_span(self, actor: Actor) -> dict[str, Any]:
        """When the data the actor may see begins and ends (incidents in its scope;
        for mission staff the observations too), so a client shows the data's own days:
        a store replayed or simulated months ago has nothing on the wall clock's."""
        require(actor, "span.read")
        incidents = select(
            func.min(StoredIncident.first_seen_us), func.max(StoredIncident.last_seen_us)
        ).where(incident_scope(actor))
        observed = select(
            func.min(StoredObservation.observed_at_us), func.max(StoredObservation.observed_at_us)
        )
        with self.store.engine.connect() as connection:
            bounds = [connection.execute(incidents).one()]
            if actor.mission:
                bounds.append(connection.execute(observed).one())
        firsts = [first for first, _ in bounds if first is not None]
        lasts = [last for _, last in bounds if last is not None]
        if not firsts:
            return {"first": None, "last": None, "first_day": None, "last_day": None}
        first, last = us_to_iso(min(firsts)), us_to_iso(max(lasts))
        return {"first": first, "last": last, "first_day": first[:10], "last_day": last[:10]}

    def _visible(self, actor: Actor, ref: str) -> int:
        """The incident's number, if the actor may see it; 404 alike when it does not
        exist and when it is hidden, so a party cannot probe the other's incidents."""
        require(actor, "incidents.read")
        try:
            number = parse_ref(ref)
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
        query = select(StoredIncident.id).where(StoredIncident.id == number, incident_scope(actor))
        with self.store.engine.connect() as connection:
            if number > BIGINT_MAX or connection.execute(query).scalar() is None:
                raise NotFound(f"no incident {incident_ref(number)} that {actor.label} may see")
        return number

    def incident(self, actor: Actor, ref: str) -> dict[str, Any]:
        """One incident with its evidence and history; notes for mission staff only."""
        number = self._visible(actor, ref)
        row, findings, history = incident_detail(self.store, number)
        with Session(self.store.engine) as session:
            published = bool(self._published(session, [number]))
            notes = (
                session.scalars(
                    select(IncidentNote)
                    .where(IncidentNote.incident_id == number)
                    .order_by(IncidentNote.id)
                ).all()
                if actor.mission
                else []
            )
            result = incident_json(row, published)
            result["evidence"] = [
                {
                    "observed_at": us_to_iso(f.observed_at_us),
                    "source": f.source_id,
                    "source_type": f.source_type,
                    "observed_kind": f.observed_kind,
                    "count": f.count,
                    "detail": f.detail,
                    "observations": json.loads(f.evidence),
                }
                for f in findings
            ]
            result["history"] = [
                {
                    "data_time": _iso(clocks(h)[0]),
                    "taken_at": _iso(clocks(h)[1]),
                    "from": h.from_state or None,
                    "to": h.to_state,
                    "actor": h.actor,
                    "reason": h.reason,
                }
                for h in history
            ]
            if actor.mission:
                result["notes"] = [
                    {
                        "at": n.at.isoformat().replace("+00:00", "Z"),
                        "author": n.author,
                        "text": n.text,
                    }
                    for n in notes
                ]
        return result

    def transition(self, actor: Actor, ref: str, request: TransitionRequest) -> dict[str, Any]:
        """Move an incident through its workflow, recorded with who and why in the ledger."""
        may_transition(actor, request.state)
        number = self._visible(actor, ref)
        transition(
            self.store,
            number,
            request.state,
            actor=f"{actor.label}:{actor.name}",
            reason=request.reason,
        )
        return self.incident(actor, ref)

    def add_note(self, actor: Actor, ref: str, request: NoteRequest) -> dict[str, Any]:
        """Add an internal note to an incident the caller may see; the note as stored."""
        require(actor, "incidents.notes")
        number = self._visible(actor, ref)
        row = {
            "incident_id": number,
            "author": actor.name,
            "at": datetime.now(UTC),
            "text": request.text,
        }
        with self.store.engine.connect() as connection:
            connection = connection.execution_options(**WRITE)
            with connection.begin():
                connection.execute(insert(IncidentNote), row)
        return {"incident": incident_ref(number), "author": actor.name, "text": request.text}

    def publish(self, actor: Actor, ref: str) -> dict[str, Any]:
        """Release an incident to the public and both parties; publishing twice is harmless."""
        require(actor, "incidents.publish")
        number = self._visible(actor, ref)
        with self.store.engine.connect() as connection:
            connection = connection.execution_options(**WRITE)
            with connection.begin():
                done = connection.execute(
                    select(IncidentPublication.incident_id).where(
                        IncidentPublication.incident_id == number
                    )
                ).scalar()
                if done is None:
                    at = datetime.now(UTC)
                    row = {"incident_id": number, "published_at": at, "published_by": actor.name}
                    connection.execute(insert(IncidentPublication), row)
                    # Publication decides what each party and the public see: ledgered.
                    payload = {"published_at": at.isoformat(), "published_by": actor.name}
                    append_to_ledger(
                        connection, [LedgerDraft("publication", incident_ref(number), payload)]
                    )
        return self.incident(actor, ref)


def daily_for(
    store: Store,
    actor: Actor,
    day: str,
    party: str | None,
    edition: str | None = None,
    *,
    lang: str = "en",
    tz: str = DEFAULT_TZ,
) -> DailyReport:
    """The report an API caller asked for, if the caller may read that edition
    (`edition="mission"`, with no party, is the mission staff's own)."""
    party_edition(actor, party, edition)
    try:
        parsed = dt.date.fromisoformat(day)
    except ValueError:
        raise BadRequest(f"date {day!r} is not a date; write YYYY-MM-DD") from None
    try:  # the report's own checks of what was asked, before it is built
        edition_of(party, edition)
        check_language(lang)
        zone(tz)
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    return build_daily(store, parsed, party, edition=edition, lang=lang, tz=tz)
