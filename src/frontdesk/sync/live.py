"""Listening for the organization's version (server-sent events on `/v1/sync/live`).

The server sends `version` when the organization's data moves (and once on connecting, so a
desk that was away catches up) and `ping` every second. A dropped connection is retried
after a pause; `stop()` returns within about a second."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import httpx
from httpx_sse import SSEError, connect_sse

from frontdesk.sync.account import Account
from frontdesk.sync.transport import SyncError, Transport

log = logging.getLogger(__name__)

# Pings come every second: a silent stream is a dead one.
READ_TIMEOUT_SECONDS = 5.0


class LiveListener:
    def __init__(
        self,
        account: Account,
        on_version: Callable[[int], None],
        *,
        retry_seconds: float = 2.0,
    ) -> None:
        self._account = account
        self._on_version = on_version
        self._retry_seconds = retry_seconds
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.connected = threading.Event()

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="sync-live", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=READ_TIMEOUT_SECONDS + 2)

    def _run(self) -> None:
        transport = Transport(self._account.server_url, verify=self._account.verify)
        transport.client.timeout = httpx.Timeout(10.0, read=READ_TIMEOUT_SECONDS)
        try:
            while not self._stopping.is_set():
                try:
                    self._listen(transport)
                except (httpx.HTTPError, SSEError, SyncError) as error:
                    log.info("live updates interrupted: %s", error)
                self.connected.clear()
                self._stopping.wait(self._retry_seconds)
        finally:
            transport.close()

    def _listen(self, transport: Transport) -> None:
        headers = {"Authorization": f"Bearer {self._account.access_token()}"}
        with connect_sse(transport.client, "GET", "/v1/sync/live", headers=headers) as source:
            if source.response.status_code == 401:
                self._account.forget_access_token()
                return
            source.response.raise_for_status()
            self.connected.set()
            for event in source.iter_sse():
                if self._stopping.is_set():
                    return
                if event.event == "version":
                    self._on_version(int(event.data))
