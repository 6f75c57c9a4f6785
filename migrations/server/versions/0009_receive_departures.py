"""Receive: which specialists an appointment left, so a pull names in `removed` only rows a
desk once had

Hand-written. When an appointment's specialist changes, `sync_record_departure` records the
specialist it left (once per appointment and specialist). A specialist's pull names a row
outside their scope in `removed` only when its appointment left them
(`frontdesk.server.sync_pull`). Org-owned, with the same row-level security as the others.

Revision ID: 0009_receive_departures
Revises: 0008_signin
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from frontdesk.server import rls

revision: str = "0009_receive_departures"
down_revision: str | None = "0008_signin"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RECORD_DEPARTURE_SQL = """
CREATE FUNCTION sync_record_departure() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO sync_departures (organization_id, appointment_id, specialist_id)
    VALUES (OLD.organization_id, OLD.id, OLD.specialist_id)
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
"""


def upgrade() -> None:
    op.create_table(
        "sync_departures",
        sa.Column("organization_id", sa.Uuid(), sa.ForeignKey("organizations.id"), nullable=False),
        sa.Column("appointment_id", sa.Uuid(), nullable=False),
        sa.Column("specialist_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint(
            "organization_id", "appointment_id", "specialist_id", name="pk_sync_departures"
        ),
    )
    rls.enable_org_rls(op.get_bind(), ["sync_departures"])
    op.execute(RECORD_DEPARTURE_SQL)
    op.execute(
        "CREATE TRIGGER sync_record_departure AFTER UPDATE OF specialist_id ON appointments "
        "FOR EACH ROW WHEN (OLD.specialist_id IS DISTINCT FROM NEW.specialist_id "
        "AND OLD.specialist_id IS NOT NULL) EXECUTE FUNCTION sync_record_departure()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER sync_record_departure ON appointments")
    op.execute("DROP FUNCTION sync_record_departure()")
    op.drop_table("sync_departures")
