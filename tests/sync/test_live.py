"""A booking made at one desk shows at another within a second, without anyone asking."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from frontdesk.domain.enums import Role
from frontdesk.store.models import Appointment
from frontdesk.sync.agent import SyncAgent
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
