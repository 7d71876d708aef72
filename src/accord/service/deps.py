"""Request dependencies shared by the API and OGC routes: who is calling, and the
per-caller rate limit (tokens by id, the public by client address)."""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Annotated

from fastapi import Depends, Query, Request

from accord.service.auth import PUBLIC, Actor, authenticate
from accord.service.errors import TooManyRequests, Unauthorized
from accord.service.settings import PAGE_LIMIT_CEILING

# `page_limit_max` may only lower the documented page size (a larger limit is
# cut to it, as OGC API - Features asks); offsets are bounded so none overflows.
OFFSET_CEILING = 1_000_000_000
Limit = Annotated[
    int | None,
    Query(
        ge=1, le=PAGE_LIMIT_CEILING, description="Page size (cut to the server's page_limit_max)."
    ),
]
Offset = Annotated[int | None, Query(ge=0, le=OFFSET_CEILING, description="Items to skip.")]


class RateLimiter:
    """At most `per_minute` requests per key in any sliding minute."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> None:
        """Count a request for `key`; TooManyRequests once the minute's allowance is spent."""
        now = time.monotonic()
        with self._lock:
            times = self._seen.setdefault(key, deque())
            while times and now - times[0] > 60.0:
                times.popleft()
            if len(times) >= self.per_minute:
                wait = 60 - (now - times[0])
                raise TooManyRequests(
                    f"over {self.per_minute} requests in a minute; retry in {wait:.0f} s"
                )
            times.append(now)


def actor(request: Request) -> Actor:
    """The caller, from `Authorization: Bearer <token>`; no header is the public.
    A request without a good token is counted against its client address, so
    guessing tokens meets the same 429 as the public."""
    state = request.app.state
    header = request.headers.get("authorization")
    address = f"address:{request.client.host if request.client else '-'}"
    if header is None:
        state.limiter.check(address)
        return PUBLIC
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        state.limiter.check(address)
        raise Unauthorized("the Authorization header must be `Bearer <token>`")
    try:
        found = authenticate(state.store, secret.strip())
    except Unauthorized:
        state.limiter.check(address)  # guessing with expired tokens is guessing too
        raise
    if found is None:
        state.limiter.check(address)  # a guessed token counts against its address
        raise Unauthorized("unknown or revoked token; ask the mission's administrator")
    state.limiter.check(f"token:{found.token_id}")
    return found


Caller = Annotated[Actor, Depends(actor)]
