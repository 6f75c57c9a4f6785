"""`frontdesk login | sync | logout | agent` against the live server."""

from __future__ import annotations

import io
import json
import os
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from frontdesk.cli import main
from frontdesk.domain.enums import Role
from frontdesk.store.profile import Profile
from frontdesk.sync.account import ACCOUNT_FILE, current_account, load_refresh_token
from frontdesk.sync.transport import SyncError, Transport
from tests.support.postgres import TEST_PASSWORD
from tests.sync.conftest import Clinic


def _login(
    home: Path, clinic: Clinic, password: str, monkeypatch: pytest.MonkeyPatch, *more: str
) -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    return main(
        [
            "--home",
            str(home),
            "login",
            "--server",
            clinic.server.url,
            "--email",
            "desk@example.com",
            "--password-stdin",
            "--ca",
            str(clinic.server.ca_path),
            *more,
        ]
    )


def test_login_names_the_clinics_of_an_account_that_works_for_several(
    sync_clinic: Clinic,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    other = sync_clinic.server.create_org(name="Hillside Physio", slug="hillside")
    for organization_id in (sync_clinic.organization_id, other.id):
        sync_clinic.server.create_user(organization_id, "desk@example.com", role=Role.RECEPTIONIST)
    home = tmp_path / "desk"

    assert _login(home, sync_clinic, TEST_PASSWORD, monkeypatch) == 2
    assert "--org: This account works for several clinics; choose one: Hillside Physio " in (
        capsys.readouterr().err
    )
    assert _login(home, sync_clinic, TEST_PASSWORD, monkeypatch, "--org", "hillside") == 0
    account = current_account(Profile.resolve(home))
    assert account is not None
    assert account.organization_id == other.id


def test_login_sync_and_logout(
    sync_clinic: Clinic,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sync_clinic.server.create_user(
        sync_clinic.organization_id, "desk@example.com", role=Role.RECEPTIONIST
    )
    home = tmp_path / "desk"

    assert _login(home, sync_clinic, "wrong password", monkeypatch) == 2
    assert "password: Wrong e-mail or password." in capsys.readouterr().err
    assert current_account(Profile.resolve(home)) is None

    assert _login(home, sync_clinic, TEST_PASSWORD, monkeypatch) == 0
    assert "Signed in" in capsys.readouterr().out
    assert stat.S_IMODE((home / ACCOUNT_FILE).stat().st_mode) == 0o600
    assert main(["--home", str(home), "sync", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["pushed"] == 0
    assert report["pulled"] >= 2  # the organization and this account's membership
    assert report["conflicts"] == []

    assert main(["--home", str(home), "logout"]) == 0
    profile = Profile.resolve(home)
    assert load_refresh_token(profile) is None
    assert main(["--home", str(home), "sync"]) == 2
    assert "not signed in" in capsys.readouterr().err


def test_the_agent_syncs_and_stops_on_sigterm(sync_clinic: Clinic, tmp_path: Path) -> None:
    sync_clinic.server.create_user(
        sync_clinic.organization_id, "desk@example.com", role=Role.RECEPTIONIST
    )
    home = tmp_path / "agent"
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    command = [sys.executable, "-m", "frontdesk.cli", "--home", str(home)]
    subprocess.run(
        [
            *command,
            "login",
            "--server",
            sync_clinic.server.url,
            "--email",
            "desk@example.com",
            "--password-stdin",
            "--ca",
            str(sync_clinic.server.ca_path),
        ],
        input=TEST_PASSWORD + "\n",
        text=True,
        env=env,
        check=True,
        capture_output=True,
    )
    agent = subprocess.Popen(
        [*command, "agent"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    watchdog = threading.Timer(60, agent.kill)  # a hung agent fails the test, not the run
    watchdog.start()
    try:
        assert agent.stdout is not None
        started = agent.stdout.readline()
        first_round = agent.stdout.readline()
        agent.send_signal(signal.SIGTERM)
        rest, err = agent.communicate(timeout=30)
    finally:
        watchdog.cancel()
        if agent.poll() is None:
            agent.kill()
    assert agent.returncode == 0, err
    assert "syncing with" in started
    assert first_round.startswith("sync: pushed 0, pulled ")
    assert "stopped" in rest


def test_login_refuses_a_server_whose_certificate_it_cannot_verify(
    sync_clinic: Clinic,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sync_clinic.server.create_user(sync_clinic.organization_id, "desk@example.com")
    monkeypatch.setattr(sys, "stdin", io.StringIO(TEST_PASSWORD + "\n"))
    home = tmp_path / "desk"
    status = main(
        [
            "--home",
            str(home),
            "login",
            "--server",
            sync_clinic.server.url,
            "--email",
            "desk@example.com",
            "--password-stdin",  # no --ca: the system's CAs
        ]
    )
    assert status == 2
    assert "--server: The server https://" in capsys.readouterr().err
    assert current_account(Profile.resolve(home)) is None


@pytest.mark.parametrize("verify", [False, 0])
def test_certificate_checks_cannot_be_turned_off(verify: bool) -> None:
    with pytest.raises(SyncError, match="cannot be turned off") as refused:
        Transport("https://127.0.0.1:9", verify=verify)
    assert refused.value.field == "ca"


@pytest.mark.parametrize(
    "server",
    ["http://desk.example-clinic.com", "http://10.0.0.5:8443", "desk.example-clinic.com:8443"],
)
def test_login_refuses_plain_http_to_another_computer(
    server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(TEST_PASSWORD + "\n"))
    home = tmp_path / "desk"
    options = ["--server", server, "--email", "desk@example.com", "--password-stdin"]
    status = main(["--home", str(home), "login", *options])
    assert status == 2
    assert capsys.readouterr().err.strip() == (
        "error: --server: The server address must start with https:// (only a server on this "
        "computer may use http://)."
    )
    assert current_account(Profile.resolve(home)) is None
    assert not (home / "mirror.db").exists()  # refused before anything was opened


@pytest.mark.parametrize(
    "server",
    ["http://127.0.0.1:8000", "http://127.3.2.1", "http://localhost:8000", "http://[::1]:8000"],
)
def test_plain_http_is_allowed_to_this_computer(server: str) -> None:
    transport = Transport(server)
    transport.close()
    assert transport.server_url == server


def test_a_stored_account_on_plain_http_elsewhere_is_refused_too() -> None:
    with pytest.raises(SyncError, match="must start with https://") as refused:
        Transport("http://desk.example-clinic.com")
    assert refused.value.field == "server"
