"""Keeping the desk in sync: a round at once when the server says the organization moved
(live updates), soon after a local change, and every 30 s anyway; and the sync state the
status bar shows.

A round writes to the mirror, so it runs on the desk's database worker like any other
operation; it is short (a push and a paged pull). The live listener waits for the server's
events on its own thread and hops to the UI thread through a queued signal. A standalone desk
has no account: only its status (changes recorded locally) is read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QWidget

from frontdesk.gui.desk import SYNC_PULLED, Desk
from frontdesk.gui.messages import explain
from frontdesk.gui.operations import run_operation
from frontdesk.i18n import _, ngettext
from frontdesk.i18n.formats import format_time
from frontdesk.services.context import Outcome, ServiceContext
from frontdesk.store.changes import ChangeSet

if TYPE_CHECKING:
    from frontdesk.sync.account import Account
    from frontdesk.sync.live import LiveListener
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

    sig_synced = Signal(object)
    """A round finished: carries its `SyncReport`."""

    _sig_heard = Signal(object)  # a Python int: versions pass 2**31 (a restore moves them on)
    """The server announced the organization's version (emitted on the live listener's
    thread, received queued on the UI thread)."""

    def __init__(self, desk: Desk, parent: QWidget) -> None:
        super().__init__(parent)
        self._desk = desk
        self._parent = parent
        self.account: Account | None = None
        self.live: LiveListener | None = None
        self._running = False
        self._stopped = False
        # The newest version the server announced, and the one the last round reached: a
        # round is owed while the first is ahead.
        self._heard_version = 0
        self._synced_version = 0
        self._sig_heard.connect(self._heard, Qt.ConnectionType.QueuedConnection)
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

        def work(_ctx: ServiceContext) -> tuple[Account, LiveListener] | None:
            from frontdesk.sync.account import current_account
            from frontdesk.sync.live import LiveListener

            account = current_account(profile)
            if account is None:
                return None
            return account, LiveListener(account, self._sig_heard.emit)

        run_operation(self._desk, work, parent=self._parent, on_done=self._account_found)

    def _account_found(self, found: tuple[Account, LiveListener] | None) -> None:
        if self._stopped:  # the desk closed while the account was being read
            if found is not None:
                found[0].close()
            return
        # An account of another organization is not this desk's (a profile reused).
        if found is not None and found[0].organization_id == self._desk.organization_id:
            self.account, self.live = found
            self.sig_account.emit(self.account)
            self._timer.start()
            self.sync_now()
            self.live.start()
        else:
            self.refresh_status()

    def stop(self) -> None:
        """No more rounds; the live listener ends (within about a second) and the server
        connections are closed (a round still running on the worker then fails quietly: the
        desk is closing)."""
        self._stopped = True
        self._timer.stop()
        self._soon.stop()
        live, self.live = self.live, None
        if live is not None:
            live.stop()
        account, self.account = self.account, None
        if account is not None:
            account.close()

    def _heard(self, version: int) -> None:
        """On the UI thread: the organization moved past what this desk has, so a round now
        (or right after the one under way)."""
        self._heard_version = max(self._heard_version, version)
        if self._heard_version > self._synced_version:
            self.sync_now()

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

    def _synced(self, outcome: Outcome[SyncReport]) -> None:
        self._running = False
        self._synced_version = max(self._synced_version, outcome.value.version)
        self.sig_synced.emit(outcome.value)
        self.refresh_status()
        if self._heard_version > self._synced_version:
            self.sync_now()  # the server moved again while this round ran

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
    """The status bar's words for the sync state, in the desk's language."""
    parts = []
    if standalone:
        parts.append(_("This computer only"))
    elif status.online is None:
        parts.append(_("○ Not synced yet"))
    else:
        parts.append(_("● Online") if status.online else _("○ Offline"))
    if not standalone:
        waiting = status.pending_changes
        parts.append(
            ngettext("{count} change waiting", "{count} changes waiting", waiting).format(
                count=waiting
            )
        )
        last = status.last_sync_at
        parts.append(
            _("last sync {time}").format(time=format_time(last.astimezone()))
            if last
            else _("never synced")
        )
    conflicts = status.open_conflicts
    if conflicts or not standalone:
        parts.append(
            ngettext(
                "{count} conflict to resolve", "{count} conflicts to resolve", conflicts
            ).format(count=conflicts)
        )
    if status.clock_skewed:
        parts.append(_("⚠ this computer's clock is more than 5 minutes off"))
    return " · ".join(parts)
