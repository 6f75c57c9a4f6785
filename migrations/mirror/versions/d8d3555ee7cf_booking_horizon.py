"""booking horizon: how many days ahead the public booking page offers slots

Revision ID: d8d3555ee7cf
Revises: e825d1f6b55f
Create Date: 2026-12-07 20:07:12.435692
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d8d3555ee7cf"
down_revision: str | None = "e825d1f6b55f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("booking_horizon_days", sa.Integer(), server_default="365", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_column("booking_horizon_days")
