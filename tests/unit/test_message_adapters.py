from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from frontdesk.integrations.errors import PermanentError, TemporaryError
from frontdesk.integrations.push import OutboxFilePushSender, Push
from frontdesk.integrations.sms import HttpSmsSender, OutboxFileSmsSender, Sms

SMS = Sms("+40721000111", "See you tomorrow at 09:00", "rule:r/event:e#0")


def records(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_the_outbox_file_keeps_each_sms_and_push(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox" / "messages.jsonl"
    OutboxFileSmsSender(outbox).send(SMS)
    OutboxFilePushSender(outbox).send(Push("person-1", "Exercises", "Time to move", "k2"))
    sms, push = records(outbox)
    assert {k: sms[k] for k in ("channel", "to", "text", "idempotency_key")} == {
        "channel": "sms",
        "to": "+40721000111",
        "text": "See you tomorrow at 09:00",
        "idempotency_key": "rule:r/event:e#0",
    }
    assert (push["channel"], push["title"], push["text"]) == ("push", "Exercises", "Time to move")


def test_an_outbox_file_that_cannot_be_written_is_retried_later(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(TemporaryError, match="cannot write"):
        OutboxFileSmsSender(blocker / "messages.jsonl").send(SMS)


def provider(status: int, seen: list[httpx.Request]) -> HttpSmsSender:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json={"status": status})

    client = httpx.Client(transport=httpx.MockTransport(answer))
    return HttpSmsSender("https://sms.example/v1/messages", "tok", client=client)


def test_the_http_provider_gets_the_message_with_token_and_key() -> None:
    seen: list[httpx.Request] = []
    provider(202, seen).send(SMS)
    (request,) = seen
    assert request.method == "POST"
    assert str(request.url) == "https://sms.example/v1/messages"
    assert request.headers["Authorization"] == "Bearer tok"
    assert request.headers["Idempotency-Key"] == SMS.idempotency_key
    assert json.loads(request.content) == {"to": SMS.to, "text": SMS.text}


@pytest.mark.parametrize(
    ("status", "error"),
    [(429, TemporaryError), (408, TemporaryError), (503, TemporaryError), (400, PermanentError)],
)
def test_provider_answers_are_sorted(status: int, error: type[Exception]) -> None:
    with pytest.raises(error, match=f"answered {status}"):
        provider(status, []).send(SMS)


def test_an_unreachable_provider_is_temporary() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client = httpx.Client(transport=httpx.MockTransport(refuse))
    with pytest.raises(TemporaryError, match="cannot reach the SMS provider"):
        HttpSmsSender("https://sms.example", "tok", client=client).send(SMS)
