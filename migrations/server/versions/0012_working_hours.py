"""Working hours: weekly hours per specialist, dated overrides, closed days; the
organization's slot interval and minimum notice

Hand-written from the models. The three tables are org-owned and synced: row-level security
as every other (`frontdesk.server.rls`) and the change-log trigger of revision 0003.
Existing organizations get the defaults (every 15 minutes, two hours' notice).

Revision ID: 0012_working_hours
Revises: 0011_backup_restores
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import frontdesk.store.types
from frontdesk.server import rls

revision: str = "0012_working_hours"
down_revision: str | None = "0011_backup_restores"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_TABLES = ("closed_days", "hours_overrides", "working_hours")


def upgrade() -> None:
    op.create_table(
        "closed_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", frontdesk.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", frontdesk.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", frontdesk.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_closed_days_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closed_days")),
    )
    op.create_index(op.f("ix_closed_days_day"), "closed_days", ["day"], unique=False)
    op.create_index(
        op.f("ix_closed_days_organization_id"), "closed_days", ["organization_id"], unique=False
    )

    op.create_table(
        "hours_overrides",
        sa.Column("specialist_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("start_minute", sa.Integer(), nullable=True),
        sa.Column("end_minute", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", frontdesk.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", frontdesk.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", frontdesk.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_hours_overrides_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["specialist_id"],
            ["specialists.id"],
            name=op.f("fk_hours_overrides_specialist_id_specialists"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hours_overrides")),
    )
    op.create_index(op.f("ix_hours_overrides_day"), "hours_overrides", ["day"], unique=False)
    op.create_index(
        op.f("ix_hours_overrides_organization_id"),
        "hours_overrides",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_hours_overrides_specialist_id"), "hours_overrides", ["specialist_id"], unique=False
    )

    op.create_table(
        "working_hours",
        sa.Column("specialist_id", sa.Uuid(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_minute", sa.Integer(), nullable=False),
        sa.Column("end_minute", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", frontdesk.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", frontdesk.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", frontdesk.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_working_hours_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["specialist_id"],
            ["specialists.id"],
            name=op.f("fk_working_hours_specialist_id_specialists"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_working_hours")),
    )
    op.create_index(
        op.f("ix_working_hours_organization_id"), "working_hours", ["organization_id"], unique=False
    )
    op.create_index(
        op.f("ix_working_hours_specialist_id"), "working_hours", ["specialist_id"], unique=False
    )

    op.add_column(
        "organizations",
        sa.Column("slot_interval_minutes", sa.Integer(), server_default="15", nullable=False),
    )
    op.add_column(
        "organizations",
        sa.Column("minimum_notice_minutes", sa.Integer(), server_default="120", nullable=False),
    )
    connection = op.get_bind()
    rls.enable_org_rls(connection, NEW_TABLES)
    for table in NEW_TABLES:
        op.execute(
            f"CREATE TRIGGER sync_record_change AFTER INSERT OR UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION sync_record_change('organization_id')"
        )


def downgrade() -> None:
    for table in NEW_TABLES:
        op.execute(f"DROP TRIGGER sync_record_change ON {table}")
    op.drop_column("organizations", "minimum_notice_minutes")
    op.drop_column("organizations", "slot_interval_minutes")

    op.drop_index(op.f("ix_working_hours_specialist_id"), table_name="working_hours")
    op.drop_index(op.f("ix_working_hours_organization_id"), table_name="working_hours")

    op.drop_table("working_hours")
    op.drop_index(op.f("ix_hours_overrides_specialist_id"), table_name="hours_overrides")
    op.drop_index(op.f("ix_hours_overrides_organization_id"), table_name="hours_overrides")
    op.drop_index(op.f("ix_hours_overrides_day"), table_name="hours_overrides")

    op.drop_table("hours_overrides")
    op.drop_index(op.f("ix_closed_days_organization_id"), table_name="closed_days")
    op.drop_index(op.f("ix_closed_days_day"), table_name="closed_days")

    op.drop_table("closed_days")
