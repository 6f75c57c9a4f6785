"""What the desk shows about sync: waiting changes, last sync, offline, clock skew."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from frontdesk.domain.enums import Role
from frontdesk.store.models import OutboxMutation
from frontdesk.sync.protocol import SERVER_TIME_HEADER
from frontdesk.sync.runner import run_round
from frontdesk.sync.status import SyncStatus, read_status
from frontdesk.sync.transport import ServerUnreachable, Transport
from tests.sync.conftest import DeskFactory, seed_catalog


def test_status_follows_the_rounds(make_desk: DeskFactory) -> None:
    desk = make_desk("front", Role.ADMIN)
    seed_catalog(desk)
    waiting = read_status(desk.mirror.sessions)
    assert waiting.pending_changes > 0
    assert waiting.online is True  # the first round (at sign-in) reached the server

    desk.sync()
    synced = read_status(desk.mirror.sessions)
    assert synced.pending_changes == 0
    assert synced.open_conflicts == 0
    assert synced.last_sync_at is not None
    assert synced.clock_skew_seconds is not None
    assert not synced.clock_skewed

    desk.account.close()
    desk.account.server_url = "https://127.0.0.1:9"  # nothing listens there
    with pytest.raises(ServerUnreachable, match="cannot be reached"):
        run_round(desk.mirror, desk.account)
    offline = read_status(desk.mirror.sessions)
    assert offline.online is False
    assert offline.last_error
    assert offline.last_sync_at == synced.last_sync_at


def test_a_clock_more_than_five_minutes_off_is_reported() -> None:
    transport = Transport("https://example.invalid")
    ahead = datetime.now(UTC) + timedelta(minutes=7)
    transport.read_clock(httpx.Response(200, headers={SERVER_TIME_HEADER: ahead.isoformat()}))
    transport.close()
    assert transport.clock_skew_seconds is not None
    assert 400 < transport.clock_skew_seconds < 430
    status = SyncStatus(True, 0, None, 0, transport.clock_skew_seconds)
    assert status.clock_skewed
    assert not SyncStatus(True, 0, None, 0, 120.0).clock_skewed


def test_acknowledged_mutations_are_forgotten_after_a_month(make_desk: DeskFactory) -> None:
    desk = make_desk("front", Role.ADMIN)
    seed_catalog(desk)
    desk.sync()
    with desk.mirror.sessions.begin() as session:
        pushed = session.scalars(select(OutboxMutation).order_by(OutboxMutation.device_seq)).all()
        assert pushed
        assert all(row.pushed_at is not None for row in pushed)
        pushed[0].pushed_at = datetime.now(UTC) - timedelta(days=31)
        old_seq = pushed[0].device_seq
    desk.sync()
    with desk.mirror.sessions() as session:
        left = set(session.scalars(select(OutboxMutation.device_seq)))
    assert old_seq not in left
    assert len(left) == len(pushed) - 1
