"""The main window: navigation, keyboard shortcuts, the sync state, remembered geometry."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from frontdesk.domain.enums import Role
from frontdesk.gui.calendar.page import CalendarPage
from frontdesk.gui.desk import Desk
from frontdesk.gui.main_window import MainWindow
from frontdesk.gui.today.lanes import Lane
from frontdesk.gui.today.page import TodayPage
from frontdesk.i18n.catalogs import activate
from frontdesk.services.desk_identity import DeskIdentity
from frontdesk.store.mirror import open_mirror
from frontdesk.store.profile import Profile
from frontdesk.sync.account import sign_in
from tests.gui.helpers import wait_for_operations
from tests.support.postgres import TEST_PASSWORD, LiveServer


def _open(qtbot: QtBot, desk: Desk) -> MainWindow:
    window = MainWindow(desk, clinic_name="Riverside Physio")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    wait_for_operations(qtbot, desk)
    return window


@pytest.fixture
def window(qtbot: QtBot, desk: Desk) -> MainWindow:
    return _open(qtbot, desk)


def _press(qtbot: QtBot, window: MainWindow, key: Qt.Key) -> None:
    qtbot.keyClick(window.focusWidget() or window, key, Qt.KeyboardModifier.ControlModifier)


def test_it_opens_on_today_with_every_page_in_the_navigation(window: MainWindow) -> None:
    titles = [window.navigation.item(n).text() for n in range(window.navigation.count())]
    assert titles == [
        "Today",
        "Calendar",
        "Patients",
        "Forms",
        "Automations",
        "Alerts",
        "Settings",
    ]
    assert isinstance(window.current_page(), TodayPage)
    assert window.windowTitle() == "Front Desk — Riverside Physio"
    assert "Rita (Receptionist)" in window.identity_label.text()


def test_in_romanian_the_frame_and_today_speak_romanian(qtbot: QtBot, desk: Desk) -> None:
    activate("ro")
    window = _open(qtbot, desk)
    titles = [window.navigation.item(n).text() for n in range(window.navigation.count())]
    assert titles == [
        "Astăzi",
        "Calendar",
        "Pacienți",
        "Formulare",
        "Automatizări",
        "Alerte",
        "Setări",
    ]
    assert all(not window.navigation.item(n).icon().isNull() for n in range(len(titles)))
    assert "Rita (Recepționer)" in window.identity_label.text()
    qtbot.waitUntil(lambda: "Doar acest calculator" in window.sync_label.text())
    today = window.current_page()
    assert isinstance(today, TodayPage)
    assert "Astăzi — luni, 2 martie 2026" in today._title.text()
    assert today._selected_label.text() == "Selectați o programare"
    assert [today.lane_title(lane).split(" (")[0] for lane in Lane] == [
        "De înregistrat",
        "Așteptați",
        "Sosiți",
        "În ședință",
        "Încheiate",
        "Anulate sau neonorate",
    ]
    mnemonics = [button.text().split("&")[1][0].lower() for button in today.buttons.values()]
    assert len(set(mnemonics)) == len(mnemonics)  # each button its own key


def test_shortcuts_switch_pages_and_move_the_calendar(
    qtbot: QtBot, desk: Desk, window: MainWindow
) -> None:
    _press(qtbot, window, Qt.Key.Key_2)
    calendar = window.current_page()
    assert isinstance(calendar, CalendarPage)
    wait_for_operations(qtbot, desk)
    monday = calendar.anchor
    with qtbot.waitSignal(calendar.sig_loaded):
        _press(qtbot, window, Qt.Key.Key_PageDown)
    assert (calendar.anchor - monday).days == 7
    with qtbot.waitSignal(calendar.sig_loaded):
        _press(qtbot, window, Qt.Key.Key_PageUp)
    assert calendar.anchor == monday
    _press(qtbot, window, Qt.Key.Key_F)
    assert QApplication.focusWidget() is calendar.search
    _press(qtbot, window, Qt.Key.Key_T)
    assert isinstance(window.current_page(), TodayPage)
    wait_for_operations(qtbot, desk)


def test_a_page_not_yet_in_this_build_shows_a_placeholder(
    qtbot: QtBot, desk: Desk, window: MainWindow
) -> None:
    shown = [window.show_page(spec.title) for spec in window.specs]
    wait_for_operations(qtbot, desk)
    for page in shown:
        assert window.stack.indexOf(page) >= 0
        if isinstance(page, QLabel):
            assert "not available in this version yet" in page.text()


def test_the_status_bar_shows_the_standalone_sync_state(
    qtbot: QtBot, desk: Desk, window: MainWindow
) -> None:
    qtbot.waitUntil(lambda: "This computer only" in window.sync_label.text())


def test_a_specialist_also_gets_their_sessions(
    qtbot: QtBot, desk_as: Callable[[Role], Desk]
) -> None:
    specialist = desk_as(Role.SPECIALIST)
    window = _open(qtbot, specialist)
    assert [spec.title for spec in window.specs][:2] == ["Today", "My sessions"]
    wait_for_operations(qtbot, specialist)


def test_the_window_geometry_is_remembered_apart_from_the_settings(
    qtbot: QtBot, desk: Desk
) -> None:
    first = _open(qtbot, desk)
    # The offscreen screen is narrower than the window: restoring clamps the width.
    first.resize(first.width(), 650)
    first.close()
    wait_for_operations(qtbot, desk)
    assert desk.window_state().contains("main_window/geometry")
    second = _open(qtbot, desk)
    assert second.height() == 650


def test_a_signed_in_desk_syncs_and_shows_it_is_online(
    qtbot: QtBot, tmp_path: Path, live_server: LiveServer
) -> None:
    organization = live_server.create_org(name="Harbour Clinic", timezone="Europe/Bucharest")
    live_server.create_user(organization.id, "rita@harbour.example", role=Role.RECEPTIONIST)
    mirror = open_mirror(Profile.resolve(tmp_path / "signed-in"))
    try:
        account = sign_in(
            mirror.profile,
            server_url=live_server.url,
            email="rita@harbour.example",
            password=TEST_PASSWORD,
            verify=str(live_server.ca_path),
        )
        account.close()
        identity = DeskIdentity(organization.id, account.user_id, Role.RECEPTIONIST, "Rita")
        desk = Desk(mirror, organization.id, identity.actor)
        try:
            window = MainWindow(desk, clinic_name="Harbour Clinic")
            qtbot.addWidget(window)
            window.show()
            qtbot.waitUntil(lambda: "● Online" in window.sync_label.text(), timeout=30_000)
            assert "0 changes waiting" in window.sync_label.text()
            assert live_server.url in window.identity_label.text()
            window.close()
            wait_for_operations(qtbot, desk, timeout=30_000)
        finally:
            desk.close()
    finally:
        mirror.close()
