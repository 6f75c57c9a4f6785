"""The desk's own e-mail delivery against a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import email
import email.policy
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from sqlalchemy import select

from frontdesk.automation.delivery import MAX_ATTEMPTS, deliver_due_messages, retry_delay
from frontdesk.automation.scheduler import AutomationRunner, engine_steps
from frontdesk.domain.enums import AlertKind, MessageChannel, MessageStatus
from frontdesk.domain.ids import new_id
from frontdesk.integrations.email import IDEMPOTENCY_HEADER, Email, SmtpEmailSender, message_id
from frontdesk.integrations.errors import PermanentError, TemporaryError
from frontdesk.services import messages, settings
from frontdesk.store.models import Alert, OutboundMessage
from frontdesk.store.unit_of_work import Actor
from tests.support.clinic import Clinic

SENDER = "desk@riverside.example"


@dataclass
class Collector:
    """An SMTP handler that keeps what it accepts, or answers `reply` to every message."""

    received: list[EmailMessage] = field(default_factory=list)
    reply: str = "250 OK"

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        if self.reply.startswith("250"):
            parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
            assert isinstance(parsed, EmailMessage)
            self.received.append(parsed)
        return self.reply


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class SmtpServer:
    """An aiosmtpd server on a loopback port that can be stopped and started again."""

    collector: Collector
    port: int
    controller: Controller | None = None

    def start(self) -> None:
        # A stopped Controller cannot start again (its event loop is closed): make a new one.
        self.controller = Controller(self.collector, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(Collector(), free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sender(smtp: SmtpServer) -> SmtpEmailSender:
    return SmtpEmailSender("127.0.0.1", smtp.port, from_address=SENDER, timeout=5)


def queue_welcome(clinic: Clinic, first_name: str = "Ana", key: str | None = None) -> uuid.UUID:
    """A welcome e-mail queued as the engine queues it (shipped template, rendered)."""
    context = {
        "patient": {"first_name": first_name},
        "organization": {"name": "Riverside Physio"},
    }
    with clinic.ctx.transaction() as tx:
        text = messages.find_template(
            tx.session, clinic.organization_id, "welcome_patient", MessageChannel.EMAIL
        )
        row, _ = messages.enqueue_message(
            tx,
            message_id=new_id(),
            channel=MessageChannel.EMAIL,
            recipient="ana@example.com",
            message=messages.render_message(text, context),
            idempotency_key=key or f"rule:welcome/event:{uuid.uuid4()}#0",
            template="welcome_patient",
        )
    return row.id


def message(clinic: Clinic, message_id: uuid.UUID) -> OutboundMessage:
    with clinic.ctx.sessions() as session:
        return session.get_one(OutboundMessage, message_id)


def alerts(clinic: Clinic) -> list[Alert]:
    with clinic.ctx.sessions() as session:
        return list(session.scalars(select(Alert).where(Alert.kind == AlertKind.DELIVERY_FAILED)))


def now(clinic: Clinic) -> datetime:
    return clinic.clock.now()


def test_a_message_is_delivered_once_however_often_the_worker_runs(
    clinic: Clinic, smtp: SmtpServer, sender: SmtpEmailSender
) -> None:
    key = "rule:welcome/event:42#0"
    queued = queue_welcome(clinic, key=key)
    report = deliver_due_messages(clinic.ctx, now(clinic), sender)
    assert report.sent == [queued]
    again = deliver_due_messages(clinic.ctx, now(clinic) + timedelta(hours=1), sender)
    assert (again.sent, again.retrying, again.failed) == ([], [], [])
    (received,) = smtp.collector.received
    assert received["To"] == "ana@example.com"
    assert received["From"] == SENDER
    assert received["Subject"] == "Welcome to Riverside Physio"
    assert received[IDEMPOTENCY_HEADER] == key
    assert received["Message-ID"] == message_id(key, "riverside.example")
    assert received.get_content_type() == "multipart/alternative"
    sent = message(clinic, queued)
    assert (sent.status, sent.sent_at, sent.attempts, sent.last_error) == (
        MessageStatus.SENT,
        now(clinic),
        1,
        None,
    )


def test_the_same_occurrence_queued_twice_is_one_message(
    clinic: Clinic, smtp: SmtpServer, sender: SmtpEmailSender
) -> None:
    first = queue_welcome(clinic, key="rule:welcome/event:7#0")
    second = queue_welcome(clinic, key="rule:welcome/event:7#0")
    assert first == second  # the UNIQUE key: one row
    deliver_due_messages(clinic.ctx, now(clinic), sender)
    assert len(smtp.collector.received) == 1


def test_values_are_escaped_in_the_html_part(
    clinic: Clinic, smtp: SmtpServer, sender: SmtpEmailSender
) -> None:
    queue_welcome(clinic, first_name="<script>alert('x')</script> & Co")
    deliver_due_messages(clinic.ctx, now(clinic), sender)
    (received,) = smtp.collector.received
    text = received.get_body(("plain",))
    html = received.get_body(("html",))
    assert text is not None
    assert html is not None
    assert "Hello <script>alert('x')</script> & Co," in text.get_content()
    html_body = html.get_content()
    assert "<script>" not in html_body
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co" in html_body


def test_a_server_that_is_down_means_a_retry_with_backoff(
    clinic: Clinic, smtp: SmtpServer, sender: SmtpEmailSender
) -> None:
    queued = queue_welcome(clinic)
    smtp.stop()
    report = deliver_due_messages(clinic.ctx, now(clinic), sender)
    assert report.retrying == [queued]
    waiting = message(clinic, queued)
    assert (waiting.status, waiting.attempts) == (MessageStatus.PENDING, 1)
    assert waiting.next_attempt_at == now(clinic) + timedelta(minutes=1)
    assert "cannot reach 127.0.0.1" in (waiting.last_error or "")
    # Not due yet: nothing is tried.
    early = deliver_due_messages(clinic.ctx, now(clinic) + timedelta(seconds=30), sender)
    assert early.retrying == []
    assert message(clinic, queued).attempts == 1
    smtp.start()
    later = deliver_due_messages(clinic.ctx, now(clinic) + timedelta(minutes=1), sender)
    assert later.sent == [queued]
    assert len(smtp.collector.received) == 1
    assert alerts(clinic) == []


def test_a_451_answer_is_retried_later(
    clinic: Clinic, smtp: SmtpServer, sender: SmtpEmailSender
) -> None:
    queued = queue_welcome(clinic)
    smtp.collector.reply = "451 Try again later"
    deliver_due_messages(clinic.ctx, now(clinic), sender)
    second_try = now(clinic) + timedelta(minutes=1)
    deliver_due_messages(clinic.ctx, second_try, sender)
    waiting = message(clinic, queued)
    assert (waiting.status, waiting.attempts) == (MessageStatus.PENDING, 2)
    assert waiting.next_attempt_at == second_try + timedelta(minutes=5)
    assert waiting.last_error == "451 Try again later"


def test_a_550_answer_fails_at_once_with_an_alert(
    clinic: Clinic, smtp: SmtpServer, sender: SmtpEmailSender
) -> None:
    queued = queue_welcome(clinic)
    smtp.collector.reply = "550 No such mailbox"
    report = deliver_due_messages(clinic.ctx, now(clinic), sender)
    assert report.failed == [queued]
    failed = message(clinic, queued)
    assert (failed.status, failed.attempts, failed.next_attempt_at) == (
        MessageStatus.FAILED,
        1,
        None,
    )
    (alert,) = alerts(clinic)
    assert alert.title == "An e-mail could not be delivered: it was refused"
    assert (alert.subject_type, alert.subject_id) == ("outbound_message", queued)
    assert alert.details["error"] == "550 No such mailbox"
    later = deliver_due_messages(clinic.ctx, now(clinic) + timedelta(days=1), sender)
    assert later.failed == []  # a failed message is never tried again


def test_after_the_last_try_the_message_fails_with_an_alert(
    clinic: Clinic, smtp: SmtpServer, sender: SmtpEmailSender
) -> None:
    queued = queue_welcome(clinic)
    smtp.collector.reply = "421 Service not available"
    at = now(clinic)
    waits = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        report = deliver_due_messages(clinic.ctx, at, sender)
        row = message(clinic, queued)
        assert row.attempts == attempt
        if attempt < MAX_ATTEMPTS:
            assert report.retrying == [queued]
            assert alerts(clinic) == []
            assert row.next_attempt_at is not None
            waits.append(row.next_attempt_at - at)
            at = row.next_attempt_at
    assert waits == [timedelta(minutes=m) for m in (1, 5, 25, 125, 625)]
    assert [retry_delay(n) for n in range(1, 6)] == waits
    assert report.failed == [queued]
    assert message(clinic, queued).status == MessageStatus.FAILED
    (alert,) = alerts(clinic)
    assert alert.title == "An e-mail could not be delivered: it kept failing"
    assert alert.details["attempts"] == MAX_ATTEMPTS


def test_delayed_messages_wait_for_not_before(
    clinic: Clinic, smtp: SmtpServer, sender: SmtpEmailSender
) -> None:
    queued = queue_welcome(clinic)
    with clinic.ctx.sessions.begin() as session:
        session.get_one(OutboundMessage, queued).not_before = now(clinic) + timedelta(minutes=5)
    assert deliver_due_messages(clinic.ctx, now(clinic), sender).sent == []
    later = now(clinic) + timedelta(minutes=5)
    assert deliver_due_messages(clinic.ctx, later, sender).sent == [queued]


def test_a_second_worker_never_sends_a_claimed_message(
    clinic: Clinic, smtp: SmtpServer, sender: SmtpEmailSender
) -> None:
    queued = queue_welcome(clinic)
    inner_reports = []

    class Reentrant:
        """A sender during whose hand-over another worker runs on the same mirror."""

        def send(self, mail: Email) -> None:
            inner_reports.append(deliver_due_messages(clinic.ctx, now(clinic), sender))
            sender.send(mail)

    assert deliver_due_messages(clinic.ctx, now(clinic), Reentrant()).sent == [queued]
    (inner,) = inner_reports
    assert (inner.sent, inner.retrying, inner.failed) == ([], [], [])
    assert len(smtp.collector.received) == 1


def test_a_channel_without_a_sender_stays_pending(clinic: Clinic) -> None:
    queued = queue_welcome(clinic)
    report = deliver_due_messages(clinic.ctx, now(clinic))
    assert (report.sent, report.retrying, report.failed) == ([], [], [])
    assert message(clinic, queued).status == MessageStatus.PENDING


def test_the_smtp_sender_logs_in_with_the_password_from_the_keyring(clinic: Clinic) -> None:
    logins: list[tuple[bytes, bytes]] = []

    def authenticator(
        server: Any, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        logins.append((data.login, data.password))
        return AuthResult(success=data.password == b"s3cret")

    collector = Collector()
    port = free_port()
    controller = Controller(
        collector,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticator,
        auth_require_tls=False,  # loopback only; real servers take STARTTLS (the default)
    )
    controller.start()
    try:
        sessions = clinic.ctx.sessions
        settings.set_setting(sessions, settings.SMTP_HOST, "127.0.0.1")
        settings.set_setting(sessions, settings.SMTP_PORT, port)
        settings.set_setting(sessions, settings.SMTP_STARTTLS, False)
        settings.set_setting(sessions, settings.SMTP_USERNAME, "desk")
        settings.set_setting(sessions, settings.FROM_ADDRESS, SENDER)
        settings.set_smtp_password("127.0.0.1", "desk", "s3cret")
        configured = settings.email_sender(sessions)
        assert configured is not None
        configured.send(Email("ana@example.com", "Hi", "Hello", None, "key-1"))
    finally:
        controller.stop()
    assert logins == [(b"desk", b"s3cret")]
    (received,) = collector.received
    assert received.get_content_type() == "text/plain"


def test_a_refused_recipient_is_sorted_by_its_code(smtp: SmtpServer) -> None:
    class Refusing(Collector):
        async def handle_RCPT(
            self, server: Any, session: Session, envelope: Envelope, address: str, options: Any
        ) -> str:
            return "450 Mailbox busy" if address.startswith("busy") else "550 Unknown user"

    port = free_port()
    controller = Controller(Refusing(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        sender = SmtpEmailSender("127.0.0.1", port, from_address=SENDER, timeout=5)
        with pytest.raises(TemporaryError, match="recipient refused"):
            sender.send(Email("busy@example.com", "Hi", "Hello", None, "k"))
        with pytest.raises(PermanentError, match="recipient refused"):
            sender.send(Email("gone@example.com", "Hi", "Hello", None, "k"))
    finally:
        controller.stop()


def test_starttls_and_implicit_tls_are_exclusive() -> None:
    with pytest.raises(ValueError, match="not both"):
        SmtpEmailSender("h", 1, from_address=SENDER, starttls=True, use_tls=True)


def test_a_server_without_starttls_is_a_temporary_failure(
    smtp: SmtpServer,
) -> None:
    sender = SmtpEmailSender("127.0.0.1", smtp.port, from_address=SENDER, starttls=True)
    with pytest.raises(TemporaryError, match="does not offer STARTTLS"):
        sender.send(Email("ana@example.com", "Hi", "Hello", None, "k"))


def test_an_address_the_server_cannot_take_is_refused_for_good() -> None:
    port = free_port()
    controller = Controller(Collector(), hostname="127.0.0.1", port=port, enable_SMTPUTF8=False)
    controller.start()
    try:
        sender = SmtpEmailSender("127.0.0.1", port, from_address=SENDER, timeout=5)
        with pytest.raises(PermanentError, match="cannot take this message"):
            sender.send(Email("ана@example.com", "Hi", "Hello", None, "k"))
    finally:
        controller.stop()


def test_the_desk_runner_delivers_with_the_smtp_settings_and_writes_sms_locally(
    clinic: Clinic, smtp: SmtpServer, tmp_path: Path
) -> None:
    runner_ctx = clinic.ctx.acting_as(Actor.system("automation"))
    queued = queue_welcome(clinic)
    with clinic.ctx.transaction() as tx:
        sms, _ = messages.enqueue_message(
            tx,
            message_id=new_id(),
            channel=MessageChannel.SMS,
            recipient="+40721000111",
            message=messages.RenderedMessage("", "See you tomorrow", None),
            idempotency_key="rule:reminder/appointment:1#0",
            template="appointment_reminder",
        )
    runner = AutomationRunner(runner_ctx, engine_steps(local_outbox=tmp_path / "outbox"))

    runner.sweep()
    assert message(clinic, queued).status == MessageStatus.PENDING  # no SMTP server set yet
    assert message(clinic, sms.id).status == MessageStatus.SENT
    assert "See you tomorrow" in (tmp_path / "outbox" / "sms.jsonl").read_text()

    settings.set_setting(clinic.ctx.sessions, settings.SMTP_HOST, "127.0.0.1")
    settings.set_setting(clinic.ctx.sessions, settings.SMTP_PORT, smtp.port)
    settings.set_setting(clinic.ctx.sessions, settings.SMTP_STARTTLS, False)
    settings.set_setting(clinic.ctx.sessions, settings.FROM_ADDRESS, SENDER)
    report = runner.sweep()
    assert "deliver_messages" not in report.failed_steps
    assert message(clinic, queued).status == MessageStatus.SENT
    assert [m["To"] for m in smtp.collector.received] == ["ana@example.com"]
