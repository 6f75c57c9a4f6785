"""The server's delivery worker: due e-mail of every organization over the server's SMTP
server, with the retries, back-off and failure alerts of `frontdesk.automation.delivery`.

Messages sync, so a desk may hold the same one. Before sending, the server claims the
message's idempotency key (`claims.py`, key `message:<idempotency key>`); a desk that sends
while online claims the same key through `POST /v1/claims`, so one node sends it. Should a
desk have taken it, the server records it as sent (it was) and does not send it again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from frontdesk.automation.delivery import DeliveryReport, deliver_due_messages
from frontdesk.domain.errors import InvalidInput
from frontdesk.integrations.email import Email, EmailSender, SmtpEmailSender
from frontdesk.server.claims import SERVER_NODE, claim
from frontdesk.server.config import ServerConfig
from frontdesk.services.context import ServiceContext

Delivery = Callable[[ServiceContext, datetime], DeliveryReport]


def message_claim_key(idempotency_key: str) -> str:
    return f"message:{idempotency_key}"


class ClaimingEmailSender:
    """Sends through `inner` only the messages this server wins the claim of."""

    def __init__(self, inner: EmailSender, ctx: ServiceContext) -> None:
        self._inner = inner
        self._ctx = ctx

    def send(self, email: Email) -> None:
        key = message_claim_key(email.idempotency_key)
        with self._ctx.sessions.begin() as session:
            won = claim(
                session, self._ctx.organization_id, [key], node=SERVER_NODE, clock=self._ctx.clock
            )
        if key in won:
            self._inner.send(email)


def smtp_sender(config: ServerConfig) -> SmtpEmailSender | None:
    if not config.smtp_host:
        return None
    if not config.smtp_from:
        raise InvalidInput.single("smtp_from", "set the sender address to send e-mail")
    return SmtpEmailSender(
        config.smtp_host,
        config.smtp_port,
        from_address=config.smtp_from,
        username=config.smtp_username,
        password=config.smtp_password,
        starttls=config.smtp_starttls,
    )


def server_delivery(config: ServerConfig) -> Delivery | None:
    """The engine's delivery step, or None when the server has no SMTP server."""
    sender = smtp_sender(config)
    if sender is None:
        return None

    def deliver(ctx: ServiceContext, now: datetime) -> DeliveryReport:
        return deliver_due_messages(ctx, now, email=ClaimingEmailSender(sender, ctx))

    return deliver
