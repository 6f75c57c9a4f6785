"""Applying and writing Alembic migrations for the local mirror."""

from __future__ import annotations

import sys

from alembic import command
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from frontdesk.project_paths import MIGRATIONS_DIR
from frontdesk.store.alembic_history import alembic_config
from frontdesk.store.engine import memory_engine

MIRROR_HISTORY = MIGRATIONS_DIR / "mirror"


def upgrade_mirror(engine: Engine) -> None:
    """Bring the mirror's schema to the newest revision (a no-op when it is current)."""
    with engine.begin() as connection, alembic_config(MIRROR_HISTORY, connection) as config:
        command.upgrade(config, "head")


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _write_revision(message: str) -> None:
    """Autogenerate a mirror revision against a scratch database at the current head."""
    engine = memory_engine()
    upgrade_mirror(engine)
    with engine.begin() as connection, alembic_config(MIRROR_HISTORY, connection) as config:
        command.revision(config, message=message, autogenerate=True)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "revision":
        sys.exit('usage: python -m frontdesk.store.migrate revision "message"')
    _write_revision(sys.argv[2])
