"""Accounts are the server's: persons carry a login request; addresses are one account
whatever their case

Hand-written. Persons who already have a login count as asked for. Two accounts whose
addresses differ only in case cannot be made any more (the link looks addresses up that way).

Revision ID: 0010_account_requests
Revises: 0009_receive_departures
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import frontdesk.store.types

revision: str = "0010_account_requests"
down_revision: str | None = "0009_receive_departures"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "patient_persons",
        sa.Column(
            "account_requested_at", frontdesk.store.types.UTCDateTime(timezone=True), nullable=True
        ),
    )
    # Every organization's rows: the owner migrating is held to row-level security too.
    op.execute("ALTER TABLE patient_persons NO FORCE ROW LEVEL SECURITY")
    op.execute(
        "UPDATE patient_persons SET account_requested_at = updated_at WHERE user_id IS NOT NULL"
    )
    op.execute("ALTER TABLE patient_persons FORCE ROW LEVEL SECURITY")
    op.execute("CREATE UNIQUE INDEX uq_users_email_lower ON users (lower(email))")


def downgrade() -> None:
    op.execute("DROP INDEX uq_users_email_lower")
    op.drop_column("patient_persons", "account_requested_at")
