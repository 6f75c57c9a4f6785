"""The appointment detail: every field, history, forms (open in the filler), the video room
in the system browser, the review."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from frontdesk.gui.appointments.detail import AppointmentDetailDialog
from frontdesk.gui.desk import Desk
from frontdesk.gui.forms.filler import FormFillerDialog
from frontdesk.services import lifecycle, onboarding, reviews
from tests.gui.appointments.browser import BrowserSpy
from tests.gui.helpers import wait_for_operations
from tests.support.clinic import Clinic
from tests.unit.appointment_helpers import TOMORROW_10, book


def open_detail(qtbot: QtBot, desk: Desk, appointment_id: uuid.UUID) -> AppointmentDetailDialog:
    dialog = AppointmentDetailDialog(desk, appointment_id)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_for_operations(qtbot, desk)
    return dialog


def test_shows_every_field_history_forms_room_and_review(
    qtbot: QtBot, qtmodeltester: ModelTester, desk: Desk, clinic: Clinic, browser: BrowserSpy
) -> None:
    booked = book(clinic.ctx, clinic, calendar_id=clinic.public_calendar_id)
    appointment_id = booked.appointment.id
    onboarding.onboard(clinic.ctx, appointment_id)
    clinic.clock.set(TOMORROW_10)
    lifecycle.start_session(clinic.ctx, appointment_id)
    lifecycle.complete(clinic.ctx, appointment_id)
    reviews.submit_review(
        clinic.ctx, appointment_id, rating=3, comment="Waited long <b>again</b> & again"
    )

    dialog = open_detail(qtbot, desk, appointment_id)
    qtmodeltester.check(dialog.history_model)
    qtmodeltester.check(dialog.forms_model)
    labels = {key: label.text() for key, label in dialog.field_labels.items()}
    assert labels["status"] == "Done"
    assert labels["source"] == "the public booking page"
    assert labels["start"] == "Tue 03 Mar 2026 10:00"
    assert labels["calendar"] == "Spring campaign"
    assert labels["contact_email"] == "ioana.marin@example.com"
    assert labels["completed"] == "Tue 03 Mar 2026 10:00"
    assert [str(step.to_status) for step in dialog.history_model.rows] == [
        "booked",
        "upcoming",
        "inprogress",
        "done",
    ]
    said = [dialog.history_model.index(row, 1).data() for row in range(4)]
    assert said[0] == "Rita booked the appointment."
    assert said[1].endswith("onboarded the appointment.")
    assert said[2] == "Rita started the session."
    assert said[3] == "Rita completed the session."
    assert dialog.forms_model.rowCount() == 3
    assert "3 of 5 stars" in dialog.review.text()
    # The patient's words are text: their markup is shown, not obeyed.
    assert "Waited long &lt;b&gt;again&lt;/b&gt; &amp; again" in dialog.review.text()

    assert dialog.video_button.isEnabled()
    qtbot.mouseClick(dialog.video_button, Qt.MouseButton.LeftButton)
    assert dialog.detail is not None
    assert browser.opened == [dialog.detail.video_room_url]
    assert browser.opened[0].endswith(f"-{appointment_id}")
    # The address is not shown (it carries the appointment's id): it is copied.
    assert str(appointment_id) not in dialog.video_state.text()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == dialog.detail.video_room_url

    dialog.forms.setFocus()
    dialog.forms.selectRow(0)
    qtbot.keyClick(dialog.forms, Qt.Key.Key_Return)
    filler = dialog.findChild(FormFillerDialog)
    assert filler is not None
    wait_for_operations(qtbot, desk)
    assert filler.detail is not None
    assert filler.detail.row.id == dialog.forms_model.row_at(0).id


def test_a_booked_appointment_has_no_room_yet_and_reloads_when_onboarded(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    booked = book(clinic.ctx, clinic)
    dialog = open_detail(qtbot, desk, booked.appointment.id)
    assert not dialog.video_button.isEnabled()
    assert dialog.review.text() == "No review yet."

    outcome = onboarding.onboard(clinic.ctx, booked.appointment.id)
    desk.signals.sig_changed.emit(outcome.changes)  # as the desk announces another's change
    wait_for_operations(qtbot, desk)
    assert dialog.field_labels["status"].text() == "Upcoming"
    assert dialog.video_button.isEnabled()


def test_an_appointment_out_of_reach_is_explained(qtbot: QtBot, desk: Desk, clinic: Clinic) -> None:
    dialog = open_detail(qtbot, desk, uuid.uuid4())
    assert "not found" in dialog.problem.text()
    assert not dialog.video_button.isEnabled()
