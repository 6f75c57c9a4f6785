"""`frontdesk-server backup` and `restore` as an administrator runs them: on the embedded
PostgreSQL of a data directory (while the server runs, and after the directory is lost), and
on a database given by URL with the host's programs."""

from __future__ import annotations

import shutil
import signal
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from frontdesk.server.database import ServerDatabase, sqlalchemy_url
from tests.server.test_server_process import (
    START_SECONDS,
    _command,
    _environment,
    _postgres_serving,
    _start_server,
    _stop,
)


@pytest.fixture
def base() -> Iterator[Path]:
    # The embedded server runs as its own user when the tests run as root: not tmp_path.
    folder = Path(tempfile.mkdtemp(prefix="frontdesk-backup-"))
    folder.chmod(0o755)
    yield folder
    for process in _postgres_serving(folder / "data" / "pg"):
        process.kill()  # a failed test leaves nothing running
    shutil.rmtree(folder, ignore_errors=True)


def _run(data_dir: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    done = subprocess.run(
        _command(data_dir, *args),
        env=env or _environment(),
        capture_output=True,
        text=True,
        timeout=START_SECONDS,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


def test_an_embedded_server_is_backed_up_running_and_restored_after_its_data_is_lost(
    base: Path,
) -> None:
    data_dir, dump = base / "data", base / "server.dump"
    code, said = _run(data_dir, "backup", "--out", str(dump))
    assert code == 2
    assert "cannot use database 'frontdesk'" in said  # nothing was ever made here
    assert not dump.exists()
    assert (
        _run(data_dir, "create-org", "--name", "Kept", "--slug", "kept", "--timezone", "UTC")[0]
        == 0
    )

    server, _url = _start_server(data_dir)
    try:
        code, said = _run(data_dir, "backup", "--out", str(dump))
        assert code == 0, said
        assert f"backed up database 'frontdesk' to {dump}" in said
        assert stat.S_IMODE(dump.stat().st_mode) == 0o600
        code, said = _run(data_dir, "restore", "--replace", str(dump))
        assert code == 2
        assert "is in use by process" in said
        assert "stop it before restoring" in said
    finally:
        assert _stop(server, signal.SIGTERM) == 0

    code, said = _run(data_dir, "restore", str(dump))
    assert code == 2
    assert "is not empty" in said
    assert "--replace" in said
    code, said = _run(data_dir, "restore", str(base / "missing.dump"))
    assert code == 2
    assert "missing.dump: no such file" in said

    assert _postgres_serving(data_dir / "pg") == []
    shutil.rmtree(data_dir / "pg")  # the database is lost
    code, said = _run(data_dir, "restore", str(dump))
    assert code == 0, said
    assert "restored" in said
    assert "the desks of 1 organization pull on from their cursors" in said
    code, said = _run(data_dir, "devices", "--org", "kept")
    assert code == 0, said  # the organization is back
    assert _postgres_serving(data_dir / "pg") == []


def test_a_database_url_uses_the_hosts_programs_and_names_a_missing_one(
    server_database: ServerDatabase, pg_url: str, base: Path
) -> None:
    assert server_database.url is not None
    admin = sqlalchemy_url(pg_url).set(database=server_database.url.database)
    url = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    env = {**_environment(), "PATH": str(base)}  # no pg_dump there
    code, said = _run(
        base / "data", "--database-url", url, "backup", "--out", str(base / "x.dump"), env=env
    )
    assert code == 2
    assert "pg_dump was not found on PATH" in said
    assert not (base / "x.dump").exists()
    code, said = _run(base / "data", "--database-url", url, "restore", sys.executable, env=env)
    assert code == 2
    assert "is not a backup made by `frontdesk-server backup`" in said
    closed = "postgresql://nobody@127.0.0.1:1/clinic"
    code, said = _run(base / "data", "--database-url", closed, "restore", str(base / "x"))
    assert code == 2
    assert "x: no such file" in said
    code, said = _run(base / "data", "--database-url", closed, "backup", "--out", str(base / "y"))
    assert code == 2
    assert "cannot use database 'clinic'" in said
