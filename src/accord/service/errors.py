"""Errors of the API core, each carrying its HTTP status, and the one table that maps
the domain's own exceptions to a status. Adapters turn any of them into
`{"status": ..., "title": ..., "detail": ...}`; nothing else decides a status.

Only accord's own exceptions are mapped: a `KeyError` or `ValueError` from a bug is
a 500 whose text stays in the server's log, never a 404 or 400 that shows it."""

from __future__ import annotations

from accord.agreement import AgreementFileError
from accord.book import LedgerError
from accord.plans import UnknownPlanError
from accord.verify.workflow import IllegalTransition


class ServiceError(Exception):
    """A request the core refuses; `detail` says what was wrong and what would be right."""

    status = 500
    title = "Internal error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class BadRequest(ServiceError):
    """A request the server cannot read: a bad parameter, body or format."""

    status = 400
    title = "Bad request"


class Unauthorized(ServiceError):
    """No usable token: none sent, malformed, or one the store does not know or has revoked."""

    status = 401
    title = "Not authenticated"


class Forbidden(ServiceError):
    """The caller's role may not take this action or see this thing."""

    status = 403
    title = "Forbidden"


class NotFound(ServiceError):
    """No such thing, or not one the caller may see."""

    status = 404
    title = "Not found"


class Conflict(ServiceError):
    """A workflow step the incident's state does not allow."""

    status = 409
    title = "Conflict"


class PayloadTooLarge(ServiceError):
    """A request body or batch over the server's limits."""

    status = 413
    title = "Payload too large"


class Unprocessable(ServiceError):
    """A body that parses but does not match its schema."""

    status = 422
    title = "Unprocessable"


class TooManyRequests(ServiceError):
    """Over the per-token allowance of requests in a minute."""

    status = 429
    title = "Too many requests"


# The domain's own exceptions and the status they mean to a client; the first match wins.
STATUS_OF: tuple[tuple[type[Exception], type[ServiceError]], ...] = (
    (IllegalTransition, Conflict),
    (UnknownPlanError, NotFound),
    (LedgerError, NotFound),
    (AgreementFileError, Unprocessable),
)


def as_service_error(exc: Exception) -> ServiceError | None:
    """The service error an exception stands for, or None when it is a bug (a 500)."""
    if isinstance(exc, ServiceError):
        return exc
    for kind, error in STATUS_OF:
        if isinstance(exc, kind):
            text = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
            return error(text)
    return None
