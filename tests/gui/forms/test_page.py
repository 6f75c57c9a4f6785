"""The Forms page: newest first, searchable, filtered by status, opens the filler."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from frontdesk.gui.desk import SYNC_PULLED, Desk
from frontdesk.gui.forms.columns import ALL_FORMS_COLUMNS, STATUS
from frontdesk.gui.forms.filler import FormFillerDialog
from frontdesk.gui.forms.page import FormsPage
from frontdesk.services import forms
from frontdesk.store.changes import ChangeSet
from tests.gui.helpers import wait_for_operations
from tests.support.clinic import Clinic
from tests.support.rows import insert_person


def open_page(qtbot: QtBot, desk: Desk) -> FormsPage:
    page = FormsPage(desk)
    qtbot.addWidget(page)
    page.show()
    wait_for_operations(qtbot, desk)
    return page


def titles(page: FormsPage) -> list[tuple[str, str]]:
    return [(row.title, row.patient_name) for row in page.model.rows]


def test_lists_search_and_filter_by_status(
    qtbot: QtBot, qtmodeltester: ModelTester, desk: Desk, clinic: Clinic
) -> None:
    ana = insert_person(clinic, first_name="Ana", last_name="Pop", email=None, phone=None)
    dan = insert_person(clinic, first_name="Dan", last_name="Ilie", email=None, phone=None)
    forms.create_form(clinic.ctx, template_key="intake", patient_person_id=ana.id)
    privacy = forms.create_form(clinic.ctx, template_key="privacy", patient_person_id=dan.id)
    forms.save_values(clinic.ctx, privacy.value.id, {"agree": True})
    forms.complete(clinic.ctx, privacy.value.id)
    page = open_page(qtbot, desk)
    qtmodeltester.check(page.model)

    assert titles(page) == [
        ("Privacy Policy & GDPR Consent", "Dan Ilie"),
        ("Intake questionnaire", "Ana Pop"),
    ]
    with qtbot.waitSignal(page.search.sig_search):
        qtbot.keyClicks(page.search, "ana")
    wait_for_operations(qtbot, desk)
    assert titles(page) == [("Intake questionnaire", "Ana Pop")]

    page.search.clear()
    page.status.setCurrentText("Filled in, to sign")
    wait_for_operations(qtbot, desk)
    assert titles(page) == [("Privacy Policy & GDPR Consent", "Dan Ilie")]
    status = page.model.index(0, ALL_FORMS_COLUMNS.index(STATUS)).data()
    assert status == "filled in, to sign"
    page.status.setCurrentText("Signed")
    wait_for_operations(qtbot, desk)
    assert titles(page) == []
    assert page.count.text() == "0 forms"


def test_enter_opens_the_filler_and_a_save_refreshes_the_list(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    ana = insert_person(clinic, first_name="Ana", last_name="Pop", email=None, phone=None)
    forms.create_form(clinic.ctx, template_key="privacy", patient_person_id=ana.id)
    page = open_page(qtbot, desk)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    dialog = page.findChild(FormFillerDialog)
    assert dialog is not None
    wait_for_operations(qtbot, desk)
    dialog.editors["agree"].set_value(True)
    qtbot.mouseClick(dialog.complete_button, Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot, desk)

    # "Not signed yet" still lists it, now completed.
    assert [str(row.status) for row in page.model.rows] == ["completed"]


def test_a_refused_search_is_shown_in_words(qtbot: QtBot, desk: Desk) -> None:
    page = open_page(qtbot, desk)
    page.search.setText("x" * 101)
    page.refresh()
    wait_for_operations(qtbot, desk)
    assert "“Search” is longer than 100 characters." in page.count.text()


def test_forms_another_desk_sent_appear_after_a_sync_round(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    page = open_page(qtbot, desk)
    assert titles(page) == []
    ana = insert_person(clinic, first_name="Ana", last_name="Pop", email=None, phone=None)
    forms.create_form(clinic.ctx, template_key="intake", patient_person_id=ana.id)
    # A sync round names no rows, only that other desks' changes came in.
    desk.signals.sig_changed.emit(ChangeSet(events=[SYNC_PULLED]))
    wait_for_operations(qtbot, desk)
    assert titles(page) == [("Intake questionnaire", "Ana Pop")]
