"""Starting the desk: who it works as, the automation engine beside the window, clean stop;
and the command line opening the app."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from frontdesk import cli
from frontdesk.domain.enums import Role
from frontdesk.gui.app import known_identity, open_desk
from frontdesk.gui.today.page import TodayPage
from frontdesk.store.mirror import Mirror
from tests.gui.helpers import wait_for_operations
from tests.support.clinic import Clinic


def test_the_demo_signs_in_as_its_receptionist_and_the_desk_starts_and_stops(
    qtbot: QtBot, mirror: Mirror, clinic: Clinic
) -> None:
    identity = known_identity(mirror, Role.RECEPTIONIST)
    assert identity is not None
    assert identity.user_id == clinic.receptionist.user_id
    assert identity.label == "Rita"
    running = open_desk(mirror, identity)
    try:
        running.start_automation()
        assert running.automation is not None
        assert running.automation.running
        running.window.show()
        assert isinstance(running.window.current_page(), TodayPage)
        assert running.window.windowTitle() == "Front Desk — Riverside Physio"
        wait_for_operations(qtbot, running.desk)
    finally:
        running.close()
    assert not running.automation.running
    # Remembered: the next start needs no dialog.
    assert known_identity(mirror) == identity


def test_no_command_opens_the_app_and_demo_can_stay_in_the_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[tuple[object, ...]] = []
    monkeypatch.setattr("frontdesk.gui.app.run_app", lambda *a, **k: opened.append(a) or 0)
    assert cli.main(["--home", "/tmp/frontdesk-test-unused"]) == 0
    assert opened == [("/tmp/frontdesk-test-unused",)]
    args = cli.build_parser().parse_args(["demo", "--no-window"])
    assert args.no_window is True
