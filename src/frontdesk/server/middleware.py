"""ASGI middleware: body size limit, client schema version, server time and security headers
on every answer."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from frontdesk.domain.clock import Clock

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SCHEMA_HEADER = "x-frontdesk-schema"
SERVER_TIME_HEADER = "x-frontdesk-server-time"
# The public booking page is a web form, not a desk: it carries no schema version.
SCHEMA_EXEMPT_PREFIXES = ("/v1/public/",)


async def _answer(send: Send, status: int, detail: str, headers: list[tuple[bytes, bytes]]) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: str) -> str | None:
    wanted = name.encode()
    for key, value in scope.get("headers", []):
        if key.lower() == wanted:
            return str(value.decode("latin-1"))
    return None


class BodyLimit:
    """Refuses a request body over `max_bytes` with 413 before any handler runs (the body is
    read here, so a chunked upload without Content-Length is measured too)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, "content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await _answer(send, 413, f"the request body is over {self.max_bytes} bytes", [])
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message], receive), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await _answer(send, 413, f"the request body is over {self.max_bytes} bytes", [])
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        whole = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([whole], receive), send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed


class SchemaVersion:
    """Answers 426 when a desk's schema version is older than the server supports (or it
    sends none), and 400 when it is newer than this server knows."""

    def __init__(self, app: ASGIApp, version: int) -> None:
        self.app = app
        self.version = version

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or not path.startswith("/v1/")
            or path.startswith(SCHEMA_EXEMPT_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return
        sent = _header(scope, SCHEMA_HEADER)
        client = int(sent) if sent is not None and sent.strip().isdigit() else None
        if client is None or client < self.version:
            await _answer(
                send,
                426,
                "please update Front Desk: this server needs schema version "
                f"{self.version}, your Front Desk sent {sent or 'none'}",
                [(b"upgrade", f"frontdesk-schema/{self.version}".encode())],
            )
            return
        if client > self.version:
            await _answer(
                send,
                400,
                f"this server knows schema version {self.version} and your Front Desk is "
                f"newer ({client}): ask your administrator to update the server",
                [],
            )
            return
        await self.app(scope, receive, send)


class ServerTime:
    """Adds the server's UTC time to every response, so a desk can report clock skew."""

    def __init__(self, app: ASGIApp, clock: Clock) -> None:
        self.app = app
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                now = self.clock.now().isoformat().encode()
                message["headers"] = [
                    *message.get("headers", []),
                    (SERVER_TIME_HEADER.encode(), now),
                ]
            await send(message)

        await self.app(scope, receive, stamped)


# Pages the server renders carry no inline script or style: everything comes from this origin.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# The API explorer (`run --debug` only) is FastAPI's page: inline script, assets from a CDN.
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "worker-src 'self' blob:; frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")
HSTS = "max-age=31536000"


class SecurityHeaders:
    """The browser-facing protections on every answer: no sniffing, no framing, no referrer,
    a strict content policy, HTTPS only from the first visit on (when serving TLS), and
    `no-store` unless the handler chose its caching (answers hold patient data)."""

    def __init__(self, app: ASGIApp, *, tls: bool) -> None:
        self.app = app
        self.tls = tls

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = str(scope.get("path", "")).startswith(DOCS_PATHS)
        wanted = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
            (
                b"content-security-policy",
                (DOCS_CONTENT_SECURITY_POLICY if docs else CONTENT_SECURITY_POLICY).encode(),
            ),
            (b"cache-control", b"no-store"),
        ]
        if self.tls:
            wanted.append((b"strict-transport-security", HSTS.encode()))

        async def protected(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {bytes(key).lower() for key, _value in headers}
                headers.extend((key, value) for key, value in wanted if key not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, protected)
