"""Sending SMS. `SmsSender` is what the delivery worker needs. Two adapters:

- `OutboxFileSmsSender` needs no account: each SMS becomes a line in a file of the profile
  (what the desk would have sent), so a clinic without a provider still sees its reminders.
- `HttpSmsSender` posts to a provider's HTTP API (URL and token from the settings):
  `{"to", "text"}` as JSON with a bearer token and an `Idempotency-Key` header, which
  providers use to drop a repeated request. 2xx = accepted; 408, 429 and 5xx = try again later;
  other 4xx = refused for good.

Both first `check_sms`: a recipient that cannot be a phone number is an `UnsendableError`
before any provider is asked (or any line is written).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import httpx
import phonenumbers

from frontdesk.integrations.checks import check_header_text
from frontdesk.integrations.errors import PermanentError, TemporaryError, UnsendableError
from frontdesk.integrations.local_outbox import append_record

_RETRYABLE_STATUS = frozenset({408, 429})
# What a phone number may be written with besides digits; E.164 allows at most 15 digits.
_PHONE_PUNCTUATION = frozenset(" +-().")
_PHONE_DIGITS = range(3, 16)


@dataclass(frozen=True)
class Sms:
    to: str
    text: str
    idempotency_key: str


class SmsSender(Protocol):
    def send(self, sms: Sms) -> None:
        """Hand `sms` over, or raise TemporaryError / PermanentError."""
        ...


def check_sms(sms: Sms) -> None:
    """UnsendableError saying in plain words why `sms.to` cannot be a phone number. Numbers
    are stored in E.164 (+40721000111); a national one (0721 000 111) is left to the provider,
    which knows its country."""
    to = sms.to.strip()
    if not to:
        raise UnsendableError("it has no recipient phone number")
    check_header_text(to, "the recipient phone number", limit=40)
    digits = sum(ch.isdigit() for ch in to)
    wrong = {ch for ch in to if not ch.isdigit()} - _PHONE_PUNCTUATION
    if wrong or digits not in _PHONE_DIGITS or "+" in to[1:]:
        raise UnsendableError(f"the recipient {to!r} is not a phone number")
    if to.startswith("+"):
        try:
            possible = phonenumbers.is_possible_number(phonenumbers.parse(to, None))
        except phonenumbers.NumberParseException:
            possible = False
        if not possible:
            raise UnsendableError(f"the recipient {to!r} is not a possible phone number")


class OutboxFileSmsSender:
    def __init__(self, path: Path) -> None:
        self.path = path

    def send(self, sms: Sms) -> None:
        check_sms(sms)
        append_record(
            self.path,
            {
                "channel": "sms",
                "to": sms.to,
                "text": sms.text,
                "idempotency_key": sms.idempotency_key,
                "written_at": datetime.now(UTC).isoformat(),
            },
        )


class HttpSmsSender:
    def __init__(
        self, url: str, token: str, *, client: httpx.Client | None = None, timeout: float = 15.0
    ) -> None:
        self._url = url
        self._token = token
        self._client = client or httpx.Client(timeout=timeout)

    def send(self, sms: Sms) -> None:
        check_sms(sms)
        headers = {
            "Authorization": f"Bearer {self._token}",
            "Idempotency-Key": sms.idempotency_key,
        }
        try:
            response = self._client.post(
                self._url, json={"to": sms.to, "text": sms.text}, headers=headers
            )
        except httpx.TransportError as exc:
            raise TemporaryError(f"cannot reach the SMS provider: {exc}") from exc
        if response.is_success:
            return
        message = f"SMS provider answered {response.status_code}: {response.text[:200]}"
        if response.status_code in _RETRYABLE_STATUS or response.status_code >= 500:
            raise TemporaryError(message)
        raise PermanentError(message)
