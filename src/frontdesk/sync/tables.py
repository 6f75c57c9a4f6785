"""Which tables sync between the desks and the server, and which stay on one machine.

Synced: every organization-owned entity table (plus the organization itself): what a clinic
sees and edits. Local: the journals of one machine (domain events, the audit log, analytics,
the sync outbox, local settings) and the durable timers (each node arms its own from the
synced rules and appointments; the server claims an occurrence before it runs). Users are
global accounts shared by organizations: they ride along with the rows that name them.
"""

from __future__ import annotations

from sqlalchemy import Table

from frontdesk.store import models  # noqa: F401  (fills the metadata)
from frontdesk.store.base import Base

LOCAL_TABLES: frozenset[str] = frozenset(
    {"events", "audit_log", "analytics_events", "sync_outbox", "local_settings", "timers"}
)
USERS_TABLE = "users"

# The version counter's trigger takes the organization from this column.
ORGANIZATION_COLUMN = {"organizations": "id"}

# Fields every node updates on its own (a rule's run counter): the server's value stands and
# a difference is not worth anybody's attention.
SERVER_KEEPS: dict[str, frozenset[str]] = {
    "automation_rules": frozenset({"execution_count", "last_executed_at"}),
}

# Never sent to a desk.
HIDDEN_COLUMNS: dict[str, frozenset[str]] = {USERS_TABLE: frozenset({"password_hash"})}


def _synced() -> tuple[str, ...]:
    return tuple(
        table.name
        for table in Base.metadata.sorted_tables
        if table.name not in LOCAL_TABLES
        and table.name != USERS_TABLE
        and ("organization_id" in table.c or table.name in ORGANIZATION_COLUMN)
    )


SYNCED_TABLES: tuple[str, ...] = _synced()
"""In foreign-key order (parents first)."""

PUSHABLE_TABLES: frozenset[str] = frozenset({*SYNCED_TABLES, USERS_TABLE})


def table(name: str) -> Table:
    return Base.metadata.tables[name]
