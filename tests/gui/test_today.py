"""The Today flow board, driven with qtbot: lanes, time in status, forms badge, each action."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from frontdesk.domain.enums import AppointmentStatus
from frontdesk.gui.desk import Desk
from frontdesk.gui.dialogs.cancel import CancelDialog
from frontdesk.gui.theme import apply_theme
from frontdesk.gui.today.lanes import Action, Lane, time_in_status
from frontdesk.gui.today.model import CardDelegate
from frontdesk.gui.today.page import TodayPage
from frontdesk.i18n.catalogs import activate
from frontdesk.services import lifecycle, onboarding
from frontdesk.store.models import Appointment
from tests.gui.appointments.browser import BrowserSpy
from tests.gui.helpers import error_boxes, wait_for_operations
from tests.support.clinic import Clinic
from tests.unit.appointment_helpers import book

TEN = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # 10:00 at the clinic, an hour from "now"


def _onboarded(
    clinic: Clinic,
    start: datetime,
    name: str = "Ioana Marin",
    service_id: uuid.UUID | None = None,
) -> uuid.UUID:
    email = f"{uuid.uuid4().hex}@ex.com"
    booked = book(clinic.ctx, clinic, start=start, name=name, email=email, service_id=service_id)
    onboarding.onboard(clinic.ctx, booked.appointment.id, keep_separate=True)
    return booked.appointment.id


@pytest.fixture
def page(qtbot: QtBot, desk: Desk) -> TodayPage:
    shown = TodayPage(desk)
    qtbot.addWidget(shown)
    shown.show()
    wait_for_operations(qtbot, desk)
    return shown


@pytest.fixture
def rooms() -> Iterator[BrowserSpy]:
    """Video rooms "open" into a list instead of the system browser."""
    spy = BrowserSpy()
    QDesktopServices.setUrlHandler("https", spy, "open")
    yield spy
    QDesktopServices.unsetUrlHandler("https")


def _lane_texts(page: TodayPage, lane: Lane) -> list[str]:
    model = page.lanes[lane].model()
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def _status(desk: Desk, appointment_id: uuid.UUID) -> AppointmentStatus:
    with desk.mirror.sessions() as session:
        return AppointmentStatus(session.get(Appointment, appointment_id).status)


def _click(qtbot: QtBot, page: TodayPage, desk: Desk, action: Action) -> None:
    button = page.buttons[action]
    assert button.isEnabled(), f"{action} is not offered"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot, desk)


def test_the_board_shows_todays_appointments_by_stage_with_forms_and_time(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    book(clinic.ctx, clinic, start=TEN, name="Radu Public")
    _onboarded(clinic, TEN + timedelta(hours=2), name="Elena Onboarded")
    book(clinic.ctx, clinic, start=TEN + timedelta(days=1), name="Tomorrow Person")
    page = TodayPage(desk)
    qtbot.addWidget(page)
    wait_for_operations(qtbot, desk)
    assert "Monday, 2 March 2026" in page._title.text()
    [waiting] = _lane_texts(page, Lane.TO_ONBOARD)
    assert "10:00  Radu Public" in waiting
    [expected] = _lane_texts(page, Lane.EXPECTED)
    assert "12:00  Elena Onboarded" in expected
    assert "2 forms to do" in expected  # the consult's intake and privacy forms
    assert "Tomorrow" not in " ".join(_lane_texts(page, Lane.EXPECTED))
    assert page.lane_title(Lane.EXPECTED) == "Expected (1)"
    assert page.later_hint.text() == "1 public booking on later days to onboard (in the Calendar)"


@pytest.mark.parametrize("width", [900, 1366, 1920])
def test_no_card_is_cut_short_at_any_board_width(
    qtbot: QtBot, desk: Desk, clinic: Clinic, width: int
) -> None:
    activate("ro")  # the longer words
    for hour in range(3):
        _onboarded(clinic, TEN + timedelta(hours=hour), name=f"Alexandra-Ecaterina Popovici {hour}")
    page = TodayPage(desk)
    qtbot.addWidget(page)
    page.resize(width, 700)
    page.show()
    qtbot.waitExposed(page)
    wait_for_operations(qtbot, desk)
    view = page.lanes[Lane.EXPECTED]
    qtbot.waitUntil(lambda: view.model().rowCount() == 3)
    style = view.style()
    margin = style.pixelMetric(style.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
    for row in range(3):
        index = view.model().index(row, 0)
        rect = view.visualRect(index)
        needed = view.fontMetrics().boundingRect(
            QRect(0, 0, rect.width() - 2 * margin, 10_000),
            int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap),
            index.data(),
        )
        assert needed.height() <= rect.height() - 2 * CardDelegate.GAP, index.data()


def test_in_romanian_the_cards_and_times_read_in_romanian(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    activate("ro")
    _onboarded(clinic, TEN + timedelta(hours=2), name="Elena Onboarded")
    page = TodayPage(desk)
    qtbot.addWidget(page)
    wait_for_operations(qtbot, desk)
    [expected] = _lane_texts(page, Lane.EXPECTED)
    assert "12:00  Elena Onboarded" in expected
    assert "2 formulare de completat" in expected
    assert "Programată de" in expected
    header = page.model.headerData(4, Qt.Orientation.Horizontal)
    assert header == "Stare"
    assert page.search.placeholderText() == "Căutați pacient, serviciu sau specialist"


def test_a_day_walks_through_confirm_check_in_start_and_complete(
    qtbot: QtBot, desk: Desk, clinic: Clinic, page: TodayPage
) -> None:
    appointment_id = _onboarded(clinic, TEN)
    page.refresh()
    wait_for_operations(qtbot, desk)
    assert page.select(appointment_id)
    assert page.buttons[Action.COMPLETE].isEnabled() is False
    _click(qtbot, page, desk, Action.CONFIRM)
    assert _status(desk, appointment_id) == AppointmentStatus.CONFIRMED
    _click(qtbot, page, desk, Action.CHECK_IN)
    assert "Ioana Marin" in _lane_texts(page, Lane.ARRIVED)[0]
    assert not page.buttons[Action.CHECK_IN].isEnabled()
    clinic.clock.advance(timedelta(minutes=14))
    page.model.set_now(desk.clock.now())
    assert "Confirmed for 14 min" in _lane_texts(page, Lane.ARRIVED)[0]
    _click(qtbot, page, desk, Action.START)
    assert _status(desk, appointment_id) == AppointmentStatus.INPROGRESS
    assert _lane_texts(page, Lane.IN_SESSION)
    _click(qtbot, page, desk, Action.COMPLETE)
    assert _status(desk, appointment_id) == AppointmentStatus.DONE
    assert _lane_texts(page, Lane.DONE)
    assert not any(button.isEnabled() for button in page.buttons.values())


def test_starting_a_video_session_opens_its_room_in_the_browser(
    qtbot: QtBot, desk: Desk, clinic: Clinic, page: TodayPage, rooms: BrowserSpy
) -> None:
    in_person = _onboarded(clinic, TEN)
    video = _onboarded(clinic, TEN + timedelta(hours=2), service_id=clinic.video_service_id)
    page.refresh()
    wait_for_operations(qtbot, desk)
    page.select(in_person)
    _click(qtbot, page, desk, Action.START)
    assert rooms.opened == []  # in the clinic: no room
    page.select(video)
    _click(qtbot, page, desk, Action.START)
    assert _status(desk, video) == AppointmentStatus.INPROGRESS
    with desk.mirror.sessions() as session:
        room = session.get_one(Appointment, video).video_room_url
    assert room
    assert rooms.opened == [room]


def test_cancel_asks_why_and_records_who_then_reinstate_brings_it_back(
    qtbot: QtBot, desk: Desk, clinic: Clinic, page: TodayPage
) -> None:
    appointment_id = _onboarded(clinic, TEN)
    page.refresh()
    wait_for_operations(qtbot, desk)
    page.select(appointment_id)
    qtbot.mouseClick(page.buttons[Action.CANCEL], Qt.MouseButton.LeftButton)
    dialog = page.actions.dialog
    assert isinstance(dialog, CancelDialog)
    assert "Rita" in [label.text() for label in dialog.findChildren(type(page._title))]
    dialog.set_reason("")
    ok = dialog._buttons.buttons()[0]
    assert not ok.isEnabled()  # no reason, no cancellation
    dialog.set_reason("Patient is ill")
    dialog.accept()
    wait_for_operations(qtbot, desk)
    with desk.mirror.sessions() as session:
        cancelled = session.get(Appointment, appointment_id)
        assert cancelled.status == AppointmentStatus.CANCELLED
        assert cancelled.cancellation_reason == "Patient is ill"
        assert cancelled.cancelled_by_user_id == clinic.receptionist.user_id
    assert _lane_texts(page, Lane.NOT_SEEN)
    _click(qtbot, page, desk, Action.REINSTATE)
    assert _status(desk, appointment_id) == AppointmentStatus.UPCOMING


def test_a_refusal_is_explained_when_another_desk_moved_first(
    qtbot: QtBot, desk: Desk, clinic: Clinic, page: TodayPage
) -> None:
    appointment_id = _onboarded(clinic, TEN)
    page.refresh()
    wait_for_operations(qtbot, desk)
    page.select(appointment_id)
    lifecycle.cancel(clinic.ctx, appointment_id, reason="phoned in")  # elsewhere, unseen yet
    _click(qtbot, page, desk, Action.CONFIRM)
    [box] = error_boxes()
    assert "The appointment is “Cancelled”: it can no longer change" in box.text()


def test_search_narrows_every_lane(
    qtbot: QtBot, desk: Desk, clinic: Clinic, page: TodayPage
) -> None:
    _onboarded(clinic, TEN, name="Ana Pop")
    _onboarded(clinic, TEN + timedelta(hours=1), name="Dan Toma")
    page.refresh()
    wait_for_operations(qtbot, desk)
    page.focus_search()
    qtbot.keyClicks(page.search, "toma")
    texts = _lane_texts(page, Lane.EXPECTED)
    assert len(texts) == 1
    assert "Dan Toma" in texts[0]


def test_the_board_models_are_sound(
    qtbot: QtBot, qtmodeltester, clinic: Clinic, desk: Desk
) -> None:
    _onboarded(clinic, TEN)
    book(clinic.ctx, clinic, start=TEN + timedelta(hours=3))
    page = TodayPage(desk)
    qtbot.addWidget(page)
    wait_for_operations(qtbot, desk)
    qtmodeltester.check(page.model)
    for view in page.lanes.values():
        qtmodeltester.check(view.model())


def test_time_in_status_reads_in_minutes_hours_or_days() -> None:
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    assert time_in_status(now - timedelta(minutes=14), now) == "14 min"
    assert time_in_status(now - timedelta(hours=2, minutes=5), now) == "2 h 05"
    assert time_in_status(now - timedelta(days=8, hours=3), now) == "8 days"
    assert time_in_status(now + timedelta(minutes=5), now) == "–"
    activate("ro")
    assert time_in_status(now - timedelta(days=1, hours=3), now) == "1 zi"
    assert time_in_status(now - timedelta(days=8, hours=3), now) == "8 zile"
    assert time_in_status(now - timedelta(days=20, hours=3), now) == "20 de zile"


@pytest.mark.parametrize("look", ["light", "dark"])
def test_tabbing_from_the_search_into_the_first_lane_shows_where_focus_is(
    qtbot: QtBot, desk: Desk, qapp: QApplication, restore_look: None, look: str
) -> None:
    apply_theme(qapp, look)
    shown = TodayPage(desk)
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitExposed(shown)
    shown.activateWindow()
    wait_for_operations(qtbot, desk)
    lane = shown.lanes[Lane.TO_ONBOARD]
    shown.search.setFocus()
    qtbot.waitUntil(shown.search.hasFocus)
    before = lane.grab().toImage()
    qtbot.keyClick(shown.search, Qt.Key.Key_Tab)
    qtbot.waitUntil(lane.hasFocus)
    assert lane.grab().toImage() != before
    assert shown.lane_title(Lane.TO_ONBOARD) == "To onboard (0)"
