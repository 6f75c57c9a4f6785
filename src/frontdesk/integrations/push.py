"""Push notifications. `PushSender` is what the delivery worker needs; `OutboxFilePushSender`
needs no account and writes each notification as a line in a file of the profile, until a
push provider (e.g. a mobile app's notification service) is configured."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from frontdesk.integrations.local_outbox import append_record


@dataclass(frozen=True)
class Push:
    to: str
    title: str
    text: str
    idempotency_key: str


class PushSender(Protocol):
    def send(self, push: Push) -> None:
        """Hand `push` over, or raise TemporaryError / PermanentError."""
        ...


class OutboxFilePushSender:
    def __init__(self, path: Path) -> None:
        self.path = path

    def send(self, push: Push) -> None:
        append_record(
            self.path,
            {
                "channel": "push",
                "to": push.to,
                "title": push.title,
                "text": push.text,
                "idempotency_key": push.idempotency_key,
                "written_at": datetime.now(UTC).isoformat(),
            },
        )
