"""Engines and sessions for the encrypted local mirror (SQLCipher) and for PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from frontdesk.store.guards import install_guards
from frontdesk.store.keys import MirrorKey


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA busy_timeout = 5000")
    # SQLCipher decrypts every page it reads; a 64 MiB page cache (the default is 2 MiB) keeps
    # the pages of the weeks on screen decrypted, which halves a warm calendar query.
    cursor.execute("PRAGMA cache_size = -65536")
    cursor.close()


def mirror_engine(path: Path, key: MirrorKey) -> Engine:
    """An engine on the encrypted mirror file at `path`."""
    url = URL.create("sqlite+pysqlcipher", password=key.sqlcipher_passphrase, database=str(path))
    engine = create_engine(url)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def memory_engine() -> Engine:
    """An unencrypted in-memory SQLite engine (one shared connection), for tests and tools."""
    engine = create_engine(
        "sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions on `engine`, with the store's guards (e.g. signed forms never change)."""
    # Objects stay readable after commit: services hand them back to callers.
    sessions = sessionmaker(engine, expire_on_commit=False)
    install_guards(sessions)
    return sessions
