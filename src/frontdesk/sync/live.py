"""Listening for the organization's version (server-sent events on `/v1/sync/live`).

The server sends `version` when the organization's data moves (and once on connecting, so a
desk that was away catches up) and a comment line every 15 s. A dropped connection is retried
after a pause (longer when the server says the account holds too many streams); `stop()`
shuts the stream's socket, so it returns at once rather than at the next keep-alive."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Callable

import httpx
from httpx_sse import SSEError, connect_sse

from frontdesk.sync.account import Account
from frontdesk.sync.transport import SyncError, Transport

log = logging.getLogger(__name__)

# Keep-alives come every 15 s: a stream silent for much longer is a dead one.
READ_TIMEOUT_SECONDS = 40.0
# The server's Retry-After for a refused stream is honoured up to this long.
MAX_RETRY_AFTER_SECONDS = 300.0


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
        self._socket: socket.socket | None = None
        self._socket_lock = threading.Lock()
        self.connected = threading.Event()

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="sync-live", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        with self._socket_lock:
            if self._socket is not None:
                # Wakes the read blocked on the stream (closing alone would not).
                with contextlib.suppress(OSError):
                    socket.socket.shutdown(self._socket, socket.SHUT_RDWR)
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=5)

    def _run(self) -> None:
        transport = Transport(self._account.server_url, verify=self._account.verify)
        transport.client.timeout = httpx.Timeout(10.0, read=READ_TIMEOUT_SECONDS)
        try:
            while not self._stopping.is_set():
                pause = self._retry_seconds
                try:
                    pause = self._listen(transport) or pause
                except (httpx.HTTPError, SSEError, SyncError) as error:
                    if not self._stopping.is_set():
                        log.info("live updates interrupted: %s", error)
                self.connected.clear()
                self._stopping.wait(pause)
        finally:
            transport.close()

    def _listen(self, transport: Transport) -> float | None:
        """Follows one stream until it ends; returns how long to wait before the next one
        when the server asked for longer than usual."""
        headers = {"Authorization": f"Bearer {self._account.access_token()}"}
        with connect_sse(transport.client, "GET", "/v1/sync/live", headers=headers) as source:
            response = source.response
            if response.status_code == 401:
                self._account.forget_access_token()
                return None
            if response.status_code == 429:
                response.read()
                log.info("live updates refused for now: %s", response.text)
                return _retry_after(response)
            response.raise_for_status()
            self._hold(response)
            try:
                self.connected.set()
                for event in source.iter_sse():
                    if self._stopping.is_set():
                        return None
                    if event.event == "version":
                        self._on_version(int(event.data))
            finally:
                self._hold(None)
        return None

    def _hold(self, response: httpx.Response | None) -> None:
        """Remembers the stream's socket so `stop()` can end a read blocked on it."""
        stream = None if response is None else response.extensions.get("network_stream")
        with self._socket_lock:
            self._socket = None if stream is None else stream.get_extra_info("socket")
            if self._socket is not None and self._stopping.is_set():
                with contextlib.suppress(OSError):
                    socket.socket.shutdown(self._socket, socket.SHUT_RDWR)


def _retry_after(response: httpx.Response) -> float | None:
    try:
        seconds = float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)
