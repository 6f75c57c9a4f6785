"""The server's delivery worker sends SMS through `HttpSmsSender` to a stand-in of a provider's
HTTP API on loopback (this machine cannot reach a real one): once per message, retried with
back-off on a provider error, failed with an alert after the last try, and not at all when a
desk claimed the message first."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select

from frontdesk.automation.delivery import MAX_ATTEMPTS, retry_delay
from frontdesk.domain.clock import SystemClock
from frontdesk.domain.enums import AlertKind, MessageChannel, MessageStatus
from frontdesk.domain.errors import InvalidInput
from frontdesk.domain.ids import new_id
from frontdesk.server.config import SMS_TOKEN_ENV, SMS_TOKEN_FILE, ServerConfig
from frontdesk.server.delivery import message_claim_key, server_delivery
from frontdesk.server.engine_worker import ServerEngine
from frontdesk.server.scope import Scope, scoped_sessions
from frontdesk.services import messages
from frontdesk.store.models import Alert, OutboundMessage
from tests.server.seed import SeededOrg, device_client, org_context, seed_org, sign_in_device
from tests.support.http_standin import JsonHandler
from tests.support.postgres import LiveServer

TOKEN = "test-sms-token"
RECIPIENT = "+40700000001"


@dataclass(frozen=True)
class Received:
    to: str
    text: str
    idempotency_key: str


class FakeSmsProvider(ThreadingHTTPServer):
    """POST /v1/messages with a bearer token; answers the statuses queued in `failures` first
    (one per request), then 202."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[Received] = []
        self.requests = 0
        self.failures: list[int] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1/messages"


class _Handler(JsonHandler):
    server: FakeSmsProvider

    def do_POST(self) -> None:
        provider = self.server
        provider.requests += 1
        body = self.json_body()
        if self.path != "/v1/messages":
            self.answer(404, {"error": "not found"})
        elif self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self.answer(401, {"error": "bad token"})
        elif provider.failures:
            self.answer(provider.failures.pop(0), {"error": "try later"})
        else:
            key = self.headers.get("Idempotency-Key", "")
            provider.received.append(Received(body["to"], body["text"], key))
            self.answer(202, {"id": key})


@pytest.fixture
def provider() -> Iterator[FakeSmsProvider]:
    server = FakeSmsProvider()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def _queue(live: LiveServer, org: SeededOrg, key: str) -> uuid.UUID:
    with org_context(live.database.engine, org.organization_id).transaction() as tx:
        row, _ = messages.enqueue_message(
            tx,
            message_id=new_id(),
            channel=MessageChannel.SMS,
            recipient=RECIPIENT,
            message=messages.RenderedMessage("", "Your visit is tomorrow at 10:00.", None),
            idempotency_key=key,
        )
    return row.id


def _message(live: LiveServer, org: SeededOrg, message_id: uuid.UUID) -> OutboundMessage:
    sessions = scoped_sessions(live.database.engine, Scope(organization_id=org.organization_id))
    with sessions() as session:
        return session.get_one(OutboundMessage, message_id)


def _alerts(live: LiveServer, org: SeededOrg, message_id: uuid.UUID) -> list[Alert]:
    sessions = scoped_sessions(live.database.engine, Scope(organization_id=org.organization_id))
    with sessions() as session:
        return list(session.scalars(select(Alert).where(Alert.subject_id == message_id)))


def _engine(live: LiveServer, provider: FakeSmsProvider, tmp_path: Path) -> ServerEngine:
    config = ServerConfig.load(
        tmp_path / "data", token_secret="x" * 40, sms_url=provider.url, sms_token=TOKEN
    )
    return ServerEngine(live.database.engine, SystemClock(), delivery=server_delivery(config))


def test_a_due_sms_is_sent_once(
    live_server: LiveServer, provider: FakeSmsProvider, tmp_path: Path
) -> None:
    org = seed_org(live_server, "sms")
    key = f"reminder:{uuid.uuid4()}"
    queued = _queue(live_server, org, key)
    engine = _engine(live_server, provider, tmp_path)
    first = engine.sweep()[org.organization_id]
    engine.sweep()

    assert first.failed_steps == []
    assert provider.received == [Received(RECIPIENT, "Your visit is tomorrow at 10:00.", key)]
    sent = _message(live_server, org, queued)
    assert sent.status == MessageStatus.SENT
    assert sent.attempts == 1


def test_a_provider_error_is_retried_with_back_off(
    live_server: LiveServer, provider: FakeSmsProvider, tmp_path: Path
) -> None:
    org = seed_org(live_server, "smsretry")
    queued = _queue(live_server, org, f"reminder:{uuid.uuid4()}")
    engine = _engine(live_server, provider, tmp_path)
    provider.failures = [503]
    now = datetime.now(UTC)

    engine.sweep(now)
    waiting = _message(live_server, org, queued)
    assert waiting.status == MessageStatus.PENDING
    assert waiting.attempts == 1
    assert "503" in (waiting.last_error or "")
    assert waiting.next_attempt_at == now + retry_delay(1)

    engine.sweep(now + retry_delay(1) / 2)  # not yet: the back-off holds it
    assert provider.requests == 1
    engine.sweep(now + retry_delay(1))
    assert provider.requests == 2
    assert len(provider.received) == 1
    assert _message(live_server, org, queued).status == MessageStatus.SENT


def test_the_last_failure_parks_the_sms_as_failed_with_an_alert(
    live_server: LiveServer, provider: FakeSmsProvider, tmp_path: Path
) -> None:
    org = seed_org(live_server, "smsfail")
    queued = _queue(live_server, org, f"reminder:{uuid.uuid4()}")
    engine = _engine(live_server, provider, tmp_path)
    provider.failures = [503] * (MAX_ATTEMPTS + 1)
    at = datetime.now(UTC)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        engine.sweep(at)
        at += retry_delay(attempt)
    engine.sweep(at)  # failed for good: not tried again

    failed = _message(live_server, org, queued)
    assert provider.requests == MAX_ATTEMPTS
    assert provider.received == []
    assert failed.status == MessageStatus.FAILED
    assert failed.attempts == MAX_ATTEMPTS
    [alert] = _alerts(live_server, org, queued)
    assert alert.kind == AlertKind.DELIVERY_FAILED
    assert "SMS" in alert.title
    assert alert.details["recipient"] == RECIPIENT


def test_a_refused_sms_fails_at_once_with_an_alert(
    live_server: LiveServer, provider: FakeSmsProvider, tmp_path: Path
) -> None:
    org = seed_org(live_server, "smsrefused")
    queued = _queue(live_server, org, f"reminder:{uuid.uuid4()}")
    provider.failures = [400]
    _engine(live_server, provider, tmp_path).sweep()

    refused = _message(live_server, org, queued)
    assert refused.status == MessageStatus.FAILED
    assert refused.attempts == 1
    assert [a.kind for a in _alerts(live_server, org, queued)] == [AlertKind.DELIVERY_FAILED]


def test_an_sms_a_desk_claimed_is_not_sent_by_the_server(
    live_server: LiveServer, provider: FakeSmsProvider, tmp_path: Path
) -> None:
    org = seed_org(live_server, "desksms")
    key = f"reminder:{uuid.uuid4()}"
    queued = _queue(live_server, org, key)
    with device_client(live_server, sign_in_device(live_server, org.admin_email)) as desk:
        claimed = desk.post("/v1/claims", json={"keys": [message_claim_key(key)]}).json()
    assert claimed["granted"] == [message_claim_key(key)]
    _engine(live_server, provider, tmp_path).sweep()

    assert provider.requests == 0
    assert _message(live_server, org, queued).status == MessageStatus.SENT


def test_the_sms_token_comes_from_the_environment_or_the_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SMS_TOKEN_ENV, raising=False)
    data_dir = tmp_path / "data"
    config = ServerConfig.load(data_dir, token_secret="x" * 40, sms_url="https://sms.example")
    with pytest.raises(InvalidInput) as missing:
        server_delivery(config)
    assert missing.value.field == "sms_token"
    assert TOKEN not in repr(config)

    (data_dir / SMS_TOKEN_FILE).write_text(f"{TOKEN}\n")
    from_file = ServerConfig.load(data_dir, token_secret="x" * 40, sms_url="https://sms.example")
    assert from_file.sms_token == TOKEN
    assert TOKEN not in repr(from_file)
    monkeypatch.setenv(SMS_TOKEN_ENV, "from-env")
    from_env = ServerConfig.load(data_dir, token_secret="x" * 40, sms_url="https://sms.example")
    assert from_env.sms_token == "from-env"


def test_a_bad_sms_url_is_refused_naming_the_field(tmp_path: Path) -> None:
    config = ServerConfig.load(
        tmp_path / "data", token_secret="x" * 40, sms_url="sms.example", sms_token=TOKEN
    )
    with pytest.raises(InvalidInput) as refused:
        server_delivery(config)
    assert refused.value.field == "sms_url"


def test_run_without_an_sms_token_stops_before_serving(tmp_path: Path) -> None:
    env = {name: value for name, value in os.environ.items() if name != SMS_TOKEN_ENV}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "frontdesk.server.cli",
            "--data-dir",
            str(tmp_path / "data"),
            "--database-url",
            "postgresql://unused@127.0.0.1:1/unused",
            "run",
            "--sms-url",
            "https://sms.example/v1/messages",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "sms_token" in result.stderr
    assert SMS_TOKEN_ENV in result.stderr


def test_an_sms_to_no_phone_number_fails_at_once_and_the_others_are_sent(
    live_server: LiveServer, provider: FakeSmsProvider, tmp_path: Path
) -> None:
    org = seed_org(live_server, "smspoison")
    with org_context(live_server.database.engine, org.organization_id).transaction() as tx:
        poison, _ = messages.enqueue_message(
            tx,
            message_id=new_id(),
            channel=MessageChannel.SMS,
            recipient="ana@example.com",
            message=messages.RenderedMessage("", "Your visit is tomorrow.", None),
            idempotency_key=f"poison:{uuid.uuid4()}",
        )
    key = f"reminder:{uuid.uuid4()}"
    good = _queue(live_server, org, key)

    report = _engine(live_server, provider, tmp_path).sweep()[org.organization_id]

    assert report.failed_steps == []
    assert provider.requests == 1  # the provider never saw the poison one
    assert provider.received == [Received(RECIPIENT, "Your visit is tomorrow at 10:00.", key)]
    assert _message(live_server, org, good).status == MessageStatus.SENT
    failed = _message(live_server, org, poison.id)
    assert (failed.status, failed.attempts) == (MessageStatus.FAILED, 1)
    [alert] = _alerts(live_server, org, poison.id)
    assert alert.kind == AlertKind.DELIVERY_FAILED
    assert alert.title == (
        "An SMS to ana@example.com cannot be sent: "
        "the recipient 'ana@example.com' is not a phone number"
    )
