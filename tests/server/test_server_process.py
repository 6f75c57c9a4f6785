"""`frontdesk-server` as a service manager runs it: SIGTERM and SIGINT stop the embedded
PostgreSQL with the server, and what a killed server leaves behind is recovered next time."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from frontdesk.server.config import DATABASE_URL_ENV
from frontdesk.server.embedded import (
    HOLDERS_FILE,
    POSTMASTER_FILE,
    forget_departed_holders,
    forget_foreign_postmaster,
)
from tests.support.processes import alive as _alive
from tests.support.processes import free_port as _free_port
from tests.support.processes import postgres_serving as _postgres_serving

START_SECONDS = 120


@pytest.fixture
def data_dir() -> Iterator[Path]:
    # Not under pytest's tmp_path: that is private to root, and the embedded server runs as its
    # own user when the tests run as root.
    base = Path(tempfile.mkdtemp(prefix="frontdesk-ops-"))
    base.chmod(0o755)
    yield base / "data"
    for process in _postgres_serving(base / "data" / "pg"):
        process.kill()  # a failed test leaves nothing running
    shutil.rmtree(base, ignore_errors=True)


def _environment() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key != DATABASE_URL_ENV}


def _command(data_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "frontdesk.server.cli", "--data-dir", str(data_dir), *args]


def _start_server(data_dir: Path, *options: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    process = subprocess.Popen(
        _command(data_dir, "run", "--port", str(port), "--no-automation", *options),
        env=_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_SECONDS
    while True:
        with contextlib.suppress(httpx.TransportError):  # not listening yet
            if httpx.get(f"{url}/ready").status_code == 200:
                return process, url
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"the server did not become ready (exit {process.poll()})")
        time.sleep(0.3)


def _stop(process: subprocess.Popen[bytes], signum: signal.Signals) -> int:
    process.send_signal(signum)
    return process.wait(timeout=60)


@pytest.mark.parametrize(
    ("signum", "options", "description"),
    [(signal.SIGTERM, (), 404), (signal.SIGINT, ("--debug",), 200)],
    ids=["SIGTERM", "SIGINT"],
)
def test_a_stop_signal_stops_the_embedded_postgres_too(
    data_dir: Path, signum: signal.Signals, options: tuple[str, ...], description: int
) -> None:
    process, url = _start_server(data_dir, *options)
    assert len(_postgres_serving(data_dir / "pg")) == 1
    assert httpx.get(f"{url}/openapi.json").status_code == description  # only with --debug
    assert _stop(process, signum) == 0
    assert _postgres_serving(data_dir / "pg") == []
    assert json.loads((data_dir / "pg" / HOLDERS_FILE).read_text()) == []


def test_after_a_killed_server_the_next_command_adopts_and_stops_its_postgres(
    data_dir: Path,
) -> None:
    process, _url = _start_server(data_dir)
    process.kill()
    process.wait(timeout=30)
    (orphan,) = _postgres_serving(data_dir / "pg")  # kill -9 leaves PostgreSQL running
    migrate = subprocess.run(
        _command(data_dir, "migrate"),
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=START_SECONDS,
        check=False,
    )
    assert migrate.returncode == 0, migrate.stderr
    assert "revision" in migrate.stdout
    assert not _alive(orphan)
    assert _postgres_serving(data_dir / "pg") == []
    # And the server starts again on the same directory, and stops cleanly.
    process, _url = _start_server(data_dir)
    assert _stop(process, signal.SIGTERM) == 0
    assert _postgres_serving(data_dir / "pg") == []


def test_a_postgres_killed_with_its_server_leaves_a_stale_pid_file_that_does_not_matter(
    data_dir: Path,
) -> None:
    process, _url = _start_server(data_dir)
    (postmaster,) = _postgres_serving(data_dir / "pg")
    process.kill()
    postmaster.kill()  # as a power cut would: postmaster.pid names a dead process
    process.wait(timeout=30)
    postmaster.wait(timeout=30)
    assert (data_dir / "pg" / POSTMASTER_FILE).exists()
    process, _url = _start_server(data_dir)
    assert _stop(process, signal.SIGTERM) == 0
    assert _postgres_serving(data_dir / "pg") == []


def test_holders_that_are_gone_are_forgotten_and_living_ones_kept(tmp_path: Path) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    (tmp_path / HOLDERS_FILE).write_text(json.dumps([gone.pid, os.getpid()]))
    assert forget_departed_holders(tmp_path) == [os.getpid()]
    assert json.loads((tmp_path / HOLDERS_FILE).read_text()) == [os.getpid()]


def test_a_holder_number_reused_by_a_younger_process_is_forgotten(tmp_path: Path) -> None:
    holders = tmp_path / HOLDERS_FILE
    holders.write_text(json.dumps([os.getpid()]))
    long_ago = time.time() - 3600
    os.utime(holders, (long_ago, long_ago))  # written before this process started
    assert forget_departed_holders(tmp_path) == []


def test_a_pid_file_naming_a_live_process_that_is_not_postgres_is_removed(
    tmp_path: Path,
) -> None:
    pid_file = tmp_path / POSTMASTER_FILE
    pid_file.write_text(f"{os.getpid()}\n{tmp_path}\n")
    assert forget_foreign_postmaster(tmp_path)
    assert not pid_file.exists()


def test_a_pid_file_naming_a_dead_process_is_left_to_postgres(tmp_path: Path) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    pid_file = tmp_path / POSTMASTER_FILE
    pid_file.write_text(f"{gone.pid}\n{tmp_path}\n")
    assert not forget_foreign_postmaster(tmp_path)
    assert pid_file.exists()
