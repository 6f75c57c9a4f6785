"""The form filler: fields by type, validation naming the field, completing, signing on the
pad (the patient or their guardian), and a signed form read-only."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QCheckBox, QLineEdit, QSpinBox
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session, sessionmaker

from frontdesk.domain.enums import FormStatus, Role
from frontdesk.gui.desk import Desk
from frontdesk.gui.forms.filler import FormFillerDialog
from frontdesk.gui.forms.signature_pad import SignaturePad
from frontdesk.services import booking, forms
from frontdesk.services.form_views import form_detail
from frontdesk.store.changes import ChangeSet
from frontdesk.store.models import FormInstance
from tests.gui.helpers import wait_for_operations
from tests.support.clinic import Clinic
from tests.support.counts import fingerprint
from tests.support.rows import insert_person
from tests.unit.appointment_helpers import TOMORROW_10

SVG = '<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0 L9 9"/></svg>'


def draw(pad: SignaturePad, points: list[tuple[int, int]]) -> None:
    """One stroke through `points`, as a mouse would draw it."""

    def send(kind: QMouseEvent.Type, x: int, y: int, buttons: Qt.MouseButton) -> None:
        event = QMouseEvent(
            kind,
            QPointF(x, y),
            QPointF(pad.mapToGlobal(QPoint(x, y))),
            Qt.MouseButton.LeftButton,
            buttons,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(pad, event)

    first, *rest = points
    send(QMouseEvent.Type.MouseButtonPress, *first, Qt.MouseButton.LeftButton)
    for x, y in rest:
        send(QMouseEvent.Type.MouseMove, x, y, Qt.MouseButton.LeftButton)
    send(QMouseEvent.Type.MouseButtonRelease, *rest[-1], Qt.MouseButton.NoButton)


def stored(sessions: sessionmaker[Session], form_id: uuid.UUID) -> FormInstance:
    with sessions() as session:
        return session.get_one(FormInstance, form_id)


def open_filler(qtbot: QtBot, desk: Desk, form_id: uuid.UUID) -> FormFillerDialog:
    dialog = FormFillerDialog(desk, form_id)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_for_operations(qtbot, desk)
    return dialog


def test_fields_are_shown_by_type_and_prefilled(qtbot: QtBot, desk: Desk, clinic: Clinic) -> None:
    person = insert_person(clinic)
    form = forms.create_form(clinic.ctx, template_key="intake", patient_person_id=person.id).value
    dialog = open_filler(qtbot, desk, form.id)

    assert list(dialog.editors) == ["email", "pain", "notes"]
    email = dialog.findChild(QLineEdit, "field-email")
    assert email is not None
    assert email.text() == "ioana.marin@example.com"
    pain = dialog.findChild(QSpinBox)
    assert pain is not None
    assert pain.text() == "not answered"
    assert dialog.answers() == {"email": "ioana.marin@example.com", "pain": None, "notes": None}


def test_saving_answers_writes_them(qtbot: QtBot, desk: Desk, clinic: Clinic) -> None:
    person = insert_person(clinic)
    form = forms.create_form(clinic.ctx, template_key="intake", patient_person_id=person.id).value
    dialog = open_filler(qtbot, desk, form.id)
    dialog.editors["pain"].set_value(6)
    dialog.editors["notes"].set_value("Left knee")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot, desk)

    assert stored(desk.mirror.sessions, form.id).values["pain"] == 6
    assert stored(desk.mirror.sessions, form.id).values["notes"] == "Left knee"
    assert dialog.problems.isHidden()


def test_a_bad_answer_is_named_beside_its_field_and_nothing_is_written(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    person = insert_person(clinic)
    form = forms.create_form(clinic.ctx, template_key="intake", patient_person_id=person.id).value
    dialog = open_filler(qtbot, desk, form.id)
    before = fingerprint(desk.mirror.sessions)
    dialog.editors["email"].set_value("not an address")
    qtbot.mouseClick(dialog.complete_button, Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot, desk)

    assert dialog.error_labels["email"].isVisibleTo(dialog)
    assert dialog.error_labels["pain"].text() == "Needs an answer"
    assert "Pain (0-10): needs an answer" in dialog.problems.text()
    assert "E-mail: is not a valid e-mail address" in dialog.problems.text()
    assert fingerprint(desk.mirror.sessions) == before


def test_the_questions_are_on_screen_as_soon_as_the_form_is_shown(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    person = insert_person(clinic)
    form = forms.create_form(clinic.ctx, template_key="intake", patient_person_id=person.id).value
    dialog = open_filler(qtbot, desk, form.id)
    # The form as read again, shown with no pass of the event loop after it: a problem named
    # at once must be visible at once, not after Qt's queued showing of new rows.
    dialog._show(form_detail(desk.context(), form.id))
    assert all(e.widget.isVisibleTo(dialog) for e in dialog.editors.values())
    dialog.editors["email"].set_value("not an address")
    qtbot.mouseClick(dialog.complete_button, Qt.MouseButton.LeftButton)
    assert dialog.error_labels["email"].isVisibleTo(dialog)


def test_problems_named_on_screen_stay_named_when_the_form_is_reloaded_from_elsewhere(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    person = insert_person(clinic)
    form = forms.create_form(clinic.ctx, template_key="intake", patient_person_id=person.id).value
    dialog = open_filler(qtbot, desk, form.id)
    qtbot.mouseClick(dialog.complete_button, Qt.MouseButton.LeftButton)
    assert dialog.error_labels["pain"].text() == "Needs an answer"
    # A sync round (or an automation) announces a change to this form while nothing is
    # edited: the filler reloads it, and the problem with the stored answers is still named.
    changes = ChangeSet()
    changes.updated["form_instances"].add(form.id)
    desk.signals.sig_changed.emit(changes)
    wait_for_operations(qtbot, desk)

    assert dialog.error_labels["pain"].isVisibleTo(dialog)
    assert dialog.error_labels["pain"].text() == "Needs an answer"
    assert "Pain (0-10):" in dialog.problems.text()
    assert dialog.problems.isVisibleTo(dialog)


def test_signing_completes_and_seals_with_the_drawn_signature(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    person = insert_person(clinic)
    form = forms.create_form(clinic.ctx, template_key="privacy", patient_person_id=person.id).value
    dialog = open_filler(qtbot, desk, form.id)
    agree = dialog.findChild(QCheckBox, "field-agree")
    assert agree is not None
    agree.setChecked(True)
    draw(dialog.pad, [(20, 60), (60, 30), (100, 80), (160, 40)])
    assert dialog.signer_name.text() == "Ioana Marin"
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot, desk)

    signed = stored(desk.mirror.sessions, form.id)
    assert signed.status == FormStatus.SIGNED
    assert signed.signer_name == "Ioana Marin"
    assert signed.signature_svg is not None
    assert signed.signature_svg.count("<path") == 1
    assert forms.verify_signature(signed)
    # Now read-only, showing the seal.
    assert not dialog.sign_button.isEnabled()
    assert not dialog.save_button.isEnabled()
    reloaded = dialog.findChild(QCheckBox, "field-agree")
    assert reloaded is not None
    assert reloaded.isChecked()
    assert not reloaded.isEnabled()
    assert dialog.signature_view.isVisible()
    assert not dialog.pad.isVisible()
    assert "unchanged since it was signed" in dialog.seal_label.text()


def test_signing_without_a_signature_is_refused_on_screen(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    person = insert_person(clinic)
    form = forms.create_form(clinic.ctx, template_key="privacy", patient_person_id=person.id).value
    dialog = open_filler(qtbot, desk, form.id)
    dialog.editors["agree"].set_value(True)
    before = fingerprint(desk.mirror.sessions)
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot, desk)

    problems = dialog.problems.text()
    assert "Sign in the box, with the mouse, a finger or a pen." in problems
    assert "Signature:" not in problems  # the sentence names what it is about itself
    assert dialog.signature_error.isVisible()
    assert dialog.signature_error.text().startswith("Sign in the box")
    assert fingerprint(desk.mirror.sessions) == before


def test_a_guardian_signs_for_a_dependent(qtbot: QtBot, desk: Desk, clinic: Clinic) -> None:
    parent = insert_person(clinic, first_name="Maria", last_name="Stan", email="m@x.ro")
    child = insert_person(
        clinic,
        first_name="Luca",
        last_name="Stan",
        email=None,
        phone=None,
        manager_person_id=parent.id,
    )
    form = forms.create_form(clinic.ctx, template_key="privacy", patient_person_id=child.id).value
    dialog = open_filler(qtbot, desk, form.id)
    assert dialog.signer_choice.count() == 2
    assert dialog.signer_choice.currentText() == "Maria Stan (guardian)"
    assert dialog.signer_name.text() == "Maria Stan"
    dialog.editors["agree"].set_value(True)
    draw(dialog.pad, [(10, 10), (80, 90)])
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot, desk)

    signed = stored(desk.mirror.sessions, form.id)
    assert signed.signed_on_behalf_by_person_id == parent.id
    assert "guardian, for Luca Stan" in dialog.seal_label.text()


def test_a_form_signed_at_another_desk_meanwhile_is_not_overwritten(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    person = insert_person(clinic)
    form = forms.create_form(clinic.ctx, template_key="privacy", patient_person_id=person.id).value
    dialog = open_filler(qtbot, desk, form.id)
    # Meanwhile, at another desk:
    forms.save_values(clinic.ctx, form.id, {"agree": True})
    forms.complete(clinic.ctx, form.id)
    forms.sign(clinic.ctx, form.id, signer_name="Ioana Marin", signature_svg=SVG)
    before = fingerprint(desk.mirror.sessions)

    dialog.editors["agree"].set_value(True)
    draw(dialog.pad, [(10, 10), (80, 90)])
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot, desk)

    assert "can no longer change" in dialog.problems.text()
    assert dialog.problems.isVisible()  # still there once the stored form is shown
    assert fingerprint(desk.mirror.sessions) == before
    assert stored(desk.mirror.sessions, form.id).signature_svg == SVG
    # It reloaded what is stored: the signed form, read-only.
    assert not dialog.sign_button.isEnabled()


def test_a_form_the_actor_may_not_see_says_so(
    qtbot: QtBot, desk_as: Callable[[Role], Desk], clinic: Clinic
) -> None:
    person = insert_person(clinic)
    booked = booking.book_walk_in(
        clinic.ctx,
        patient_person_id=person.id,
        service_id=clinic.consult_service_id,
        specialist_id=clinic.other_specialist_id,
        start=TOMORROW_10,
    ).value
    (form, *_) = forms.forms_for_appointment(clinic.ctx, booked.appointment.id)
    specialist_desk = desk_as(Role.SPECIALIST)
    dialog = open_filler(qtbot, specialist_desk, form.id)

    assert "not found" in dialog.problems.text()
    assert not dialog.sign_button.isEnabled()


def test_enter_in_a_field_neither_signs_nor_closes(
    qtbot: QtBot, desk: Desk, clinic: Clinic
) -> None:
    person = insert_person(clinic)
    form = forms.create_form(clinic.ctx, template_key="intake", patient_person_id=person.id).value
    dialog = open_filler(qtbot, desk, form.id)
    email = dialog.findChild(QLineEdit, "field-email")
    assert email is not None
    qtbot.keyClick(email, Qt.Key.Key_Return)
    wait_for_operations(qtbot, desk)
    assert dialog.isVisible()
    assert stored(desk.mirror.sessions, form.id).status == FormStatus.CREATED
