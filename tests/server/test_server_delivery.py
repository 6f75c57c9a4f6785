"""The server's delivery worker: queued e-mail of an organization reaches a real SMTP server
(aiosmtpd on loopback) once, and not at all when a desk claimed it first."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from frontdesk.domain.clock import SystemClock
from frontdesk.domain.enums import AlertKind, MessageChannel, MessageStatus
from frontdesk.domain.errors import InvalidInput
from frontdesk.domain.ids import new_id
from frontdesk.server.config import ServerConfig
from frontdesk.server.delivery import message_claim_key, server_delivery
from frontdesk.server.engine_worker import ServerEngine
from frontdesk.server.scope import Scope, scoped_sessions
from frontdesk.services import messages
from frontdesk.store.models import Alert, OutboundMessage
from tests.integration.test_email_delivery import Collector, SmtpServer, free_port
from tests.server.seed import SeededOrg, device_client, org_context, seed_org, sign_in_device
from tests.support.postgres import LiveServer


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(Collector(), free_port())
    server.start()
    yield server
    server.stop()


def _queue(live: LiveServer, org: SeededOrg, key: str) -> uuid.UUID:
    with org_context(live.database.engine, org.organization_id).transaction() as tx:
        text = messages.find_template(
            tx.session, org.organization_id, "welcome_patient", MessageChannel.EMAIL
        )
        row, _ = messages.enqueue_message(
            tx,
            message_id=new_id(),
            channel=MessageChannel.EMAIL,
            recipient="ana@example.com",
            message=messages.render_message(
                text, {"patient": {"first_name": "Ana"}, "organization": {"name": "North"}}
            ),
            idempotency_key=key,
        )
    return row.id


def _status(live: LiveServer, org: SeededOrg, message_id: uuid.UUID) -> str:
    sessions = scoped_sessions(live.database.engine, Scope(organization_id=org.organization_id))
    with sessions() as session:
        return str(
            session.scalar(select(OutboundMessage.status).where(OutboundMessage.id == message_id))
        )


def _engine(live: LiveServer, smtp: SmtpServer, tmp_path: Path) -> ServerEngine:
    config = ServerConfig.load(
        tmp_path / "data",
        token_secret="x" * 40,
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_from="clinic@north.example",
        smtp_starttls=False,
    )
    return ServerEngine(live.database.engine, SystemClock(), delivery=server_delivery(config))


def test_queued_email_is_sent_once(
    live_server: LiveServer, smtp: SmtpServer, tmp_path: Path
) -> None:
    org = seed_org(live_server, "mail")
    queued = _queue(live_server, org, f"welcome:{uuid.uuid4()}")
    engine = _engine(live_server, smtp, tmp_path)
    first = engine.sweep()[org.organization_id]
    engine.sweep()
    assert first.failed_steps == []
    assert [m["To"] for m in smtp.collector.received] == ["ana@example.com"]
    assert _status(live_server, org, queued) == MessageStatus.SENT


def test_a_message_a_desk_claimed_is_not_sent_by_the_server(
    live_server: LiveServer, smtp: SmtpServer, tmp_path: Path
) -> None:
    org = seed_org(live_server, "deskmail")
    key = f"welcome:{uuid.uuid4()}"
    queued = _queue(live_server, org, key)
    with device_client(live_server, sign_in_device(live_server, org.admin_email)) as desk:
        claimed = desk.post("/v1/claims", json={"keys": [message_claim_key(key)]}).json()
    assert claimed["granted"] == [message_claim_key(key)]
    _engine(live_server, smtp, tmp_path).sweep()
    assert smtp.collector.received == []
    assert _status(live_server, org, queued) == MessageStatus.SENT


def test_a_poison_email_fails_at_once_and_the_others_are_sent(
    live_server: LiveServer, smtp: SmtpServer, tmp_path: Path
) -> None:
    org = seed_org(live_server, "poisonmail")
    with org_context(live_server.database.engine, org.organization_id).transaction() as tx:
        poison, _ = messages.enqueue_message(
            tx,
            message_id=new_id(),
            channel=MessageChannel.EMAIL,
            recipient="ana@example.com",
            # As a row may arrive by sync: never through the renderer that folds subjects.
            message=messages.RenderedMessage("Hi\r\nBcc: all@example.com", "Hello", None),
            idempotency_key=f"poison:{uuid.uuid4()}",
        )
    good = _queue(live_server, org, f"welcome:{uuid.uuid4()}")

    report = _engine(live_server, smtp, tmp_path).sweep()[org.organization_id]

    assert report.failed_steps == []
    assert [m["To"] for m in smtp.collector.received] == ["ana@example.com"]
    assert _status(live_server, org, good) == MessageStatus.SENT
    sessions = scoped_sessions(
        live_server.database.engine, Scope(organization_id=org.organization_id)
    )
    with sessions() as session:
        failed = session.get_one(OutboundMessage, poison.id)
        alerts = list(session.scalars(select(Alert).where(Alert.subject_id == poison.id)))
    assert (failed.status, failed.attempts) == (MessageStatus.FAILED, 1)
    (alert,) = alerts
    assert alert.kind == AlertKind.DELIVERY_FAILED
    assert "the subject contains a line break" in alert.title


@pytest.mark.parametrize("sender", ["clinic@north.example\r\nBcc: all@example.com", "clinic"])
def test_a_sender_address_that_cannot_be_sent_is_refused_at_start(
    tmp_path: Path, sender: str
) -> None:
    config = ServerConfig.load(
        tmp_path / "data", token_secret="x" * 40, smtp_host="127.0.0.1", smtp_from=sender
    )
    with pytest.raises(InvalidInput) as refused:
        server_delivery(config)
    assert refused.value.field == "smtp_from"
