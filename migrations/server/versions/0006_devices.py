"""Devices: the secret a desk proves itself with, its host name, revocation; accounts an
administrator deactivated in one organization

Hand-written. `account_deactivations` is org-owned and gets the same row-level security
as the others (`frontdesk.server.rls`).

Revision ID: 0006_devices
Revises: 0005_form_witness
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import frontdesk.store.types
from frontdesk.server import rls

revision: str = "0006_devices"
down_revision: str | None = "0005_form_witness"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "devices", sa.Column("label", sa.String(length=100), nullable=False, server_default="")
    )
    op.alter_column("devices", "label", server_default=None)
    op.add_column("devices", sa.Column("secret_hash", sa.String(length=64), nullable=True))
    op.add_column(
        "devices",
        sa.Column("revoked_at", frontdesk.store.types.UTCDateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "account_deactivations",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "deactivated_at", frontdesk.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_account_deactivations_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_account_deactivations_user_id_users")
        ),
        sa.PrimaryKeyConstraint("organization_id", "user_id", name=op.f("pk_account_deactivations")),
    )
    rls.enable_org_rls(op.get_bind(), ["account_deactivations"])


def downgrade() -> None:
    op.drop_table("account_deactivations")
    op.drop_column("devices", "revoked_at")
    op.drop_column("devices", "secret_hash")
    op.drop_column("devices", "label")
