"""Incidents say when a sighting of the place without the breach ended their episode
(`cleared_us`) and which observation saw it (`cleared_by`); earlier ones were not cleared.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Let incidents say when and by which observation their episode was cleared."""
    with op.batch_alter_table("incidents") as table:
        table.add_column(sa.Column("cleared_us", sa.BigInteger(), nullable=True))
        table.add_column(sa.Column("cleared_by", sa.String(128), nullable=False, server_default=""))


def downgrade() -> None:
    """Drop the incidents' clearing."""
    with op.batch_alter_table("incidents") as table:
        table.drop_column("cleared_by")
        table.drop_column("cleared_us")
