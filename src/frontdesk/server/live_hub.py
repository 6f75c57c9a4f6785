"""One `LISTEN` connection per server process, fanning organization versions out to streams.

The change-log trigger sends `pg_notify('frontdesk_sync', '<organization id>:<version>')`
when a transaction takes an organization's next version; PostgreSQL delivers it at commit.
A thread here holds the one listening connection and hands each version to the open live
streams of that organization only (keyed by the id in the notice), on each stream's own
event loop. The connection reads no table: it carries version numbers, never rows, and each
stream was authorized when it opened. A dropped connection is opened again; versions that
moved meanwhile are read once per organization with a stream (under that organization's
row-level security) so no stream misses one."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import psycopg
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from frontdesk.server.scope import Scope, scoped_sessions

CHANNEL = "frontdesk_sync"
# How often the listening thread looks up from the socket to notice `close()`.
_WAKE_SECONDS = 0.5

_log = logging.getLogger(__name__)


class TooManyStreams(Exception):
    """The account already holds as many live streams as the server allows."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"at most {limit} live update streams may be open at once for one account; "
            "close the app on another computer signed in as you, or try again shortly"
        )
        self.limit = limit


@dataclass(eq=False)
class Subscription:
    """One stream's mailbox: the newest version heard for its organization."""

    hub: LiveHub
    organization_id: uuid.UUID
    user_id: uuid.UUID
    loop: asyncio.AbstractEventLoop
    latest: int = 0
    closed: bool = False
    _event: asyncio.Event = field(default_factory=asyncio.Event)

    def offer(self, version: int) -> None:
        """Runs on the stream's loop."""
        if version > self.latest:
            self.latest = version
            self._event.set()

    def end(self) -> None:
        """Runs on the stream's loop: the hub closed, the stream should finish."""
        self.closed = True
        self._event.set()

    async def wait(self, seen: int, timeout: float) -> int | None:
        """The newest version once it passes `seen`, or None after `timeout` seconds (or
        when the hub closes: check `closed`)."""
        while self.latest <= seen and not self.closed:
            self._event.clear()
            try:
                await asyncio.wait_for(self._event.wait(), timeout)
            except TimeoutError:
                return None
        return self.latest if self.latest > seen else None

    def close(self) -> None:
        self.hub.release(self)


class LiveHub:
    """Routes organization versions from one listening connection to in-memory subscribers;
    at most `per_account` open subscriptions per user (in this process)."""

    def __init__(self, engine: Engine, *, per_account: int, retry_seconds: float = 1.0) -> None:
        self._engine = engine
        self.per_account = per_account
        self._retry_seconds = retry_seconds
        self._lock = threading.Lock()
        self._by_org: dict[uuid.UUID, set[Subscription]] = defaultdict(set)
        self._per_user: dict[uuid.UUID, int] = defaultdict(int)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.listening = threading.Event()
        self.backend_pid: int | None = None

    # Streams (called on an event loop's thread)

    def subscribe(self, organization_id: uuid.UUID, user_id: uuid.UUID) -> Subscription:
        """A mailbox for a stream of `organization_id`, counted against `user_id`; raises
        TooManyStreams when the user holds `per_account` already."""
        subscription = Subscription(self, organization_id, user_id, asyncio.get_running_loop())
        with self._lock:
            if self._per_user[user_id] >= self.per_account:
                raise TooManyStreams(self.per_account)
            self._per_user[user_id] += 1
            self._by_org[organization_id].add(subscription)
            if self._thread is None:
                self._stopping.clear()
                self._thread = threading.Thread(target=self._run, name="sync-live-hub", daemon=True)
                self._thread.start()
        return subscription

    def release(self, subscription: Subscription) -> None:
        """Forget a subscription (once; a second call does nothing)."""
        with self._lock:
            streams = self._by_org.get(subscription.organization_id)
            if streams is None or subscription not in streams:
                return
            streams.discard(subscription)
            if not streams:
                del self._by_org[subscription.organization_id]
            self._per_user[subscription.user_id] -= 1
            if not self._per_user[subscription.user_id]:
                del self._per_user[subscription.user_id]

    def open_streams(self, user_id: uuid.UUID) -> int:
        with self._lock:
            return self._per_user.get(user_id, 0)

    def close(self) -> None:
        """Stop listening and end every open stream."""
        self._stopping.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=_WAKE_SECONDS * 4 + 5)
        with self._lock:
            everyone = [s for streams in self._by_org.values() for s in streams]
        for subscription in everyone:
            _call_on_loop(subscription.loop, subscription.end)

    # The listening thread

    def _run(self) -> None:
        first = True
        while not self._stopping.is_set():
            try:
                with self._connect() as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self.backend_pid = connection.info.backend_pid
                    if not first:
                        self._catch_up()
                    first = False
                    self.listening.set()
                    while not self._stopping.is_set():
                        for notice in connection.notifies(timeout=_WAKE_SECONDS):
                            self._route(notice.payload)
            except (psycopg.Error, SQLAlchemyError) as error:
                _log.warning("live updates: listening connection lost (%s); reconnecting", error)
            except Exception:
                # The listener must outlive a bug in one notice: every stream depends on it.
                _log.exception("live updates: the listener failed; starting it again")
            self.listening.clear()
            self._stopping.wait(self._retry_seconds)

    def _connect(self) -> psycopg.Connection:
        """A connection of its own with the engine's settings (not one of the pool's)."""
        args, params = self._engine.dialect.create_connect_args(self._engine.url)
        return psycopg.connect(*args, autocommit=True, **params)

    def _route(self, payload: str) -> None:
        organization, _, number = payload.partition(":")
        try:
            organization_id, version = uuid.UUID(organization), int(number)
        except ValueError:
            _log.warning("live updates: ignoring a malformed notice %r", payload)
            return
        self._deliver(organization_id, version)

    def _deliver(self, organization_id: uuid.UUID, version: int) -> None:
        with self._lock:
            streams = list(self._by_org.get(organization_id, ()))
        by_loop: dict[asyncio.AbstractEventLoop, list[Subscription]] = defaultdict(list)
        for subscription in streams:
            by_loop[subscription.loop].append(subscription)
        # One hop per event loop, not per stream: thousands of streams share a loop.
        for loop, subscribers in by_loop.items():
            _call_on_loop(loop, _offer_all, subscribers, version)

    def _catch_up(self) -> None:
        """After a reconnect: the current version of each organization with a stream, read
        under that organization's own row-level security."""
        with self._lock:
            organizations = list(self._by_org)
        for organization_id in organizations:
            sessions = scoped_sessions(self._engine, Scope(organization_id=organization_id))
            with sessions.begin() as session:
                version = session.scalar(
                    text("SELECT version FROM sync_org_versions WHERE organization_id = :org"),
                    {"org": organization_id},
                )
            if version is not None:
                self._deliver(organization_id, int(version))


def _offer_all(subscribers: list[Subscription], version: int) -> None:
    for subscription in subscribers:
        subscription.offer(version)


def _call_on_loop(
    loop: asyncio.AbstractEventLoop, callback: Callable[..., None], *args: object
) -> None:
    # A loop that has closed took its streams with it: nothing to wake there.
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(callback, *args)
