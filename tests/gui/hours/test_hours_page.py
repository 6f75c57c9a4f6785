"""The Working hours page: an admin reads and replaces a specialist's week, sets one date's
hours or time off, closes the clinic for a day, changes the slot settings; bad times are
named on the page; every mnemonic is its own key, in English and Romanian."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from frontdesk.domain.enums import Role
from frontdesk.domain.slots import WallInterval
from frontdesk.gui.desk import Desk
from frontdesk.gui.hours.page import HoursPage, parse_intervals
from frontdesk.gui.main_window import WORKING_HOURS, pages_for
from frontdesk.i18n.catalogs import activate
from frontdesk.services import hours
from tests.gui.helpers import wait_for_operations
from tests.support.clinic import Clinic

SATURDAY = date(2026, 3, 7)


@pytest.fixture
def admin(desk_as: Callable[[Role], Desk]) -> Desk:
    return desk_as(Role.ADMIN)


def _page(qtbot: QtBot, desk: Desk) -> HoursPage:
    page = HoursPage(desk)
    qtbot.addWidget(page)
    page.show()
    wait_for_operations(qtbot, desk)
    return page


def _click(qtbot: QtBot, desk: Desk, button: QPushButton) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot, desk)


def _choose(page: HoursPage, name: str) -> None:
    page.specialist.setCurrentIndex(page.specialist.findText(name))


def test_only_an_admins_desk_lists_the_page() -> None:
    assert WORKING_HOURS in pages_for(Role.ADMIN)
    assert WORKING_HOURS not in pages_for(Role.RECEPTIONIST)
    assert WORKING_HOURS not in pages_for(Role.SPECIALIST)


def test_an_admin_replaces_a_specialists_week(qtbot: QtBot, admin: Desk, clinic: Clinic) -> None:
    page = _page(qtbot, admin)
    _choose(page, "Dr Mihai Popescu")
    wait_for_operations(qtbot, admin)
    assert page.zone_note.text() == "Times are the clinic's (Europe/Bucharest)."
    assert [line.text() for line in page.weekdays] == ["09:00-17:00"] * 5 + ["", ""]
    page.weekdays[0].setText("09:00-13:00, 14:00-18:00")
    page.weekdays[5].setText("10:00-12:00")
    page.weekdays[4].clear()
    _click(qtbot, admin, page.save_weekly_button)
    assert page.message.text() == "Weekly hours saved."
    view = hours.hours_view(clinic.ctx, clinic.specialist_id)
    assert view.weekly[0] == [WallInterval(540, 780), WallInterval(840, 1080)]
    assert view.weekly[5] == [WallInterval(600, 720)]
    assert 4 not in view.weekly
    # The other specialist's week is untouched and shows when chosen.
    _choose(page, "Dr Elena Ionescu")
    wait_for_operations(qtbot, admin)
    assert page.weekdays[0].text() == "09:00-17:00"


def test_bad_times_are_named_and_nothing_is_saved(
    qtbot: QtBot, admin: Desk, clinic: Clinic
) -> None:
    page = _page(qtbot, admin)
    _choose(page, "Dr Mihai Popescu")
    wait_for_operations(qtbot, admin)
    page.weekdays[1].setText("9 to 5")
    _click(qtbot, admin, page.save_weekly_button)
    assert "9 to 5 is not like 09:00-13:00" in page.message.text()
    page.weekdays[1].setText("13:00-09:00")
    _click(qtbot, admin, page.save_weekly_button)
    assert "The hours 13:00-09:00 must end after they start." in page.message.text()
    assert hours.hours_view(clinic.ctx, clinic.specialist_id).weekly[1] == [WallInterval(540, 1020)]


def test_one_dates_hours_time_off_and_a_closed_day(
    qtbot: QtBot, admin: Desk, clinic: Clinic
) -> None:
    page = _page(qtbot, admin)
    _choose(page, "Dr Mihai Popescu")
    wait_for_operations(qtbot, admin)
    page.day.setDate(QDate(2026, 3, 7))
    page.day_hours.setText("10:00-12:00")
    _click(qtbot, admin, page.set_day_button)
    assert page.message.text() == "Hours set for 2026-03-07."
    assert hours.hours_view(clinic.ctx, clinic.specialist_id).overrides == {
        SATURDAY: [WallInterval(600, 720)]
    }
    page.day_hours.clear()
    page.note.setText("conference")
    _click(qtbot, admin, page.set_day_button)
    assert page.message.text() == "Time off on 2026-03-07."
    assert hours.hours_view(clinic.ctx, clinic.specialist_id).overrides == {SATURDAY: []}
    _click(qtbot, admin, page.clear_day_button)
    assert hours.hours_view(clinic.ctx, clinic.specialist_id).overrides == {}
    _click(qtbot, admin, page.clear_day_button)  # nothing left to clear: said so
    assert "no special hours" in page.message.text()

    _click(qtbot, admin, page.close_day_button)
    assert page.message.text() == "The clinic is closed on 2026-03-07."
    assert hours.hours_view(clinic.ctx, clinic.specialist_id).closed_days == [SATURDAY]
    _click(qtbot, admin, page.reopen_day_button)
    assert hours.hours_view(clinic.ctx, clinic.specialist_id).closed_days == []


def test_slot_settings(qtbot: QtBot, admin: Desk, clinic: Clinic) -> None:
    page = _page(qtbot, admin)
    assert (page.interval.value(), page.notice.value()) == (15, 120)
    page.interval.setValue(30)
    page.notice.setValue(60)
    _click(qtbot, admin, page.save_settings_button)
    assert page.message.text() == "Slot settings saved."
    settings = hours.slot_settings(clinic.ctx)
    assert (settings.slot_interval_minutes, settings.minimum_notice_minutes) == (30, 60)


def test_a_receptionist_is_told_no(
    qtbot: QtBot, desk_as: Callable[[Role], Desk], clinic: Clinic
) -> None:
    desk = desk_as(Role.RECEPTIONIST)
    page = _page(qtbot, desk)
    _click(qtbot, desk, page.save_settings_button)
    assert "Only an admin can change the booking slot settings" in page.message.text()


def _mnemonics(page: HoursPage) -> list[str]:
    texts = [b.text() for b in page.findChildren(QPushButton)]
    texts += [label.text() for label in page.findChildren(QLabel)]
    return [t.split("&")[1][0].lower() for t in texts if "&" in t]


@pytest.mark.parametrize("language", ["en", "ro"])
def test_each_mnemonic_is_its_own_key_and_every_editor_has_a_name(
    qtbot: QtBot, admin: Desk, language: str
) -> None:
    activate(language)
    page = _page(qtbot, admin)
    keys = _mnemonics(page)
    assert len(keys) == 19
    assert len(set(keys)) == len(keys), keys
    editors = [page.specialist, *page.weekdays, page.day, page.day_hours, page.note]
    assert all(editor.accessibleName() for editor in [*editors, page.interval, page.notice])
    if language == "ro":
        assert page.save_weekly_button.text() == "&Salvează programul săptămânal"
        assert page.weekdays[0].accessibleName() == "Luni"


def test_intervals_are_read_from_text() -> None:
    assert parse_intervals("") == []
    assert parse_intervals(" 09:00-13:00; 14:00-17:30 ") == [
        WallInterval(540, 780),
        WallInterval(840, 1050),
    ]
