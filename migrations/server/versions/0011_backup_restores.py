"""Backups: the version gaps restores left, so a desk ahead of a restored server starts again

Hand-written. `frontdesk-server restore` moves each organization's version far past where the
backup stopped (to the restore's clock time in microseconds) and records the gap here: a
desk whose cursor falls inside a gap pulled changes the restored server never had, and is
told to pull again from the start (`frontdesk.server.sync_pull`). A desk whose cursor is at
or before the backup's version goes on from it. Org-owned, with the same row-level security
as the other sync tables.

Revision ID: 0011_backup_restores
Revises: 0010_account_requests
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from frontdesk.server import rls

revision: str = "0011_backup_restores"
down_revision: str | None = "0010_account_requests"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sync_restores",
        sa.Column("organization_id", sa.Uuid(), sa.ForeignKey("organizations.id"), nullable=False),
        # Versions after `backup_version` up to `resumed_version` were never issued here.
        sa.Column("backup_version", sa.BigInteger(), nullable=False),
        sa.Column("resumed_version", sa.BigInteger(), nullable=False),
        sa.Column(
            "restored_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.PrimaryKeyConstraint("organization_id", "resumed_version", name="pk_sync_restores"),
    )
    rls.enable_org_rls(op.get_bind(), ["sync_restores"])


def downgrade() -> None:
    op.drop_table("sync_restores")
