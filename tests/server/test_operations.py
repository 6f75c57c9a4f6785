"""Probes, security headers and the debug-only API description."""

from __future__ import annotations

import shutil
import socket
import ssl
import stat
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from frontdesk.server import operations_api
from frontdesk.server.app import create_app
from frontdesk.server.config import (
    SMS_TOKEN_ENV,
    SMS_TOKEN_FILE,
    TOKEN_SECRET_ENV,
    TOKEN_SECRET_FILE,
    ServerConfig,
)
from frontdesk.server.database import ServerDatabase, app_engine
from frontdesk.server.middleware import CONTENT_SECURITY_POLICY, DOCS_CONTENT_SECURITY_POLICY
from frontdesk.sync.protocol import SCHEMA_VERSION
from tests.support.postgres import LiveServer

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "content-security-policy": CONTENT_SECURITY_POLICY,
}


def _config(directory: Path, **settings: object) -> ServerConfig:
    return ServerConfig.load(
        directory / "data", database_url=None, token_secret="ops-" + uuid.uuid4().hex, **settings
    )


def _database_at(host: str, port: int) -> ServerDatabase:
    """A database handle for an address, not checked (attach would connect)."""
    database = ServerDatabase()
    database.url = make_url(f"postgresql+psycopg://frontdesk_app@{host}:{port}/frontdesk")
    database.engine = app_engine(database.url)
    database.sessions = sessionmaker(database.engine)
    return database


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nothing listens once the probe is closed


@pytest.fixture
def database_down(closed_port: int) -> Iterator[ServerDatabase]:
    database = _database_at("127.0.0.1", closed_port)
    yield database
    database.dispose()


class _Client:
    """Requests straight to the app (no server), a 500 answered rather than raised."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def get(self, path: str, **options: Any) -> httpx.Response:
        async def call() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                return await client.get(path, **options)

        return anyio.run(call)


def _client(app: FastAPI) -> _Client:
    return _Client(app)


def test_health_answers_without_the_database(tmp_path: Path, database_down: ServerDatabase) -> None:
    client = _client(create_app(_config(tmp_path), database_down))
    started = time.monotonic()
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert time.monotonic() - started < 1


def test_ready_when_the_database_answers(tmp_path: Path, server_database: ServerDatabase) -> None:
    response = _client(create_app(_config(tmp_path), server_database)).get("/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


def test_ready_is_503_with_the_reason_when_the_database_is_unreachable(
    tmp_path: Path, database_down: ServerDatabase
) -> None:
    response = _client(create_app(_config(tmp_path), database_down)).get("/ready")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "detail": "the database cannot be reached"}


def test_ready_gives_up_on_a_database_that_never_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(operations_api, "READY_TIMEOUT_SECONDS", 0.5)
    with socket.socket() as silent:  # accepts connections, never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        database = _database_at("127.0.0.1", silent.getsockname()[1])
        started = time.monotonic()
        response = _client(create_app(_config(tmp_path), database)).get("/ready")
        elapsed = time.monotonic() - started
    database.dispose()
    assert response.status_code == 503
    assert response.json()["detail"] == "the database did not answer within 0.5 seconds"
    assert elapsed < 3


def test_ready_turns_503_when_the_embedded_postgres_stops() -> None:
    base = Path(tempfile.mkdtemp(prefix="frontdesk-ready-"))
    base.chmod(0o755)  # the embedded server's own user must reach its directory
    try:
        config = _config(base)
        database = ServerDatabase().start(config)
        client = _client(create_app(config, database))
        assert client.get("/ready").status_code == 200
        database.dispose()  # closes the connections and stops PostgreSQL
        response = client.get("/ready")
        assert response.status_code == 503
        assert client.get("/health").status_code == 200
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_every_answer_carries_the_security_headers(
    tmp_path: Path, database_down: ServerDatabase
) -> None:
    app = create_app(_config(tmp_path), database_down)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    client = _client(app)
    answers = [
        client.get("/health"),
        client.get("/ready"),  # 503
        client.get("/v1/me", headers={"X-Frontdesk-Schema": str(SCHEMA_VERSION)}),  # 401
        client.get("/v1/me"),  # 426 from the middleware
        client.get("/nowhere"),  # 404
        client.get("/boom"),  # Starlette's own 500
    ]
    assert [answer.status_code for answer in answers] == [200, 503, 401, 426, 404, 500]
    for answer in answers:
        for name, value in SECURITY_HEADERS.items():
            assert answer.headers[name] == value, (answer.request.url, name)
        assert answer.headers["cache-control"] == "no-store"
        assert "strict-transport-security" not in answer.headers  # plain HTTP: no HSTS


def test_a_handler_that_sets_its_caching_keeps_it(
    tmp_path: Path, database_down: ServerDatabase
) -> None:
    app = create_app(_config(tmp_path), database_down)

    @app.get("/static-thing")
    def cached() -> PlainTextResponse:
        return PlainTextResponse("x", headers={"Cache-Control": "max-age=60"})

    assert _client(app).get("/static-thing").headers["cache-control"] == "max-age=60"


def test_https_answers_carry_hsts(live_server: LiveServer) -> None:
    with httpx.Client(verify=ssl.create_default_context(cafile=live_server.ca_path)) as client:
        answer = client.get(f"{live_server.url}/health")
    assert answer.headers["strict-transport-security"] == "max-age=31536000"
    assert answer.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize("path", ["/openapi.json", "/docs", "/redoc"])
def test_the_api_description_is_served_only_in_debug(
    tmp_path: Path, database_down: ServerDatabase, path: str
) -> None:
    config = _config(tmp_path)
    assert _client(create_app(config, database_down)).get(path).status_code == 404
    answer = _client(create_app(config, database_down, debug=True)).get(path)
    assert answer.status_code == 200
    if path != "/openapi.json":
        assert answer.headers["content-security-policy"] == DOCS_CONTENT_SECURITY_POLICY


def test_the_server_secrets_are_kept_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in (SMS_TOKEN_ENV, TOKEN_SECRET_ENV):
        monkeypatch.delenv(name, raising=False)  # the files, not the environment
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / SMS_TOKEN_FILE).write_text("provider-token\n")
    (data_dir / SMS_TOKEN_FILE).chmod(0o644)
    config = ServerConfig.load(data_dir, database_url=None)
    assert config.sms_token == "provider-token"
    secret = data_dir / TOKEN_SECRET_FILE
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600  # made private
    assert stat.S_IMODE((data_dir / SMS_TOKEN_FILE).stat().st_mode) == 0o600  # tightened
    secret.chmod(0o644)
    assert ServerConfig.load(data_dir, database_url=None).token_secret == config.token_secret
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
