"""One sync round: push the outbox, then pull until caught up; remember how it went."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select

from frontdesk.i18n.text import shown
from frontdesk.store.mirror import Mirror
from frontdesk.store.models import LocalSetting, OutboxMutation, SyncConflict
from frontdesk.sync.account import Account
from frontdesk.sync.pull import pull_all
from frontdesk.sync.push import push_pending
from frontdesk.sync.transport import SyncError

STATUS_SETTING = "sync_status"
OUTBOX_KEPT_FOR = timedelta(days=30)


@dataclass(frozen=True)
class ConflictSummary:
    id: uuid.UUID
    table: str
    row_id: uuid.UUID
    kind: str
    reason: str
    fields: tuple[str, ...]


@dataclass
class SyncReport:
    pushed: int = 0
    pulled: int = 0
    removed: int = 0
    version: int = 0
    conflicts: list[ConflictSummary] = field(default_factory=list)
    clock_skew_seconds: float | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "pushed": self.pushed,
            "pulled": self.pulled,
            "removed": self.removed,
            "version": self.version,
            "clock_skew_seconds": self.clock_skew_seconds,
            "conflicts": [
                {
                    "id": str(c.id),
                    "table": c.table,
                    "row_id": str(c.row_id),
                    "kind": c.kind,
                    "reason": c.reason,
                    "fields": list(c.fields),
                }
                for c in self.conflicts
            ],
        }


def run_round(mirror: Mirror, account: Account) -> SyncReport:
    """Push, then pull. Raises `SyncError` (and records the desk as offline) when the
    server cannot be reached or refuses."""
    try:
        pushed = push_pending(mirror, account)
        pulled = pull_all(mirror, account)
    except SyncError as error:
        _record_status(
            mirror, online=False, skew=account.transport.clock_skew_seconds, error=str(error)
        )
        raise
    report = SyncReport(
        pushed=pushed.pushed,
        pulled=pulled.pulled,
        removed=pulled.removed,
        version=pulled.version,
        conflicts=_conflicts(mirror, pushed.conflict_ids),
        clock_skew_seconds=account.transport.clock_skew_seconds,
    )
    _record_status(mirror, online=True, skew=report.clock_skew_seconds, error=None)
    _prune_outbox(mirror)
    return report


def _prune_outbox(mirror: Mirror) -> None:
    """Mutations the server acknowledged long ago: the server has them, the desk's own
    journal (events, audit) keeps what happened; the outbox need not grow forever."""
    cutoff = datetime.now(UTC) - OUTBOX_KEPT_FOR
    with mirror.sessions.begin() as session:
        session.execute(
            delete(OutboxMutation).where(
                OutboxMutation.pushed_at.is_not(None), OutboxMutation.pushed_at < cutoff
            )
        )


def _conflicts(mirror: Mirror, ids: list[uuid.UUID]) -> list[ConflictSummary]:
    if not ids:
        return []
    with mirror.sessions() as session:
        rows = session.scalars(select(SyncConflict).where(SyncConflict.id.in_(ids))).all()
    return [
        ConflictSummary(
            r.id, r.table_name, r.row_id, r.kind, shown(r.reason), tuple(sorted(r.fields))
        )
        for r in rows
    ]


def _record_status(mirror: Mirror, *, online: bool, skew: float | None, error: str | None) -> None:
    now = datetime.now(UTC).isoformat()
    with mirror.sessions.begin() as session:
        setting = session.get(LocalSetting, STATUS_SETTING)
        previous = dict(setting.value) if setting is not None else {}
        value = {
            **previous,
            "online": online,
            "checked_at": now,
            "clock_skew_seconds": skew,
            "last_error": error,
        }
        if online:
            value["last_sync_at"] = now
        if setting is None:
            session.add(LocalSetting(key=STATUS_SETTING, value=value))
        else:
            setting.value = value
