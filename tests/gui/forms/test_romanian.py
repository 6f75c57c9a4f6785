"""The Forms page and the form filler in Romanian: their words, kinds, counts and dates; a
wrong answer named by its question in plain words in both languages; every mnemonic its own
key in each window; every control named for a screen reader."""

from __future__ import annotations

import uuid

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from frontdesk.domain.enums import FormType
from frontdesk.gui.desk import Desk
from frontdesk.gui.forms.field_editors import editor_for
from frontdesk.gui.forms.filler import FormFillerDialog
from frontdesk.gui.forms.page import FormsPage
from frontdesk.i18n.catalogs import activate
from frontdesk.services import booking, forms
from tests.gui.forms.test_filler import SVG
from tests.gui.helpers import wait_for_operations
from tests.gui.patients.test_romanian import mnemonic_keys
from tests.support.clinic import Clinic
from tests.support.rows import insert_person
from tests.unit.appointment_helpers import TOMORROW_10


def unnamed_controls(window: QWidget) -> list[str]:
    """The controls of `window` a keyboard reaches that a screen reader could not name (Qt's
    own inner parts, such as a spin box's line edit, are named through their owner)."""
    unnamed = []
    for widget in window.findChildren(QWidget):
        if widget.window() is not window or not widget.isVisibleTo(window):
            continue
        if not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            continue
        if widget.objectName().startswith("qt_"):
            continue
        interface = QAccessible.queryAccessibleInterface(widget)
        if interface is None or not interface.text(QAccessible.Text.Name).strip():
            unnamed.append(f"{type(widget).__name__} {widget.objectName()}")
    return unnamed


def open_page(qtbot: QtBot, desk: Desk) -> FormsPage:
    page = FormsPage(desk)
    qtbot.addWidget(page)
    page.show()
    wait_for_operations(qtbot, desk)
    return page


def open_filler(qtbot: QtBot, desk: Desk, form_id: uuid.UUID) -> FormFillerDialog:
    dialog = FormFillerDialog(desk, form_id)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_for_operations(qtbot, desk)
    return dialog


def intake_on_an_appointment(clinic: Clinic) -> uuid.UUID:
    """The intake questionnaire a walk-in booking asks for (Tuesday 3 March, 10:00)."""
    person = insert_person(clinic, first_name="Ioana", last_name="Marin")
    booked = booking.book_walk_in(
        clinic.ctx,
        patient_person_id=person.id,
        service_id=clinic.consult_service_id,
        specialist_id=clinic.specialist_id,
        start=TOMORROW_10,
    ).value
    made = forms.forms_for_appointment(clinic.ctx, booked.appointment.id)
    return next(form.id for form in made if form.template_key == "intake")


def test_in_romanian_the_forms_page_speaks_romanian(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    activate("ro")
    intake_on_an_appointment(clinic)
    page = open_page(qtbot, desk)
    rows = page.model.rows
    assert len(rows) > 1
    assert page.count.text() == f"{len(rows)} formulare"
    headers = [
        page.model.headerData(n, Qt.Orientation.Horizontal) for n in range(page.model.columnCount())
    ]
    assert headers == [
        "Formular",
        "Pacient",
        "Tip",
        "Stare",
        "Blochează programarea",
        "Programare",
        "Cerut la",
    ]
    intake = next(n for n, row in enumerate(rows) if row.title == "Intake questionnaire")
    cells = [page.model.index(intake, column).data() for column in range(7)]
    assert cells[2:6] == ["Chestionar", "de completat", "nu", "mar. 03 mar. 2026 10:00"]
    assert [page.status.itemText(n) for n in range(page.status.count())] == [
        "Încă nesemnate",
        "Toate",
        "De completat",
        "Completate, de semnat",
        "Semnate",
    ]


def test_one_form_is_counted_as_one(qtbot: QtBot, desk: Desk, clinic: Clinic) -> None:
    person = insert_person(clinic)
    forms.create_form(clinic.ctx, template_key="intake", patient_person_id=person.id)
    assert open_page(qtbot, desk).count.text() == "1 form"
    activate("ro")
    assert open_page(qtbot, desk).count.text() == "1 formular"


def test_in_romanian_the_filler_speaks_romanian(qtbot: QtBot, desk: Desk, clinic: Clinic) -> None:
    activate("ro")
    dialog = open_filler(qtbot, desk, intake_on_an_appointment(clinic))
    assert dialog.subheading.text() == (
        "Ioana Marin · Chestionar · de completat · programare mar. 3 mar. 10:00"
    )
    assert [dialog.save_button.text(), dialog.complete_button.text()] == [
        "&Salvează",
        "&Finalizează",
    ]
    assert dialog.sign_button.text() == "Se&mnează"
    assert dialog.signature_box.title() == "Semnătura"
    spin = dialog.editors["pain"]
    assert spin.widget.accessibleName() == "Pain (0-10)"
    assert spin.value() is None


@pytest.mark.parametrize(
    ("language", "email_problem", "pain_problem", "beside_pain"),
    [
        (
            "en",
            "E-mail: is not a valid e-mail address (such as name@example.com)",
            "Pain (0-10): needs an answer",
            "Needs an answer",
        ),
        (
            "ro",
            "E-mail: nu este o adresă de e-mail validă (de exemplu nume@exemplu.ro)",
            "Pain (0-10): are nevoie de un răspuns",
            "Are nevoie de un răspuns",
        ),
    ],
)
def test_a_wrong_answer_is_named_by_its_question_in_plain_words(
    qtbot: QtBot,
    desk: Desk,
    clinic: Clinic,
    language: str,
    email_problem: str,
    pain_problem: str,
    beside_pain: str,
) -> None:
    activate(language)
    person = insert_person(clinic)
    form = forms.create_form(clinic.ctx, template_key="intake", patient_person_id=person.id).value
    dialog = open_filler(qtbot, desk, form.id)
    dialog.editors["email"].set_value("not an address")
    qtbot.mouseClick(dialog.complete_button, Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot, desk)

    problems = dialog.problems.text()
    assert email_problem in problems
    assert pain_problem in problems
    assert dialog.error_labels["pain"].text() == beside_pain
    # Named by the question's label, never by where the answer is stored.
    assert "values." not in problems


@pytest.mark.parametrize(
    ("language", "problem"),
    [
        ("en", "Sign in the box, with the mouse, a finger or a pen."),
        ("ro", "Semnați în chenar, cu mouse-ul, cu degetul sau cu un creion digital."),
    ],
)
def test_a_missing_signature_is_asked_for_in_plain_words(
    qtbot: QtBot, desk: Desk, clinic: Clinic, language: str, problem: str
) -> None:
    activate(language)
    person = insert_person(clinic)
    form = forms.create_form(clinic.ctx, template_key="privacy", patient_person_id=person.id).value
    dialog = open_filler(qtbot, desk, form.id)
    dialog.editors["agree"].set_value(True)
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot, desk)
    assert problem in dialog.problems.text()
    assert "SVG" not in dialog.problems.text() + dialog.signature_error.text()


def test_in_romanian_a_signed_form_says_who_signed_and_when_without_its_seal(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    activate("ro")
    person = insert_person(clinic, first_name="Ioana", last_name="Marin")
    form = forms.create_form(clinic.ctx, template_key="privacy", patient_person_id=person.id).value
    forms.save_values(clinic.ctx, form.id, {"agree": True})
    forms.complete(clinic.ctx, form.id)
    signed = forms.sign(clinic.ctx, form.id, signer_name="Ioana Marin", signature_svg=SVG).value
    dialog = open_filler(qtbot, desk, form.id)
    seal = dialog.seal_label.text()
    assert seal.startswith("Semnat de Ioana Marin la lun. 2 mar. 2026 09:00.")
    assert "Formularul nu s-a schimbat de când a fost semnat." in seal
    # The seal is for support: in the tooltip, not in the sentence.
    assert signed.content_hash[:8] not in seal
    assert signed.content_hash in dialog.seal_label.toolTip()


def test_in_romanian_a_number_is_written_with_a_decimal_comma(qtbot: QtBot) -> None:
    activate("ro")
    definition = {"key": "weight", "label": "Greutate", "type": "number", "min": 1, "max": 400}
    editor = editor_for(definition, FormType.PARAMETERS)
    qtbot.addWidget(editor.widget)
    assert editor.widget.placeholderText() == "un număr de la 1 la 400"
    editor.set_value(72.5)
    assert editor.widget.text() == "72,5"
    assert editor.value() == "72.5"  # as the domain reads numbers
    editor.widget.setText("1.5")
    assert editor.value() == "1.5"


@pytest.mark.parametrize("language", ["en", "ro"])
def test_each_mnemonic_of_the_forms_screens_is_its_own_key(
    qtbot: QtBot, desk: Desk, clinic: Clinic, language: str
) -> None:
    activate(language)
    form_id = intake_on_an_appointment(clinic)
    page = open_page(qtbot, desk)
    dialog = open_filler(qtbot, desk, form_id)
    for window, least in ((page, 2), (dialog, 6)):
        keys = mnemonic_keys(window)
        assert len(keys) >= least
        assert len(set(keys)) == len(keys), keys


@pytest.mark.parametrize("language", ["en", "ro"])
def test_every_control_of_the_forms_screens_has_a_name(
    qtbot: QtBot, desk: Desk, clinic: Clinic, language: str
) -> None:
    activate(language)
    form_id = intake_on_an_appointment(clinic)
    page = open_page(qtbot, desk)
    dialog = open_filler(qtbot, desk, form_id)
    assert unnamed_controls(page) == []
    assert unnamed_controls(dialog) == []
    # A list is named for what it chooses, not read as its current choice.
    assert page.status.accessibleName() != page.status.currentText()
    assert dialog.signer_choice.accessibleName() in ("Who signs", "Cine semnează")
    pad = dialog.pad
    assert pad.accessibleDescription()
    assert pad.focusPolicy() & Qt.FocusPolicy.TabFocus
