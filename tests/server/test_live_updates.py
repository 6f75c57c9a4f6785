"""Live updates: the change-log trigger's notice wakes the organization's streams through the
process's one listening connection; streams per account are bounded; the listener survives
losing its connection; no stream hears another organization."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psycopg
import pytest
from alembic import command
from httpx_sse import aconnect_sse
from sqlalchemy import Engine, create_engine, event, text

from frontdesk.domain.enums import Role
from frontdesk.domain.errors import InvalidInput
from frontdesk.server.app import create_app
from frontdesk.server.config import ServerConfig
from frontdesk.server.database import ServerDatabase, sqlalchemy_url
from frontdesk.server.live_hub import CHANNEL, LiveHub
from frontdesk.server.migrate import SERVER_HISTORY, upgrade_server
from frontdesk.server.scope import Scope, scoped_sessions
from frontdesk.server.tokens import Principal, issue_access_token
from frontdesk.store.alembic_history import alembic_config
from frontdesk.sync.protocol import SCHEMA_HEADER, SCHEMA_VERSION
from tests.support.postgres import (
    LiveServer,
    drop_database,
    fresh_database,
    serve_in_thread,
    tls_files,
)

PER_ACCOUNT = 2
# Generous for a shared machine; a notice normally arrives in milliseconds.
ARRIVES = 5.0
# How long a stream is watched to show that nothing comes.
QUIET = 1.0


@dataclass
class Served:
    live: LiveServer
    hub: LiveHub


@pytest.fixture
def served(server_database: ServerDatabase) -> Iterator[Served]:
    directory = Path(tempfile.mkdtemp(prefix="frontdesk-live-updates-"))
    ca_path, cert_path, key_path = tls_files(directory)
    config = ServerConfig.load(
        directory / "data",
        database_url=None,
        certfile=cert_path,
        keyfile=key_path,
        token_secret="test-secret-" + uuid.uuid4().hex,
        live_streams_per_account=PER_ACCOUNT,
    )
    live = LiveServer(config=config, database=server_database, ca_path=ca_path)
    app = create_app(config, server_database, clock=live.clock)
    try:
        for running in serve_in_thread(live, app):
            yield Served(running, app.state.frontdesk.live)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def token(live: LiveServer, organization_id: uuid.UUID, user_id: uuid.UUID | None = None) -> str:
    """An access token of a real admin account (a new one unless `user_id` names one): every
    request checks that its account still works here."""
    if user_id is None:
        email = f"live-{uuid.uuid4().hex[:8]}@example.com"
        user_id = live.create_user(organization_id, email, role=Role.ADMIN).id
    principal = Principal(user_id=user_id, organization_id=organization_id, role=Role.ADMIN)
    return issue_access_token(
        principal, secret=live.config.token_secret, now=datetime.now(UTC), seconds=600
    )


def move(live: LiveServer, organization_id: uuid.UUID) -> int:
    """Changes the organization's name (a synced table) and returns its new version."""
    sessions = scoped_sessions(live.database.engine, Scope(organization_id=organization_id))
    with sessions.begin() as session:
        session.execute(
            text("UPDATE organizations SET name = :name WHERE id = :org"),
            {"org": organization_id, "name": f"Clinic {uuid.uuid4().hex[:6]}"},
        )
        return int(
            session.scalar(
                text("SELECT version FROM sync_org_versions WHERE organization_id = :org"),
                {"org": organization_id},
            )
        )


class Stream:
    """One open `/v1/sync/live`; its `version` events land in `versions`."""

    def __init__(self) -> None:
        self.versions: asyncio.Queue[int] = asyncio.Queue()
        self.comments = 0

    async def next(self, timeout: float = ARRIVES) -> int:
        return await asyncio.wait_for(self.versions.get(), timeout)

    async def nothing_for(self, seconds: float) -> bool:
        try:
            await asyncio.wait_for(self.versions.get(), seconds)
        except TimeoutError:
            return True
        return False


@asynccontextmanager
async def client(live: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    context = ssl.create_default_context(cafile=str(live.ca_path))
    async with httpx.AsyncClient(
        base_url=live.url,
        verify=context,
        timeout=httpx.Timeout(10.0, read=30.0),
        headers={SCHEMA_HEADER: str(SCHEMA_VERSION)},
    ) as http:
        yield http


@asynccontextmanager
async def stream(http: httpx.AsyncClient, bearer: str) -> AsyncIterator[Stream]:
    opened = Stream()
    ready = asyncio.Event()
    failure: list[BaseException] = []

    async def follow() -> None:
        try:
            headers = {"Authorization": f"Bearer {bearer}"}
            async with aconnect_sse(http, "GET", "/v1/sync/live", headers=headers) as source:
                source.response.raise_for_status()
                ready.set()
                async for event in source.aiter_sse():
                    if event.event == "version":
                        opened.versions.put_nowait(int(event.data))
        except Exception as error:
            failure.append(error)
            ready.set()

    task = asyncio.create_task(follow())
    await asyncio.wait_for(ready.wait(), ARRIVES)
    if failure:
        raise failure[0]
    try:
        yield opened
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def until(condition: object, seconds: float = ARRIVES) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, "condition never held"
        await asyncio.sleep(0.02)


def test_the_trigger_announces_a_committed_version_and_nothing_for_a_rollback(
    served: Served,
) -> None:
    live = served.live
    organization = live.create_org()
    args, params = live.database.engine.dialect.create_connect_args(live.database.engine.url)
    with psycopg.connect(*args, autocommit=True, **params) as listener:
        listener.execute(f"LISTEN {CHANNEL}")
        sessions = scoped_sessions(live.database.engine, Scope(organization_id=organization.id))
        with sessions() as session, session.begin():
            session.execute(
                text("UPDATE organizations SET name = 'Rolled back' WHERE id = :org"),
                {"org": organization.id},
            )
            session.rollback()
        version = move(live, organization.id)
        heard = [n.payload for n in listener.notifies(timeout=2.0, stop_after=1)]
    assert heard == [f"{organization.id}:{version}"]


def test_a_change_wakes_the_stream_without_polling(served: Served) -> None:
    live = served.live
    organization = live.create_org()

    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    async def scenario() -> None:
        async with client(live) as http, stream(http, token(live, organization.id)) as opened:
            first = await opened.next()
            event.listen(live.database.engine, "before_cursor_execute", count)
            try:
                await asyncio.sleep(QUIET)
            finally:
                event.remove(live.database.engine, "before_cursor_execute", count)
            assert statements == []  # a waiting stream asks the database nothing
            version = move(live, organization.id)
            assert version > first
            assert await opened.next() == version

    asyncio.run(scenario())


def test_a_stream_never_hears_another_organizations_versions(served: Served) -> None:
    live = served.live
    ours, theirs = live.create_org(), live.create_org()

    async def scenario() -> None:
        async with (
            client(live) as http,
            stream(http, token(live, ours.id)) as our_stream,
            stream(http, token(live, theirs.id)) as their_stream,
        ):
            our_start, their_start = await our_stream.next(), await their_stream.next()
            their_versions = [move(live, theirs.id) for _ in range(3)]
            heard = [await their_stream.next() for _ in their_versions]
            # Each notice is delivered on its own; a later one may already cover earlier ones.
            assert heard[-1] == their_versions[-1]
            assert await our_stream.nothing_for(QUIET)
            our_version = move(live, ours.id)
            assert await our_stream.next() == our_version
            assert our_start < our_version
            assert their_start < their_versions[0]

    asyncio.run(scenario())


def test_an_account_holds_a_bounded_number_of_streams(served: Served) -> None:
    live, hub = served.live, served.hub
    organization = live.create_org()
    user = live.create_user(organization.id, "streams@example.com", role=Role.ADMIN).id
    bearer = token(live, organization.id, user)

    async def scenario() -> None:
        async with client(live) as http:
            async with stream(http, bearer), stream(http, bearer):
                refused = await http.get(
                    "/v1/sync/live", headers={"Authorization": f"Bearer {bearer}"}
                )
                assert refused.status_code == 429
                assert f"at most {PER_ACCOUNT} live update streams" in refused.text
                assert refused.headers["Retry-After"] == "30"
                # Another account of the same organization is not held back.
                async with stream(http, token(live, organization.id)) as other:
                    assert await other.next() >= 0
            # Streams that ended free their places.
            await until(lambda: hub.open_streams(user) == 0)
            async with stream(http, bearer) as again:
                assert await again.next() >= 0

    asyncio.run(scenario())


def test_the_listener_reconnects_and_catches_up_after_losing_its_connection(
    served: Served,
) -> None:
    live, hub = served.live, served.hub
    organization = live.create_org()

    async def scenario() -> None:
        async with client(live) as http, stream(http, token(live, organization.id)) as opened:
            await opened.next()
            await until(hub.listening.is_set)
            lost = hub.backend_pid
            with live.database.engine.connect() as connection:
                assert connection.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": lost})
            # Moved while nobody listens: the reconnect reads it.
            missed = move(live, organization.id)
            assert await opened.next() == missed
            await until(lambda: hub.listening.is_set() and hub.backend_pid != lost)
            later = move(live, organization.id)
            assert await opened.next() == later

    asyncio.run(scenario())


def test_the_bound_must_allow_a_stream(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as raised:
        ServerConfig(data_dir=tmp_path, token_secret="x" * 40, live_streams_per_account=0)
    assert raised.value.errors[0].field == "live_streams_per_account"


def trigger_source(engine: Engine) -> str:
    with engine.connect() as connection:
        return str(
            connection.scalar(
                text("SELECT prosrc FROM pg_proc WHERE proname = 'sync_record_change'")
            )
        )


def test_the_notice_revision_goes_down_and_up_again(pg_url: str, pg_template: str) -> None:
    admin = sqlalchemy_url(pg_url)
    name = str(fresh_database(admin, pg_template).database)
    owner = create_engine(admin.set(database=name))
    try:
        assert f"pg_notify('{CHANNEL}'" in trigger_source(owner)
        with owner.begin() as connection, alembic_config(SERVER_HISTORY, connection) as config:
            command.downgrade(config, "0003")
        assert "pg_notify" not in trigger_source(owner)
        assert "INSERT INTO sync_changes" in trigger_source(owner)
        upgrade_server(owner)
        assert f"pg_notify('{CHANNEL}'" in trigger_source(owner)
    finally:
        owner.dispose()
        drop_database(admin, name)
