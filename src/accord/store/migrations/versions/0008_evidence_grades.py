"""Incidents carry their evidence grade, their independent networks, the investigation
asked for them and the joint commission's ruling.

Stored incidents are graded from what they hold: verified when a patrol reported
them, corroborated when sources of two types did (without a registry a type is
one network), reported otherwise.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Give incidents their networks, grade, investigation and ruling, grading those stored."""
    with op.batch_alter_table("incidents") as table:
        table.add_column(sa.Column("networks", sa.Text(), nullable=False, server_default="[]"))
        table.add_column(
            sa.Column("grade", sa.String(16), nullable=False, server_default="reported")
        )
        table.add_column(
            sa.Column("investigation", sa.String(16), nullable=False, server_default="")
        )
        table.add_column(sa.Column("ruling", sa.String(16), nullable=False, server_default=""))
    incidents = sa.table(
        "incidents",
        sa.column("id", sa.BigInteger),
        sa.column("source_types", sa.Text),
        sa.column("networks", sa.Text),
        sa.column("grade", sa.String),
    )
    connection = op.get_bind()
    for row in connection.execute(sa.select(incidents.c.id, incidents.c.source_types)).all():
        types = sorted(set(json.loads(row.source_types or "[]")))
        grade = (
            "verified" if "patrol" in types else "corroborated" if len(types) > 1 else "reported"
        )
        connection.execute(
            incidents.update()
            .where(incidents.c.id == row.id)
            .values(networks=json.dumps(types), grade=grade)
        )


def downgrade() -> None:
    """Drop the incidents' networks, grade, investigation and ruling."""
    with op.batch_alter_table("incidents") as table:
        table.drop_column("ruling")
        table.drop_column("investigation")
        table.drop_column("grade")
        table.drop_column("networks")
