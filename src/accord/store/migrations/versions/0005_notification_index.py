"""Index the stored notifications, which verification reads on every live poll.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOTIFICATIONS_ONLY = sa.text("notification_subject IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_observations_notification_subject",
        "observations",
        ["notification_subject"],
        sqlite_where=NOTIFICATIONS_ONLY,
        postgresql_where=NOTIFICATIONS_ONLY,
    )


def downgrade() -> None:
    op.drop_index("ix_observations_notification_subject", table_name="observations")
