"""The navigation keys are the same for every role: a page has one key whatever the role, and
a page a role lacks leaves its key unused rather than moving the others'."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from pytestqt.qtbot import QtBot

from frontdesk.domain.enums import Role
from frontdesk.gui.desk import Desk
from frontdesk.gui.main_window import MY_SESSIONS, PAGES, MainWindow
from tests.gui.helpers import wait_for_operations

ROLES = (Role.RECEPTIONIST, Role.SPECIALIST, Role.ADMIN)
PORTABLE = QKeySequence.SequenceFormat.PortableText


def navigation_keys(window: MainWindow) -> dict[str, str]:
    """Each page's key, as the navigation shows it (its tooltip), by the page's title."""
    return {
        spec.title: window.navigation.item(row).toolTip() for row, spec in enumerate(window.specs)
    }


def press(qtbot: QtBot, window: MainWindow, key: Qt.Key) -> None:
    qtbot.keyClick(window.focusWidget() or window, key, Qt.KeyboardModifier.ControlModifier)


def test_every_page_has_its_own_key() -> None:
    keys = [spec.key for spec in (*PAGES, MY_SESSIONS)]
    assert len(set(keys)) == len(keys)
    assert all(1 <= key <= 9 for key in keys)


def test_each_page_keeps_its_key_whatever_the_role(
    qtbot: QtBot, desk_as: Callable[[Role], Desk]
) -> None:
    seen: dict[str, str] = {}
    for role in ROLES:
        desk = desk_as(role)
        window = MainWindow(desk)
        qtbot.addWidget(window)
        bound = {s.key().toString(PORTABLE) for s in window.findChildren(QShortcut)}
        for title, key in navigation_keys(window).items():
            assert seen.setdefault(title, key) == key, f"{title} moves to {key} for {role}"
            assert key in bound, f"{key} shown for {title} but not bound for {role}"
        window.close()
        wait_for_operations(qtbot, desk)
    assert seen["My sessions"] == "Ctrl+8"
    assert seen["Calendar"] == "Ctrl+2"


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.SPECIALIST])
def test_a_key_opens_the_same_page_and_a_missing_page_key_does_nothing(
    qtbot: QtBot, desk_as: Callable[[Role], Desk], role: Role
) -> None:
    desk = desk_as(role)
    window = MainWindow(desk)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    wait_for_operations(qtbot, desk)
    press(qtbot, window, Qt.Key.Key_3)
    assert window.current_page() is window.pages["Patients"]
    press(qtbot, window, Qt.Key.Key_8)
    expected = "My sessions" if role == Role.SPECIALIST else "Patients"
    assert window.current_page() is window.pages[expected]
    wait_for_operations(qtbot, desk)
