"""Forms record the staff member at whose desk they were signed (the witness)

Revision ID: 0005_form_witness
Revises: 0004_live_notify
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_form_witness"
down_revision: str | None = "0004_live_notify"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("form_instances", sa.Column("witnessed_by_user_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        "fk_form_instances_witnessed_by_user_id_users",
        "form_instances",
        "users",
        ["witnessed_by_user_id"],
        ["id"],
    )


def downgrade() -> None:
    op.drop_constraint(
        "fk_form_instances_witnessed_by_user_id_users", "form_instances", type_="foreignkey"
    )
    op.drop_column("form_instances", "witnessed_by_user_id")
