"""Several server nodes (or containers) starting at once on one new database: each migrates on
start, one at a time, and all of them come up."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL

from frontdesk.server.database import admin_engine, ensure_database, sqlalchemy_url
from frontdesk.server.migrate import current_revision, upgrade_server

NODES = 3
# Separate processes, as separate nodes are (Alembic's context is one per process).
MIGRATE = (
    "import sys; from sqlalchemy import create_engine; "
    "from frontdesk.server.migrate import upgrade_server; "
    "upgrade_server(create_engine(sys.argv[1]))"
)


@pytest.fixture
def empty_database(pg_url: str) -> Iterator[URL]:
    admin = sqlalchemy_url(pg_url)
    name = f"frontdesk_together_{uuid.uuid4().hex[:8]}"
    ensure_database(admin, name)
    yield admin.set(database=name)
    engine = admin_engine(admin)
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def test_nodes_starting_together_migrate_one_after_another(empty_database: URL) -> None:
    url = empty_database.render_as_string(hide_password=False)
    nodes = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATE, url],
            env=os.environ,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(NODES)
    ]
    outcomes = [(node.wait(timeout=180), node.stderr.read()) for node in nodes if node.stderr]
    assert [status for status, _ in outcomes] == [0] * NODES, [err for _, err in outcomes]
    engine = create_engine(empty_database)
    try:
        head = current_revision(engine)
        upgrade_server(engine)  # nothing left to do
        assert current_revision(engine) == head
        assert head is not None
    finally:
        engine.dispose()
