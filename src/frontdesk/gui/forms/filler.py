"""Filling in and signing one form at the desk.

The form's fields are shown by type (`field_editors`), each with its own error line. The
domain's rules run on the screen first, so a mistake is named at once without a round trip,
and again in the service, which is the rule. Signing completes the form first if needed
(the service signs only completed forms), then seals it with the signature drawn on the pad
and the signer's name; a guardian signs for a dependent. A signed form opens read-only, with
its signature and whether its seal still matches.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtSvgWidgets import QSvgWidget
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.enums import FormStatus
from frontdesk.domain.errors import FieldError, InvalidInput
from frontdesk.domain.form_fields import completion_errors, normalize_values
from frontdesk.domain.form_signature import check_signature_input
from frontdesk.gui.appointments.problem_label import problem_label
from frontdesk.gui.desk import Desk
from frontdesk.gui.forms.columns import status_words, type_words
from frontdesk.gui.forms.field_editors import FieldEditor, editor_for
from frontdesk.gui.forms.signature_pad import SignaturePad
from frontdesk.gui.messages import explain, field_label
from frontdesk.gui.operations import run_operation
from frontdesk.i18n import N_, _
from frontdesk.i18n.formats import format_datetime
from frontdesk.services import forms
from frontdesk.services.context import Outcome, ServiceContext
from frontdesk.services.form_views import FormDetail, Signer, form_detail
from frontdesk.store.changes import ChangeSet

FORM_TABLE = "form_instances"
APPOINTMENT_PATTERN = "EEE d MMM HH:mm"
SIGNED_PATTERN = "EEE d MMM y HH:mm"
"""How the filler writes an appointment's and a signature's day and time (CLDR patterns)."""


class FormFillerDialog(QDialog):
    sig_form_saved = Signal(object)
    """The form was saved, completed or signed: carries the form's id."""

    def __init__(
        self, desk: Desk, form_instance_id: uuid.UUID, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.form_id = form_instance_id
        self.detail: FormDetail | None = None
        self.editors: dict[str, FieldEditor] = {}
        self.error_labels: dict[str, QLabel] = {}
        self._dirty = False
        self._busy = False
        # The service's last refusal, shown again once the stored form is back on screen.
        self._refusal: Exception | None = None
        # The on-screen check that last found problems (True: as a complete form), run again
        # once the form is shown afresh: a reload from elsewhere must not wipe them unseen.
        self._recheck: bool | None = None
        self.setObjectName("form-filler")
        self.setWindowTitle(_("Form"))
        self.resize(640, 760)

        self.heading = QLabel(_("Loading…"))
        self.heading.setObjectName("form-heading")
        self.heading.setWordWrap(True)
        self.subheading = QLabel()
        self.subheading.setWordWrap(True)
        self.problems = problem_label("form-problems")

        self.fields_box, self.fields_layout = _fields_box()
        self.scroll = scroll = QScrollArea()
        scroll.setAccessibleName(_("The form's questions"))
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.fields_box)

        self.signature_box = self._build_signature_box()
        self.seal_label = QLabel()
        self.seal_label.setObjectName("form-seal")
        self.seal_label.setWordWrap(True)
        self.seal_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.seal_label.hide()

        # In the order a form is worked through; Close apart, on the right.
        self.save_button = QPushButton(_("&Save"))
        self.complete_button = QPushButton(_("C&omplete"))
        self.sign_button = QPushButton(_("Si&gn"))
        self.close_button = QPushButton(_("Close"))
        self.save_button.setToolTip(_("Keep the answers; the form can be finished later"))
        self.complete_button.setToolTip(_("Check that every required answer is given"))
        self.sign_button.setToolTip(_("Complete the form if needed, then sign it"))
        self.buttons = QHBoxLayout()
        for button in (self.save_button, self.complete_button, self.sign_button):
            self.buttons.addWidget(button)
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.close_button)
        self.save_button.clicked.connect(self.save)
        self.complete_button.clicked.connect(self.complete)
        self.sign_button.clicked.connect(self.sign)
        self.close_button.clicked.connect(self.reject)
        # No default button: Enter in a field must neither sign nor close the form.
        for button in (self.save_button, self.complete_button, self.sign_button):
            button.setAutoDefault(False)
            button.setEnabled(False)
        self.close_button.setAutoDefault(False)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.subheading)
        layout.addWidget(self.problems)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.signature_box)
        layout.addWidget(self.seal_label)
        layout.addLayout(self.buttons)

        desk.signals.sig_changed.connect(self._on_changed)
        self.reload()

    def _build_signature_box(self) -> QGroupBox:
        box = QGroupBox(_("Signature"))
        self.signer_choice = QComboBox()
        self.signer_choice.setObjectName("signer-choice")
        self.signer_choice.setAccessibleName(_("Who signs"))
        self.signer_choice.currentIndexChanged.connect(self._signer_chosen)
        self.signer_name = QLineEdit()
        self.signer_name.setObjectName("signer-name")
        self.pad = SignaturePad()
        self.pad.sig_changed.connect(self._pad_changed)
        self.clear_button = QPushButton(_("C&lear signature"))
        self.clear_button.setAutoDefault(False)
        self.clear_button.clicked.connect(self.pad.clear)
        self.signature_view = QSvgWidget()
        self.signature_view.setObjectName("signature-view")
        self.signature_view.setFixedHeight(160)
        self.signature_view.setAccessibleName(_("The signature given"))
        # Ink on paper, as it was signed: dark ink stays readable in the dark theme.
        self.signature_view.setStyleSheet("background: white;")
        self.signature_view.hide()
        self.signature_error = problem_label()
        form = QFormLayout()
        self.signature_form = form
        form.addRow(_("&Who signs"), self.signer_choice)
        form.addRow(_("Signer's &name"), self.signer_name)
        layout = QVBoxLayout(box)
        layout.addLayout(form)
        layout.addWidget(self.pad)
        layout.addWidget(self.signature_view)
        row = QHBoxLayout()
        row.addWidget(self.signature_error, 1)
        row.addWidget(self.clear_button)
        layout.addLayout(row)
        return box

    # --- loading ---------------------------------------------------------------------------

    def reload(self) -> None:
        form_id = self.form_id
        run_operation(
            self.desk,
            lambda ctx: form_detail(ctx, form_id),
            parent=self,
            on_done=self._show,
            on_error=self._show_problem,
        )

    def _show(self, detail: FormDetail) -> None:
        self.detail = detail
        self._dirty = False
        row = detail.row
        self.setWindowTitle(f"{row.title} — {row.patient_name}")
        self.heading.setText(f"<b>{html.escape(row.title)}</b>")
        parts = [row.patient_name, type_words(row.form_type), status_words(row.status)]
        if row.blocking:
            parts.append(_("must be signed before booking again"))
        if row.appointment_start_local:
            when = format_datetime(row.appointment_start_local, APPOINTMENT_PATTERN)
            parts.append(_("appointment {when}").format(when=when))
        self.subheading.setText(" · ".join(parts))
        self._build_fields(detail)
        self._show_signature(detail)
        writable = detail.writable
        self.save_button.setEnabled(writable)
        self.complete_button.setEnabled(writable and row.status == FormStatus.CREATED)
        self.sign_button.setEnabled(writable)
        self._clear_errors()
        refusal, self._refusal = self._refusal, None
        if refusal is not None:
            self._explain(refusal)
        elif self._recheck is not None:
            self._checked(complete=self._recheck)

    def _build_fields(self, detail: FormDetail) -> None:
        """The questions, built apart and then put in place whole: the scroll area shows
        them at once. (Rows added to a box already on screen would be shown by Qt only at
        the next pass of the event loop, and until then read as hidden.)"""
        self.fields_box, self.fields_layout = _fields_box()
        self.editors.clear()
        self.error_labels.clear()
        for definition in detail.fields:
            editor = editor_for(definition, detail.row.form_type)
            editor.set_value(detail.values.get(editor.spec.key))
            editor.set_read_only(not detail.writable)
            editor.on_change(self._edited)
            error = problem_label(f"error-{editor.spec.key}")
            cell = QWidget()
            column = QVBoxLayout(cell)
            column.setContentsMargins(0, 0, 0, 0)
            column.addWidget(editor.widget)
            column.addWidget(error)
            label = QLabel(editor.spec.label + (" *" if editor.spec.required else ""))
            label.setBuddy(editor.widget)
            if editor.spec.required:
                editor.widget.setAccessibleDescription(_(REQUIRED))
            self.fields_layout.addRow(label, cell)
            self.editors[editor.spec.key] = editor
            self.error_labels[editor.spec.key] = error
        self.scroll.setWidget(self.fields_box)  # deletes the previous rows

    def _show_signature(self, detail: FormDetail) -> None:
        signed = detail.row.status == FormStatus.SIGNED
        self.signer_choice.blockSignals(True)
        self.signer_choice.clear()
        for signer in detail.signers:
            label = (
                _("{name} (guardian)").format(name=signer.name)
                if signer.is_guardian
                else signer.name
            )
            self.signer_choice.addItem(label)
        self.signer_choice.blockSignals(False)
        self.signature_form.setRowVisible(self.signer_choice, not signed)
        self.signature_box.setEnabled(detail.writable or signed)
        self.pad.setVisible(not signed)
        self.clear_button.setVisible(not signed)
        self.signature_view.setVisible(signed)
        self.signer_name.setReadOnly(signed)
        if signed:
            self.signer_name.setText(detail.signer_name or "")
            self.signature_view.load(QByteArray((detail.signature_svg or "").encode()))
            self._show_seal(detail)
        else:
            self.pad.clear()
            self._signer_chosen(0)
            self.seal_label.hide()

    def _show_seal(self, detail: FormDetail) -> None:
        who = detail.signer_name or ""
        if detail.signed_on_behalf_by_name:
            who = _("{guardian} (guardian, for {patient})").format(
                guardian=who, patient=detail.row.patient_name
            )
        when = format_datetime(detail.signed_local, SIGNED_PATTERN) if detail.signed_local else ""
        state = (
            _("The form is unchanged since it was signed.")
            if detail.seal_intact
            else _("Warning: the form was changed after it was signed.")
        )
        self.seal_label.setText(
            _("Signed by {who} on {when}.").format(who=who, when=when)
            + f" {state} "
            + _("A signed form cannot be changed.")
        )
        # The seal itself is for support, not for reading: it waits in the tooltip.
        self.seal_label.setToolTip(
            _("Seal, for support: {seal}").format(seal=detail.content_hash or "")
        )
        self.seal_label.show()

    def chosen_signer(self) -> Signer | None:
        # By position, in Python: see the booking dialog on Qt's item data.
        index = self.signer_choice.currentIndex()
        signers = self.detail.signers if self.detail else []
        return signers[index] if 0 <= index < len(signers) else None

    def _signer_chosen(self, _index: int) -> None:
        signer = self.chosen_signer()
        if signer is not None:
            self.signer_name.setText(signer.name)

    # --- editing ---------------------------------------------------------------------------

    def _edited(self) -> None:
        self._dirty = True

    def _pad_changed(self) -> None:
        self.signature_error.hide()

    def answers(self) -> dict[str, Any]:
        """Every field's raw answer as typed (None: no answer)."""
        return {key: editor.value() for key, editor in self.editors.items()}

    def save(self) -> None:
        answers = self._checked(complete=False)
        if answers is None:
            return
        form_id = self.form_id
        self._run(lambda ctx: forms.save_values(ctx, form_id, answers))

    def complete(self) -> None:
        answers = self._checked(complete=True)
        if answers is None:
            return
        form_id = self.form_id
        self._run(lambda ctx: _save_and_complete(ctx, form_id, answers))

    def sign(self) -> None:
        detail = self.detail
        if detail is None:
            return
        answers = self._checked(complete=True)
        svg = "" if self.pad.is_empty else self.pad.to_svg()
        try:
            name, svg = check_signature_input(self.signer_name.text(), svg)
        except InvalidInput as error:
            self._show_errors(list(error.errors))
            return
        if answers is None:
            return
        signer = self.chosen_signer()
        on_behalf = signer.on_behalf_by_person_id if signer is not None else None
        form_id, needs_completing = self.form_id, detail.row.status == FormStatus.CREATED
        edited = self._dirty

        def work(ctx: ServiceContext) -> Outcome[Any]:
            changes = ChangeSet()
            if needs_completing:
                changes.merge(_save_and_complete(ctx, form_id, answers).changes)
            elif edited:
                changes.merge(forms.save_values(ctx, form_id, answers).changes)
            signed = forms.sign(
                ctx,
                form_id,
                signer_name=name,
                signature_svg=svg,
                on_behalf_by_person_id=on_behalf,
            )
            return Outcome(signed.value, changes.merge(signed.changes))

        self._run(work)

    def _checked(self, *, complete: bool) -> dict[str, Any] | None:
        """The answers if the domain accepts them (as they would be saved, or as a complete
        form); otherwise None, with every problem shown beside its field."""
        detail = self.detail
        if detail is None:
            return None
        answers = self.answers()
        errors = _answer_errors(detail, answers, complete=complete)
        if errors:
            self._recheck = complete
            self._show_errors(errors)
            return None
        self._recheck = None
        self._clear_errors()
        return answers

    def _run(self, work: Callable[[ServiceContext], Outcome[Any]]) -> None:
        self._set_busy(True)
        run_operation(self.desk, work, parent=self, on_done=self._saved, on_error=self._failed)

    def _saved(self, outcome: Outcome[Any]) -> None:
        self._set_busy(False)
        self.sig_form_saved.emit(self.form_id)
        self.reload()

    def _failed(self, error: Exception) -> None:
        self._set_busy(False)
        self._explain(error)
        # A completed-then-refused signature leaves a completed form: show what is stored,
        # and the refusal again over it.
        self._refusal = error
        self.reload()

    def _explain(self, error: Exception) -> None:
        if isinstance(error, InvalidInput):
            self._show_errors(list(error.errors))
        else:
            self._show_problem(error)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        writable = self.detail is not None and self.detail.writable
        for button in (self.save_button, self.sign_button):
            button.setEnabled(writable and not busy)
        self.complete_button.setEnabled(
            writable
            and not busy
            and self.detail is not None
            and self.detail.row.status == FormStatus.CREATED
        )

    # --- problems --------------------------------------------------------------------------

    def _show_errors(self, errors: list[FieldError]) -> None:
        """Each problem beside what it is about, and all of them listed above the fields, each
        named by the label the person reads (never by its path)."""
        self._clear_errors()
        named, general, beside_signature = [], [], []
        for error in errors:
            key = error.field.removeprefix("values.")
            if error.field.startswith("values.") and key in self.error_labels:
                label = self.error_labels[key]
                label.setText(_sentence(error.message))
                label.show()
                named.append(_labelled(self.editors[key].spec.label, error.message))
            elif error.field in _SIGNATURE_LABELS:
                # A converted refusal is a whole sentence naming its field already.
                general.append(
                    error.message
                    if error.translated
                    else _labelled(_(_SIGNATURE_LABELS[error.field]), error.message)
                )
                beside_signature.append(_sentence(error.message))
            elif error.field == "values" or error.translated:  # the answers as a whole
                general.append(_sentence(error.message))
            else:
                general.append(_labelled(field_label(error.field), error.message))
        if beside_signature:
            self.signature_error.setText(" ".join(beside_signature))
            self.signature_error.show()
        self.problems.setText(
            _("Please check:") + "\n" + "\n".join(f"• {line}" for line in named + general)
        )
        self.problems.show()

    def _show_problem(self, error: Exception) -> None:
        self.problems.setText(explain(error))
        self.problems.show()

    def _clear_errors(self) -> None:
        self.problems.hide()
        self.signature_error.hide()
        for label in self.error_labels.values():
            label.hide()

    def _on_changed(self, changes: ChangeSet) -> None:
        # Another desk (or an automation) changed this form: show it, unless edits are open.
        # Our own operations reload when they finish.
        if self.form_id in changes.ids(FORM_TABLE) and not (self._dirty or self._busy):
            self.reload()


def _fields_box() -> tuple[QWidget, QFormLayout]:
    box = QWidget()
    rows = QFormLayout()
    column = QVBoxLayout(box)
    column.addLayout(rows)
    column.addStretch(1)  # short forms sit at the top, not spread out
    return box, rows


def open_filler(desk: Desk, form_id: uuid.UUID, parent: QWidget) -> FormFillerDialog:
    """The filler for one form, window-modal over `parent`, gone once closed."""
    dialog = FormFillerDialog(desk, form_id, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def _answer_errors(
    detail: FormDetail, answers: dict[str, Any], *, complete: bool
) -> list[FieldError]:
    """Every problem with the answers at once: bad values, and (when completing) what is
    still missing among the fields whose values are fine."""
    errors: list[FieldError] = []
    try:
        normalised = normalize_values(detail.fields, answers)
    except InvalidInput as error:
        errors.extend(error.errors)
        bad = {e.field for e in error.errors}
        normalised = normalize_values(
            detail.fields, {k: v for k, v in answers.items() if f"values.{k}" not in bad}
        )
    if complete:
        present = {k: v for k, v in normalised.items() if v is not None}
        named = {e.field for e in errors}
        errors.extend(
            e
            for e in completion_errors(detail.row.form_type, detail.fields, present)
            if e.field not in named
        )
    return errors


_SIGNATURE_LABELS = {"signer_name": N_("Signer's name"), "signature_svg": N_("Signature")}
REQUIRED = N_("Required: the form is complete only once this is answered")


def _labelled(label: str, message: str) -> str:
    # Some languages space the colon differently.
    return _("{field}: {message}").format(field=label, message=message)


def _sentence(message: str) -> str:
    """A message read on its own line, beside its field: "Must be a number…"."""
    return message[:1].upper() + message[1:]


def _save_and_complete(
    ctx: ServiceContext, form_id: uuid.UUID, answers: dict[str, Any]
) -> Outcome[Any]:
    """Save the answers, then complete: two transactions, and if completing is refused the
    answers are kept as a draft (a partial save is allowed)."""
    saved = forms.save_values(ctx, form_id, answers)
    completed = forms.complete(ctx, form_id)
    return Outcome(completed.value, ChangeSet().merge(saved.changes).merge(completed.changes))
