"""Row-level security on every org-owned table; no overlapping active appointments

Hand-written. Policies come from `frontdesk.server.rls` so later revisions that add
org-owned tables use the same SQL.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from frontdesk.server import rls

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _org_owned_tables(connection: sa.Connection) -> list[str]:
    return list(
        connection.scalars(
            sa.text(
                "SELECT table_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND column_name = 'organization_id' "
                "ORDER BY table_name"
            )
        )
    )


def upgrade() -> None:
    connection = op.get_bind()
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.execute(rls.FUNCTIONS_SQL)
    rls.enable_org_rls(connection, _org_owned_tables(connection))
    for statement in rls.SPECIAL_POLICIES_SQL:
        op.execute(statement)
    op.execute(rls.NO_OVERLAP_SQL)


def downgrade() -> None:
    connection = op.get_bind()
    op.execute(f"ALTER TABLE appointments DROP CONSTRAINT {rls.NO_OVERLAP_CONSTRAINT}")
    tables = [*_org_owned_tables(connection), "organizations", "users", "credentials"]
    for table in [*tables, "local_settings"]:
        for policy in connection.scalars(
            sa.text("SELECT policyname FROM pg_policies WHERE tablename = :t"), {"t": table}
        ):
            op.execute(f"DROP POLICY {policy} ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.execute(rls.DROP_FUNCTIONS_SQL)
