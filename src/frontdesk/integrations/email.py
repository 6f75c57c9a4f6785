"""Sending e-mail. `EmailSender` is what the delivery worker needs; `SmtpEmailSender` speaks
SMTP (the desk's own delivery when no server is configured).

Failures are sorted for the worker: `TemporaryError` (cannot connect, timeouts, 4xx replies:
try again later), `PermanentError` (5xx replies: the server refuses this message for good) and
`UnsendableError` (a permanent one found before connecting: a line break in the subject, a
recipient that is not one address — `check_email`). The Message-ID is derived from the
idempotency key, so if a message is ever handed to a server twice, receiving systems that
de-duplicate by Message-ID still show it once.
"""

from __future__ import annotations

import smtplib
import ssl
import uuid
from dataclasses import dataclass
from email.errors import MessageError
from email.message import EmailMessage
from email.utils import formataddr, formatdate, getaddresses
from typing import Protocol

from frontdesk.integrations.checks import ADDRESS_MAX, check_header_text
from frontdesk.integrations.errors import (
    DeliveryError,
    PermanentError,
    TemporaryError,
    UnsendableError,
)

IDEMPOTENCY_HEADER = "X-Idempotency-Key"
# A fixed namespace: the same key gives the same Message-ID on every desk.
_MESSAGE_ID_NAMESPACE = uuid.UUID("3c0d7a7e-96f1-4a55-8a3b-6d3c2b1f9e42")


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str | None
    idempotency_key: str


class EmailSender(Protocol):
    def send(self, email: Email) -> None:
        """Hand `email` over for delivery, or raise TemporaryError / PermanentError."""
        ...


def message_id(idempotency_key: str, domain: str) -> str:
    return f"<{uuid.uuid5(_MESSAGE_ID_NAMESPACE, idempotency_key)}@{domain}>"


def check_email(email: Email) -> None:
    """UnsendableError saying in plain words why `email` can never be sent as written."""
    to = email.to.strip()
    if not to:
        raise UnsendableError("it has no recipient address")
    check_header_text(to, "the recipient address", limit=ADDRESS_MAX)
    addresses = getaddresses([to])
    if len(addresses) != 1 or "@" not in addresses[0][1]:
        raise UnsendableError(f"the recipient {to!r} is not one e-mail address")
    check_header_text(email.subject, "the subject")
    check_header_text(email.idempotency_key, "the idempotency key")


def sendable_message(email: Email, from_address: str) -> EmailMessage:
    """`build_message` after `check_email`, written out once, so that anything else that
    cannot be sent is an UnsendableError here rather than an error inside the SMTP client."""
    check_email(email)
    try:
        message = build_message(email, from_address)
        message.as_bytes()
    except (ValueError, TypeError, MessageError) as exc:
        raise UnsendableError(f"it cannot be written as an e-mail ({exc})") from exc
    return message


def build_message(email: Email, from_address: str) -> EmailMessage:
    """A multipart/alternative message (plain text, then HTML when there is some)."""
    message = EmailMessage()
    message["From"] = from_address
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = formatdate(localtime=False)
    domain = from_address.rpartition("@")[2] or "frontdesk.invalid"
    message["Message-ID"] = message_id(email.idempotency_key, domain)
    message[IDEMPOTENCY_HEADER] = email.idempotency_key
    message.set_content(email.text)
    if email.html is not None:
        message.add_alternative(email.html, subtype="html")
    return message


class SmtpEmailSender:
    """Delivers through an SMTP server. `starttls` upgrades a plain connection (port 587);
    `use_tls` connects over TLS from the start (port 465). A login happens when a username
    is given."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        from_address: str,
        from_name: str = "",
        username: str = "",
        password: str = "",
        starttls: bool = False,
        use_tls: bool = False,
        timeout: float = 30.0,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        if starttls and use_tls:
            raise ValueError("choose STARTTLS or TLS from the start, not both")
        self._host = host
        self._port = port
        self._from = formataddr((from_name, from_address)) if from_name else from_address
        self._username = username
        self._password = password
        self._starttls = starttls
        self._use_tls = use_tls
        self._timeout = timeout
        self._tls_context = tls_context or ssl.create_default_context()

    def send(self, email: Email) -> None:
        message = sendable_message(email, self._from)
        try:
            with self._connect() as smtp:
                if self._starttls:
                    self._upgrade(smtp)
                if self._username:
                    smtp.login(self._username, self._password)
                smtp.send_message(message)
        except smtplib.SMTPNotSupportedError as exc:
            # e.g. an address with non-ASCII characters and a server without SMTPUTF8.
            raise PermanentError(f"the server cannot take this message: {exc}") from exc
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise _by_code(min(codes), f"recipient refused: {exc.recipients}") from exc
        except smtplib.SMTPResponseException as exc:
            text = exc.smtp_error.decode("utf-8", "replace") if exc.smtp_error else ""
            raise _by_code(exc.smtp_code, f"{exc.smtp_code} {text}".strip()) from exc
        except (smtplib.SMTPException, OSError) as exc:
            # Refused connections, timeouts, dropped links: the server may be back later.
            raise TemporaryError(f"cannot reach {self._host}:{self._port}: {exc}") from exc

    def _upgrade(self, smtp: smtplib.SMTP) -> None:
        try:
            smtp.starttls(context=self._tls_context)
        except smtplib.SMTPNotSupportedError as exc:
            # The settings are wrong, not the message: keep it until someone fixes them.
            where = f"{self._host}:{self._port}"
            raise TemporaryError(f"{where} does not offer STARTTLS: check the settings") from exc

    def _connect(self) -> smtplib.SMTP:
        if self._use_tls:
            return smtplib.SMTP_SSL(
                self._host, self._port, timeout=self._timeout, context=self._tls_context
            )
        return smtplib.SMTP(self._host, self._port, timeout=self._timeout)


def _by_code(code: int, message: str) -> DeliveryError:
    if 400 <= code < 500:
        return TemporaryError(message)
    return PermanentError(message)
