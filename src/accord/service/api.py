"""The /api routes: thin adapters that parse HTTP, call the core and return its data.

Everything a route does beyond that lives in `core`, `catalog` or `report.daily`;
each JSON answer has its model in `models`, so the OpenAPI describes its shape.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import AfterValidator

from accord.report.daily import DailyReport, to_pdf
from accord.report.i18n import DEFAULT_TZ
from accord.service import models, ogc
from accord.service.access import may, require, transitions_for
from accord.service.catalog import Catalog, places_geojson
from accord.service.core import (
    Core,
    FieldReportRequest,
    IsoDay,
    IsoTime,
    NoteRequest,
    Page,
    TransitionRequest,
    daily_for,
    iso_to_us,
)
from accord.service.deps import Caller, Limit, Offset
from accord.service.errors import BadRequest
from accord.service.http import ERRORS
from accord.service.settings import MAX_BATCH_RECORDS
from accord.store.database import BIGINT_MAX
from accord.verify.workflow import State

MOST_PLACES = 500  # one map view's labels, not the gazetteer in one request

IncidentRef = Annotated[
    str,
    Path(pattern=r"^(INC-|inc-)?[0-9]{1,18}$", description="INC-000012 or 12."),
]
LedgerRef = Annotated[
    str, Path(min_length=1, max_length=200, description="An entry's seq, or its ref.")
]
PlanId = Annotated[str, Path(max_length=200, description="A shipped plan's id.")]
Party = Literal["UA", "RU"]
Edition = Literal["public", "party", "mission"]
# Checked by the report, so a wrong one gets its own message (a 400 naming the choices).
Lang = Annotated[str, Query(max_length=8, description="Labels' language: en, uk or ru.")]
Tz = Annotated[
    str, Query(max_length=64, description="IANA time zone of the times shown, e.g. Europe/Kyiv.")
]


def mission_day(day: dt.date) -> dt.date:
    """Refuse a day outside the years the mission's days lie in, before any query runs."""
    if not 1900 <= day.year <= 2999:
        raise ValueError(f"{day} is outside 1900 to 2999, the years the mission's days lie in")
    return day


# Days of the mission's era: a date at the calendar's edge has no week before it.
Day = Annotated[
    IsoDay,
    Query(
        description="A day, YYYY-MM-DD, 1900 to 2999.",
        json_schema_extra={"pattern": "^(19[0-9]{2}|2[0-9]{3})-"},
    ),
    AfterValidator(mission_day),
]

router = APIRouter(prefix="/api", responses=ERRORS)


class PdfResponse(Response):
    """A daily report as PDF, so the OpenAPI names its media type."""

    media_type = "application/pdf"


def _core(request: Request) -> Core:
    core: Core = request.app.state.core
    return core


def _catalog(request: Request) -> Catalog:
    catalog: Catalog = request.app.state.catalog
    return catalog


@router.get("/me", tags=["auth"], response_model=models.Me)
def me(who: Caller) -> dict[str, Any]:
    """Who the token belongs to, its role, the actions that role may take, and the
    workflow steps it may take from each state."""
    require(who, "me.read")
    return {
        "role": who.role.value,
        "label": who.label,
        "name": who.name,
        "party": who.party,
        "team": who.team,
        "may": may(who),
        "transitions": transitions_for(who),
    }


@router.post("/observations", tags=["observations"], response_model=models.Submission)
def submit_observation(
    request: Request, who: Caller, record: Annotated[dict[str, Any], Body()]
) -> dict[str, Any]:
    """One observation (schema: `accord schema observation`); a re-sent id is stored once."""
    return _core(request).submit_observations(who, [record])


@router.post("/observations/batch", tags=["observations"], response_model=models.Submission)
def submit_batch(
    request: Request,
    who: Caller,
    records: Annotated[list[Any], Body(min_length=1, max_length=MAX_BATCH_RECORDS)],
) -> dict[str, Any]:
    """Many observations in one transaction; each bad record is quarantined with its reason."""
    return _core(request).submit_observations(who, records)


@router.post("/field-reports", tags=["observations"], response_model=models.FieldReportStored)
def submit_field_report(
    request: Request, who: Caller, report: FieldReportRequest
) -> dict[str, Any]:
    """A restriction of the observers' movement or a jamming of drones."""
    return _core(request).submit_field_report(who, report)


@router.get("/notifications", tags=["observations"], response_model=models.Notifications)
def notifications(
    request: Request, who: Caller, limit: Limit = None, offset: Offset = None
) -> dict[str, Any]:
    """The parties' notices; a liaison sees its own party's."""
    page = Page.parse(limit, offset, request.app.state.settings)
    return _core(request).notifications(who, page)


@router.get("/incidents", tags=["incidents"], response_model=models.Incidents)
def incidents(
    request: Request,
    who: Caller,
    state: State | None = None,
    party: Party | None = None,
    since: IsoTime | None = None,
    until: IsoTime | None = None,
    limit: Limit = None,
    offset: Offset = None,
) -> dict[str, Any]:
    """The incidents the caller may see, newest first."""
    page = Page.parse(limit, offset, request.app.state.settings)
    return _core(request).incidents(
        who,
        page,
        state=state.value if state else None,
        party=party,
        since_us=iso_to_us(since) if since else None,
        until_us=iso_to_us(until) if until else None,
    )


@router.get("/span", tags=["incidents"], response_model=models.Span)
def span(request: Request, who: Caller) -> dict[str, Any]:
    """The first and last time (and day) of the data the caller may see: incidents in
    its scope, and observations for mission staff; all null on an empty store. The
    dashboard's slider, charts and compliance panel open on the data's last day."""
    return _core(request).data_span(who)


@router.get(
    "/incidents/{ref}",
    tags=["incidents"],
    response_model=models.IncidentDetail,
    response_model_exclude_unset=True,
)
def incident(request: Request, who: Caller, ref: IncidentRef) -> dict[str, Any]:
    """One incident: evidence, history, and internal notes for mission staff."""
    return _core(request).incident(who, ref)


@router.post(
    "/incidents/{ref}/transition",
    tags=["incidents"],
    response_model=models.IncidentDetail,
    response_model_exclude_unset=True,
)
def transition(
    request: Request, who: Caller, ref: IncidentRef, body: TransitionRequest
) -> dict[str, Any]:
    """Move an incident through its workflow (recorded in the ledger); may send alerts."""
    result = _core(request).transition(who, ref, body)
    request.app.state.alerts.dispatch_due()
    return result


@router.post("/incidents/{ref}/notes", tags=["incidents"], response_model=models.NoteAdded)
def add_note(request: Request, who: Caller, ref: IncidentRef, body: NoteRequest) -> dict[str, Any]:
    """An internal note, for mission staff only."""
    return _core(request).add_note(who, ref, body)


@router.post(
    "/incidents/{ref}/publish",
    tags=["incidents"],
    response_model=models.IncidentDetail,
    response_model_exclude_unset=True,
)
def publish(request: Request, who: Caller, ref: IncidentRef) -> dict[str, Any]:
    """Release an incident to the public and both parties."""
    return _core(request).publish(who, ref)


@router.get("/alerts", tags=["alerts"], response_model=list[models.Delivery])
def alerts(request: Request, who: Caller) -> list[dict[str, Any]]:
    """Alerts sent (CAP by webhook, CoT to TAK) and how each delivery went."""
    deliveries: list[dict[str, Any]] = request.app.state.alerts.deliveries(who)
    return deliveries


@router.get("/compliance/{party}", tags=["compliance"], response_model=models.Compliance)
def compliance(
    request: Request,
    who: Caller,
    party: Party,
    day: Day,
    period: Literal["day", "week"] = "day",
) -> dict[str, Any]:
    """A party's compliance index and figures for the day or week holding `day`."""
    return _catalog(request).compliance(who, party, period, day.isoformat())


@router.get("/conditions", tags=["compliance"], response_model=list[models.ConditionPhase])
def conditions(request: Request, who: Caller, since: Day, until: Day) -> list[dict[str, Any]]:
    """Each incentive's phase over the period (at most ten years, `until` not before
    `since`), from the store's compliance figures."""
    return _catalog(request).conditions(who, since.isoformat(), until.isoformat())


@router.get("/plans", tags=["plans"], response_model=list[models.PlanSummary])
def plans(request: Request, who: Caller) -> list[dict[str, Any]]:
    """The shipped plans."""
    return _catalog(request).plans(who)


@router.get("/plans/compare", tags=["plans"], response_class=HTMLResponse)
def plans_compare(
    request: Request, who: Caller, plan: Annotated[list[str] | None, Query()] = None
) -> HTMLResponse:
    """The side-by-side comparison (HTML); all plans unless some are named."""
    return HTMLResponse(_catalog(request).comparison_html(who, plan or []))


@router.get("/plans/{plan_id}", tags=["plans"], response_model=models.Plan)
def plan(request: Request, who: Caller, plan_id: PlanId) -> dict[str, Any]:
    """One shipped plan, term by term."""
    return _catalog(request).plan(who, plan_id)


@router.get("/negotiation", tags=["plans"], response_model=models.Negotiation)
def negotiation(request: Request, who: Caller) -> dict[str, Any]:
    """The negotiation analysis of the shipped plans, as data."""
    return _catalog(request).negotiation(who)


@router.get("/negotiation/report", tags=["plans"], response_class=HTMLResponse)
def negotiation_report(request: Request, who: Caller) -> HTMLResponse:
    """The negotiation report (HTML)."""
    return HTMLResponse(_catalog(request).negotiation_html(who))


@router.get("/ledger/roots", tags=["ledger"], response_model=list[models.SignedRoot])
def ledger_roots(request: Request, who: Caller) -> list[dict[str, Any]]:
    """Each closed day's signed Merkle root."""
    return _catalog(request).ledger_roots(who)


@router.get("/ledger/proofs/{ref}", tags=["ledger"], response_model=models.InclusionProof)
def ledger_proof(request: Request, who: Caller, ref: LedgerRef) -> dict[str, Any]:
    """An inclusion proof of one entry (seq or ref) in its day's signed root."""
    return _catalog(request).ledger_proof(who, ref)


@router.get("/ledger/consistency", tags=["ledger"], response_model=models.ConsistencyProof)
def ledger_consistency(
    request: Request,
    who: Caller,
    first: Annotated[int, Query(ge=1, le=BIGINT_MAX, description="A held checkpoint's size.")],
    second: Annotated[
        int | None, Query(ge=1, le=BIGINT_MAX, description="A later size; today's if omitted.")
    ] = None,
) -> dict[str, Any]:
    """An RFC 6962 consistency proof between two sizes of the log (only hashes), for a
    party to check that a later checkpoint extends the one it holds."""
    return _catalog(request).ledger_consistency(who, first, second)


@router.get("/zones", tags=["map"], response_model=models.Zones)
def zones(request: Request, who: Caller) -> dict[str, Any]:
    """The line of contact and the agreement's zones (GeoJSON)."""
    require(who, "zones.read")
    return _catalog(request).zones


@router.get("/patrols", tags=["map"], response_model=models.FeatureCollection)
def patrols(request: Request, who: Caller) -> dict[str, Any]:
    """Patrol routes as reported (GeoJSON)."""
    return {"type": "FeatureCollection", "features": _catalog(request).patrols(who)}


@router.get(
    "/basemap", tags=["map"], response_class=ogc.GeoJSONResponse, response_model=models.Basemap
)
def basemap() -> Response:
    """Natural Earth 1:50m countries of Europe (GeoJSON), the dashboard's base map."""
    text = (resources.files("accord.geo") / "data" / "countries_50m_europe.geojson").read_bytes()
    return Response(text, media_type=ogc.GEOJSON)


@router.get("/places", tags=["map"], response_model=models.FeatureCollection)
def places(
    bbox: Annotated[
        str,
        Query(
            description="west,south,east,north in decimal degrees, like 37.5,47.8,38.2,48.3.",
            json_schema_extra={"pattern": f"^{ogc.BBOX_PATTERN}$"},
        ),
    ],
    limit: Annotated[
        int, Query(ge=1, le=MOST_PLACES, description="How many places, 1 to 500.")
    ] = 50,
) -> dict[str, Any]:
    """Settlements in a box, most populous first (GeoJSON), for the map's town labels;
    public, as the gazetteer is (GeoNames, CC BY 4.0)."""
    area = ogc.parse_bbox(bbox)
    if area is None:  # FastAPI asks for it first; this keeps the type honest
        raise BadRequest("bbox is required: west,south,east,north in decimal degrees")
    return places_geojson(area, limit)


def asked_daily(
    request: Request,
    who: Caller,
    date: Day,
    party: Party | None = None,
    edition: Edition | None = None,
    lang: Lang = "en",
    tz: Tz = DEFAULT_TZ,
) -> DailyReport:
    """The report both routes serve, from the same query parameters."""
    return daily_for(
        request.app.state.store, who, date.isoformat(), party, edition, lang=lang, tz=tz
    )


Daily = Annotated[DailyReport, Depends(asked_daily)]


@router.get("/reports/daily", tags=["reports"], response_class=HTMLResponse)
def daily_report(report: Daily) -> HTMLResponse:
    """The daily report (HTML). Without parameters, the public edition (published
    incidents only), which anyone may read; `party=UA` or `party=RU`, that party's
    edition (its liaison and mission staff); `edition=mission` with no party, the
    mission's own edition: every incident, how many are unpublished and the internal
    notes, for mission staff (admin, analyst) only. `lang` (en, uk, ru) picks the
    labels' language and `tz` (an IANA zone, default Europe/Kyiv) the local time shown
    beside its UTC offset; the cut-off stays 18:00 UTC."""
    return HTMLResponse(report.html)


@router.get("/reports/daily.pdf", tags=["reports"], response_class=PdfResponse)
def daily_report_pdf(report: Daily) -> Response:
    """The daily report as PDF; editions, languages and zones as for HTML."""
    return Response(to_pdf(report.html), media_type="application/pdf")
