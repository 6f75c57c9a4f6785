"""A desk that lost the server's answer to a refresh (the server had already rotated the
token) asks again with the token it still holds, and stays signed in."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from frontdesk.domain.enums import Role
from frontdesk.sync.account import load_refresh_token
from frontdesk.sync.transport import ServerUnreachable
from tests.sync.conftest import DeskFactory


def test_a_desk_that_lost_a_refresh_answer_stays_signed_in(
    make_desk: DeskFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = make_desk("front", Role.ADMIN, initial_sync=False)
    transport = desk.account.transport
    real_request = transport.request
    lost: list[str] = []

    def dropping_one_answer(method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = real_request(method, path, **kwargs)
        if path == "/v1/auth/refresh" and not lost:
            lost.append(response.json()["refresh_token"])
            raise ServerUnreachable("the connection dropped before the answer", field="server")
        return response

    monkeypatch.setattr(transport, "request", dropping_one_answer)
    desk.account.forget_access_token()
    with pytest.raises(ServerUnreachable):
        desk.account.access_token()
    desk.account.access_token()  # asks again with the token it still holds
    assert load_refresh_token(desk.mirror.profile) == lost[0]
    desk.sync()
    desk.account.forget_access_token()
    desk.account.access_token()  # and the session goes on refreshing
    assert load_refresh_token(desk.mirror.profile) != lost[0]
