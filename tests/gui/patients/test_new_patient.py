"""Registering a patient: refusals named in words, and nothing written."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from frontdesk.gui.desk import Desk
from frontdesk.gui.patients.new_patient import NewPatientDialog
from tests.gui.helpers import wait_for_operations
from tests.support.clinic import Clinic
from tests.support.counts import fingerprint


def make(qtbot: QtBot, desk: Desk) -> NewPatientDialog:
    dialog = NewPatientDialog(desk)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_bad_details_are_named_and_nothing_is_written(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    dialog = make(qtbot, desk)
    before = fingerprint(desk.mirror.sessions)
    dialog.email.setText("nobody@")
    qtbot.mouseClick(dialog.register_button, Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot, desk)

    text = dialog.problem.text()
    assert "Type the first name." in text
    assert "“E-mail” is not a valid e-mail address" in text
    assert dialog.chosen is None
    assert dialog.isVisible()
    assert fingerprint(desk.mirror.sessions) == before


def test_a_badly_written_date_of_birth_is_refused_on_screen(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    dialog = make(qtbot, desk)
    dialog.first_name.setText("Ana")
    dialog.date_of_birth.setText("1.2.1990")
    before = fingerprint(desk.mirror.sessions)
    qtbot.mouseClick(dialog.register_button, Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot, desk)
    assert "Date of birth: write it as YYYY-MM-DD" in dialog.problem.text()
    assert fingerprint(desk.mirror.sessions) == before
