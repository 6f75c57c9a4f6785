"""A booking made at one desk shows at another within a second, without anyone asking."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import httpx

from frontdesk.domain.enums import Role
from frontdesk.store.models import Appointment
from frontdesk.sync.agent import SyncAgent
from frontdesk.sync.live import MAX_RETRY_AFTER_SECONDS, LiveListener, _retry_after
from frontdesk.sync.runner import SyncReport
from tests.sync.conftest import NOW, DeskFactory, seed_catalog, walk_in


def test_a_listening_desk_pulls_as_soon_as_the_organization_moves(
    make_desk: DeskFactory,
) -> None:
    front = make_desk("front", Role.ADMIN)
    seeded = seed_catalog(front)
    front.sync()
    watcher = make_desk("watcher")
    rounds: list[SyncReport] = []
    arrived = threading.Event()

    def on_report(report: SyncReport) -> None:
        rounds.append(report)
        if report.pulled:
            arrived.set()

    # The fallback interval is long: only the live notice can explain a quick arrival.
    agent = SyncAgent(watcher.mirror, watcher.account, interval_seconds=300, on_report=on_report)
    agent.start()
    try:
        assert agent.live.connected.wait(10)
        booked = walk_in(front, seeded, NOW + timedelta(days=1))
        front.sync()
        pushed_at = time.monotonic()
        assert arrived.wait(5)
        delay = time.monotonic() - pushed_at
    finally:
        agent.stop()

    # Seconds, not the five-minute fallback (generous: the test machine is shared).
    assert delay < 5.0
    with watcher.mirror.sessions() as session:
        assert session.get(Appointment, booked.id) is not None


def test_stopping_a_listener_does_not_wait_for_the_next_keep_alive(
    make_desk: DeskFactory,
) -> None:
    desk = make_desk("front", Role.ADMIN)
    heard: list[int] = []
    listener = LiveListener(desk.account, heard.append)
    listener.start()
    assert listener.connected.wait(10)
    deadline = time.monotonic() + 5
    while not heard and time.monotonic() < deadline:
        time.sleep(0.02)
    assert heard  # the version sent on connecting; the stream now idles until a keep-alive
    started = time.monotonic()
    listener.stop()
    # Keep-alives come every 15 s; the stream's socket is shut instead of waiting for one.
    assert time.monotonic() - started < 2.0


def test_a_refused_stream_waits_as_long_as_the_server_asks() -> None:
    request = httpx.Request("GET", "https://desk.example/v1/sync/live")
    asked = httpx.Response(429, headers={"Retry-After": "30"}, request=request)
    absurd = httpx.Response(429, headers={"Retry-After": "86400"}, request=request)
    silent = httpx.Response(429, request=request)
    assert _retry_after(asked) == 30.0
    assert _retry_after(absurd) == MAX_RETRY_AFTER_SECONDS
    assert _retry_after(silent) is None
