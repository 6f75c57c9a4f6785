"""My sessions today: the specialist's own sessions; starting one moves it to in progress
and opens the video room; completing it; refusals shown, nothing written."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session, sessionmaker

from frontdesk.domain.enums import AppointmentStatus, Role
from frontdesk.gui.appointments.detail import AppointmentDetailDialog
from frontdesk.gui.desk import Desk
from frontdesk.gui.sessions.page import MySessionsPage
from frontdesk.services import booking, lifecycle
from frontdesk.store.models import Appointment
from tests.gui.appointments.browser import BrowserSpy
from tests.gui.helpers import wait_for_operations
from tests.support.clinic import Clinic
from tests.support.counts import fingerprint
from tests.support.rows import insert_person

TODAY_10 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # 10:00 in Bucharest, the clinic's today
TODAY_12 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def book_today(clinic: Clinic, name: str, start: datetime, specialist_id: uuid.UUID) -> uuid.UUID:
    first, last = name.split()
    person = insert_person(clinic, first_name=first, last_name=last, email=None, phone=None)
    return booking.book_walk_in(
        clinic.ctx,
        patient_person_id=person.id,
        service_id=clinic.video_service_id
        if specialist_id == clinic.specialist_id
        else clinic.consult_service_id,
        specialist_id=specialist_id,
        start=start,
    ).value.appointment.id


def status(sessions: sessionmaker[Session], appointment_id: uuid.UUID) -> AppointmentStatus:
    with sessions() as session:
        return AppointmentStatus(session.get_one(Appointment, appointment_id).status)


def open_page(qtbot: QtBot, desk: Desk) -> MySessionsPage:
    page = MySessionsPage(desk)
    qtbot.addWidget(page)
    page.show()
    wait_for_operations(qtbot, desk)
    return page


def test_a_specialist_sees_their_sessions_starts_one_and_the_room_opens(
    qtbot: QtBot,
    qtmodeltester: ModelTester,
    desk_as: Callable[[Role], Desk],
    clinic: Clinic,
    browser: BrowserSpy,
) -> None:
    first = book_today(clinic, "Ana Pop", TODAY_10, clinic.specialist_id)
    book_today(clinic, "Dan Ilie", TODAY_12, clinic.specialist_id)
    book_today(clinic, "Eva Lung", TODAY_10, clinic.other_specialist_id)
    desk = desk_as(Role.SPECIALIST)
    page = open_page(qtbot, desk)
    qtmodeltester.check(page.model)

    assert "My sessions today — Monday 02 March" in page.heading.text()
    assert [row.patient_name for row in page.model.rows] == ["Ana Pop", "Dan Ilie"]
    assert page.table.current_row().id == first
    assert page.start_button.isEnabled()
    assert not page.complete_button.isEnabled()

    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot, desk)
    assert status(desk.mirror.sessions, first) == AppointmentStatus.INPROGRESS
    assert len(browser.opened) == 1
    assert browser.opened[0].endswith(f"-{first}")
    # The list reloaded: the started session stays chosen, now ready to complete.
    assert page.table.current_row().id == first
    assert page.complete_button.isEnabled()

    qtbot.mouseClick(page.complete_button, Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot, desk)
    assert status(desk.mirror.sessions, first) == AppointmentStatus.DONE


def test_a_session_started_elsewhere_is_refused_in_words(
    qtbot: QtBot, desk_as: Callable[[Role], Desk], clinic: Clinic, browser: BrowserSpy
) -> None:
    first = book_today(clinic, "Ana Pop", TODAY_10, clinic.specialist_id)
    desk = desk_as(Role.SPECIALIST)
    page = open_page(qtbot, desk)
    lifecycle.start_session(clinic.ctx, first)  # at the front desk, meanwhile
    before = fingerprint(desk.mirror.sessions)
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot, desk)

    assert page.problem.isVisible()
    assert "The appointment is “In progress” already." in page.problem.text()
    assert fingerprint(desk.mirror.sessions) == before
    assert browser.opened == []


def test_reception_sees_every_session_and_can_filter_and_open_one(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    book_today(clinic, "Ana Pop", TODAY_10, clinic.specialist_id)
    book_today(clinic, "Eva Lung", TODAY_12, clinic.other_specialist_id)
    page = open_page(qtbot, desk)
    assert "Sessions today" in page.heading.text()
    assert [row.patient_name for row in page.model.rows] == ["Ana Pop", "Eva Lung"]
    qtbot.keyClicks(page.search, "eva")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert [row.patient_name for row in page.model.rows] == ["Eva Lung"]

    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert page.findChild(AppointmentDetailDialog) is not None
    wait_for_operations(qtbot, desk)
