"""Which tables sync between the desks and the server, and which stay on one machine.

Synced: every organization-owned entity table (plus the organization itself): what a clinic
sees and edits. Local: the journals of one machine (domain events, the audit log, analytics,
the sync outbox, local settings) and the durable timers (each node arms its own from the
synced rules and appointments; the server claims an occurrence before it runs). Users are
the server's accounts, shared by organizations: a desk never writes one (it asks for a
patient's account by setting `patient_persons.account_requested_at`; the server makes or links
it), and receives those of its own staff, plus a blank stand-in for any other account its
rows name (a patient who signed in the portal), so nothing tells a clinic what an account is
elsewhere.
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

# Never sent to a desk, and ignored when a desk sends them: a person's account is linked by
# the server, and its id would tell a clinic whether the address had one before.
HIDDEN_COLUMNS: dict[str, frozenset[str]] = {
    USERS_TABLE: frozenset({"password_hash"}),
    "patient_persons": frozenset({"user_id"}),
}


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

PUSHABLE_TABLES: frozenset[str] = frozenset(SYNCED_TABLES)


def table(name: str) -> Table:
    return Base.metadata.tables[name]
