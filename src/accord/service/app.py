"""The FastAPI adapter: thin routes that parse HTTP, call the core and return its data.

Everything a route does beyond that lives in `core`, `catalog`, `ogc` or
`report.daily`. Errors of any layer become `{"status", "title", "detail"}` with
the status the error table in `errors` gives; every route documents them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from functools import partial
from importlib import resources
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl

from fastapi import APIRouter, Body, Depends, FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import AfterValidator
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accord import __version__
from accord.limits import MAX_DEPTH, TooDeep, check_depth
from accord.report.daily import DailyReport, to_pdf
from accord.report.i18n import DEFAULT_TZ
from accord.service import ogc
from accord.service.access import may, require, transitions_for
from accord.service.alerts import Alerts
from accord.service.auth import ADDRESS_TOKEN_NAMES, redact_server_logs
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
from accord.service.deps import Caller, Limit, Offset, RateLimiter
from accord.service.errors import (
    STATUS_OF,
    BadRequest,
    PayloadTooLarge,
    ServiceError,
    Unprocessable,
    as_service_error,
)
from accord.service.settings import MAX_BATCH_RECORDS, ServiceSettings
from accord.store import Store, open_store
from accord.store.database import BIGINT_MAX
from accord.verify.workflow import State

MOST_PLACES = 500  # one map view's labels, not the gazetteer in one request

ERROR_BODY = {
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {
                    "status": {"type": "integer"},
                    "title": {"type": "string"},
                    "detail": {"type": "string"},
                },
                "required": ["status", "title", "detail"],
            }
        }
    }
}
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"description": title, **ERROR_BODY}
    for code, title in (
        (400, "Bad request: a parameter or field is wrong; the detail says which"),
        (401, "No token, or an unknown or revoked one"),
        (403, "The token's role may not do this"),
        (404, "No such thing, or not one the caller may see"),
        (405, "Method not allowed"),
        (409, "The incident's state does not allow this step"),
        (413, "The request body or batch is too large"),
        (422, "The body does not match its schema"),
        (429, "Too many requests from this token in the last minute"),
    )
}


def error_response(error: ServiceError, headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"status": error.status, "title": error.title, "detail": error.detail}
    return JSONResponse(body, status_code=error.status, headers=headers)


class BodyLimit:
    """Refuse bodies over the limit before the app reads them (413), by their
    declared length or, when streamed without one, as they arrive: the app's own
    answer to the cut-off body (a parse error) is replaced by the 413."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _too_large(self.limit)(scope, receive, send)
            return
        seen = 0
        over = False

        async def counted() -> Message:
            nonlocal seen, over
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                over = True
                raise PayloadTooLarge(f"the body is over {self.limit} bytes; send less per request")
            return message

        async def answer(message: Message) -> None:
            if not over:
                await send(message)
            elif message["type"] == "http.response.start":
                await _too_large(self.limit)(scope, receive, send)

        await self.app(scope, counted, answer)


# The dashboard loads only its own scripts and styles; Leaflet and milsymbol set
# inline styles, reports open in a blob: frame and may hold data: images.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "frame-src blob:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
]


class SecurityHeaders:
    """Every response, errors and the dashboard's files included, carries the CSP,
    X-Frame-Options and X-Content-Type-Options headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def headed(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *SECURITY_HEADERS]}
            await send(message)

        await self.app(scope, receive, headed if scope["type"] == "http" else send)


class NoTokenInAddress:
    """Refuse a request that carries a token in its address (`?token=`), before any
    route sees it: an address is kept in browser history, proxies' and the server's
    access logs and Referer headers, so a token there is a token leaked. The
    dashboard signs in with a form and sends the token in the Authorization header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        query = scope.get("query_string", b"").decode("latin-1") if scope["type"] == "http" else ""
        names = {name.lower() for name, _ in parse_qsl(query, keep_blank_values=True)}
        if names & ADDRESS_TOKEN_NAMES:
            detail = (
                "a token is never taken from the address, where logs and browser history "
                "keep it: send `Authorization: Bearer <token>`, or sign in with the "
                "dashboard's form at /dashboard/; a token already sent in an address "
                "should be revoked (`accord tokens revoke`)"
            )
            await error_response(BadRequest(detail))(scope, receive, send)
            return
        await self.app(scope, receive, send)


class JsonDepth:
    """Refuse a JSON body nested deeper than the records it may hold, with a clear 400,
    before the app parses it: Python's parser recursed once per level, so a body
    1,000 levels deep came back as "There was an error parsing the body". Inside
    BodyLimit, so a body is held here only once its size is known to be allowed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        content_type = dict(scope.get("headers", [])).get(b"content-type", b"")
        if scope["type"] != "http" or b"json" not in content_type:
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        try:
            while not messages or messages[-1].get("more_body", False):
                messages.append(await receive())
        except PayloadTooLarge as exc:
            await error_response(exc)(scope, receive, send)
            return
        body = b"".join(m.get("body", b"") for m in messages)
        try:
            # A batch is a list of records: one level more than a record may have.
            check_depth(body.decode("utf-8", "replace"), MAX_DEPTH + 1)
        except TooDeep as exc:
            detail = f"the body is {exc} (at character {exc.offset + 1}); send flatter records"
            await error_response(BadRequest(detail))(scope, receive, send)
            return
        replay = iter(messages)

        async def replayed() -> Message:
            return next(replay, {"type": "http.disconnect"})

        await self.app(scope, replayed, send)


def _too_large(limit: int) -> JSONResponse:
    return error_response(PayloadTooLarge(f"the body is over {limit} bytes; send less per request"))


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
    media_type = "application/pdf"


def _core(request: Request) -> Core:
    core: Core = request.app.state.core
    return core


def _catalog(request: Request) -> Catalog:
    catalog: Catalog = request.app.state.catalog
    return catalog


@router.get("/me", tags=["auth"])
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


@router.post("/observations", tags=["observations"])
def submit_observation(
    request: Request, who: Caller, record: Annotated[dict[str, Any], Body()]
) -> dict[str, Any]:
    """One observation (schema: `accord schema observation`); a re-sent id is stored once."""
    return _core(request).submit_observations(who, [record])


@router.post("/observations/batch", tags=["observations"])
def submit_batch(
    request: Request,
    who: Caller,
    records: Annotated[list[Any], Body(min_length=1, max_length=MAX_BATCH_RECORDS)],
) -> dict[str, Any]:
    """Many observations in one transaction; each bad record is quarantined with its reason."""
    return _core(request).submit_observations(who, records)


@router.post("/field-reports", tags=["observations"])
def submit_field_report(
    request: Request, who: Caller, report: FieldReportRequest
) -> dict[str, Any]:
    """A restriction of the observers' movement or a jamming of drones."""
    return _core(request).submit_field_report(who, report)


@router.get("/notifications", tags=["observations"])
def notifications(
    request: Request, who: Caller, limit: Limit = None, offset: Offset = None
) -> dict[str, Any]:
    """The parties' notices; a liaison sees its own party's."""
    page = Page.parse(limit, offset, request.app.state.settings)
    return _core(request).notifications(who, page)


@router.get("/incidents", tags=["incidents"])
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


@router.get("/span", tags=["incidents"])
def span(request: Request, who: Caller) -> dict[str, Any]:
    """The first and last time (and day) of the data the caller may see: incidents in
    its scope, and observations for mission staff; all null on an empty store. The
    dashboard's slider, charts and compliance panel open on the data's last day."""
    return _core(request).data_span(who)


@router.get("/incidents/{ref}", tags=["incidents"])
def incident(request: Request, who: Caller, ref: IncidentRef) -> dict[str, Any]:
    """One incident: evidence, history, and internal notes for mission staff."""
    return _core(request).incident(who, ref)


@router.post("/incidents/{ref}/transition", tags=["incidents"])
def transition(
    request: Request, who: Caller, ref: IncidentRef, body: TransitionRequest
) -> dict[str, Any]:
    """Move an incident through its workflow (recorded in the ledger); may send alerts."""
    result = _core(request).transition(who, ref, body)
    request.app.state.alerts.dispatch_due()
    return result


@router.post("/incidents/{ref}/notes", tags=["incidents"])
def add_note(request: Request, who: Caller, ref: IncidentRef, body: NoteRequest) -> dict[str, Any]:
    """An internal note, for mission staff only."""
    return _core(request).add_note(who, ref, body)


@router.post("/incidents/{ref}/publish", tags=["incidents"])
def publish(request: Request, who: Caller, ref: IncidentRef) -> dict[str, Any]:
    """Release an incident to the public and both parties."""
    return _core(request).publish(who, ref)


@router.get("/alerts", tags=["alerts"])
def alerts(request: Request, who: Caller) -> list[dict[str, Any]]:
    """Alerts sent (CAP by webhook, CoT to TAK) and how each delivery went."""
    deliveries: list[dict[str, Any]] = request.app.state.alerts.deliveries(who)
    return deliveries


@router.get("/compliance/{party}", tags=["compliance"])
def compliance(
    request: Request,
    who: Caller,
    party: Party,
    day: Day,
    period: Literal["day", "week"] = "day",
) -> dict[str, Any]:
    """A party's compliance index and figures for the day or week holding `day`."""
    return _catalog(request).compliance(who, party, period, day.isoformat())


@router.get("/conditions", tags=["compliance"])
def conditions(request: Request, who: Caller, since: Day, until: Day) -> list[dict[str, Any]]:
    """Each incentive's phase over the period (at most ten years, `until` not before
    `since`), from the store's compliance figures."""
    return _catalog(request).conditions(who, since.isoformat(), until.isoformat())


@router.get("/plans", tags=["plans"])
def plans(request: Request, who: Caller) -> list[dict[str, Any]]:
    """The shipped plans."""
    return _catalog(request).plans(who)


@router.get("/plans/compare", tags=["plans"], response_class=HTMLResponse)
def plans_compare(
    request: Request, who: Caller, plan: Annotated[list[str] | None, Query()] = None
) -> HTMLResponse:
    """The side-by-side comparison (HTML); all plans unless some are named."""
    return HTMLResponse(_catalog(request).comparison_html(who, plan or []))


@router.get("/plans/{plan_id}", tags=["plans"])
def plan(request: Request, who: Caller, plan_id: PlanId) -> dict[str, Any]:
    """One shipped plan, term by term."""
    return _catalog(request).plan(who, plan_id)


@router.get("/negotiation", tags=["plans"])
def negotiation(request: Request, who: Caller) -> dict[str, Any]:
    """The negotiation analysis of the shipped plans, as data."""
    return _catalog(request).negotiation(who)


@router.get("/negotiation/report", tags=["plans"], response_class=HTMLResponse)
def negotiation_report(request: Request, who: Caller) -> HTMLResponse:
    """The negotiation report (HTML)."""
    return HTMLResponse(_catalog(request).negotiation_html(who))


@router.get("/ledger/roots", tags=["ledger"])
def ledger_roots(request: Request, who: Caller) -> list[dict[str, Any]]:
    """Each closed day's signed Merkle root."""
    return _catalog(request).ledger_roots(who)


@router.get("/ledger/proofs/{ref}", tags=["ledger"])
def ledger_proof(request: Request, who: Caller, ref: LedgerRef) -> dict[str, Any]:
    """An inclusion proof of one entry (seq or ref) in its day's signed root."""
    return _catalog(request).ledger_proof(who, ref)


@router.get("/ledger/consistency", tags=["ledger"])
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


@router.get("/zones", tags=["map"])
def zones(request: Request, who: Caller) -> dict[str, Any]:
    """The line of contact and the agreement's zones (GeoJSON)."""
    require(who, "zones.read")
    return _catalog(request).zones


@router.get("/patrols", tags=["map"])
def patrols(request: Request, who: Caller) -> dict[str, Any]:
    """Patrol routes as reported (GeoJSON)."""
    return {"type": "FeatureCollection", "features": _catalog(request).patrols(who)}


@router.get("/basemap", tags=["map"], response_class=ogc.GeoJSONResponse)
def basemap() -> Response:
    """Natural Earth 1:50m countries of Europe (GeoJSON), the dashboard's base map."""
    text = (resources.files("accord.geo") / "data" / "countries_50m_europe.geojson").read_bytes()
    return Response(text, media_type=ogc.GEOJSON)


@router.get("/places", tags=["map"])
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


def _service_error(_: Request, exc: Exception) -> JSONResponse:
    error = as_service_error(exc)
    if error is None:
        raise exc
    return error_response(error)


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    """A wrong parameter is a bad request (400), told with what the parameter takes;
    a body off its schema is 422."""
    if not isinstance(exc, RequestValidationError):
        raise exc
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    described = {
        field.alias: field.field_info.description
        for field in (
            [*dependant.query_params, *dependant.path_params] if dependant is not None else []
        )
        if field.field_info.description
    }
    problems = "; ".join(
        f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
        + (f" ({described[e['loc'][-1]]})" if e["loc"][-1] in described else "")
        for e in exc.errors()
    )
    body = any(e["loc"][:1] == ("body",) for e in exc.errors())
    error = Unprocessable if body else BadRequest
    return error_response(error(problems or "invalid request"))


def _http_error(_: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, StarletteHTTPException):
        raise exc
    body = {"status": exc.status_code, "title": "HTTP error", "detail": str(exc.detail)}
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


async def _dispatch_forever(alerts: Alerts, interval_s: float) -> None:
    while True:
        await asyncio.to_thread(alerts.dispatch_due)
        await asyncio.sleep(interval_s)


@asynccontextmanager
async def _alerting(app: FastAPI) -> AsyncIterator[None]:
    """Incidents referred by verification's escalation, not only those moved through
    the API, raise their alerts: a background loop sends what is due while the
    server runs, when an alert channel is configured."""
    settings: ServiceSettings = app.state.settings
    task = None
    if settings.alert_webhook_url or settings.tak_endpoint:
        task = asyncio.create_task(_dispatch_forever(app.state.alerts, settings.alert_interval_s))
    yield
    if task is not None:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
    app.state.alerts.close()


def create_app(settings: ServiceSettings | None = None, store: Store | None = None) -> FastAPI:
    """The server over `store` (opened from the settings' database when not given)."""
    settings = settings or ServiceSettings()
    store = store or open_store(settings.database_url)
    app = FastAPI(
        title="accord: the mission's server",
        version=__version__,
        description="Observations in; incidents, compliance, conditions, plans and the "
        "ledger out; OGC API - Features under /ogc; the dashboard under /dashboard/.",
        responses=ERRORS,
        lifespan=_alerting,
    )
    redact_server_logs()
    app.state.settings = settings
    app.state.store = store
    app.state.core = Core(store, settings)
    app.state.catalog = Catalog(store, settings)
    app.state.alerts = Alerts(store, settings)
    app.state.limiter = RateLimiter(settings.rate_limit_per_minute)
    app.include_router(router)
    app.include_router(ogc.router)
    app.openapi = partial(ogc.openapi, app)  # type: ignore[method-assign]
    handled: list[type[Exception]] = [ServiceError, *(domain for domain, _ in STATUS_OF)]
    for kind in handled:
        app.add_exception_handler(kind, _service_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    dashboard = resources.files("accord.service") / "dashboard"
    app.mount("/dashboard", StaticFiles(directory=str(dashboard), html=True), name="dashboard")
    app.add_api_route("/", _home, include_in_schema=False)
    app.add_middleware(JsonDepth)
    app.add_middleware(NoTokenInAddress)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    return app


def _home() -> RedirectResponse:
    return RedirectResponse("/dashboard/")
