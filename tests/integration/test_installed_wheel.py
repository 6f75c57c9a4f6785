"""The wheel carries everything it needs: built from a clean copy of the tracked files,
installed (not editable) into a fresh virtual environment, its commands run from a folder
outside the checkout — the desk's mirror and demo, the server's migrations, an organization and
the API until it answers `/health`.

The environment reuses this interpreter's installed dependencies (a `.pth` adds its
site-packages after the environment's own) so nothing is downloaded; as those hold the
checkout's editable install too, the test first checks that `frontdesk` is imported from the
environment."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import site
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from frontdesk import __version__
from frontdesk.server.config import DATABASE_URL_ENV
from tests.support.processes import free_port, postgres_serving
from tests.support.repository import REPOSITORY

pytestmark = pytest.mark.slow

COMMAND_SECONDS = 180


@dataclass(frozen=True)
class Installed:
    venv: Path
    work: Path  # outside the checkout: commands run here, homes and data live here
    env: dict[str, str]

    def run(self, program: str, *args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(self.venv / "bin" / program), *args],
            cwd=self.work,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=COMMAND_SECONDS,
            check=False,
        )
        assert result.returncode == 0, f"{program} {' '.join(args)}:\n{result.stderr}"
        return result


def _clean_copy(destination: Path) -> Path:
    """The tracked files as the working tree has them (what a clone holds), nothing else: no
    build folder, egg-info or bytecode."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPOSITORY, capture_output=True, check=True
    ).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = REPOSITORY / name
        if source.is_file():  # a tracked file deleted in the working tree is left out
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return destination


def _environment() -> dict[str, str]:
    unset = {"PYTHONPATH", DATABASE_URL_ENV, "FRONTDESK_HOME", "FRONTDESK_SERVER_HOME"}
    env = {key: value for key, value in os.environ.items() if key not in unset}
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"  # the key in the profile
    return env


def _shared_dependencies(venv: Path) -> None:
    """This interpreter's site-packages, after the environment's own (as
    --system-site-packages would, also when this interpreter runs in a virtual environment)."""
    (own,) = (venv / "lib").glob("python3*/site-packages")
    directories = [*site.getsitepackages()]
    if site.ENABLE_USER_SITE and Path(site.getusersitepackages()).is_dir():
        directories.append(site.getusersitepackages())
    lines = [f"import site; site.addsitedir({directory!r})" for directory in directories]
    (own / "zz_shared_dependencies.pth").write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def installed() -> Iterator[Installed]:
    # Not under pytest's tmp_path: the embedded PostgreSQL runs as its own user when the tests
    # run as root, and it must reach its data folder.
    work = Path(tempfile.mkdtemp(prefix="frontdesk-wheel-"))
    work.chmod(0o755)
    env = _environment()
    try:
        source = _clean_copy(work / "source")
        offline = ["--no-deps", "--no-build-isolation", "--quiet"]
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", *offline, "-w", str(work / "dist"), str(source)],
            cwd=work,
            env=env,
            capture_output=True,
            check=True,
            timeout=COMMAND_SECONDS,
        )
        (wheel,) = (work / "dist").glob("frontdesk-*.whl")
        venv = work / "venv"
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
        _shared_dependencies(venv)
        python = str(venv / "bin" / "python")
        subprocess.run(
            [python, "-m", "pip", "install", *offline, "--no-index", "--force-reinstall", wheel],
            cwd=work,
            env=env,
            capture_output=True,
            check=True,
            timeout=COMMAND_SECONDS,
        )
        shutil.rmtree(source)  # the commands below must not find it either
        yield Installed(venv=venv, work=work, env=env)
    finally:
        for pgdata in (work / "demo" / "server" / "pg", work / "server" / "pg"):
            for process in postgres_serving(pgdata):
                process.kill()  # a failed test leaves nothing running
        shutil.rmtree(work, ignore_errors=True)


def test_frontdesk_and_its_files_come_from_the_environment(installed: Installed) -> None:
    probe = (
        "import json, frontdesk, frontdesk.project_paths as p; "
        "print(json.dumps([frontdesk.__file__, str(p.MIGRATIONS_DIR), str(p.RESOURCES_DIR)]))"
    )
    output = installed.run("python", "-c", probe).stdout
    (package,) = installed.venv.resolve().glob("lib/python3*/site-packages/frontdesk")
    module, migrations, resources = (Path(path).resolve() for path in json.loads(output))
    assert module == package / "__init__.py"
    assert (migrations, resources) == (package / "migrations", package / "resources")
    assert (migrations / "mirror" / "script.py.mako").is_file()
    assert (migrations / "server" / "env.py").is_file()
    assert installed.run("frontdesk", "--version").stdout == f"frontdesk {__version__}\n"


def test_the_desk_commands_run_from_the_wheel(installed: Installed) -> None:
    home = installed.work / "desk"
    upgraded = installed.run("frontdesk", "db", "upgrade", "--home", str(home)).stdout
    assert upgraded.startswith(f"mirror at {home / 'mirror.db'} is at revision ")

    demo = installed.run("frontdesk", "demo", "--no-window", "--home", str(installed.work / "demo"))
    assert "Seeded the demo clinic" in demo.stdout
    assert "Public bookings waiting for onboarding: 4" in demo.stdout


def test_the_server_commands_run_from_the_wheel(installed: Installed) -> None:
    data = ["--data-dir", str(installed.work / "server")]
    migrated = installed.run("frontdesk-server", *data, "migrate").stdout
    assert migrated.startswith("server database is at revision ")
    created = installed.run(
        "frontdesk-server",
        *data,
        "create-org",
        "--name",
        "Riverside Physio",
        "--slug",
        "riverside",
        "--timezone",
        "Europe/Bucharest",
    ).stdout
    assert created.startswith("created organization riverside ")

    port = free_port()
    server = subprocess.Popen(
        [str(installed.venv / "bin" / "frontdesk-server"), *data, "run", "--port", str(port)],
        cwd=installed.work,
        env=installed.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for_health(server, f"http://127.0.0.1:{port}/health")
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert postgres_serving(installed.work / "server" / "pg") == []


def _wait_for_health(server: subprocess.Popen[str], url: str) -> None:
    deadline = time.monotonic() + COMMAND_SECONDS
    while True:
        with contextlib.suppress(httpx.TransportError):  # not listening yet
            if httpx.get(url).status_code == 200:
                return
        if server.poll() is not None:
            raise AssertionError(f"the server ended ({server.returncode}):\n{server.stderr.read()}")
        if time.monotonic() > deadline:
            raise AssertionError("the server did not answer /health in time")
        time.sleep(0.3)
