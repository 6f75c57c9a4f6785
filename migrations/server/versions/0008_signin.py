"""Sign-in: where each account signed in from lately (keyed hashes of addresses and desks),
so failed sign-ins from elsewhere do not lock it out

Hand-written. Like `credentials`, the rows are the account's own: visible only while that
account is being signed in or acts (`frontdesk.server.rls`).

Revision ID: 0008_signin
Revises: 0007_booking_horizon
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import frontdesk.store.types
from frontdesk.server import rls

revision: str = "0008_signin"
down_revision: str | None = "0007_booking_horizon"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_sources",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("source_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "last_success_at", frontdesk.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_sign_in_sources_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "source_hash", name=op.f("pk_sign_in_sources")),
    )
    for statement in rls.SIGN_IN_SOURCES_POLICY_SQL:
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("sign_in_sources")
