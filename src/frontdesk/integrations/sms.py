"""Sending SMS. `SmsSender` is what the delivery worker needs. Two adapters:

- `OutboxFileSmsSender` needs no account: each SMS becomes a line in a file of the profile
  (what the desk would have sent), so a clinic without a provider still sees its reminders.
- `HttpSmsSender` posts to a provider's HTTP API (URL and token from the settings):
  `{"to", "text"}` as JSON with a bearer token and an `Idempotency-Key` header, which
  providers use to drop a repeated request. 2xx = accepted; 408, 429 and 5xx = try again later;
  other 4xx = refused for good.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import httpx

from frontdesk.integrations.errors import PermanentError, TemporaryError
from frontdesk.integrations.local_outbox import append_record

_RETRYABLE_STATUS = frozenset({408, 429})


@dataclass(frozen=True)
class Sms:
    to: str
    text: str
    idempotency_key: str


class SmsSender(Protocol):
    def send(self, sms: Sms) -> None:
        """Hand `sms` over, or raise TemporaryError / PermanentError."""
        ...


class OutboxFileSmsSender:
    def __init__(self, path: Path) -> None:
        self.path = path

    def send(self, sms: Sms) -> None:
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
