"""Who is asking: tokens, roles and the actor a request acts as.

A token is `acc_` followed by 32 random bytes in URL-safe base64; the store
keeps only its sha256, so the secret is shown once, when it is made. Roles:
the mission's administrator, its analysts, field observers (of one team), one
liaison per party (liaison:UA, liaison:RU), and the public (no token).
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from accord.service.errors import Unauthorized
from accord.store import Store
from accord.store.database import WRITE
from accord.store.service import PARTIES, ServiceToken

TOKEN_PREFIX = "acc_"
# A secret as `create_token` writes it, and a query parameter that would carry one.
SECRET = re.compile(re.escape(TOKEN_PREFIX) + r"[A-Za-z0-9_-]+")
ADDRESS_TOKEN_NAMES = frozenset({"token", "access_token"})
TOKEN_PARAMETER = re.compile(r"(?i)([?&](?:access_)?token=)[^&#\s]*")


class Role(StrEnum):
    """What a token's holder is to the mission; `access` says what each role may do."""

    admin = "admin"  # the mission's administrator
    analyst = "analyst"
    observer = "observer"  # a field observer, of one team
    liaison = "liaison"  # a party's liaison officer, of one party
    public = "public"


@dataclass(frozen=True)
class Actor:
    """The caller: a role, and the party or team that role is bound to."""

    role: Role
    name: str = "public"
    party: str | None = None
    team: str | None = None
    token_id: int | None = None

    @property
    def label(self) -> str:
        """The role as the access table names it: `liaison:UA`, `observer`, ..."""
        return f"{self.role.value}:{self.party}" if self.role is Role.liaison else self.role.value

    @property
    def mission(self) -> bool:
        """Mission staff see internal notes and everything unpublished."""
        return self.role in (Role.admin, Role.analyst)


PUBLIC = Actor(Role.public)


def token_hash(secret: str) -> str:
    """The SHA-256 a token is stored and looked up under, so the secret itself is never kept."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def check_binding(role: Role, party: str | None, team: str | None) -> None:
    """A liaison needs exactly a party, an observer a team; other roles neither."""
    if role is Role.public:
        raise ValueError("the public needs no token: anyone without one is the public")
    if role is Role.liaison and party not in PARTIES:
        raise ValueError(f"a liaison token needs --party, one of {', '.join(PARTIES)}")
    if role is not Role.liaison and party is not None:
        raise ValueError(f"--party is for liaison tokens only, not {role.value}")
    if role is Role.observer and not team:
        raise ValueError("an observer token needs --team, the observer team's id")
    if role is not Role.observer and team is not None:
        raise ValueError(f"--team is for observer tokens only, not {role.value}")


def create_token(
    store: Store,
    role: Role,
    *,
    name: str,
    party: str | None = None,
    team: str | None = None,
    expires_at: datetime | None = None,
) -> tuple[int, str]:
    """A new token's id and its secret (shown once; only its hash is stored)."""
    check_binding(role, party, team)
    now = datetime.now(UTC)
    if expires_at is not None and expires_at <= now:
        raise ValueError(f"the expiry {expires_at:%Y-%m-%d %H:%M}Z is not in the future")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = {
        "token_hash": token_hash(secret),
        "role": role.value,
        "party": party,
        "team": team,
        "name": name,
        "created_at": now,
        "revoked_at": None,
        "expires_at": expires_at,
    }
    with store.engine.connect() as connection:
        connection = connection.execution_options(**WRITE)
        with connection.begin():
            token_id = connection.execute(
                insert(ServiceToken).returning(ServiceToken.id), row
            ).scalar_one()
    return token_id, secret


def list_tokens(store: Store) -> list[ServiceToken]:
    """Every token the store holds (hashes, roles, lifetimes), oldest first."""
    with Session(store.engine) as session:
        return list(session.scalars(select(ServiceToken).order_by(ServiceToken.id)))


def revoke_token(store: Store, token_id: int) -> None:
    """Revoke a token for good; revoking twice is refused so a typo is noticed."""
    with store.engine.connect() as connection:
        connection = connection.execution_options(**WRITE)
        with connection.begin():
            done = connection.execute(
                update(ServiceToken)
                .where(ServiceToken.id == token_id, ServiceToken.revoked_at.is_(None))
                .values(revoked_at=datetime.now(UTC))
            ).rowcount
    if not done:
        raise LookupError(f"no active token with id {token_id}; `accord tokens list` shows them")


def expired(token: ServiceToken, now: datetime) -> bool:
    """Whether the token's lifetime has run out at `now`; one without an end never expires."""
    return token.expires_at is not None and token.expires_at <= now


def authenticate(store: Store, secret: str) -> Actor | None:
    """The actor a token stands for, or None when it is unknown or revoked; an
    expired token is refused with when it expired."""
    query = select(ServiceToken).where(
        ServiceToken.token_hash == token_hash(secret), ServiceToken.revoked_at.is_(None)
    )
    with Session(store.engine) as session:
        token = session.scalars(query).first()
    if token is None:
        return None
    if expired(token, datetime.now(UTC)):
        raise Unauthorized(
            f"token {token.id} expired at {token.expires_at:%Y-%m-%d %H:%M}Z; "
            "ask the mission's administrator for a new one"
        )
    return Actor(Role(token.role), token.name, token.party, token.team, token.id)


def redacted(text: str) -> str:
    """The text with every token secret, and the value of any `token=` parameter, hidden."""
    return TOKEN_PARAMETER.sub(r"\1[redacted]", SECRET.sub(TOKEN_PREFIX + "[redacted]", text))


class RedactTokens(logging.Filter):
    """Keeps secrets out of the server's log: uvicorn's access log writes each request's
    path with its query, so a token sent in the address (which the server refuses)
    would otherwise be written there as typed."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Blank out tokens in the record's message and arguments; the record is always kept."""
        if isinstance(record.msg, str):
            record.msg = redacted(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redacted(a) if isinstance(a, str) else a for a in record.args)
        return True


SERVER_LOGGERS = ("uvicorn.access", "uvicorn.error", "accord.service")


def redact_server_logs() -> None:
    """Install `RedactTokens` once on each of the server's loggers: uvicorn's, and the
    one a fault is logged on with its request's path (`http.ServerErrors`)."""
    for name in SERVER_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
