"""Messages that can never be sent as written ("poison"): a line break in an e-mail's subject
or recipient, a NUL, an over-long header, an address that cannot be written out, an SMS to
something that is not a phone number. Each fails at once on its first try with a
`delivery_failed` alert naming it and saying why, and the run still delivers the others.
Rows are queued as they may arrive by sync from elsewhere, not through the template renderer
(which folds a subject onto one line, see the last test)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from frontdesk.automation.delivery import deliver_due_messages, retry_delay
from frontdesk.automation.scheduler import AutomationRunner, engine_steps
from frontdesk.domain.enums import AlertKind, MessageChannel, MessageStatus
from frontdesk.domain.ids import new_id
from frontdesk.integrations.email import Email, SmtpEmailSender
from frontdesk.integrations.errors import UnsendableError
from frontdesk.integrations.sms import OutboxFileSmsSender, Sms, check_sms
from frontdesk.services import messages
from frontdesk.store.models import Alert
from frontdesk.store.unit_of_work import Actor
from tests.integration.test_email_delivery import (  # noqa: F401 (fixtures)
    SmtpServer,
    message,
    now,
    queue_welcome,
    sender,
    smtp,
)
from tests.support.clinic import Clinic


def queue_raw(
    clinic: Clinic, recipient: str, subject: str, channel: MessageChannel = MessageChannel.EMAIL
) -> uuid.UUID:
    with clinic.ctx.transaction() as tx:
        row, _ = messages.enqueue_message(
            tx,
            message_id=new_id(),
            channel=channel,
            recipient=recipient,
            message=messages.RenderedMessage(subject, "Hello", None),
            idempotency_key=f"poison:{uuid.uuid4()}",
        )
    return row.id


def alerts_about(clinic: Clinic, message_id: uuid.UUID) -> list[Alert]:
    with clinic.ctx.sessions() as session:
        return list(session.scalars(select(Alert).where(Alert.subject_id == message_id)))


POISON_EMAILS = [
    pytest.param("ana@example.com", "Hi\r\nBcc: all@example.com", "subject contains a line break"),
    pytest.param("ana@example.com\nBcc: all@x.org", "Hi", "recipient address contains a line"),
    pytest.param("ana@example.com", "Hi\x00there", "subject contains a NUL character"),
    pytest.param("ana@example.com", "x" * 1200, "subject is longer than 998 characters"),
    pytest.param("ana@example.com, bob@example.com", "Hi", "is not one e-mail address"),
]


@pytest.mark.parametrize(("recipient", "subject", "why"), POISON_EMAILS)
def test_a_poison_email_fails_at_once_with_an_alert_and_the_others_go(
    clinic: Clinic,
    smtp: SmtpServer,  # noqa: F811
    sender: SmtpEmailSender,  # noqa: F811
    recipient: str,
    subject: str,
    why: str,
) -> None:
    poison = queue_raw(clinic, recipient, subject)
    good = queue_welcome(clinic)

    report = deliver_due_messages(clinic.ctx, now(clinic), sender)

    assert (report.failed, report.sent, report.retrying) == ([poison], [good], [])
    failed = message(clinic, poison)
    assert (failed.status, failed.attempts, failed.next_attempt_at) == (
        MessageStatus.FAILED,
        1,
        None,
    )
    assert why in (failed.last_error or "")
    (alert,) = alerts_about(clinic, poison)
    assert alert.kind == AlertKind.DELIVERY_FAILED
    assert alert.title.startswith("An e-mail to ")
    assert why in alert.title
    assert alert.subject_id == poison  # the alert links the message; its words name no id
    assert "will not be tried again" in alert.body
    assert "\n" not in alert.title
    assert [m["To"] for m in smtp.collector.received] == ["ana@example.com"]
    later = deliver_due_messages(clinic.ctx, now(clinic) + retry_delay(5), sender)
    assert later.failed == []
    assert message(clinic, poison).attempts == 1


@pytest.mark.parametrize(
    ("email", "why"),
    [
        (Email("an\udcffa@example.com", "Hi", "Hello", None, "k"), "cannot be written out"),
        (Email("ana@example.com", "Hi", "Hello\udcff", None, "k"), "cannot be written as an"),
        (Email("ana@example.com", "Hi", "Hello", None, "k\r\n"), "idempotency key contains"),
        (Email(" ", "Hi", "Hello", None, "k"), "has no recipient address"),
        (Email("nobody", "Hi", "Hello", None, "k"), "'nobody' is not one e-mail address"),
    ],
)
def test_the_smtp_sender_refuses_what_cannot_be_written_before_connecting(
    email: Email, why: str
) -> None:
    # Port 9 on loopback: nothing listens, so reaching it would be a TemporaryError instead.
    with pytest.raises(UnsendableError, match=why):
        SmtpEmailSender("127.0.0.1", 9, from_address="desk@example.com", timeout=1).send(email)


def test_a_poison_sms_fails_at_once_on_the_desk_and_the_others_are_written(
    clinic: Clinic, tmp_path: Path
) -> None:
    outbox = tmp_path / "outbox"
    poison = queue_raw(clinic, "ana@example.com", "", MessageChannel.SMS)
    good = queue_raw(clinic, "+40721000111", "", MessageChannel.SMS)
    runner = AutomationRunner(
        clinic.ctx.acting_as(Actor.system("automation")), engine_steps(local_outbox=outbox)
    )

    report = runner.sweep()

    assert "deliver_messages" not in report.failed_steps
    assert message(clinic, poison).status == MessageStatus.FAILED
    assert message(clinic, poison).attempts == 1
    assert message(clinic, good).status == MessageStatus.SENT
    lines = (outbox / "sms.jsonl").read_text().splitlines()
    assert [json.loads(line)["to"] for line in lines] == ["+40721000111"]
    (alert,) = alerts_about(clinic, poison)
    assert alert.kind == AlertKind.DELIVERY_FAILED
    assert alert.title == (
        "An SMS to ana@example.com cannot be sent: "
        "the recipient 'ana@example.com' is not a phone number"
    )


@pytest.mark.parametrize(
    ("to", "why"),
    [
        ("", "has no recipient phone number"),
        ("+40721\n000111", "contains a line break"),
        ("12", "is not a phone number"),
        ("call me", "is not a phone number"),
        ("+999999", "is not a possible phone number"),
    ],
)
def test_what_cannot_be_a_phone_number_is_unsendable(to: str, why: str) -> None:
    with pytest.raises(UnsendableError, match=why):
        check_sms(Sms(to, "Hi", "k"))
    with pytest.raises(UnsendableError, match=why):
        OutboxFileSmsSender(Path("/nonexistent/never-written.jsonl")).send(Sms(to, "Hi", "k"))


@pytest.mark.parametrize("to", ["+40721000111", "0721 000 111", "+1 (555) 010-9999"])
def test_phone_numbers_as_written_pass(to: str) -> None:
    check_sms(Sms(to, "Hi", "k"))


def test_any_other_error_of_a_sender_is_retried_and_does_not_stop_the_run(
    clinic: Clinic,
    smtp: SmtpServer,  # noqa: F811
    sender: SmtpEmailSender,  # noqa: F811
) -> None:
    odd = queue_raw(clinic, "odd@example.com", "Hi")
    good = queue_welcome(clinic)

    class Faulty:
        """An adapter with a bug that shows on one message."""

        def send(self, mail: Email) -> None:
            if mail.to.startswith("odd"):
                raise KeyError("template_id")
            sender.send(mail)

    report = deliver_due_messages(clinic.ctx, now(clinic), Faulty())

    assert (report.retrying, report.sent) == ([odd], [good])
    waiting = message(clinic, odd)
    assert (waiting.status, waiting.attempts) == (MessageStatus.PENDING, 1)
    assert waiting.next_attempt_at == now(clinic) + retry_delay(1)
    assert "unexpected error: KeyError" in (waiting.last_error or "")


def test_a_rendered_subject_is_folded_onto_one_line() -> None:
    text = messages.MessageText("k", MessageChannel.EMAIL, "Hi {{name}}\r\nagain", "Body")
    rendered = messages.render_message(text, {"name": "Ana\nBcc: all@example.com"})
    assert rendered.subject == "Hi Ana Bcc: all@example.com again"
