"""Notified areas and tallies per area: `observations.radius_km` (a notification's area
around its lon/lat); `verify_tallies.cell` (a source's largest count is kept per grid
cell, so caps and exercises can count each area once) and `verify_tallies.zones` (the
zones its point lies in, which a notification naming a zone is matched against); and
a tally's lon and lat may be null: holdings declared by zone have no place (such a
declaration could not be stored before, and stopped verification).

Tallies stored before this revision get cell -1 and no zones. They keep their place,
so evaluation still groups them into areas with newer ones of their window.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD_KEY = "uq_verify_tallies_rule_id_party_window_start_us_source_id"
_NEW_KEY = "uq_verify_tallies_rule_id_party_window_start_us_source_id_cell"
_KEY = ["rule_id", "party", "window_start_us", "source_id"]


def upgrade() -> None:
    """Add notified areas and the tallies' grid cell and zones; a tally's place may be null."""
    with op.batch_alter_table("observations") as table:
        table.add_column(sa.Column("radius_km", sa.Float(), nullable=True))
    with op.batch_alter_table("verify_tallies") as table:
        table.add_column(sa.Column("cell", sa.BigInteger(), nullable=False, server_default="-1"))
        table.add_column(sa.Column("zones", sa.Text(), nullable=False, server_default=""))
        table.drop_constraint(_OLD_KEY, type_="unique")
        table.create_unique_constraint(_NEW_KEY, [*_KEY, "cell"])
        table.alter_column("lon", existing_type=sa.Float(), nullable=True)
        table.alter_column("lat", existing_type=sa.Float(), nullable=True)
    with op.batch_alter_table("verify_tallies") as table:
        table.alter_column("cell", server_default=None)
        table.alter_column("zones", server_default=None)


def downgrade() -> None:
    """Go back to one tally per source and place, and notifications without an area."""
    with op.batch_alter_table("verify_tallies") as table:
        table.drop_constraint(_NEW_KEY, type_="unique")
        table.drop_column("zones")
        table.drop_column("cell")
        table.create_unique_constraint(_OLD_KEY, _KEY)
        table.alter_column("lon", existing_type=sa.Float(), nullable=False)
        table.alter_column("lat", existing_type=sa.Float(), nullable=False)
    with op.batch_alter_table("observations") as table:
        table.drop_column("radius_km")
