"""Tokens may expire: `expires_at` (none: the token lasts until revoked).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Let tokens carry an end of their lifetime."""
    with op.batch_alter_table("service_tokens") as table:
        table.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Drop the tokens' end of lifetime: every token lasts until revoked."""
    with op.batch_alter_table("service_tokens") as table:
        table.drop_column("expires_at")
