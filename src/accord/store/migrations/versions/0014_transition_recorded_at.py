"""Workflow steps say when they were recorded (`recorded_at`, the wall clock), apart
from `at`, the time they are about: the data's time for verification's own steps.
Earlier steps by people were stamped with the wall clock, so theirs is `at`; for
verification's earlier steps it is not known.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Let steps say when they were recorded; people's earlier steps were recorded at `at`."""
    with op.batch_alter_table("incident_transitions") as table:
        table.add_column(sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE incident_transitions SET recorded_at = at WHERE actor <> 'accord'")


def downgrade() -> None:
    """Drop the steps' recording time."""
    with op.batch_alter_table("incident_transitions") as table:
        table.drop_column("recorded_at")
