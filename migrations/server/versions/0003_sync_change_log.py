"""Sync: per-organization version counter, change log, device cursors

Hand-written. Every insert or update of a synced table runs `sync_record_change`, which
takes the organization's next version from its counter row (one version per transaction:
the row stays locked until commit, so version order is commit order and a pull can never
skip a change that commits late) and records the row in `sync_changes` with the version
each field last changed at and which device changed it (the server's merge reads it).

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from frontdesk.server import rls

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The synced tables when this revision was written (frontdesk.sync.tables.SYNCED_TABLES);
# a later table gets its trigger in its own revision.
SYNCED_TABLES = (
    "organizations", "alerts", "automation_rules", "form_templates", "memberships",
    "message_templates", "patient_persons", "segments", "services", "specialists",
    "sync_conflicts", "access_grants", "automation_executions", "booking_blocks", "calendars",
    "notifications", "outbound_messages", "patients", "segment_members", "service_forms",
    "service_plans", "service_specialists", "treatment_plans", "calendar_forms",
    "patient_service_plans", "patient_treatment_plans", "appointments", "treatment_sessions",
    "appointment_status_history", "form_instances", "reviews", "consents",
)

RECORD_CHANGE_SQL = """
CREATE FUNCTION sync_record_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    new_doc jsonb := to_jsonb(NEW);
    old_doc jsonb;
    org uuid := (new_doc ->> TG_ARGV[0])::uuid;
    taken text := current_setting('frontdesk.sync_version', true);
    author text := coalesce(nullif(current_setting('app.device_id', true), ''), 'server');
    changed jsonb := '{}';
    v bigint;
BEGIN
    IF taken IS NOT NULL AND split_part(taken, '/', 1) = org::text THEN
        v := split_part(taken, '/', 2)::bigint;
    ELSE
        INSERT INTO sync_org_versions AS o (organization_id, version) VALUES (org, 1)
        ON CONFLICT (organization_id) DO UPDATE SET version = o.version + 1
        RETURNING o.version INTO v;
        PERFORM set_config('frontdesk.sync_version', org::text || '/' || v::text, true);
    END IF;
    IF TG_OP = 'UPDATE' THEN
        old_doc := to_jsonb(OLD);
        SELECT coalesce(jsonb_object_agg(
                   n.key, jsonb_build_array((new_doc ->> 'row_version')::bigint, author)), '{}')
        INTO changed
        FROM jsonb_each(new_doc) AS n
        WHERE n.key NOT IN ('row_version', 'updated_at')
          AND (old_doc -> n.key) IS DISTINCT FROM n.value;
    END IF;
    INSERT INTO sync_changes AS c (organization_id, table_name, row_id, version, seq,
                                   field_versions)
    VALUES (org, TG_TABLE_NAME, NEW.id, v, nextval('sync_change_seq'), changed)
    ON CONFLICT (organization_id, table_name, row_id) DO UPDATE
    SET version = EXCLUDED.version, seq = EXCLUDED.seq,
        field_versions = c.field_versions || EXCLUDED.field_versions;
    RETURN NULL;
END
$$;
"""


def upgrade() -> None:
    op.execute("CREATE SEQUENCE sync_change_seq")
    op.create_table(
        "sync_org_versions",
        sa.Column("organization_id", sa.Uuid(), sa.ForeignKey("organizations.id"),
                  primary_key=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "sync_changes",
        sa.Column("organization_id", sa.Uuid(), sa.ForeignKey("organizations.id"),
                  nullable=False),
        sa.Column("table_name", sa.String(60), nullable=False),
        sa.Column("row_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("field_versions", sa.dialects.postgresql.JSONB(), nullable=False,
                  server_default="{}"),
        sa.PrimaryKeyConstraint("organization_id", "table_name", "row_id",
                                name="pk_sync_changes"),
    )
    op.create_index("ix_sync_changes_cursor", "sync_changes",
                    ["organization_id", "version", "seq"])
    op.create_table(
        "sync_device_cursors",
        sa.Column("organization_id", sa.Uuid(), sa.ForeignKey("organizations.id"),
                  nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("organization_id", "device_id",
                                name="pk_sync_device_cursors"),
    )
    connection = op.get_bind()
    rls.enable_org_rls(
        connection, ["sync_org_versions", "sync_changes", "sync_device_cursors"]
    )
    op.execute(RECORD_CHANGE_SQL)
    for table in SYNCED_TABLES:
        column = "id" if table == "organizations" else "organization_id"
        op.execute(
            f"CREATE TRIGGER sync_record_change AFTER INSERT OR UPDATE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION sync_record_change('{column}')"
        )


def downgrade() -> None:
    for table in SYNCED_TABLES:
        op.execute(f"DROP TRIGGER sync_record_change ON {table}")
    op.execute("DROP FUNCTION sync_record_change()")
    op.drop_table("sync_device_cursors")
    op.drop_table("sync_changes")
    op.drop_table("sync_org_versions")
    op.execute("DROP SEQUENCE sync_change_seq")
