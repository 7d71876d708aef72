"""`accord tokens`: API tokens for the server; only their hashes are stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer
from rich.table import Table

from accord.cli.common import DatabaseOption, console, user_errors
from accord.service.auth import Role, create_token, expired, list_tokens, revoke_token
from accord.store import open_store

app = typer.Typer(help="API tokens: create, list and revoke (roles and what they may see).")

UNITS = {"d": "days", "h": "hours", "m": "minutes"}
LONGEST = timedelta(days=36_525)


@app.command()
def create(
    role: Annotated[Role, typer.Option(help="admin, analyst, observer or liaison.")],
    name: Annotated[str, typer.Option(help="Who holds it (shown in audit trails).")],
    party: Annotated[str | None, typer.Option(help="A liaison's party: UA or RU.")] = None,
    team: Annotated[str | None, typer.Option(help="An observer's team id.")] = None,
    expires_in: Annotated[
        str | None, typer.Option(help="Lifetime: 90d, 12h or 30m; none: until revoked.")
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """Make a token and print its secret once (it cannot be shown again)."""
    with user_errors(), open_store(database) as store:
        expires_at = datetime.now(UTC) + lifetime(expires_in) if expires_in else None
        token_id, secret = create_token(
            store, role, name=name, party=party, team=team, expires_at=expires_at
        )
    console.print(f"token {token_id} ({role.value}) for {name}:", highlight=False)
    print(secret)


def lifetime(text: str) -> timedelta:
    """`90d`, `12h` or `30m` as a duration."""
    number, unit = text[:-1], text[-1:]
    if not (number.isascii() and number.isdigit()) or unit not in UNITS or len(number) > 7:
        raise ValueError(f"--expires-in {text!r}: write a whole number and d, h or m, e.g. 90d")
    duration = timedelta(**{UNITS[unit]: int(number)})
    if not timedelta(0) < duration <= LONGEST:
        raise ValueError(f"--expires-in {text!r}: give more than nothing and at most 100 years")
    return duration


def _stamp(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M}Z" if moment else ""


@app.command("list")
def list_(database: DatabaseOption = None) -> None:
    """Every token: id, role, party or team, holder, created, expiry and revoked."""
    now = datetime.now(UTC)
    with user_errors(), open_store(database) as store:
        table = Table("id", "role", "party", "team", "name", "created", "expires", "revoked")
        for t in list_tokens(store):
            table.add_row(
                str(t.id),
                t.role,
                t.party or "",
                t.team or "",
                t.name,
                _stamp(t.created_at),
                f"expired {_stamp(t.expires_at)}" if expired(t, now) else _stamp(t.expires_at),
                _stamp(t.revoked_at),
            )
        console.print(table)


@app.command()
def revoke(
    token_id: Annotated[int, typer.Argument(help="The token's id (see `accord tokens list`).")],
    database: DatabaseOption = None,
) -> None:
    """Revoke a token for good."""
    with user_errors(), open_store(database) as store:
        try:
            revoke_token(store, token_id)
        except LookupError as exc:
            raise ValueError(exc.args[0]) from None
    console.print(f"token {token_id} revoked")
