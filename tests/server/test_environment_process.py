"""`frontdesk-server run` as the container runs it: configured by environment variables
alone (no flag), probed at `/health` by `python -m frontdesk.server.probe`, and stopped with
SIGTERM — promptly, exit 0, nothing left running, even with a desk's live stream open."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psutil
import pytest

from frontdesk.domain.enums import Role
from frontdesk.server import probe
from frontdesk.server.accounts import create_organization, create_user
from frontdesk.server.database import ServerDatabase
from frontdesk.server.environment import PREFIX
from frontdesk.server.tokens import Principal, issue_access_token
from frontdesk.sync.protocol import SCHEMA_HEADER, SCHEMA_VERSION
from tests.server.test_server_process import _alive, _free_port, _postgres_serving
from tests.support.postgres import TEST_PASSWORD, tls_files

START_SECONDS = 120
# `docker stop` waits 10 s before it kills; the server must be gone well before.
STOP_SECONDS = 8.0
TOKEN_SECRET = "s" * 48


@pytest.fixture
def base() -> Iterator[Path]:
    # Not under pytest's tmp_path: the embedded server runs as its own user under root.
    directory = Path(tempfile.mkdtemp(prefix="frontdesk-env-"))
    directory.chmod(0o755)
    yield directory
    for process in _postgres_serving(directory / "data" / "pg"):
        process.kill()  # a failed test leaves nothing running
    shutil.rmtree(directory, ignore_errors=True)


def _environment(settings: dict[str, str]) -> dict[str, str]:
    """This process's environment without any FRONTDESK_ variable, plus `settings`."""
    inherited = {key: value for key, value in os.environ.items() if not key.startswith(PREFIX)}
    return {**inherited, **settings}


class Served:
    def __init__(self, settings: dict[str, str], log: Path) -> None:
        self.settings = settings
        self.log = log
        with log.open("wb") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "frontdesk.server.cli", "run"],
                env=_environment(settings),
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        self.url = f"http://127.0.0.1:{settings['FRONTDESK_PORT']}"

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while probe.main([], self.settings) != 0:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.process.kill()
                raise AssertionError(f"the server did not start:\n{self.log.read_text()}")
            time.sleep(0.3)

    def stop(self) -> tuple[int, float]:
        """SIGTERM; the exit status and how long the process took to leave."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            status = self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        return status, time.monotonic() - started


def _settings(base: Path, **more: str) -> dict[str, str]:
    secret = base / "token-secret"
    secret.write_text(TOKEN_SECRET + "\n")
    return {
        "FRONTDESK_SERVER_HOME": str(base / "data"),
        "FRONTDESK_HOST": "127.0.0.1",
        "FRONTDESK_PORT": str(_free_port()),
        "FRONTDESK_TOKEN_SECRET_FILE": str(secret),
        **more,
    }


def test_configured_by_the_environment_alone_it_serves_and_stops_on_sigterm(
    base: Path,
) -> None:
    _ca, cert, key = tls_files(base)
    served = Served(
        _settings(base, FRONTDESK_CERTFILE=str(cert), FRONTDESK_KEYFILE=str(key)),
        base / "server.log",
    )
    served.wait_healthy()
    assert probe.probe_url(served.settings).startswith("https://")  # TLS from the variables
    assert probe.main(["/ready"], served.settings) == 0  # the embedded database answers
    children = psutil.Process(served.process.pid).children(recursive=True)
    (postmaster,) = _postgres_serving(base / "data" / "pg")
    status, seconds = served.stop()
    assert status == 0, served.log.read_text()
    assert seconds < STOP_SECONDS
    assert "stopped (SIGTERM)" in served.log.read_text()
    assert not _alive(postmaster)
    assert [child for child in children if _alive(child)] == []
    assert not (base / "data" / "token-secret").exists()  # the secret came from its file


@pytest.fixture
def database_url(server_database: ServerDatabase) -> str:
    assert server_database.url is not None
    return server_database.url.render_as_string(hide_password=False)


def _bearer(server_database: ServerDatabase) -> str:
    engine = server_database.engine
    organization = create_organization(
        engine, name="Riverside", slug=f"riverside-{uuid.uuid4().hex[:6]}", timezone="UTC"
    )
    email = f"admin-{uuid.uuid4().hex[:6]}@example.com"
    user = create_user(
        engine,
        organization_id=organization.id,
        email=email,
        password=TEST_PASSWORD,
        role=Role.ADMIN,
        display_name="Ana",
    )
    principal = Principal(user_id=user.id, organization_id=organization.id, role=Role.ADMIN)
    return issue_access_token(principal, secret=TOKEN_SECRET, now=datetime.now(UTC), seconds=600)


def test_an_open_live_stream_does_not_hold_up_the_stop(
    base: Path, server_database: ServerDatabase, database_url: str
) -> None:
    url_file = base / "database-url"
    url_file.write_text(database_url)
    served = Served(_settings(base, FRONTDESK_DATABASE_URL_FILE=str(url_file)), base / "server.log")
    served.wait_healthy()
    headers = {
        SCHEMA_HEADER: str(SCHEMA_VERSION),
        "Authorization": f"Bearer {_bearer(server_database)}",
    }
    with (
        httpx.Client(base_url=served.url, timeout=httpx.Timeout(10, read=60)) as http,
        http.stream("GET", "/v1/sync/live", headers=headers) as live,
    ):
        assert live.status_code == 200
        assert next(live.iter_lines()).startswith("event: version")
        status, seconds = served.stop()
    assert status == 0, served.log.read_text()
    assert seconds < STOP_SECONDS, served.log.read_text()
    assert _postgres_serving(base / "data" / "pg") == []  # the given database was used
