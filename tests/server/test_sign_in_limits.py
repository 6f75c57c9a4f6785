"""Sign-in limits an attacker cannot turn against the user: failures slow down the address
and the account they come from and aim at, but not a place the account signed in from lately;
the answers are the same whether or not the account exists."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Hashable, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from starlette.requests import Request

from frontdesk.domain.clock import FixedClock
from frontdesk.domain.errors import InvalidInput
from frontdesk.server.auth import caller_address
from frontdesk.server.config import ServerConfig
from frontdesk.server.database import ServerDatabase
from frontdesk.server.limits import Backoff
from tests.server.seed import desk_client, seed_org
from tests.support.postgres import TEST_PASSWORD, LiveServer, start_live_server

WRONG = "not the password"
ATTACKER, HOME, ELSEWHERE, ROAMING = "203.0.113.7", "198.51.100.2", "192.0.2.3", "192.0.2.44"


@pytest.fixture
def guarded(server_database: ServerDatabase) -> Iterator[LiveServer]:
    """A server behind a trusted proxy on loopback (so tests choose the caller's address),
    with a clock the test moves (a little behind real time, so no token is issued from the
    future) and no request-rate limit in the way of the back-off."""
    yield from start_live_server(
        server_database,
        FixedClock(datetime.now(UTC) - timedelta(minutes=5)),
        trusted_proxies=("127.0.0.1",),
        login_rate_limit="1000/minute",
    )


def attempt(
    server: LiveServer,
    email: str,
    password: str,
    address: str,
    device: tuple[uuid.UUID, str] | None = None,
) -> httpx.Response:
    body = {"email": email, "password": password}
    if device is not None:
        body |= {"device_id": str(device[0]), "device_secret": device[1]}
    with desk_client(server) as client:
        return client.post("/v1/auth/login", json=body, headers={"X-Forwarded-For": address})


def advance(server: LiveServer, seconds: int) -> None:
    assert isinstance(server.clock, FixedClock)
    server.clock.advance(timedelta(seconds=seconds))


def answer(response: httpx.Response) -> tuple[int, str, str | None]:
    return response.status_code, response.json()["detail"], response.headers.get("Retry-After")


def test_failures_elsewhere_do_not_lock_out_an_address_that_signed_in_lately(
    guarded: LiveServer,
) -> None:
    email = seed_org(guarded, "siege").admin_email
    assert attempt(guarded, email, TEST_PASSWORD, HOME).status_code == 200
    codes = [attempt(guarded, email, WRONG, ATTACKER).status_code for _ in range(12)]
    # Five free failures, a sixth that starts the wait, then refusals without a check.
    assert codes == [401] * 6 + [429] * 6
    assert attempt(guarded, email, TEST_PASSWORD, HOME).status_code == 200
    held = attempt(guarded, email, TEST_PASSWORD, ELSEWHERE)
    assert held.status_code == 429
    assert int(held.headers["Retry-After"]) >= 1
    assert held.json()["detail"].startswith("too many failed sign-ins")


def test_a_desk_that_signed_in_lately_is_let_in_from_a_new_address(guarded: LiveServer) -> None:
    email = seed_org(guarded, "laptop").admin_email
    desk = (uuid.uuid4(), secrets.token_urlsafe(32))
    assert attempt(guarded, email, TEST_PASSWORD, HOME, desk).status_code == 200
    for _ in range(8):
        attempt(guarded, email, WRONG, ATTACKER)
    assert attempt(guarded, email, TEST_PASSWORD, ROAMING, desk).status_code == 200
    # Its id alone proves nothing (every desk of the clinic sees it): the secret does.
    impostor = (desk[0], secrets.token_urlsafe(32))
    assert attempt(guarded, email, TEST_PASSWORD, ELSEWHERE, impostor).status_code == 429


def test_the_wait_doubles_with_each_failure_after_it(guarded: LiveServer) -> None:
    email = seed_org(guarded, "doubling").admin_email
    for _ in range(6):
        assert attempt(guarded, email, WRONG, ATTACKER).status_code == 401
    waits = []
    for _ in range(3):
        refused = attempt(guarded, email, TEST_PASSWORD, ELSEWHERE)
        assert refused.status_code == 429
        waits.append(int(refused.headers["Retry-After"]))
        advance(guarded, waits[-1])
        assert attempt(guarded, email, WRONG, ELSEWHERE).status_code == 401
    assert waits == [2, 4, 8]


def test_an_unknown_account_gets_the_same_answers(guarded: LiveServer) -> None:
    real = seed_org(guarded, "oracle").admin_email
    made_up = f"nobody-{uuid.uuid4().hex[:6]}@example.com"
    answers = [
        [answer(attempt(guarded, email, WRONG, address)) for _ in range(8)]
        for email, address in ((real, "203.0.113.20"), (made_up, "203.0.113.21"))
    ]
    assert answers[0] == answers[1]
    assert [code for code, _detail, _wait in answers[0]] == [401] * 6 + [429] * 2


def test_a_known_place_that_keeps_failing_is_slowed_down_too(guarded: LiveServer) -> None:
    email = seed_org(guarded, "known").admin_email
    assert attempt(guarded, email, TEST_PASSWORD, HOME).status_code == 200
    limit = guarded.config.login_free_failures_known
    codes = [attempt(guarded, email, WRONG, HOME).status_code for _ in range(limit + 2)]
    assert codes == [401] * (limit + 1) + [429]
    # ...without holding back anyone else: the account's own count is for unknown places.
    assert attempt(guarded, email, TEST_PASSWORD, ELSEWHERE).status_code == 200


def test_the_right_password_from_a_new_place_forgives_the_failures(guarded: LiveServer) -> None:
    email = seed_org(guarded, "typo").admin_email
    for _ in range(6):
        assert attempt(guarded, email, WRONG, ELSEWHERE).status_code == 401
    advance(guarded, 2)
    assert attempt(guarded, email, TEST_PASSWORD, ELSEWHERE).status_code == 200
    # The count starts again: without the success these would wait.
    codes = [attempt(guarded, email, WRONG, ATTACKER).status_code for _ in range(6)]
    assert codes == [401] * 6


def _request(peer: str, forwarded: str | None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return Request({"type": "http", "client": (peer, 40000), "headers": headers})


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        ("10.0.0.5", "203.0.113.9", (), "10.0.0.5"),
        ("10.0.0.5", "203.0.113.9", ("10.0.0.9",), "10.0.0.5"),
        ("10.0.0.9", "1.1.1.1, 203.0.113.9", ("10.0.0.9",), "203.0.113.9"),
        ("10.0.0.9", None, ("10.0.0.9",), "10.0.0.9"),
    ],
    ids=["no-proxy-trusted", "another-peer", "trusted-proxy", "proxy-without-header"],
)
def test_x_forwarded_for_is_believed_only_from_a_trusted_proxy(
    peer: str, forwarded: str | None, trusted: tuple[str, ...], expected: str
) -> None:
    assert caller_address(_request(peer, forwarded), trusted) == expected


def _backoff(clock: FixedClock, max_keys: int = 100) -> Backoff:
    return Backoff(
        clock, base_seconds=2, max_seconds=10, forget_after=timedelta(hours=1), max_keys=max_keys
    )


def test_the_wait_stops_growing_at_its_limit_and_quiet_keys_start_again() -> None:
    clock = FixedClock(datetime(2026, 3, 2, tzinfo=UTC))
    backoff = _backoff(clock)
    for _ in range(8):
        assert backoff.attempt([("key", 100)]) == 0
    assert backoff.attempt([("key", 1)]) == 10
    assert backoff.attempt([("key", 8)]) == 0
    clock.advance(timedelta(hours=1))
    assert backoff.attempt([("key", 0)]) == 0
    assert backoff.attempt([("key", 0)]) == 2


def test_an_attempt_counts_before_its_answer_and_a_success_forgives() -> None:
    # Attempts made at once cannot all slip in before the first one fails.
    backoff = _backoff(FixedClock(datetime(2026, 3, 2, tzinfo=UTC)))
    keys: list[tuple[Hashable, int]] = [("address", 1), ("account", 1)]
    assert [backoff.attempt(keys) for _ in range(3)] == [0, 0, 2]
    backoff.clear("address")
    backoff.clear("account")
    assert backoff.attempt(keys) == 0


def test_the_stalest_keys_go_first_when_memory_is_full() -> None:
    backoff = _backoff(FixedClock(datetime(2026, 3, 2, tzinfo=UTC)), max_keys=2)
    for key in ("old", "kept", "old", "new"):
        assert backoff.attempt([(key, 100)]) == 0
    # "kept" was the stalest once "old" failed again; a held-back attempt counts nothing.
    assert [backoff.attempt([(key, 0)]) for key in ("old", "new", "kept")] == [4, 2, 0]


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("login_backoff_seconds", 0),
        ("login_backoff_max_seconds", 0),
        ("login_known_days", 0),
        ("refresh_grace_seconds", -1),
    ],
)
def test_sign_in_settings_out_of_range_are_refused(
    tmp_path: object, setting: str, value: int
) -> None:
    with pytest.raises(InvalidInput) as refused:
        ServerConfig(data_dir=tmp_path, token_secret="x" * 40, **{setting: value})  # type: ignore[arg-type]
    assert [error.field for error in refused.value.errors] == [setting]
