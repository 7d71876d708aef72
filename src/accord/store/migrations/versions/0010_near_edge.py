"""Findings say whether they lie within their zone edge's uncertainty of its edge
(`near_edge`: inside or outside the zone is undetermined); earlier findings were not.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Let findings say they lie within their zone edge's uncertainty."""
    with op.batch_alter_table("findings") as table:
        table.add_column(
            sa.Column("near_edge", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    """Drop the findings' near-edge flag."""
    with op.batch_alter_table("findings") as table:
        table.drop_column("near_edge")
