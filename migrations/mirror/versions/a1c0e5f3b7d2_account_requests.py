"""account requests: a desk asks the server for a patient's login instead of making one

Persons who already have a login count as asked for.

Revision ID: a1c0e5f3b7d2
Revises: d8d3555ee7cf
Create Date: 2026-12-07 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import frontdesk.store.types

revision: str = "a1c0e5f3b7d2"
down_revision: str | None = "d8d3555ee7cf"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("patient_persons", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "account_requested_at",
                frontdesk.store.types.UTCDateTime(timezone=True),
                nullable=True,
            )
        )
    op.execute(
        "UPDATE patient_persons SET account_requested_at = updated_at WHERE user_id IS NOT NULL"
    )
    op.create_index("uq_users_email_lower", "users", [sa.text("lower(email)")], unique=True)


def downgrade() -> None:
    op.drop_index("uq_users_email_lower", table_name="users")
    with op.batch_alter_table("patient_persons", schema=None) as batch_op:
        batch_op.drop_column("account_requested_at")
