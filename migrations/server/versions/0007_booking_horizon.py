"""Organizations: booking horizon (how many days ahead the public booking page offers slots)

Hand-written. Existing organizations get the default, 365 days.

Revision ID: 0007_booking_horizon
Revises: 0006_devices
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_booking_horizon"
down_revision: str | None = "0006_devices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "organizations",
        sa.Column("booking_horizon_days", sa.Integer(), server_default="365", nullable=False),
    )


def downgrade() -> None:
    op.drop_column("organizations", "booking_horizon_days")
