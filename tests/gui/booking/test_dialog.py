"""The walk-in booking dialog: find the patient, book; double booking with the staff
override and its reason; a blocked patient's outstanding list; the same-day warning."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from frontdesk.domain.enums import AppointmentSource, AppointmentStatus
from frontdesk.domain.slots import WallInterval
from frontdesk.gui.booking.dialog import BookingDialog, next_slot
from frontdesk.gui.desk import Desk
from frontdesk.services import booking, hours
from frontdesk.services.booking_blocks import block_booking
from frontdesk.store.models import Appointment
from tests.gui.helpers import wait_for_operations
from tests.support.clinic import Clinic
from tests.support.counts import fingerprint
from tests.support.rows import insert_appointment, insert_person
from tests.unit.appointment_helpers import TOMORROW_10


def appointments(sessions: sessionmaker[Session]) -> list[Appointment]:
    with sessions() as session:
        return list(session.scalars(select(Appointment).order_by(Appointment.started_at)))


def open_dialog(
    qtbot: QtBot, desk: Desk, *, start: datetime | None = TOMORROW_10, **kwargs: object
) -> BookingDialog:
    dialog = BookingDialog(desk, start=start, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    wait_for_operations(qtbot, desk)
    return dialog


def pick_patient(qtbot: QtBot, desk: Desk, dialog: BookingDialog, text: str) -> None:
    qtbot.keyClicks(dialog.picker.search, text)
    qtbot.keyClick(dialog.picker.search, Qt.Key.Key_Return)
    wait_for_operations(qtbot, desk)
    dialog.picker.table.setFocus()
    dialog.picker.table.selectRow(0)
    qtbot.keyClick(dialog.picker.table, Qt.Key.Key_Return)


def press_book(qtbot: QtBot, desk: Desk, dialog: BookingDialog) -> None:
    qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot, desk)


def test_books_a_walk_in_for_a_patient_found_by_search(
    qtbot: QtBot, qtmodeltester: ModelTester, desk: Desk, clinic: Clinic
) -> None:
    person = insert_person(clinic)
    dialog = open_dialog(qtbot, desk)
    assert dialog.start.dateTime().toString("yyyy-MM-dd HH:mm") == "2026-03-03 10:00"
    assert dialog.timezone_note.text() == "Times are the clinic's (Romania Time)."
    pick_patient(qtbot, desk, dialog, "ioana")
    qtmodeltester.check(dialog.picker.model)
    assert dialog.picker.chosen == (person.id, "Ioana Marin")
    dialog.service.setCurrentIndex(dialog.service.findText("Video follow-up (30 minutes)"))
    assert [dialog.specialist.itemText(i) for i in range(dialog.specialist.count())] == [
        "Dr Mihai Popescu — kinesitherapy"
    ]
    dialog.notes.setText("Knee")
    with qtbot.waitSignal(dialog.sig_booked) as booked:
        press_book(qtbot, desk, dialog)

    (appointment,) = appointments(desk.mirror.sessions)
    assert booked.args == [appointment.id]
    assert appointment.started_at == TOMORROW_10
    assert appointment.source == AppointmentSource.WALK_IN
    assert appointment.notes == "Knee"
    # Already a patient: onboarded at once, forms and room ready.
    assert appointment.status == AppointmentStatus.UPCOMING
    assert dialog.result() == BookingDialog.DialogCode.Accepted


def test_without_a_patient_nothing_is_booked(qtbot: QtBot, desk: Desk, clinic: Clinic) -> None:
    dialog = open_dialog(qtbot, desk)
    before = fingerprint(desk.mirror.sessions)
    press_book(qtbot, desk, dialog)
    assert dialog.problem.text() == "Please check:\n• Patient: choose or register the patient"
    assert fingerprint(desk.mirror.sessions) == before


def test_a_double_booking_is_explained_and_staff_may_override_with_a_reason(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    first = insert_person(clinic, first_name="Ana", last_name="Pop", email=None, phone=None)
    insert_person(clinic, first_name="Dan", last_name="Ilie", email=None, phone=None)
    booking.book_walk_in(
        clinic.ctx,
        patient_person_id=first.id,
        service_id=clinic.consult_service_id,
        specialist_id=clinic.specialist_id,
        start=TOMORROW_10,
    )
    dialog = open_dialog(qtbot, desk, specialist_id=clinic.specialist_id)
    assert dialog.specialist_id() == clinic.specialist_id
    pick_patient(qtbot, desk, dialog, "dan")
    before = fingerprint(desk.mirror.sessions)
    press_book(qtbot, desk, dialog)

    assert "already booked at Tue 03 Mar 10:00–10:45" in dialog.problem.text()
    assert "Dr Mihai Popescu" in dialog.problem.text()
    assert dialog.override_box.isVisible()
    assert fingerprint(desk.mirror.sessions) == before

    # An override needs a reason someone can read later.
    press_book(qtbot, desk, dialog)
    assert "Say why this appointment may overlap another one." in dialog.problem.text()
    assert fingerprint(desk.mirror.sessions) == before

    dialog.override_reason.setText("Short check, agreed with Dr Mihai")
    press_book(qtbot, desk, dialog)
    second = appointments(desk.mirror.sessions)[-1]
    assert second.double_booking_override_reason == "Short check, agreed with Dr Mihai"
    assert dialog.result() == BookingDialog.DialogCode.Accepted


def test_another_time_after_a_double_booking_needs_no_override(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    first = insert_person(clinic, first_name="Ana", last_name="Pop", email=None, phone=None)
    insert_person(clinic, first_name="Dan", last_name="Ilie", email=None, phone=None)
    booking.book_walk_in(
        clinic.ctx,
        patient_person_id=first.id,
        service_id=clinic.consult_service_id,
        specialist_id=clinic.specialist_id,
        start=TOMORROW_10,
    )
    dialog = open_dialog(qtbot, desk, specialist_id=clinic.specialist_id)
    pick_patient(qtbot, desk, dialog, "dan")
    press_book(qtbot, desk, dialog)
    assert dialog.override_box.isVisible()
    dialog.override_reason.setText("typed, then a free time was found")

    dialog.start.setDateTime(dialog.start.dateTime().addSecs(2 * 3600))
    assert not dialog.override_box.isVisible()
    assert dialog.problem.isHidden()
    press_book(qtbot, desk, dialog)
    second = appointments(desk.mirror.sessions)[-1]
    assert second.started_at == TOMORROW_10 + timedelta(hours=2)
    assert second.double_booking_override_reason is None


def test_a_blocked_patient_gets_the_whole_list_and_no_override(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    person = insert_person(clinic)
    block_booking(clinic.ctx, person.id, "unpaid invoice")
    dialog = open_dialog(qtbot, desk)
    pick_patient(qtbot, desk, dialog, "ioana")
    before = fingerprint(desk.mirror.sessions)
    press_book(qtbot, desk, dialog)

    assert dialog.problem.text() == (
        "This patient cannot be booked until these are done:\n"
        "• booking block to be lifted: unpaid invoice"
    )
    assert not dialog.override_box.isVisible()
    assert fingerprint(desk.mirror.sessions) == before
    assert dialog.isVisible()


def test_a_second_appointment_that_day_is_booked_with_a_warning(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    person = insert_person(clinic)
    booking.book_walk_in(
        clinic.ctx,
        patient_person_id=person.id,
        service_id=clinic.video_service_id,
        specialist_id=clinic.specialist_id,
        start=datetime(2026, 3, 3, 12, 0, tzinfo=UTC),
    )
    dialog = open_dialog(qtbot, desk)
    pick_patient(qtbot, desk, dialog, "ioana")
    press_book(qtbot, desk, dialog)

    boxes = [w for w in QApplication.topLevelWidgets() if w.objectName() == "booking-warning"]
    assert len(boxes) == 1
    assert isinstance(boxes[0], QMessageBox)
    assert "already has Video follow-up at Tue 03 Mar 14:00 that day" in boxes[0].text()
    assert len(appointments(desk.mirror.sessions)) == 2
    assert dialog.isVisible()  # until the warning is read
    boxes[0].button(QMessageBox.StandardButton.Ok).click()
    assert dialog.result() == BookingDialog.DialogCode.Accepted


def test_a_new_patient_registered_from_the_dialog_is_chosen(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    dialog = open_dialog(qtbot, desk, start=None)
    # No time given: the specialist's next free slot (07:00 UTC is 09:00 there, now).
    assert dialog.start.dateTime().toString("yyyy-MM-dd HH:mm") == "2026-03-02 09:00"
    registering = dialog.picker.register_new()
    registering.first_name.setText("Elena")
    registering.phone.setText("0722 123 456")
    qtbot.mouseClick(registering.register_button, Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot, desk)
    assert dialog.picker.chosen is not None
    assert dialog.picker.chosen[1] == "Elena"
    assert isinstance(dialog.picker.chosen[0], uuid.UUID)


def test_no_time_given_suggests_the_chosen_specialists_next_free_slot(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    # Dr Mihai is busy 09:00-10:00 today; Dr Elena works only from 14:00 on Mondays.
    insert_appointment(
        clinic, start=clinic.clock.now(), minutes=60, person_id=insert_person(clinic).id
    )
    hours.set_weekly_hours(
        clinic.as_(clinic.admin), clinic.other_specialist_id, 0, [WallInterval(14 * 60, 17 * 60)]
    )
    dialog = open_dialog(qtbot, desk, start=None)
    dialog.service.setCurrentIndex(dialog.service.findText("Physiotherapy consult (45 minutes)"))
    wait_for_operations(qtbot, desk)
    assert dialog.specialist.currentText().startswith("Dr Mihai")
    assert dialog.start.dateTime().toString("yyyy-MM-dd HH:mm") == "2026-03-02 10:00"
    dialog.specialist.setCurrentIndex(
        dialog.specialist.findText("Dr Elena", Qt.MatchFlag.MatchStartsWith)
    )
    wait_for_operations(qtbot, desk)
    assert dialog.start.dateTime().toString("yyyy-MM-dd HH:mm") == "2026-03-02 14:00"
    # A time the person chose stays.
    dialog.start.setDateTime(dialog.start.dateTime().addSecs(3600))
    dialog.specialist.setCurrentIndex(0)
    wait_for_operations(qtbot, desk)
    assert dialog.start.dateTime().toString("yyyy-MM-dd HH:mm") == "2026-03-02 15:00"


def test_next_slot_rounds_up_to_the_quarter_hour() -> None:
    tz = ZoneInfo("Europe/Bucharest")
    assert next_slot(datetime(2026, 3, 2, 7, 7, tzinfo=UTC), tz).strftime("%H:%M") == "09:15"
    assert next_slot(datetime(2026, 3, 2, 7, 45, tzinfo=UTC), tz).strftime("%H:%M") == "10:00"


def test_enter_in_the_search_box_searches_and_books_nothing(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    insert_person(clinic)
    dialog = open_dialog(qtbot, desk)
    qtbot.keyClicks(dialog.picker.search, "ioana")
    qtbot.keyClick(dialog.picker.search, Qt.Key.Key_Return)
    wait_for_operations(qtbot, desk)
    assert [row.name for row in dialog.picker.model.rows] == ["Ioana Marin"]
    assert dialog.problem.isHidden()
    assert dialog.isVisible()
