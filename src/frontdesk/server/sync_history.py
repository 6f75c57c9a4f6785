"""Keeping desks' cursors honest across a restore from a backup.

A restored server has forgotten every version it issued after the backup, and would issue
those numbers again for other changes: a desk that pulled the lost ones would skip the new
ones. So a restore moves each organization's version far ahead (to the restore's clock time
in microseconds, past anything the lost server reached) and records the gap in
`sync_restores`. A cursor inside a gap, or beyond the current version, was never issued by
this history: its desk pulls again from the start (a `reset` page, which keeps its unpushed
outbox). A cursor at or before the backup's version goes on from where it was."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Connection, text


def resume_version(now: datetime) -> int:
    """The version a restore moves organizations to: microseconds since 1970 (below 2**53,
    so any JSON reader keeps it exact, for another two centuries)."""
    return int(now.timestamp() * 1_000_000)


def resume_after_restore(connection: Connection, now: datetime) -> int:
    """Moves every organization's version past `resume_version(now)` and records the gaps;
    returns how many organizations moved. Run by the restoring superuser, which row-level
    security does not filter."""
    params = {"resumed": resume_version(now), "now": now}
    connection.execute(
        text(
            "INSERT INTO sync_restores (organization_id, backup_version, resumed_version, "
            "restored_at) SELECT organization_id, version, GREATEST(version + 1, :resumed), :now "
            "FROM sync_org_versions"
        ),
        params,
    )
    moved = connection.execute(
        text("UPDATE sync_org_versions SET version = GREATEST(version + 1, :resumed)"), params
    )
    return int(moved.rowcount)


def cursor_never_issued(connection: Connection, organization_id: uuid.UUID, version: int) -> bool:
    """Whether a cursor at `version` cannot come from this server's history: it is beyond
    the organization's current version, or inside a gap a restore left."""
    return bool(
        connection.scalar(
            text(
                "SELECT :version > coalesce((SELECT version FROM sync_org_versions "
                "WHERE organization_id = :org), 0) OR EXISTS (SELECT 1 FROM sync_restores "
                "WHERE organization_id = :org AND :version > backup_version "
                "AND :version <= resumed_version)"
            ),
            {"org": organization_id, "version": version},
        )
    )
