"""`frontdesk demo` on its embedded server: seeded once on the server, the desk signed in
and holding the clinic after its first pull; `--standalone` keeps the server out."""

from __future__ import annotations

import json
import socket
from collections import Counter
from pathlib import Path
from subprocess import CalledProcessError

import pytest
from sqlalchemy import select

from frontdesk.cli import main
from frontdesk.cli_demo import SERVER_DIR
from frontdesk.domain.enums import AppointmentStatus, Role
from frontdesk.server.demo import DemoServer, demo_staff_email
from frontdesk.services.desk_identity import remembered
from frontdesk.store.mirror import open_mirror
from frontdesk.store.models import Appointment, AutomationRule, OutboxMutation
from frontdesk.store.profile import Profile
from frontdesk.sync.account import current_account


def _seeded_count(output: str) -> int:
    [line] = [line for line in output.splitlines() if line.startswith("Seeded the demo clinic")]
    return int(line.split(": ")[1].split()[0])


def _pulled_count(output: str) -> int:
    [line] = [line for line in output.splitlines() if line.startswith("Signed in as")]
    return int(line.split("pulled ")[1].split()[0])


def test_the_demo_runs_on_its_server_and_the_desk_pulls_the_clinic(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = demo_dir / "demo"
    assert main(["--home", str(home), "demo", "--no-window"]) == 0
    first = capsys.readouterr().out
    seeded = _seeded_count(first)
    assert "Signed in as rita.desk@riverside.example" in first
    assert "Public bookings waiting for onboarding: 4" in first
    assert (home / SERVER_DIR / "pg" / "PG_VERSION").exists()

    profile = Profile.resolve(home)
    account = current_account(profile)
    assert account is not None
    assert account.email == demo_staff_email(Role.RECEPTIONIST)
    assert account.server_url.startswith("http://127.0.0.1:")
    mirror = open_mirror(profile)
    try:
        with mirror.sessions() as session:
            appointments = session.scalars(select(Appointment)).all()
            rules = session.scalars(select(AutomationRule)).all()
            outbox = session.scalars(select(OutboxMutation)).all()
        identity = remembered(mirror.sessions)
    finally:
        mirror.close()
    # Everything came from the server: seeded there, pulled here, nothing made on the desk.
    assert len(appointments) == seeded
    statuses = Counter(a.status for a in appointments)
    assert statuses[AppointmentStatus.BOOKED] == 4
    assert statuses[AppointmentStatus.DONE] > 10
    assert len(rules) == 9
    assert outbox == []
    assert identity is not None
    assert (identity.role, identity.user_id) == (Role.RECEPTIONIST, account.user_id)

    # A second run starts the same server data again: nothing seeded twice.
    assert main(["--home", str(home), "demo", "--no-window"]) == 0
    second = capsys.readouterr().out
    assert "Seeded" not in second
    assert "Riverside Physiotherapy" in second
    again = current_account(profile)
    assert again is not None
    assert again.server_url == account.server_url  # same address: the cursor was kept
    assert _pulled_count(second) < seeded < _pulled_count(first)  # not the clinic again
    _assert_appointments(profile, seeded)

    # Something else took the demo's port meanwhile: the server listens on another one and
    # the desk, signed in to the new address, pulls the clinic from the start.
    port = int(again.server_url.rsplit(":", 1)[1])
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        assert main(["--home", str(home), "demo", "--no-window"]) == 0
    third = capsys.readouterr().out
    moved = current_account(profile)
    assert moved is not None
    assert moved.server_url != again.server_url
    assert _pulled_count(third) > seeded
    _assert_appointments(profile, seeded)


def _assert_appointments(profile: Profile, expected: int) -> None:
    mirror = open_mirror(profile)
    try:
        with mirror.sessions() as session:
            assert len(session.scalars(select(Appointment)).all()) == expected
    finally:
        mirror.close()


def test_standalone_demo_builds_the_clinic_in_the_profile_alone(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = demo_dir / "alone"
    assert main(["--home", str(home), "demo", "--no-window", "--standalone"]) == 0
    output = capsys.readouterr().out
    assert "Seeded the demo clinic" in output
    assert "Demo server" not in output
    assert not (home / SERVER_DIR).exists()
    assert current_account(Profile.resolve(home)) is None
    assert main(["--home", str(home), "executions", "list", "--json"]) == 0
    executions = json.loads(capsys.readouterr().out)
    assert "New Patient GDPR & Welcome" in {execution["rule_name"] for execution in executions}


def test_a_server_that_cannot_start_says_so_and_leaves_the_profile_alone(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = demo_dir / "blocked"
    home.mkdir()
    (home / SERVER_DIR).write_text("not a directory")
    assert main(["--home", str(home), "demo", "--no-window"]) == 1
    error = capsys.readouterr().err
    assert "the demo server could not start" in error
    assert "--standalone" in error
    assert current_account(Profile.resolve(home)) is None


def test_a_failing_postgres_command_is_said_in_the_users_language(
    demo_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(_server: DemoServer, _now: object) -> None:
        raise CalledProcessError(1, ["initdb"])

    monkeypatch.setattr(DemoServer, "start", refuse)
    monkeypatch.setenv("LANGUAGE", "ro")
    assert main(["--home", str(demo_dir / "refused"), "demo", "--no-window"]) == 1
    error = capsys.readouterr().err
    assert "eroare: serverul demonstrativ nu a putut porni" in error
    assert "--standalone" in error
