"""Ledger entries say their ledger version: how their bytes were canonicalised.

Every entry stored before this revision was hashed under version 1 (sorted-key
Python JSON) and keeps it; entries appended afterwards are version 2 (RFC 8785).
The column has no default once filled, so an insert that forgets it fails
instead of claiming an old version. `accord ledger rehash` then commits the
RFC 8785 re-hash of the version 1 entries to the chain.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Give each ledger entry its version; those stored were hashed under version 1."""
    with op.batch_alter_table("ledger_entries") as table:
        table.add_column(
            sa.Column("version", sa.SmallInteger(), nullable=False, server_default="1")
        )
    with op.batch_alter_table("ledger_entries") as table:
        table.alter_column("version", server_default=None)


def downgrade() -> None:
    """Drop the entries' version, refusing while version 2 entries exist."""
    # Version 2 entries cannot be read by the software of revision 0011: refuse
    # rather than leave a chain it would call tampered.
    newer = op.get_bind().execute(sa.text("SELECT count(*) FROM ledger_entries WHERE version > 1"))
    if newer.scalar():
        raise RuntimeError(
            "ledger entries of version 2 exist; the older software cannot check them"
        )
    with op.batch_alter_table("ledger_entries") as table:
        table.drop_column("version")
