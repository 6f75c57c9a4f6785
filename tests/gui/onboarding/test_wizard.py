"""The onboarding wizard: the patient (likely duplicates offered: link or keep apart), the
forms to come, the video room, and onboarding in one step; refusals shown, nothing written."""

from __future__ import annotations

import uuid
from datetime import date

from PySide6.QtWidgets import QRadioButton, QWizard
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from frontdesk.domain.enums import AppointmentStatus
from frontdesk.gui.desk import Desk
from frontdesk.gui.onboarding.wizard import OnboardingWizard
from frontdesk.services import onboarding
from frontdesk.services.booking_blocks import block_booking
from frontdesk.services.patients import register_patient
from frontdesk.store.models import Appointment, FormInstance
from tests.gui.appointments.browser import BrowserSpy
from tests.gui.helpers import wait_for_operations
from tests.support.clinic import Clinic
from tests.support.counts import fingerprint
from tests.unit.appointment_helpers import book


def stored(sessions: sessionmaker[Session], appointment_id: uuid.UUID) -> Appointment:
    with sessions() as session:
        return session.get_one(Appointment, appointment_id)


def open_wizard(qtbot: QtBot, desk: Desk, appointment_id: uuid.UUID) -> OnboardingWizard:
    wizard = OnboardingWizard(desk, appointment_id)
    qtbot.addWidget(wizard)
    wizard.show()
    wait_for_operations(qtbot, desk)
    return wizard


def go_on(qtbot: QtBot, desk: Desk, wizard: OnboardingWizard) -> None:
    """Press Next (or Onboard, on the commit page) and let the work finish."""
    button = wizard.button(
        QWizard.WizardButton.CommitButton
        if wizard.currentPage() is wizard.confirm_page
        else QWizard.WizardButton.NextButton
    )
    assert button.isEnabled()
    button.click()
    wait_for_operations(qtbot, desk)


def choices(wizard: OnboardingWizard) -> list[str]:
    return [button.text() for button in wizard.patient_page.choices.buttons()]


def test_onboards_a_new_patient_with_forms_and_a_video_room(
    qtbot: QtBot, desk: Desk, clinic: Clinic, browser: BrowserSpy
) -> None:
    booked = book(clinic.ctx, clinic, calendar_id=clinic.public_calendar_id)
    wizard = open_wizard(qtbot, desk, booked.appointment.id)
    page = wizard.patient_page
    assert "<b>Ioana Marin</b> (+40721000111 · ioana.marin@example.com)" in page.booking.text()
    assert "No one registered looks like this person" in page.matches_intro.text()
    assert choices(wizard) == []
    page.date_of_birth.setText("1990-04-02")
    go_on(qtbot, desk, wizard)

    forms = [wizard.forms_page.forms.item(i).text() for i in range(wizard.forms_page.forms.count())]
    assert forms == [
        "Intake questionnaire (asked by the service)",
        "Privacy Policy & GDPR Consent (asked by the service) — must be signed before the "
        "next booking",
        "Promotion terms (asked by the booking's calendar)",
    ]
    go_on(qtbot, desk, wizard)
    summary = wizard.confirm_page.summary.text()
    assert "3 forms will be made." in summary
    assert "A video room is opened for the appointment" in summary
    # The room's name is made of ids: the summary says what happens, not what it is called.
    assert str(booked.appointment.id) not in summary
    with qtbot.waitSignal(wizard.sig_onboarded):
        go_on(qtbot, desk, wizard)

    assert wizard.currentPage() is wizard.done_page
    appointment = stored(desk.mirror.sessions, booked.appointment.id)
    assert appointment.status == AppointmentStatus.UPCOMING
    assert "A portal login was asked for them" in wizard.done_page.report.text()
    assert "<li>Promotion terms</li>" in wizard.done_page.report.text()
    assert wizard.done_page.video_url.text() == appointment.video_room_url
    wizard.done_page.video_button.click()
    assert browser.opened == [appointment.video_room_url]
    assert appointment.patient_person_id == booked.appointment.patient_person_id


def test_a_likely_duplicate_is_offered_and_linked(qtbot: QtBot, desk: Desk, clinic: Clinic) -> None:
    existing = register_patient(
        clinic.ctx, first_name="Ioana", last_name="Marin", phone="+40721000111"
    ).value
    booked = book(clinic.ctx, clinic)
    wizard = open_wizard(qtbot, desk, booked.appointment.id)
    assert choices(wizard) == [
        "Link to Ioana Marin · +40721000111 — same phone",
        "Register Ioana Marin as a new patient",
    ]
    assert wizard.patient_page.choices.buttons()[0].isChecked()
    for _ in range(3):
        go_on(qtbot, desk, wizard)

    assert stored(desk.mirror.sessions, booked.appointment.id).patient_person_id == existing.id
    assert "Linked to the registered patient" in wizard.done_page.report.text()


def test_keeping_a_likely_duplicate_apart_registers_the_booking_person(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    existing = register_patient(
        clinic.ctx, first_name="Ioana", last_name="Marin", phone="+40721000111"
    ).value
    booked = book(clinic.ctx, clinic)
    wizard = open_wizard(qtbot, desk, booked.appointment.id)
    buttons = wizard.patient_page.choices.buttons()
    assert isinstance(buttons[-1], QRadioButton)
    buttons[-1].setChecked(True)
    for _ in range(3):
        go_on(qtbot, desk, wizard)

    appointment = stored(desk.mirror.sessions, booked.appointment.id)
    assert appointment.status == AppointmentStatus.UPCOMING
    assert appointment.patient_person_id == booked.appointment.patient_person_id != existing.id


def test_a_duplicate_found_by_date_of_birth_goes_back_to_the_choice_and_writes_nothing(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    twin = register_patient(
        clinic.ctx, first_name="Ioana", last_name="Marin", date_of_birth=date(1990, 4, 2)
    ).value
    booked = book(clinic.ctx, clinic)
    wizard = open_wizard(qtbot, desk, booked.appointment.id)
    assert choices(wizard) == []
    wizard.patient_page.date_of_birth.setText("1990-04-02")
    go_on(qtbot, desk, wizard)
    go_on(qtbot, desk, wizard)
    before = fingerprint(desk.mirror.sessions)
    go_on(qtbot, desk, wizard)

    assert wizard.currentPage() is wizard.patient_page
    assert fingerprint(desk.mirror.sessions) == before
    assert "looks like the same person" in wizard.patient_page.problem.text()
    assert (
        choices(wizard)[0] == "Link to Ioana Marin, born 02 Apr 1990 — same name and date of birth"
    )
    for _ in range(3):
        go_on(qtbot, desk, wizard)
    assert stored(desk.mirror.sessions, booked.appointment.id).patient_person_id == twin.id


def test_what_a_linked_patient_still_owes_is_shown(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    existing = register_patient(
        clinic.ctx, first_name="Ioana", last_name="Marin", phone="+40721000111"
    ).value
    block_booking(clinic.ctx, existing.id, "unpaid invoice")
    booked = book(clinic.ctx, clinic)
    wizard = open_wizard(qtbot, desk, booked.appointment.id)
    for _ in range(3):
        go_on(qtbot, desk, wizard)
    assert wizard.done_page.outstanding.isVisible()
    assert "booking block to be lifted: unpaid invoice" in wizard.done_page.outstanding.text()


def test_a_bad_date_of_birth_is_named_and_the_wizard_stays(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    booked = book(clinic.ctx, clinic)
    wizard = open_wizard(qtbot, desk, booked.appointment.id)
    wizard.patient_page.date_of_birth.setText("02.04.1990")
    wizard.button(QWizard.WizardButton.NextButton).click()
    assert wizard.currentPage() is wizard.patient_page
    assert "Date of birth: write it as YYYY-MM-DD" in wizard.patient_page.problem.text()


def test_an_appointment_onboarded_already_cannot_go_on(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    booked = book(clinic.ctx, clinic)
    onboarding.onboard(clinic.ctx, booked.appointment.id)
    wizard = open_wizard(qtbot, desk, booked.appointment.id)
    assert "it was onboarded already" in wizard.patient_page.problem.text()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def test_a_refusal_on_onboarding_is_shown_and_nothing_is_written(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    booked = book(clinic.ctx, clinic)
    wizard = open_wizard(qtbot, desk, booked.appointment.id)
    go_on(qtbot, desk, wizard)
    go_on(qtbot, desk, wizard)
    # Meanwhile another desk onboards it.
    onboarding.onboard(clinic.ctx, booked.appointment.id)
    before = fingerprint(desk.mirror.sessions)
    go_on(qtbot, desk, wizard)

    assert wizard.currentPage() is wizard.confirm_page
    assert wizard.confirm_page.problem.isVisible()
    assert "The appointment is “Upcoming” already." in wizard.confirm_page.problem.text()
    assert fingerprint(desk.mirror.sessions) == before
    with desk.mirror.sessions() as session:
        assert len(session.scalars(select(FormInstance)).all()) == 2
