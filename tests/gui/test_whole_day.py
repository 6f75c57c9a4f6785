"""A whole day at the desk, through the screens: a public booking arrives, reception onboards
it in the wizard, the automations require the privacy form and the patient signs it in the
filler, the specialist starts and completes the session, the patient leaves a 3-star review
and the admin's alert appears."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from frontdesk.domain.enums import AppointmentStatus, FormStatus, Role
from frontdesk.gui.alerts.page import AlertsPage
from frontdesk.gui.desk import SYNC_PULLED, Desk
from frontdesk.gui.forms.filler import FormFillerDialog
from frontdesk.gui.onboarding.wizard import OnboardingWizard
from frontdesk.gui.today.lanes import Action, Lane
from frontdesk.gui.today.page import TodayPage
from frontdesk.services import booking, hours, reviews
from frontdesk.store.changes import ChangeSet
from frontdesk.store.models import Appointment, FormInstance, FormTemplate
from frontdesk.store.unit_of_work import Actor
from tests.gui.appointments.browser import browser  # noqa: F401 (a fixture: rooms open nowhere)
from tests.gui.forms.test_filler import draw
from tests.gui.helpers import wait_for_operations
from tests.gui.onboarding.test_wizard import go_on
from tests.support.automation import add_example_templates, insert_example
from tests.support.clinic import Clinic

# Monday 09:45 at the clinic, a slot the page offers for the 45-minute consult; "now" is 09:00.
SLOT = datetime(2026, 3, 2, 7, 45, tzinfo=UTC)


def _lane_texts(page: TodayPage, lane: Lane) -> list[str]:
    model = page.lanes[lane].model()
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def _click(qtbot: QtBot, page: TodayPage, desk: Desk, action: Action) -> None:
    assert page.buttons[action].isEnabled(), f"{action} is not offered"
    qtbot.mouseClick(page.buttons[action], Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot, desk)


def _privacy_form(desk: Desk, person_id: uuid.UUID) -> FormInstance:
    with desk.mirror.sessions() as session:
        return session.scalars(
            select(FormInstance)
            .join(FormTemplate, FormTemplate.id == FormInstance.template_id)
            .where(
                FormInstance.patient_person_id == person_id,
                FormTemplate.template_key == "gdpr_privacy",
            )
        ).one()


@pytest.mark.usefixtures("browser")
def test_a_whole_day(
    qtbot: QtBot,
    desk: Desk,
    desk_as: Callable[[Role], Desk],
    clinic: Clinic,
) -> None:
    # The clinic runs the specification's first example: onboarding requires the privacy form.
    add_example_templates(clinic)
    insert_example(clinic, 1)
    # It takes online bookings up to the last minute (no minimum notice).
    hours.set_slot_settings(clinic.as_(clinic.admin), minimum_notice_minutes=0)
    reception = TodayPage(desk)
    qtbot.addWidget(reception)
    reception.show()
    wait_for_operations(qtbot, desk)

    # 1. A public booking arrives (written by the booking page; sync announces it).
    arrived = booking.book_public(
        clinic.ctx.acting_as(Actor.system("public booking page")),
        service_id=clinic.consult_service_id,
        start=SLOT,
        name="Ioana Marin",
        email="ioana.marin@example.com",
        phone="0721 000 111",
        client_id="browser-1",
        idempotency_key=str(uuid.uuid4()),
    ).value.appointment
    with qtbot.waitSignal(reception.sig_loaded):
        desk.signals.sig_changed.emit(ChangeSet(events=[SYNC_PULLED]))
    assert "09:45  Ioana Marin" in _lane_texts(reception, Lane.TO_ONBOARD)[0]

    # 2. Reception onboards it in the wizard.
    assert reception.select(arrived.id)
    _click(qtbot, reception, desk, Action.ONBOARD)
    wizard = reception.actions.dialog
    assert isinstance(wizard, OnboardingWizard)
    wait_for_operations(qtbot, desk)
    wizard.patient_page.date_of_birth.setText("1990-04-02")
    go_on(qtbot, desk, wizard)
    go_on(qtbot, desk, wizard)
    with qtbot.waitSignal(wizard.sig_onboarded):
        go_on(qtbot, desk, wizard)
    wait_for_operations(qtbot, desk)
    wizard.close()
    [expected] = _lane_texts(reception, Lane.EXPECTED)
    assert "2 forms to do" in expected  # the service's own (intake, privacy) on the appointment

    # 3. The automation required the privacy form; the patient signs it on the desk's screen.
    with desk.mirror.sessions() as session:
        person_id = session.get_one(Appointment, arrived.id).patient_person_id
    privacy = _privacy_form(desk, person_id)
    assert privacy.status == FormStatus.CREATED
    filler = FormFillerDialog(desk, privacy.id)
    qtbot.addWidget(filler)
    filler.show()
    wait_for_operations(qtbot, desk)
    agree = filler.findChild(QCheckBox, "field-agree")
    assert agree is not None
    agree.setChecked(True)
    draw(filler.pad, [(20, 60), (60, 30), (100, 80), (160, 40)])
    qtbot.mouseClick(filler.sign_button, Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot, desk)
    assert _privacy_form(desk, person_id).status == FormStatus.SIGNED
    filler.close()

    # 4. She arrives; reception checks her in.
    reception.select(arrived.id)
    _click(qtbot, reception, desk, Action.CHECK_IN)
    assert _lane_texts(reception, Lane.ARRIVED)

    # 5. The specialist starts and completes the session from their own desk.
    specialist = desk_as(Role.SPECIALIST)
    clinic.clock.advance(timedelta(hours=1))
    own = TodayPage(specialist)
    qtbot.addWidget(own)
    own.show()
    wait_for_operations(qtbot, specialist)
    assert own.select(arrived.id)
    _click(qtbot, own, specialist, Action.START)
    clinic.clock.advance(timedelta(minutes=45))
    _click(qtbot, own, specialist, Action.COMPLETE)
    with desk.mirror.sessions() as session:
        assert session.get_one(Appointment, arrived.id).status == AppointmentStatus.DONE
    wait_for_operations(qtbot, desk)
    assert "Ioana Marin" in _lane_texts(own, Lane.DONE)[0]

    # 6. The patient leaves a 3-star review.
    patient = Actor(Role.PATIENT, label="Ioana Marin", person_ids=frozenset({person_id}))
    reviews.submit_review(
        clinic.ctx.acting_as(patient), arrived.id, rating=3, comment="Waited a while."
    )

    # 7. The admin's alerts page shows it.
    admin = desk_as(Role.ADMIN)
    alerts = AlertsPage(admin)
    qtbot.addWidget(alerts)
    alerts.show()
    wait_for_operations(qtbot, admin)
    shown = [
        alerts.proxy.index(row, column).data()
        for row in range(alerts.proxy.rowCount())
        for column in range(alerts.proxy.columnCount())
    ]
    assert "Low rating: 3 of 5 stars for Dr Mihai Popescu (02 Mar 2026)" in shown
