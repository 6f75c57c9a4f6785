"""service setup: a service's short reference number, description and price currency; removed
performers and forms kept as tombstones

Revision ID: b7e2c9d4f1a3
Revises: 4c1593e50d3c
Create Date: 2026-12-08 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import frontdesk.store.types

revision: str = "b7e2c9d4f1a3"
down_revision: str | None = "4c1593e50d3c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOMBSTONED = ("service_specialists", "service_forms")


def upgrade() -> None:
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reference", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("description", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("currency", sa.String(length=3), nullable=True))
    for table in TOMBSTONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column(
                    "deleted_at", frontdesk.store.types.UTCDateTime(timezone=True), nullable=True
                )
            )


def downgrade() -> None:
    for table in TOMBSTONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("deleted_at")
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.drop_column("currency")
        batch_op.drop_column("description")
        batch_op.drop_column("reference")
