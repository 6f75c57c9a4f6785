"""The server's delivery worker: due e-mail of every organization over the server's SMTP
server, and due SMS through the server's SMS provider, with the retries, back-off and failure
alerts of `frontdesk.automation.delivery`.

Messages sync, so a desk may hold the same one. Before sending, the server claims the
message's idempotency key (`claims.py`, key `message:<idempotency key>`); a desk that sends
while online claims the same key through `POST /v1/claims`, so one node sends it. Should a
desk have taken it, the server records it as sent (it was) and does not send it again.

Push stays with the desks: no push provider exists yet, and a desk writes push notifications
to its own outbox file, which the server cannot reach."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from frontdesk.automation.delivery import DeliveryReport, deliver_due_messages
from frontdesk.domain.contact import normalize_email
from frontdesk.domain.errors import InvalidInput
from frontdesk.integrations.email import Email, EmailSender, SmtpEmailSender
from frontdesk.integrations.sms import HttpSmsSender, Sms, SmsSender
from frontdesk.server.claims import SERVER_NODE, claim
from frontdesk.server.config import SMS_TOKEN_ENV, SMS_TOKEN_FILE, ServerConfig
from frontdesk.services.context import ServiceContext

Delivery = Callable[[ServiceContext, datetime], DeliveryReport]


def message_claim_key(idempotency_key: str) -> str:
    return f"message:{idempotency_key}"


def _server_wins(ctx: ServiceContext, idempotency_key: str) -> bool:
    """Claims the message for the server; False when a desk claimed it first."""
    key = message_claim_key(idempotency_key)
    with ctx.sessions.begin() as session:
        won = claim(session, ctx.organization_id, [key], node=SERVER_NODE, clock=ctx.clock)
    return key in won


class ClaimingEmailSender:
    """Sends through `inner` only the e-mail this server wins the claim of."""

    def __init__(self, inner: EmailSender, ctx: ServiceContext) -> None:
        self._inner = inner
        self._ctx = ctx

    def send(self, email: Email) -> None:
        if _server_wins(self._ctx, email.idempotency_key):
            self._inner.send(email)


class ClaimingSmsSender:
    """Sends through `inner` only the SMS this server wins the claim of."""

    def __init__(self, inner: SmsSender, ctx: ServiceContext) -> None:
        self._inner = inner
        self._ctx = ctx

    def send(self, sms: Sms) -> None:
        if _server_wins(self._ctx, sms.idempotency_key):
            self._inner.send(sms)


def smtp_sender(config: ServerConfig) -> SmtpEmailSender | None:
    if not config.smtp_host:
        return None
    if not config.smtp_from:
        raise InvalidInput.single("smtp_from", "set the sender address to send e-mail")
    # Checked at start: a sender address that cannot be a header would fail every message.
    normalize_email(config.smtp_from, field="smtp_from")
    return SmtpEmailSender(
        config.smtp_host,
        config.smtp_port,
        from_address=config.smtp_from,
        username=config.smtp_username,
        password=config.smtp_password,
        starttls=config.smtp_starttls,
    )


def http_sms_sender(config: ServerConfig) -> HttpSmsSender | None:
    if not config.sms_url:
        return None
    if not config.sms_url.startswith(("https://", "http://")):
        raise InvalidInput.single(
            "sms_url", "must start with https:// (or http:// on a private network)"
        )
    if not config.sms_token:
        raise InvalidInput.single(
            "sms_token",
            f"set ${SMS_TOKEN_ENV} or write the token to {SMS_TOKEN_FILE} in the data directory",
        )
    return HttpSmsSender(config.sms_url, config.sms_token)


def server_delivery(config: ServerConfig) -> Delivery | None:
    """The engine's delivery step, or None when the server has neither an SMTP server nor an
    SMS provider. A channel without one is left pending (its desks may send it)."""
    email = smtp_sender(config)
    sms = http_sms_sender(config)
    if email is None and sms is None:
        return None

    def deliver(ctx: ServiceContext, now: datetime) -> DeliveryReport:
        return deliver_due_messages(
            ctx,
            now,
            email=None if email is None else ClaimingEmailSender(email, ctx),
            sms=None if sms is None else ClaimingSmsSender(sms, ctx),
        )

    return deliver
