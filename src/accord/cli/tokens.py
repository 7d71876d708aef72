"""`accord tokens`: API tokens for the server; only their hashes are stored."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from accord.cli.common import console, user_errors
from accord.service.auth import Role, create_token, list_tokens, revoke_token
from accord.store import open_store

app = typer.Typer(help="API tokens: create, list and revoke (roles and what they may see).")

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database", "-d", help="Database URL (default $ACCORD_DATABASE_URL or accord.db)."
    ),
]


@app.command()
def create(
    role: Annotated[Role, typer.Option(help="admin, analyst, observer or liaison.")],
    name: Annotated[str, typer.Option(help="Who holds it (shown in audit trails).")],
    party: Annotated[str | None, typer.Option(help="A liaison's party: UA or RU.")] = None,
    team: Annotated[str | None, typer.Option(help="An observer's team id.")] = None,
    database: DatabaseOption = None,
) -> None:
    """Make a token and print its secret once (it cannot be shown again)."""
    with user_errors(), open_store(database) as store:
        token_id, secret = create_token(store, role, name=name, party=party, team=team)
    console.print(f"token {token_id} ({role.value}) for {name}:", highlight=False)
    print(secret)


@app.command("list")
def list_(database: DatabaseOption = None) -> None:
    """Every token: id, role, party or team, holder, created and revoked."""
    with user_errors(), open_store(database) as store:
        table = Table("id", "role", "party", "team", "name", "created", "revoked")
        for t in list_tokens(store):
            table.add_row(
                str(t.id),
                t.role,
                t.party or "",
                t.team or "",
                t.name,
                f"{t.created_at:%Y-%m-%d %H:%M}Z",
                f"{t.revoked_at:%Y-%m-%d %H:%M}Z" if t.revoked_at else "",
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
