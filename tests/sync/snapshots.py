"""Every synced row of an organization, in one comparable form, from a mirror or the server."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, select

from frontdesk.server.scope import Scope, scoped_sessions
from frontdesk.sync.tables import SYNCED_TABLES, table

Snapshot = dict[str, dict[str, dict[str, Any]]]

# Kept apart: when each side last wrote the row is its own business.
_IGNORED = frozenset({"updated_at"})


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date | uuid.UUID):
        return str(value)
    return value


def _rows(session: Any, tables: tuple[str, ...]) -> Snapshot:
    snapshot: Snapshot = {}
    for name in tables:
        target = table(name)
        snapshot[name] = {
            str(row.id): {k: _plain(v) for k, v in row._mapping.items() if k not in _IGNORED}
            for row in session.execute(select(target))
        }
    return snapshot


def mirror_snapshot(sessions: Any, tables: tuple[str, ...] = SYNCED_TABLES) -> Snapshot:
    with sessions() as session:
        return _rows(session, tables)


def server_snapshot(
    engine: Engine, organization_id: uuid.UUID, tables: tuple[str, ...] = SYNCED_TABLES
) -> Snapshot:
    sessions = scoped_sessions(engine, Scope(organization_id=organization_id, role="admin"))
    with sessions.begin() as session:
        return _rows(session, tables)


def differences(left: Snapshot, right: Snapshot) -> list[str]:
    """Readable differences (empty when the two agree)."""
    found = []
    for name in sorted(set(left) | set(right)):
        a, b = left.get(name, {}), right.get(name, {})
        for row_id in sorted(set(a) ^ set(b)):
            found.append(f"{name} {row_id}: only on {'left' if row_id in a else 'right'}")
        for row_id in sorted(set(a) & set(b)):
            if a[row_id] != b[row_id]:
                fields = sorted(k for k in a[row_id] if a[row_id].get(k) != b[row_id].get(k))
                found.append(
                    f"{name} {row_id}: "
                    + ", ".join(f"{f}={a[row_id].get(f)!r}/{b[row_id].get(f)!r}" for f in fields)
                )
    return found
