"""What the desk shows about sync: online, waiting changes, last sync, conflicts, clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from frontdesk.store.models import LocalSetting, OutboxMutation, SyncConflict
from frontdesk.sync.protocol import CLOCK_SKEW_WARNING_SECONDS
from frontdesk.sync.runner import STATUS_SETTING
from frontdesk.sync.tables import PUSHABLE_TABLES


@dataclass(frozen=True)
class SyncStatus:
    online: bool | None  # None: never tried
    pending_changes: int
    last_sync_at: datetime | None
    open_conflicts: int
    clock_skew_seconds: float | None
    last_error: str | None = None

    @property
    def clock_skewed(self) -> bool:
        """Over five minutes apart: times the desk shows may be wrong."""
        return (
            self.clock_skew_seconds is not None
            and abs(self.clock_skew_seconds) > CLOCK_SKEW_WARNING_SECONDS
        )


def read_status(sessions: sessionmaker[Session]) -> SyncStatus:
    with sessions() as session:
        pending = session.scalar(
            select(func.count())
            .select_from(OutboxMutation)
            .where(
                OutboxMutation.pushed_at.is_(None),
                OutboxMutation.table_name.in_(sorted(PUSHABLE_TABLES)),
            )
        )
        conflicts = session.scalar(
            select(func.count()).select_from(SyncConflict).where(SyncConflict.status == "open")
        )
        setting = session.get(LocalSetting, STATUS_SETTING)
    value = setting.value if setting is not None else {}
    last = value.get("last_sync_at")
    return SyncStatus(
        online=value.get("online"),
        pending_changes=int(pending or 0),
        last_sync_at=datetime.fromisoformat(last) if last else None,
        open_conflicts=int(conflicts or 0),
        clock_skew_seconds=value.get("clock_skew_seconds"),
        last_error=value.get("last_error"),
    )
