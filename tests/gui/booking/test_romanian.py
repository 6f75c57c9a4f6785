"""Booking, cancelling and the double-booking override in Romanian: their words, the start in
Romanian month names, a service's length with Romanian plurals, refusals framed in Romanian;
each mnemonic its own key in both languages; every control named."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from frontdesk.domain.errors import DoubleBooking
from frontdesk.gui.booking.dialog import BookingDialog
from frontdesk.gui.desk import Desk
from frontdesk.gui.dialogs.cancel import CancelDialog
from frontdesk.gui.dialogs.override import OverrideDialog
from frontdesk.i18n.catalogs import activate
from frontdesk.services import booking
from tests.gui.booking.test_dialog import open_dialog, pick_patient, press_book
from tests.gui.screen_checks import mnemonic_keys, unnamed_controls
from tests.support.clinic import Clinic
from tests.support.rows import insert_person
from tests.unit.appointment_helpers import TOMORROW_10


def test_in_romanian_booking_speaks_romanian(qtbot: QtBot, desk: Desk, clinic: Clinic) -> None:
    activate("ro")
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
    assert dialog.windowTitle() == "Programare nouă"
    assert dialog.timezone_note.text() == "Orele sunt ale clinicii (Ora din România)."
    services = [dialog.service.itemText(n) for n in range(dialog.service.count())]
    assert "Video follow-up (30 de minute)" in services
    assert dialog.start.text() == "mar. 03 mar. 2026  10:00"
    assert dialog.book_button.text() == "P&rogramează"

    press_book(qtbot, desk, dialog)
    assert dialog.problem.text() == (
        "Vă rugăm să verificați:\n• Pacient: alegeți sau înregistrați pacientul"
    )
    pick_patient(qtbot, desk, dialog, "dan")
    press_book(qtbot, desk, dialog)
    assert dialog.override_box.isVisible()
    assert dialog.override_box.title() == "Programează oricum, peste cealaltă programare"
    assert dialog.problem.text().endswith("altfel alegeți altă oră sau alt specialist.")


def _refusal() -> DoubleBooking:
    return DoubleBooking(
        "Dr Mihai Popescu is already booked at Tue 03 Mar 10:00–10:45", conflicting_ids=("x",)
    )


def test_in_romanian_cancelling_and_overriding_speak_romanian(qtbot: QtBot) -> None:
    activate("ro")
    cancel = CancelDialog("10:00 Ana Pop — Consultație", "Rita")
    qtbot.addWidget(cancel)
    assert cancel.windowTitle() == "Anulare programare"
    assert not cancel.cancel_button.isEnabled()
    assert cancel.cancel_button.text() == "&Anulează programarea"
    reasons = cancel.findChild(QComboBox, "reason")
    assert reasons is not None
    assert reasons.itemText(1) == "Pacientul este bolnav"
    cancel.set_reason(reasons.itemText(1))
    assert cancel.cancel_button.isEnabled()
    assert cancel.reason() == "Pacientul este bolnav"

    override = OverrideDialog(_refusal())
    qtbot.addWidget(override)
    assert override.windowTitle() == "Suprapunere de programări"
    assert override.book_button.text() == "&Programează oricum"
    assert not override.book_button.isEnabled()


def _windows(qtbot: QtBot, desk: Desk) -> list[object]:
    booking_dialog = open_dialog(qtbot, desk, start=datetime(2026, 3, 3, 8, 0).astimezone())
    cancel = CancelDialog("10:00 Ana Pop — Consultație", "Rita")
    override = OverrideDialog(_refusal())
    for dialog in (cancel, override):
        qtbot.addWidget(dialog)
        dialog.show()
    booking_dialog.override_box.show()  # its reason's mnemonic counts too
    return [booking_dialog, cancel, override]


@pytest.mark.parametrize("language", ["en", "ro"])
def test_each_mnemonic_of_booking_cancelling_and_overriding_is_its_own_key(
    qtbot: QtBot, desk: Desk, language: str
) -> None:
    activate(language)
    expected = {BookingDialog: 8, CancelDialog: 3, OverrideDialog: 2}
    for window in _windows(qtbot, desk):
        keys = mnemonic_keys(window)  # type: ignore[arg-type]
        assert len(keys) == expected[type(window)], keys
        assert len(set(keys)) == len(keys), keys


@pytest.mark.parametrize("language", ["en", "ro"])
def test_every_control_of_booking_cancelling_and_overriding_has_a_name(
    qtbot: QtBot, desk: Desk, language: str
) -> None:
    activate(language)
    for window in _windows(qtbot, desk):
        assert unnamed_controls(window) == [], type(window).__name__  # type: ignore[arg-type]
