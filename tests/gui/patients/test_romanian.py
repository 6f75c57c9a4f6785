"""The Patients screen in Romanian: its words, headers, counts and dates, and every mnemonic
its own key in each of its windows, in both languages."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from frontdesk.gui.desk import Desk
from frontdesk.gui.patients.new_patient import NewPatientDialog
from frontdesk.gui.patients.page import PatientsPage
from frontdesk.i18n.catalogs import activate
from tests.gui.accessibility.checks import mnemonic_keys
from tests.gui.helpers import wait_for_operations
from tests.support.clinic import Clinic
from tests.support.rows import insert_person


def open_page(qtbot: QtBot, desk: Desk) -> PatientsPage:
    page = PatientsPage(desk)
    qtbot.addWidget(page)
    page.show()
    wait_for_operations(qtbot, desk)
    return page


@pytest.mark.parametrize("language", ["en", "ro"])
def test_each_mnemonic_of_the_patients_screen_is_its_own_key(
    qtbot: QtBot, desk: Desk, clinic: Clinic, language: str
) -> None:
    activate(language)
    insert_person(clinic, first_name="Maria", last_name="Stan")
    page = open_page(qtbot, desk)
    dialogs = [page, page.register_new(), page.edit_profile()]
    for window in dialogs:
        assert window is not None
        keys = mnemonic_keys(window)
        assert len(keys) >= 6
        assert len(set(keys)) == len(keys), keys


def test_in_romanian_the_patients_screen_speaks_romanian(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    activate("ro")
    insert_person(clinic, first_name="Maria", last_name="Stan", date_of_birth=date(1980, 5, 1))
    insert_person(clinic, first_name="Dan", last_name="Ilie")
    page = open_page(qtbot, desk)
    assert page.count.text() == "2 persoane"
    headers = [
        page.people_model.headerData(n, Qt.Orientation.Horizontal)
        for n in range(page.people_model.columnCount())
    ]
    assert headers[:2] == ["Nume", "Născut(ă)"]
    assert page.tabs.tabText(1).startswith("&Formulare (")
    page.people.selectRow(1)
    wait_for_operations(qtbot, desk)
    assert "<b>Născut(ă):</b> 01 mai 1980" in page.details.text()
    assert "<b>Pacient al clinicii:</b>" in page.details.text()
    dialog = page.register_new()
    assert isinstance(dialog, NewPatientDialog)
    assert dialog.windowTitle() == "Pacient nou"
    assert dialog.register_button.text() == "Înre&gistrează"
