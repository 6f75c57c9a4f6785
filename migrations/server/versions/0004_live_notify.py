"""Live updates: the change-log trigger announces each new organization version

Hand-written. `sync_record_change` (0003) takes an organization's next version once per
transaction; now it also sends `pg_notify('frontdesk_sync', '<organization id>:<version>')`
at that moment. PostgreSQL delivers the notice when the transaction commits (never for one
that rolls back), so the server's one listener per process can wake that organization's
live streams without any of them polling the counter.

Revision ID: 0004_live_notify
Revises: 0003
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path

from alembic import op

revision: str = "0004_live_notify"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNEL = "frontdesk_sync"
# Where 0003's function takes a new version; the notice goes out right after it.
_TAKEN = "PERFORM set_config('frontdesk.sync_version', org::text || '/' || v::text, true);"


def _previous_function() -> str:
    """0003's function text (the downgrade puts it back; the upgrade extends it)."""
    path = Path(__file__).with_name("0003_sync_change_log.py")
    spec = importlib.util.spec_from_file_location("sync_change_log_0003", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sql: str = module.RECORD_CHANGE_SQL
    return sql.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


def upgrade() -> None:
    previous = _previous_function()
    assert previous.count(_TAKEN) == 1, "0003's sync_record_change is not the expected one"
    notify = f"\n        PERFORM pg_notify('{CHANNEL}', org::text || ':' || v::text);"
    op.execute(previous.replace(_TAKEN, _TAKEN + notify))


def downgrade() -> None:
    op.execute(_previous_function())
