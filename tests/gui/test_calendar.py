"""The calendar page, driven with qtbot: month counts, week and day schedules, filters, a
click on a free slot, live refresh, and sound models."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from PySide6.QtCore import QModelIndex, Qt, QTimer
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from frontdesk.domain.enums import AppointmentStatus
from frontdesk.gui.calendar.models import ENTRIES_ROLE
from frontdesk.gui.calendar.page import CalendarPage
from frontdesk.gui.desk import Desk
from frontdesk.services import lifecycle
from frontdesk.store.changes import ChangeSet
from tests.gui.helpers import wait_for_operations
from tests.support.clinic import Clinic
from tests.unit.appointment_helpers import book

TEN = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # Monday 10:00 at the clinic


@pytest.fixture
def page(qtbot: QtBot, desk: Desk) -> CalendarPage:
    shown = CalendarPage(desk)
    qtbot.addWidget(shown)
    shown.resize(1200, 700)
    shown.show()
    wait_for_operations(qtbot, desk)
    return shown


def _book(clinic: Clinic, start: datetime, name: str = "Ioana Marin") -> uuid.UUID:
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    return book(clinic.ctx, clinic, start=start, name=name, email=email).appointment.id


def _wait_for_read_ahead(qtbot: QtBot, desk: Desk, page: CalendarPage) -> None:
    """Until the pause after a period is shown has passed and the periods either side are
    read: waiting for the page's own timer, not for a time thought longer than it."""
    timer = page.findChild(QTimer, "calendar-read-ahead")
    assert timer is not None
    qtbot.waitUntil(lambda: not timer.isActive())
    wait_for_operations(qtbot, desk)


def _cells_with_text(page: CalendarPage) -> dict[tuple[str, str], str]:
    model = page.schedule_model
    found = {}
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            text = model.index(row, column).data()
            if text:
                slot = model.headerData(row, Qt.Orientation.Vertical)
                header = model.headerData(column, Qt.Orientation.Horizontal)
                found[(slot, header)] = text
    return found


def test_the_week_shows_a_column_per_specialist_and_day_with_appointments_in_their_slots(
    qtbot: QtBot, desk: Desk, clinic: Clinic, page: CalendarPage
) -> None:
    _book(clinic, TEN, name="Ana Pop")
    _book(clinic, TEN + timedelta(days=2, hours=3, minutes=30), name="Dan Toma")
    page.refresh()
    wait_for_operations(qtbot, desk)
    assert page.anchor == date(2026, 3, 2)
    assert "Week of 2 Mar – 8 Mar 2026" in page.title.text()
    assert page.schedule_model.columnCount() == 14  # 7 days × 2 specialists
    cells = _cells_with_text(page)
    ana = next(e for e in page.schedule_model.entries if e.patient_name == "Ana Pop")
    assert cells[("10:00", f"Mon 2\n{ana.specialist_name}")] == "10:00 Ana Pop"
    assert any(text.startswith("13:30 Dan Toma") for text in cells.values())


def test_next_and_previous_week_load_only_that_range(
    qtbot: QtBot, desk: Desk, clinic: Clinic, page: CalendarPage
) -> None:
    _book(clinic, TEN + timedelta(days=7), name="Next Week")
    page.refresh()
    wait_for_operations(qtbot, desk)
    assert not page.schedule_model.entries
    with qtbot.waitSignal(page.sig_loaded):
        qtbot.mouseClick(page.next_button, Qt.MouseButton.LeftButton)
    assert [e.patient_name for e in page.schedule_model.entries] == ["Next Week"]
    with qtbot.waitSignal(page.sig_loaded):
        qtbot.mouseClick(page.previous_button, Qt.MouseButton.LeftButton)
    assert page.anchor == date(2026, 3, 2)
    assert not page.schedule_model.entries


def test_month_counts_per_day_and_a_click_opens_the_day(
    qtbot: QtBot, desk: Desk, clinic: Clinic, page: CalendarPage
) -> None:
    _book(clinic, TEN)
    _book(clinic, TEN + timedelta(hours=1))
    _book(clinic, TEN + timedelta(days=3))
    with qtbot.waitSignal(page.sig_loaded):
        page.set_mode("month")
    assert "March 2026" in page.title.text()
    model = page.month_model
    texts = {model.index(r, c).data() for r in range(6) for c in range(7)}
    assert "2\n2 appointments" in texts
    assert "5\n1 appointment" in texts
    index = next(
        model.index(r, c)
        for r in range(6)
        for c in range(7)
        if model.index(r, c).data() == "5\n1 appointment"
    )
    with qtbot.waitSignal(page.sig_loaded):
        page.month_view.clicked.emit(index)
    assert page.mode == "day"
    assert page.anchor == date(2026, 3, 5)
    assert page.schedule_model.columnCount() == 2
    assert len(page.schedule_model.entries) == 1


def test_filters_by_specialist_status_and_search(
    qtbot: QtBot, desk: Desk, clinic: Clinic, page: CalendarPage
) -> None:
    first = _book(clinic, TEN, name="Ana Pop")
    _book(clinic, TEN, name="Dan Toma")  # the other specialist takes the same hour
    lifecycle.cancel(clinic.ctx, first, reason="ill")
    page.refresh()
    wait_for_operations(qtbot, desk)
    assert len(page.schedule_model.entries) == 2
    with qtbot.waitSignal(page.sig_loaded):
        page.status_actions[AppointmentStatus.CANCELLED].setChecked(False)
    assert [e.patient_name for e in page.schedule_model.entries] == ["Dan Toma"]
    assert page.status_button.text().startswith("&Status: Booked, Upcoming")
    assert "Cancelled" not in page.status_button.text()
    with qtbot.waitSignal(page.sig_loaded):
        page.status_actions[AppointmentStatus.CANCELLED].setChecked(True)
    dan = next(e for e in page.schedule_model.entries if e.patient_name == "Dan Toma")
    with qtbot.waitSignal(page.sig_loaded):
        page.set_specialist(dan.specialist_id)
    assert page.schedule_model.columnCount() == 7
    assert [e.patient_name for e in page.schedule_model.entries] == ["Dan Toma"]
    with qtbot.waitSignal(page.sig_loaded):
        page.set_specialist(None)
    qtbot.keyClicks(page.search, "ana")
    assert [e.patient_name for e in page.schedule_model.entries] == ["Ana Pop"]


def test_another_desks_change_appears_when_announced(
    qtbot: QtBot, desk: Desk, clinic: Clinic, page: CalendarPage
) -> None:
    appointment_id = _book(clinic, TEN)  # written elsewhere; sync announces its ChangeSet
    changes = ChangeSet()
    changes.created["appointments"].add(appointment_id)
    with qtbot.waitSignal(page.sig_loaded):
        desk.signals.sig_changed.emit(changes)
    assert [e.id for e in page.schedule_model.entries] == [appointment_id]


def test_a_click_on_a_free_slot_opens_the_booking_dialog_there(
    qtbot: QtBot, desk: Desk, clinic: Clinic, page: CalendarPage
) -> None:
    model = page.schedule_model
    index = model.index(6, 0)  # Monday 10:00, the first specialist
    assert not index.data(ENTRIES_ROLE)
    rect = page.schedule_view.visualRect(index)
    qtbot.mouseClick(page.schedule_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    dialog = page.dialog
    assert dialog is not None
    assert dialog.isVisible()


def test_the_calendar_models_are_sound(
    qtbot: QtBot, qtmodeltester: ModelTester, desk: Desk, clinic: Clinic, page: CalendarPage
) -> None:
    _book(clinic, TEN)
    page.refresh()
    wait_for_operations(qtbot, desk)
    qtmodeltester.check(page.schedule_model)
    with qtbot.waitSignal(page.sig_loaded):
        page.set_mode("month")
    qtmodeltester.check(page.month_model)
    assert page.schedule_model.index(0, 0, QModelIndex()).isValid()


def test_an_appointments_actions_are_in_its_context_menu_from_the_keyboard_too(
    qtbot: QtBot, desk: Desk, clinic: Clinic, page: CalendarPage
) -> None:
    appointment_id = _book(clinic, TEN, name="Ana Pop")
    page.refresh()
    wait_for_operations(qtbot, desk)
    index = page.schedule_model.find(appointment_id)
    page.schedule_view.setCurrentIndex(index)
    page.schedule_view.customContextMenuRequested.emit(page.schedule_view.rect().topLeft())
    assert page.menu is not None
    assert [action.text() for action in page.menu.actions()] == [
        "Ana Pop: Onboard…",
        "Ana Pop: Cancel…",
    ]
    page.menu.actions()[1].trigger()
    dialog = page.actions.dialog
    assert dialog is not None
    dialog.set_reason("Booked by mistake")  # type: ignore[attr-defined]
    dialog.accept()
    wait_for_operations(qtbot, desk)
    [entry] = page.schedule_model.entries
    assert entry.status == AppointmentStatus.CANCELLED
    page.menu.close()


def test_the_weeks_either_side_are_read_ahead_and_forgotten_when_data_changes(
    qtbot: QtBot, desk: Desk, clinic: Clinic, page: CalendarPage
) -> None:
    _book(clinic, TEN + timedelta(days=7), name="Next Week")
    page.refresh()
    wait_for_operations(qtbot, desk)
    _wait_for_read_ahead(qtbot, desk, page)
    page.next_period()  # no event loop: shown from what was read ahead
    assert [e.patient_name for e in page.schedule_model.entries] == ["Next Week"]
    wait_for_operations(qtbot, desk)
    later = _book(clinic, TEN + timedelta(days=14), name="Week After")
    changes = ChangeSet()
    changes.created["appointments"].add(later)
    with qtbot.waitSignal(page.sig_loaded):
        desk.signals.sig_changed.emit(changes)
    _wait_for_read_ahead(qtbot, desk, page)
    page.next_period()
    assert [e.patient_name for e in page.schedule_model.entries] == ["Week After"]
