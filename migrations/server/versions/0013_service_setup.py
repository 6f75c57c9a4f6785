"""Services: a short reference number (rules cite it), a description and the price's currency;
performers and forms taken off a service kept as tombstones (`deleted_at`), since sync carries
no deletions

Hand-written. Existing services get no number (an admin gives one on the Services screen), an
empty description, and no currency (no screen set a price before).

Revision ID: 0013_service_setup
Revises: 0012_working_hours
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import frontdesk.store.types

revision: str = "0013_service_setup"
down_revision: str | None = "0012_working_hours"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOMBSTONED = ("service_specialists", "service_forms")


def upgrade() -> None:
    op.add_column("services", sa.Column("reference", sa.Integer(), nullable=True))
    op.add_column(
        "services", sa.Column("description", sa.Text(), server_default="", nullable=False)
    )
    op.add_column("services", sa.Column("currency", sa.String(length=3), nullable=True))
    for table in TOMBSTONED:
        op.add_column(
            table,
            sa.Column(
                "deleted_at", frontdesk.store.types.UTCDateTime(timezone=True), nullable=True
            ),
        )


def downgrade() -> None:
    for table in TOMBSTONED:
        op.drop_column(table, "deleted_at")
    op.drop_column("services", "currency")
    op.drop_column("services", "description")
    op.drop_column("services", "reference")
