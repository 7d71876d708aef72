"""Alerts go out for new transitions only: `alert_marks` holds, per incident and channel,
what the last dispatch acted on; a delivery may be a skip (no status). Incidents already
alerted before this revision are marked as they stand, so an upgrade sends nothing again.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the alert marks, marking incidents already alerted so nothing is sent again."""
    op.create_table(
        "alert_marks",
        sa.Column("incident_id", ROW_ID, autoincrement=False, nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("step", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_alert_marks_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("incident_id", "channel", name=op.f("pk_alert_marks")),
    )
    with op.batch_alter_table("alert_deliveries") as table:
        table.alter_column("status", existing_type=sa.Integer(), nullable=True)
    op.execute(
        """
        INSERT INTO alert_marks (incident_id, channel, state, severity, step, at)
        SELECT i.id, d.channel, i.state, i.severity,
               COALESCE((SELECT MAX(t.id) FROM incident_transitions t
                         WHERE t.incident_id = i.id), 0),
               MAX(d.at)
        FROM incidents i JOIN alert_deliveries d ON d.incident_id = i.id
        WHERE d.status = 0 OR d.status BETWEEN 200 AND 299
        GROUP BY i.id, d.channel, i.state, i.severity
        """
    )


def downgrade() -> None:
    """Drop the alert marks; deliveries that were skips go with them."""
    op.execute("DELETE FROM alert_deliveries WHERE status IS NULL")
    with op.batch_alter_table("alert_deliveries") as table:
        table.alter_column("status", existing_type=sa.Integer(), nullable=False)
    op.drop_table("alert_marks")
