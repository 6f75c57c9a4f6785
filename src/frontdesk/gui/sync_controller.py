"""Keeping the desk in sync: a round now and then (and soon after a local change), and the
sync state the status bar shows.

A round writes to the mirror, so it runs on the desk's database worker like any other
operation; it is short (a push and a paged pull). A standalone desk has no account: only its
status (changes recorded locally) is read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from frontdesk.gui.desk import SYNC_PULLED, Desk
from frontdesk.gui.messages import explain
from frontdesk.gui.operations import run_operation
from frontdesk.services.context import Outcome, ServiceContext
from frontdesk.store.changes import ChangeSet

if TYPE_CHECKING:
    from frontdesk.sync.account import Account
    from frontdesk.sync.runner import SyncReport
    from frontdesk.sync.status import SyncStatus

SYNC_INTERVAL_MS = 30_000
AFTER_CHANGE_MS = 1_500
"""A local change is pushed this soon after it (several clicks make one round)."""


class SyncController(QObject):
    sig_status = Signal(object)
    """The sync state was read: carries a `SyncStatus`."""

    sig_error = Signal(str)
    """The last round failed: carries what went wrong, in plain words."""

    sig_account = Signal(object)
    """The desk's server account was found (carries the `Account`)."""

    def __init__(self, desk: Desk, parent: QWidget) -> None:
        super().__init__(parent)
        self._desk = desk
        self._parent = parent
        self.account: Account | None = None
        self._running = False
        self._timer = QTimer(self)
        self._timer.setObjectName("sync-interval")
        self._timer.setInterval(SYNC_INTERVAL_MS)
        self._timer.timeout.connect(self.sync_now)
        self._soon = QTimer(self)
        self._soon.setObjectName("sync-soon")
        self._soon.setSingleShot(True)
        self._soon.setInterval(AFTER_CHANGE_MS)
        self._soon.timeout.connect(self.sync_now)
        desk.signals.sig_changed.connect(self._local_change)

    def start(self) -> None:
        """Find the desk's server account (on the worker: a file, the keyring, and the network
        modules to import), then sync if there is one."""
        profile = self._desk.mirror.profile

        def work(_ctx: ServiceContext) -> Account | None:
            from frontdesk.sync.account import current_account

            return current_account(profile)

        run_operation(self._desk, work, parent=self._parent, on_done=self._account_found)

    def _account_found(self, account: Account | None) -> None:
        # An account of another organization is not this desk's (a profile reused).
        if account is not None and account.organization_id == self._desk.organization_id:
            self.account = account
            self.sig_account.emit(account)
            self._timer.start()
            self.sync_now()
        else:
            self.refresh_status()

    def stop(self) -> None:
        """No more rounds; the server connections are closed (a round still running on the
        worker then fails quietly: the desk is closing)."""
        self._timer.stop()
        self._soon.stop()
        account, self.account = self.account, None
        if account is not None:
            account.close()

    def sync_now(self) -> None:
        if self.account is None or self._running:
            return
        self._running = True
        account, mirror = self.account, self._desk.mirror

        def work(_ctx: ServiceContext) -> Outcome[SyncReport]:
            from frontdesk.sync.runner import run_round  # network code loads on the worker

            report = run_round(mirror, account)
            changes = ChangeSet()
            if report.pulled or report.removed or report.conflicts:
                changes.events.append(SYNC_PULLED)
            return Outcome(report, changes)

        run_operation(
            self._desk, work, parent=self._parent, on_done=self._synced, on_error=self._failed
        )

    def refresh_status(self) -> None:
        sessions = self._desk.mirror.sessions

        def work(_ctx: ServiceContext) -> SyncStatus:
            from frontdesk.sync.status import read_status  # loads on the worker

            return read_status(sessions)

        run_operation(
            self._desk,
            work,
            parent=self._parent,
            on_done=self.sig_status.emit,
            on_error=lambda error: self.sig_error.emit(str(error)),
        )

    def _synced(self, _outcome: Outcome[SyncReport]) -> None:
        self._running = False
        self.refresh_status()

    def _failed(self, error: Exception) -> None:
        # Offline is normal for a desk: the status bar says so, no message box.
        self._running = False
        self.sig_error.emit(explain(error))
        self.refresh_status()

    def _local_change(self, changes: ChangeSet) -> None:
        if SYNC_PULLED in changes.events:
            return
        if self.account is not None:
            self._soon.start()
        else:
            self.refresh_status()


def describe(status: SyncStatus, *, standalone: bool) -> str:
    """The status bar's words for the sync state."""
    parts = []
    if standalone:
        parts.append("This computer only")
    elif status.online is None:
        parts.append("○ Not synced yet")
    else:
        parts.append("● Online" if status.online else "○ Offline")
    if not standalone:
        waiting = status.pending_changes
        parts.append(f"{waiting} change{'s' if waiting != 1 else ''} waiting")
        last = status.last_sync_at
        parts.append(f"last sync {last.astimezone():%H:%M}" if last else "never synced")
    conflicts = status.open_conflicts
    if conflicts or not standalone:
        parts.append(f"{conflicts} conflict{'s' if conflicts != 1 else ''} to resolve")
    if status.clock_skewed:
        parts.append("⚠ this computer's clock is more than 5 minutes off")
    return " · ".join(parts)
