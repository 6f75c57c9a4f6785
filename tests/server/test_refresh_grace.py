"""A refresh whose answer was lost: its desk, asking again within the grace window, gets the
same new refresh token; anyone else, or later, presenting a used token revokes the family."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from frontdesk.domain.clock import FixedClock
from frontdesk.server.database import ServerDatabase
from frontdesk.sync.protocol import DEVICE_KEY_HEADER
from tests.server.seed import desk_client, device_client, seed_org, sign_in_device
from tests.support.postgres import LiveServer, start_live_server


@pytest.fixture
def clocked(server_database: ServerDatabase) -> Iterator[LiveServer]:
    # A little behind real time, so moving it on never issues a token from the future.
    yield from start_live_server(
        server_database, FixedClock(datetime.now(UTC) - timedelta(minutes=5))
    )


def refresh(server: LiveServer, token: str, key: str | None) -> httpx.Response:
    headers = {DEVICE_KEY_HEADER: key} if key else {}
    with desk_client(server) as client:
        return client.post("/v1/auth/refresh", json={"refresh_token": token}, headers=headers)


def test_a_refresh_asked_again_by_its_desk_gets_the_same_new_token(clocked: LiveServer) -> None:
    desk = sign_in_device(clocked, seed_org(clocked, "lost").admin_email)
    key = desk["device_secret"]
    first = refresh(clocked, desk["refresh_token"], key)
    assert first.status_code == 200, first.text
    assert isinstance(clocked.clock, FixedClock)
    clocked.clock.advance(timedelta(seconds=clocked.config.refresh_grace_seconds))
    again = refresh(clocked, desk["refresh_token"], key)
    assert again.status_code == 200, again.text
    assert again.json()["refresh_token"] == first.json()["refresh_token"]
    with device_client(clocked, {**again.json(), "device_secret": key}) as client:
        assert client.get("/v1/me").status_code == 200
    # The family lives on: the token given twice is the current one.
    assert refresh(clocked, again.json()["refresh_token"], key).status_code == 200


@pytest.mark.parametrize("case", ["late", "other-desk", "no-key", "wrong-key", "next-was-used"])
def test_a_used_token_otherwise_revokes_the_family(clocked: LiveServer, case: str) -> None:
    email = seed_org(clocked, "theft").admin_email
    desk = sign_in_device(clocked, email)
    key: str | None = desk["device_secret"]
    first = refresh(clocked, desk["refresh_token"], key)
    assert first.status_code == 200, first.text
    newest = first.json()["refresh_token"]
    assert isinstance(clocked.clock, FixedClock)
    if case == "late":
        clocked.clock.advance(timedelta(seconds=clocked.config.refresh_grace_seconds + 1))
    elif case == "other-desk":
        key = sign_in_device(clocked, email)["device_secret"]
    elif case == "no-key":
        key = None
    elif case == "wrong-key":
        key = "a key that belongs to no desk at all, long enough"
    else:
        used = refresh(clocked, newest, key)
        assert used.status_code == 200
        newest = used.json()["refresh_token"]
    replay = refresh(clocked, desk["refresh_token"], key)
    assert replay.status_code == 401
    assert "already used" in replay.json()["detail"]
    assert refresh(clocked, newest, desk["device_secret"]).status_code == 401
