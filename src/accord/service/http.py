"""HTTP plumbing shared by every route: the error body and its OpenAPI description,
and the ASGI middleware around the app (body limits, token-free addresses, JSON
depth, security headers, and the 500 that keeps a bug's text in the server log)."""

from __future__ import annotations

import logging
import uuid
from typing import Any
from urllib.parse import parse_qsl

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accord.limits import MAX_DEPTH, TooDeep, check_depth
from accord.service.auth import ADDRESS_TOKEN_NAMES
from accord.service.errors import BadRequest, PayloadTooLarge, ServiceError

LOG = logging.getLogger("accord.service")

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
        (500, "A fault of the server; the detail gives the id its log has it under"),
    )
}


def error_response(error: ServiceError, headers: dict[str, str] | None = None) -> JSONResponse:
    """The JSON error body (status, title, detail) every route answers a ServiceError with."""
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


class ServerErrors:
    """A fault of the server (any exception the error table does not map) is a 500
    whose detail gives only a correlation id: the exception's text and traceback go
    to the server's log under that id, never to the client, since a bug's message
    can name files, tables or other callers' data. Innermost middleware, so the
    other middleware's answers stand."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except ServiceError as exc:  # a refusal raised outside the routes' handlers
            if started:
                raise
            await error_response(exc)(scope, receive, send)
        except Exception:
            correlation = str(uuid.uuid4())
            LOG.exception(
                "internal error, correlation id %s: %s %s",
                correlation,
                scope["method"],
                scope["path"],
            )
            if started:  # half an answer is out: the connection can only be dropped
                raise
            detail = f"the server failed on this request: correlation id {correlation}"
            await error_response(ServiceError(detail))(scope, receive, send)
