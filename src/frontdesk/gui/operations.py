"""Operations: service calls run off the UI thread.

Every database call runs on ONE worker thread per desk (SQLite has one writer; one thread keeps
the order of a receptionist's clicks). The result comes back on the UI thread, where the
operation's ChangeSet is announced on `desk.signals.sig_changed` and `on_done` runs. A widget
that is gone by then is not called back. Long work (`label` given) shows a progress dialog after
a short delay, with a Cancel button; work can look at `current_job()` to report progress and to
stop early when cancelled.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from frontdesk.domain.errors import DomainError
from frontdesk.gui.messages import explain
from frontdesk.i18n import _
from frontdesk.services.context import Outcome, ServiceContext
from frontdesk.store.changes import ChangeSet

if TYPE_CHECKING:
    from frontdesk.gui.desk import Desk

log = logging.getLogger(__name__)

T = TypeVar("T")

PROGRESS_DELAY_MS = 600
"""Work quicker than this never flashes a progress dialog."""

ERROR_BOX_NAME = "operation-error"

_running = threading.local()


class OperationCancelled(Exception):
    """Raised inside work that noticed its job was cancelled (`Job.check_cancelled`)."""


class Job(QObject):
    """One operation: the work, where its result goes, and its cancel flag."""

    sig_progress = Signal(int, int)
    """Work reported progress: (done, total); total 0 means "busy, size unknown"."""

    def __init__(
        self,
        work: Callable[[ServiceContext], Any],
        ctx: ServiceContext,
        automation: Callable[[ServiceContext], ChangeSet] | None,
    ) -> None:
        super().__init__()
        self.work = work
        self.ctx = ctx
        self.automation = automation
        self.result: Any = None
        self.error: Exception | None = None
        self.changes: ChangeSet | None = None
        self._cancelled = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def cancel(self) -> None:
        """Ask the work to stop; its result, if it still comes, is dropped."""
        self._cancelled.set()

    def check_cancelled(self) -> None:
        if self.cancelled:
            raise OperationCancelled()

    def report(self, done: int, total: int) -> None:
        self.sig_progress.emit(done, total)

    def run(self) -> None:
        """On the worker thread."""
        if self.cancelled:
            return
        _running.job = self
        try:
            self.result = self.work(self.ctx)
        except Exception as error:  # handed to the UI thread, shown there
            self.error = error
        finally:
            _running.job = None
        if isinstance(self.result, Outcome):
            self.changes = ChangeSet().merge(self.result.changes)
            if self.automation is not None and self.changes.events:
                self._run_automation(self.changes)

    def _run_automation(self, changes: ChangeSet) -> None:
        # The operation has committed: a failing rule is the engine's to record and retry
        # (the events stay pending), not a failure of what the person at the desk did.
        assert self.automation is not None
        try:
            changes.merge(self.automation(self.ctx))
        except Exception:
            log.exception("automation after an operation failed; the runner will retry")


def current_job() -> Job | None:
    """The job the calling worker thread is running (None on any other thread)."""
    return getattr(_running, "job", None)


class OperationRunner(QObject):
    """The desk's database worker: one thread, results delivered on the UI thread."""

    _sig_finished = Signal(object)
    """A job finished on the worker (emitted there, received on the UI thread)."""

    def __init__(self) -> None:
        super().__init__()
        self._executor: ThreadPoolExecutor | None = None
        self._in_flight: set[Job] = set()
        self._callbacks: dict[Job, Callable[[Job], None]] = {}
        self._sig_finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @property
    def idle(self) -> bool:
        """No operation is queued, running, or waiting to be delivered."""
        return not self._in_flight

    def submit(self, job: Job, deliver: Callable[[Job], None]) -> None:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="frontdesk-db")
        self._in_flight.add(job)
        self._callbacks[job] = deliver
        self._executor.submit(self._run, job)

    def _run(self, job: Job) -> None:
        job.run()
        self._sig_finished.emit(job)

    def _deliver(self, job: Job) -> None:
        self._in_flight.discard(job)
        deliver = self._callbacks.pop(job, None)
        if deliver is not None:
            deliver(job)

    def shutdown(self) -> None:
        """Cancel what has not started, wait for what runs; no thread is left behind."""
        for job in self._in_flight:
            job.cancel()
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
        self._in_flight.clear()
        self._callbacks.clear()


def show_error(parent: QWidget | None, error: Exception) -> QMessageBox:
    """The error in plain words, in a window-modal box that does not block the caller."""
    box = QMessageBox(QMessageBox.Icon.Warning, _("Front Desk"), explain(error), parent=parent)
    box.setObjectName(ERROR_BOX_NAME)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def run_operation(
    desk: Desk,
    work: Callable[[ServiceContext], T],
    *,
    parent: QWidget,
    on_done: Callable[[T], None],
    on_error: Callable[[Exception], None] | None = None,
    label: str | None = None,
) -> Job:
    """Run `work(desk.context())` on the desk's worker; see the module docstring."""
    job = Job(work, desk.context(), desk.automation)
    progress = _DelayedProgress(job, parent, label) if label else None
    # Cancel when the widget goes: no point finishing a query nobody will look at.
    parent.destroyed.connect(job.cancel)

    def deliver(finished: Job) -> None:
        if progress is not None:
            progress.finish()
        # What committed is announced even if nobody waits for the result any more.
        if finished.changes:
            desk.signals.sig_changed.emit(finished.changes)
        if finished.cancelled or not shiboken6.isValid(parent):
            return
        parent.destroyed.disconnect(job.cancel)
        if finished.error is not None:
            if not isinstance(finished.error, DomainError):
                log.error("operation failed", exc_info=finished.error)
            (on_error or (lambda error: show_error(parent, error)))(finished.error)
            return
        on_done(finished.result)

    desk.worker.submit(job, deliver)
    return job


class _DelayedProgress(QObject):
    """A progress dialog that appears only if the work takes longer than a moment. A QObject
    on the UI thread, so progress reported by the worker arrives here queued."""

    def __init__(self, job: Job, parent: QWidget, label: str) -> None:
        super().__init__(parent)
        self._job = job
        self._parent = parent
        self._label = label
        self._dialog: QProgressDialog | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._show)
        self._timer.start(PROGRESS_DELAY_MS)
        job.sig_progress.connect(self._progress)

    def _show(self) -> None:
        dialog = QProgressDialog(self._label, _("Cancel"), 0, 0, self._parent)
        dialog.setObjectName("operation-progress")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.canceled.connect(self._job.cancel)
        dialog.show()
        self._dialog = dialog

    def _progress(self, done: int, total: int) -> None:
        if self._dialog is not None:
            self._dialog.setMaximum(total)
            self._dialog.setValue(done)

    def finish(self) -> None:
        if not shiboken6.isValid(self):
            return  # went with its widget
        self._timer.stop()
        if self._dialog is not None:
            self._dialog.canceled.disconnect(self._job.cancel)
            self._dialog.close()
            self._dialog.deleteLater()
        self.deleteLater()
