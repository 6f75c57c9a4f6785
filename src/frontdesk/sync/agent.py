"""Keeping a desk in sync in the background: a round at start, whenever the server says the
organization moved, when asked (`nudge`, after a local write), and every `interval` anyway."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from frontdesk.store.mirror import Mirror
from frontdesk.sync.account import Account
from frontdesk.sync.apply import read_cursor
from frontdesk.sync.live import LiveListener
from frontdesk.sync.runner import SyncReport, run_round
from frontdesk.sync.transport import SyncError

log = logging.getLogger(__name__)


class SyncAgent:
    def __init__(
        self,
        mirror: Mirror,
        account: Account,
        *,
        interval_seconds: float = 60.0,
        on_report: Callable[[SyncReport], None] | None = None,
        on_error: Callable[[SyncError], None] | None = None,
    ) -> None:
        self._mirror = mirror
        self._account = account
        self._interval = interval_seconds
        self._on_report = on_report
        self._on_error = on_error
        self._wanted = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._known_version = read_cursor(mirror.engine).version
        self.live = LiveListener(account, self._heard)

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        self._wanted.set()  # the first round at once
        self._thread = threading.Thread(target=self._run, name="sync-agent", daemon=True)
        self._thread.start()
        self.live.start()

    def stop(self) -> None:
        """Stop listening and wait for a round under way to finish."""
        self._stopping.set()
        self._wanted.set()
        self.live.stop()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join()

    def nudge(self) -> None:
        self._wanted.set()

    def _heard(self, version: int) -> None:
        if version != self._known_version:
            self._wanted.set()

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wanted.wait(self._interval)
            if self._stopping.is_set():
                return
            self._wanted.clear()
            try:
                report = run_round(self._mirror, self._account)
            except SyncError as error:
                log.warning("sync round failed: %s", error)
                if self._on_error is not None:
                    self._on_error(error)
                continue
            except Exception:
                # The agent must outlive a round that broke: the next one tries again.
                log.exception("sync round failed")
                continue
            self._known_version = report.version
            if self._on_report is not None:
                self._on_report(report)
