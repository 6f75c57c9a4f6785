"""Delivering outbound messages: the desk's own worker, used when no server delivers for it.

A message is due when it is pending, its `not_before` (a delayed action) has come and its
`next_attempt_at` (a retry) too. Each due message is first claimed — `next_attempt_at` moved a
lease ahead in its own transaction, guarded by the row version — so two workers never hand the
same row over together; then sent outside any transaction (a slow mail server must not hold
the database); then its outcome is recorded:

- accepted → `sent`, `sent_at`;
- temporary failure → tried again after 1, 5, 25, 125 and 625 minutes; the sixth failed try
  makes it `failed` and raises a `delivery_failed` alert;
- permanent failure → `failed` at once, with the alert; a message that can never be sent as
  written (`UnsendableError`: a line break in its subject, a recipient that is not an address
  or phone number) likewise, with an alert that names the message and says what is wrong;
- anything else a sender raises → a temporary failure: that message is retried like the
  others and the run goes on with the rest, so one odd message never holds up the queue.

Exactly once per idempotency key: the key is UNIQUE, so there is one row per message, and a
row that is `sent` is never picked again. Messages sync, so another node may hold the same
row: a signed-in desk claims `message:<idempotency key>` from the server first (`claims.py`)
and leaves a message another node claimed alone — that node sends it, and its outcome arrives
by sync. A crash between handing a message over and recording it leaves the claim to expire,
and the message is handed over once more — with the same Message-ID, which mail systems use
to show it once.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm.exc import StaleDataError

from frontdesk.automation.claims import LOCAL_CLAIMS, OccurrenceClaims
from frontdesk.automation.keys import message_claim_key
from frontdesk.domain.clock import ensure_utc
from frontdesk.domain.enums import AlertKind, MessageChannel, MessageStatus
from frontdesk.i18n import N_
from frontdesk.i18n.text import T_, Text
from frontdesk.integrations.checks import printable
from frontdesk.integrations.email import Email, EmailSender
from frontdesk.integrations.errors import (
    DeliveryError,
    PermanentError,
    TemporaryError,
    UnsendableError,
)
from frontdesk.integrations.push import OutboxFilePushSender, Push, PushSender
from frontdesk.integrations.sms import OutboxFileSmsSender, Sms, SmsSender
from frontdesk.services.alerts import raise_alert
from frontdesk.services.context import ServiceContext
from frontdesk.services.settings import email_sender, sms_sender
from frontdesk.store.models import OutboundMessage

_log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
FIRST_RETRY = timedelta(minutes=1)
BACKOFF_FACTOR = 5
# Longer than any sender's timeout, so a live worker always records before a claim expires.
CLAIM_LEASE = timedelta(minutes=10)
BATCH_SIZE = 100


@dataclass(frozen=True)
class _Senders:
    """The adapters per channel; a channel without one is left pending (not attempted)."""

    email: EmailSender | None = None
    sms: SmsSender | None = None
    push: PushSender | None = None

    def channels(self) -> list[MessageChannel]:
        present = {MessageChannel.EMAIL: self.email, MessageChannel.SMS: self.sms}
        present[MessageChannel.PUSH] = self.push
        return [channel for channel, sender in present.items() if sender is not None]


@dataclass
class DeliveryReport:
    sent: list[uuid.UUID] = field(default_factory=list)
    retrying: list[uuid.UUID] = field(default_factory=list)
    failed: list[uuid.UUID] = field(default_factory=list)
    # Claimed by another node: not handed over here.
    claimed_elsewhere: list[uuid.UUID] = field(default_factory=list)


@dataclass(frozen=True)
class _Claimed:
    id: uuid.UUID
    channel: MessageChannel
    recipient: str
    subject: str
    body_text: str
    body_html: str | None
    idempotency_key: str


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed try: 1, 5, 25, 125, 625 minutes."""
    return FIRST_RETRY * BACKOFF_FACTOR ** (attempts - 1)


def deliver_due_messages(
    ctx: ServiceContext,
    now: datetime,
    email: EmailSender | None = None,
    sms: SmsSender | None = None,
    push: PushSender | None = None,
    *,
    limit: int = BATCH_SIZE,
    claims: OccurrenceClaims = LOCAL_CLAIMS,
) -> DeliveryReport:
    """Send the organization's due messages (at most `limit`) and record each outcome. A
    channel given no sender is left pending: e.g. e-mail while no SMTP server is set up. A
    message `claims` does not grant this node is left to the node that claimed it."""
    at = ensure_utc(now, field="now")
    senders = _Senders(email, sms, push)
    report = DeliveryReport()
    due = _due(ctx, at, senders.channels(), limit)
    granted = claims.claim([message_claim_key(key) for _, key in due]) if due else set()
    for message_id, key in due:
        if message_claim_key(key) not in granted:
            report.claimed_elsewhere.append(message_id)
            continue
        claimed = _claim(ctx, message_id, at)
        if claimed is None:
            continue  # another worker took it, or it changed since the query
        try:
            _hand_over_sorted(claimed, senders)
        except DeliveryError as error:
            failed = _record_failure(ctx, claimed, at, error)
            (report.failed if failed else report.retrying).append(claimed.id)
        else:
            _record_sent(ctx, claimed.id, at)
            report.sent.append(claimed.id)
    return report


def _due(
    ctx: ServiceContext, at: datetime, channels: list[MessageChannel], limit: int
) -> list[tuple[uuid.UUID, str]]:
    """(id, idempotency key) of the due messages, oldest first."""
    query = (
        select(OutboundMessage.id, OutboundMessage.idempotency_key)
        .where(
            OutboundMessage.organization_id == ctx.organization_id,
            OutboundMessage.status == MessageStatus.PENDING,
            OutboundMessage.channel.in_(channels),
            or_(OutboundMessage.not_before.is_(None), OutboundMessage.not_before <= at),
            or_(OutboundMessage.next_attempt_at.is_(None), OutboundMessage.next_attempt_at <= at),
        )
        .order_by(OutboundMessage.id)  # UUIDv7: oldest first
        .limit(limit)
    )
    with ctx.sessions() as session:
        return [(message_id, key) for message_id, key in session.execute(query)]


def _claim(ctx: ServiceContext, message_id: uuid.UUID, at: datetime) -> _Claimed | None:
    try:
        with ctx.transaction() as tx:
            message = tx.session.get(OutboundMessage, message_id)
            if message is None or not _still_due(message, at):
                return None
            message.next_attempt_at = at + CLAIM_LEASE
            return _Claimed(
                id=message.id,
                channel=MessageChannel(message.channel),
                recipient=message.recipient,
                subject=message.subject,
                body_text=message.body_text,
                body_html=message.body_html,
                idempotency_key=message.idempotency_key,
            )
    except StaleDataError:
        return None  # the row changed under us: someone else claimed or finished it


def _still_due(message: OutboundMessage, at: datetime) -> bool:
    return (
        message.status == MessageStatus.PENDING
        and (message.not_before is None or message.not_before <= at)
        and (message.next_attempt_at is None or message.next_attempt_at <= at)
    )


def _hand_over_sorted(message: _Claimed, senders: _Senders) -> None:
    """`_hand_over`, with anything but a DeliveryError made a TemporaryError: an adapter's
    unforeseen error must not stop the run and leave this message claimed but never tried."""
    try:
        _hand_over(message, senders)
    except DeliveryError:
        raise
    except Exception as exc:
        _log.exception("handing over message %s failed unexpectedly", message.id)
        raise TemporaryError(f"unexpected error: {type(exc).__name__}: {exc}") from exc


def _hand_over(message: _Claimed, senders: _Senders) -> None:
    key = message.idempotency_key
    if message.channel == MessageChannel.EMAIL and senders.email is not None:
        senders.email.send(
            Email(message.recipient, message.subject, message.body_text, message.body_html, key)
        )
    elif message.channel == MessageChannel.SMS and senders.sms is not None:
        senders.sms.send(Sms(message.recipient, message.body_text, key))
    elif message.channel == MessageChannel.PUSH and senders.push is not None:
        senders.push.send(Push(message.recipient, message.subject, message.body_text, key))


def _record_sent(ctx: ServiceContext, message_id: uuid.UUID, at: datetime) -> None:
    with ctx.transaction() as tx:
        message = tx.session.get_one(OutboundMessage, message_id)
        message.status = MessageStatus.SENT
        message.sent_at = at
        message.attempts += 1
        message.next_attempt_at = None
        message.last_error = None
        tx.audit("message.sent", "outbound_message", message.id, {"channel": message.channel})


def _record_failure(
    ctx: ServiceContext, claimed: _Claimed, at: datetime, error: DeliveryError
) -> bool:
    """Record a failed try; True when the message has now failed for good."""
    with ctx.transaction() as tx:
        message = tx.session.get_one(OutboundMessage, claimed.id)
        message.attempts += 1
        message.last_error = str(error)[:2000]
        final = isinstance(error, PermanentError) or message.attempts >= MAX_ATTEMPTS
        if not final:
            message.next_attempt_at = at + retry_delay(message.attempts)
            return False
        message.status = MessageStatus.FAILED
        message.next_attempt_at = None
        title, body = _failure_words(claimed, error, message.attempts)
        raise_alert(
            tx,
            kind=AlertKind.DELIVERY_FAILED,
            title=title,
            body=body,
            subject_type="outbound_message",
            subject_id=message.id,
            details={
                "channel": claimed.channel,
                "recipient": claimed.recipient,
                "attempts": message.attempts,
                "error": message.last_error,
            },
        )
        tx.audit("message.failed", "outbound_message", message.id, {"channel": claimed.channel})
        return True


def _failure_words(claimed: _Claimed, error: DeliveryError, attempts: int) -> tuple[Text, Text]:
    """The alert's title and body (translated where the alert is read)."""
    noun = Text(_NOUNS[claimed.channel])
    if isinstance(error, UnsendableError):
        to = printable(claimed.recipient)
        title = T_("{noun} to {to} cannot be sent: {error}", noun=noun, to=to, error=str(error))
        if claimed.subject:
            return title, T_(
                "The message “{subject}” was not handed to any provider and will not be tried "
                "again: {error}. Correct it where it came from (the contact's details or the "
                "template) and send it anew.",
                subject=printable(claimed.subject),
                error=str(error),
            )
        return title, T_(
            "The message was not handed to any provider and will not be tried again: {error}. "
            "Correct it where it came from (the contact's details or the template) and send "
            "it anew.",
            error=str(error),
        )
    if isinstance(error, PermanentError):
        title = T_("{noun} could not be delivered: it was refused", noun=noun)
    else:
        title = T_("{noun} could not be delivered: it kept failing", noun=noun)
    return title, T_("After {count} tries: {error}", count=attempts, error=str(error))


_NOUNS = {"email": N_("An e-mail"), "sms": N_("An SMS"), "push": N_("A push notification")}


def desk_delivery(
    local_outbox: Path, claims: OccurrenceClaims = LOCAL_CLAIMS
) -> Callable[[ServiceContext, datetime], DeliveryReport]:
    """Delivery as a desk does it: e-mail over the SMTP server in the settings (left pending
    until one is set), SMS through the configured provider, and SMS and push otherwise
    written to files in `local_outbox` (no account needed); a signed-in desk sends only the
    messages the server's `claims` grant it. Settings are read on every run, so a change
    takes effect at the next sweep."""

    def deliver(ctx: ServiceContext, now: datetime) -> DeliveryReport:
        sms = sms_sender(ctx.sessions) or OutboxFileSmsSender(local_outbox / "sms.jsonl")
        return deliver_due_messages(
            ctx,
            now,
            email=email_sender(ctx.sessions),
            sms=sms,
            push=OutboxFilePushSender(local_outbox / "push.jsonl"),
            claims=claims,
        )

    return deliver
