"""The Patients page: search, profile, dependents, appointments and forms; new patients."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from frontdesk.gui.appointments.detail import AppointmentDetailDialog
from frontdesk.gui.desk import Desk
from frontdesk.gui.forms.filler import FormFillerDialog
from frontdesk.gui.patients.page import PatientsPage
from frontdesk.services import booking
from frontdesk.services.patients import register_patient
from tests.gui.helpers import wait_for_operations
from tests.support.clinic import Clinic
from tests.support.counts import fingerprint
from tests.support.rows import insert_person
from tests.unit.appointment_helpers import TOMORROW_10


def open_page(qtbot: QtBot, desk: Desk) -> PatientsPage:
    page = PatientsPage(desk)
    qtbot.addWidget(page)
    page.resize(1100, 600)
    page.show()
    wait_for_operations(qtbot, desk)
    return page


def search(qtbot: QtBot, desk: Desk, page: PatientsPage, text: str) -> None:
    page.search.clear()
    qtbot.keyClicks(page.search, text)
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    wait_for_operations(qtbot, desk)


def test_search_and_profile_with_dependents_appointments_and_forms(
    qtbot: QtBot, qtmodeltester: ModelTester, desk: Desk, clinic: Clinic
) -> None:
    parent = insert_person(
        clinic, first_name="Maria", last_name="Stan", email="m@x.ro", date_of_birth=date(1980, 5, 1)
    )
    child = insert_person(
        clinic,
        first_name="Luca",
        last_name="Stan",
        email=None,
        phone=None,
        manager_person_id=parent.id,
    )
    insert_person(clinic, first_name="Dan", last_name="Ilie", email=None, phone="+40700000009")
    booked = booking.book_walk_in(
        clinic.ctx,
        patient_person_id=child.id,
        service_id=clinic.consult_service_id,
        specialist_id=clinic.specialist_id,
        start=TOMORROW_10,
    ).value
    page = open_page(qtbot, desk)
    for model in (page.people_model, page.appointments_model, page.forms_model):
        qtmodeltester.check(model)
    assert [row.name for row in page.people_model.rows] == ["Dan Ilie", "Luca Stan", "Maria Stan"]

    search(qtbot, desk, page, "stan")
    assert [row.name for row in page.people_model.rows] == ["Luca Stan", "Maria Stan"]
    # The first match is shown: Luca, managed by Maria, with his appointment and forms.
    assert page.profile is not None
    assert page.profile.person.id == child.id
    assert "Managed by:</b> Maria Stan" in page.details.text()
    assert [row.id for row in page.appointments_model.rows] == [booked.appointment.id]
    assert page.forms_model.rowCount() == 2
    assert page.tabs.tabText(1) == "F&orms (2)"

    page.people.setFocus()
    qtbot.keyClick(page.people, Qt.Key.Key_Down)
    wait_for_operations(qtbot, desk)
    assert page.profile.person.id == parent.id
    assert "01 May 1980" in page.details.text()
    assert [row.name for row in page.dependents_model.rows] == ["Luca Stan"]
    qtmodeltester.check(page.dependents_model)

    # Enter on a dependent shows that person.
    page.dependents.selectRow(0)
    qtbot.keyClick(page.dependents, Qt.Key.Key_Return)
    wait_for_operations(qtbot, desk)
    assert page.profile.person.id == child.id

    page.appointments.selectRow(0)
    qtbot.keyClick(page.appointments, Qt.Key.Key_Return)
    assert page.findChild(AppointmentDetailDialog) is not None
    page.forms.selectRow(0)
    qtbot.keyClick(page.forms, Qt.Key.Key_Return)
    assert page.findChild(FormFillerDialog) is not None
    wait_for_operations(qtbot, desk)


def test_a_change_at_the_desk_refreshes_the_profile(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    person = insert_person(clinic)
    page = open_page(qtbot, desk)
    assert page.appointments_model.rowCount() == 0
    outcome = booking.book_walk_in(
        clinic.ctx,
        patient_person_id=person.id,
        service_id=clinic.consult_service_id,
        specialist_id=clinic.specialist_id,
        start=TOMORROW_10,
    )
    desk.signals.sig_changed.emit(outcome.changes)
    wait_for_operations(qtbot, desk)
    assert page.appointments_model.rowCount() == 1


def test_registering_a_new_patient_shows_them(qtbot: QtBot, desk: Desk, clinic: Clinic) -> None:
    page = open_page(qtbot, desk)
    page.search.setText("Elena Dobre")
    dialog = page.register_new()
    assert dialog.first_name.text() == "Elena"
    assert dialog.last_name.text() == "Dobre"
    dialog.phone.setText("0722 123 456")
    qtbot.mouseClick(dialog.register_button, Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot, desk)
    assert page.profile is not None
    assert page.profile.person.name == "Elena Dobre"
    assert page.profile.person.phone == "+40722123456"
    assert page.profile.person.is_patient


def test_a_likely_duplicate_is_offered_not_made(qtbot: QtBot, desk: Desk, clinic: Clinic) -> None:
    existing = register_patient(
        clinic.ctx, first_name="Elena", last_name="Dobre", phone="+40722123456"
    ).value
    page = open_page(qtbot, desk)
    dialog = page.register_new()
    dialog.first_name.setText("Lena")
    dialog.last_name.setText("Dobre")
    dialog.phone.setText("0722 123 456")
    qtbot.mouseClick(dialog.register_button, Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot, desk)

    assert dialog.duplicates_box.isVisible()
    assert dialog.duplicates.count() == 1
    assert "Elena Dobre" in dialog.duplicates.item(0).text()
    assert "same phone" in dialog.duplicates.item(0).text()
    qtbot.mouseClick(dialog.use_existing, Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot, desk)
    assert dialog.chosen == (existing.id, "Elena Dobre")
    assert [row.name for row in page.people_model.rows] == ["Elena Dobre"]


def test_keeping_a_likely_duplicate_separate_registers_a_second_person(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    register_patient(clinic.ctx, first_name="Elena", last_name="Dobre", phone="+40722123456")
    page = open_page(qtbot, desk)
    dialog = page.register_new()
    dialog.first_name.setText("Ion")
    dialog.last_name.setText("Dobre")
    dialog.phone.setText("+40722123456")
    qtbot.mouseClick(dialog.register_button, Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot, desk)
    qtbot.mouseClick(dialog.keep_separate, Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot, desk)
    assert dialog.chosen is not None
    assert dialog.chosen[1] == "Ion Dobre"
    assert sorted(row.name for row in page.people_model.rows) == ["Elena Dobre", "Ion Dobre"]


def test_the_profile_is_corrected_and_a_bad_field_is_named(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    insert_person(clinic)
    page = open_page(qtbot, desk)
    editor = page.edit_profile()
    assert editor is not None
    assert editor.email.text() == "ioana.marin@example.com"
    before = fingerprint(desk.mirror.sessions)
    editor.email.setText("ioana@")
    editor.country.setText("R1")
    editor.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    wait_for_operations(qtbot, desk)
    assert "Give the country as its two-letter code (e.g. RO)." in editor.problem.text()
    assert fingerprint(desk.mirror.sessions) == before

    editor.country.setText("ro")
    editor.email.setText("ioana@example.org")
    editor.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    wait_for_operations(qtbot, desk)
    assert page.profile is not None
    assert page.profile.person.email == "ioana@example.org"
    assert page.profile.country == "RO"


def test_booking_from_the_page_starts_with_the_patient_chosen(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    person = insert_person(clinic)
    page = open_page(qtbot, desk)
    dialog = page.book()
    assert dialog is not None
    wait_for_operations(qtbot, desk)
    assert dialog.picker.chosen == (person.id, "Ioana Marin")
