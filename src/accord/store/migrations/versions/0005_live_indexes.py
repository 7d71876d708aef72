"""Indexes for what live verification reads on every poll: the stored notifications,
and the open incidents and those near them in time, which escalation weighs.

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
    """Index the stored notifications and the incidents by agreement, state and first sighting."""
    op.create_index(
        "ix_observations_notification_subject",
        "observations",
        ["notification_subject"],
        sqlite_where=NOTIFICATIONS_ONLY,
        postgresql_where=NOTIFICATIONS_ONLY,
    )
    op.create_index("ix_incidents_agreement_state", "incidents", ["agreement_id", "state"])
    op.create_index(
        "ix_incidents_agreement_first_seen_us", "incidents", ["agreement_id", "first_seen_us"]
    )


def downgrade() -> None:
    """Drop the indexes live verification reads."""
    op.drop_index("ix_incidents_agreement_first_seen_us", table_name="incidents")
    op.drop_index("ix_incidents_agreement_state", table_name="incidents")
    op.drop_index("ix_observations_notification_subject", table_name="observations")
