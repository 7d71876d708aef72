"""The server: the /api and /ogc routers, the dashboard's files, the error handlers
and the middleware, assembled over one store. Errors of any layer become
`{"status", "title", "detail"}` with the status the error table in `errors` gives;
anything else is a 500 that shows only a correlation id (`http.ServerErrors`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from functools import partial
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from accord import __version__
from accord.service import api, ogc
from accord.service.alerts import Alerts
from accord.service.auth import redact_server_logs
from accord.service.catalog import Catalog
from accord.service.core import Core
from accord.service.deps import RateLimiter
from accord.service.errors import (
    STATUS_OF,
    BadRequest,
    ServiceError,
    Unprocessable,
    as_service_error,
)
from accord.service.http import (
    ERRORS,
    BodyLimit,
    JsonDepth,
    NoTokenInAddress,
    SecurityHeaders,
    ServerErrors,
    error_response,
)
from accord.service.settings import ServiceSettings
from accord.store import Store, open_store


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
    app.include_router(api.router)
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
    app.add_middleware(ServerErrors)
    app.add_middleware(JsonDepth)
    app.add_middleware(NoTokenInAddress)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    return app


def _home() -> RedirectResponse:
    return RedirectResponse("/dashboard/")
