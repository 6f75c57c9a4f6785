"""Registering a new patient at the desk, with the likely-duplicate check: when someone
registered looks like the same person, the desk is shown who and why, and either uses that
person or knowingly registers a new one. A duplicate is offered, never silently made."""

from __future__ import annotations

import uuid
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.errors import InvalidInput
from frontdesk.gui.appointments.problem_label import problem_label
from frontdesk.gui.desk import Desk
from frontdesk.gui.messages import explain
from frontdesk.gui.operations import run_operation
from frontdesk.gui.patients.columns import born_on
from frontdesk.i18n import _
from frontdesk.services.context import Outcome, ServiceContext
from frontdesk.services.patients import DuplicateCandidate, DuplicatePerson, register_patient
from frontdesk.store.models import PatientPerson


def parse_date_of_birth(text: str) -> date | None:
    """A typed date of birth (YYYY-MM-DD), None when left blank."""
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput.single("date_of_birth", _("write it as YYYY-MM-DD")) from None


def describe_candidate(candidate: DuplicateCandidate) -> str:
    """One line per likely duplicate: who, and why they were matched."""
    who = candidate.name
    if candidate.date_of_birth:
        who = _("{name}, born {date}").format(name=who, date=born_on(candidate.date_of_birth))
    contact = " · ".join(c for c in (candidate.phone, candidate.email) if c)
    if contact:
        who = f"{who} · {contact}"
    # The service marks its reasons with N_: "phone", "name and date of birth"...
    reasons = _(", ").join(_(reason) for reason in candidate.reasons)
    return _("{who} — same {reasons}").format(who=who, reasons=reasons)


class NewPatientDialog(QDialog):
    sig_person_chosen = Signal(object, str)
    """The person to use: (person id, name) — newly registered or an existing duplicate."""

    def __init__(self, desk: Desk, parent: QWidget | None = None, *, name: str = "") -> None:
        super().__init__(parent)
        self.desk = desk
        self.chosen: tuple[uuid.UUID, str] | None = None
        self.setObjectName("new-patient")
        self.setWindowTitle(_("New patient"))
        first, _space, last = name.strip().partition(" ")
        self.first_name = QLineEdit(first)
        self.last_name = QLineEdit(last)
        self.date_of_birth = QLineEdit()
        self.date_of_birth.setPlaceholderText(_("YYYY-MM-DD"))
        self.phone = QLineEdit()
        self.email = QLineEdit()
        self.city = QLineEdit()
        form = QFormLayout()
        for label, edit, name_ in (
            (_("&First name *"), self.first_name, "first_name"),
            (_("&Last name"), self.last_name, "last_name"),
            (_("&Date of birth"), self.date_of_birth, "date_of_birth"),
            (_("&Phone"), self.phone, "phone"),
            (_("&E-mail"), self.email, "email"),
            (_("&City"), self.city, "city"),
        ):
            edit.setObjectName(f"patient-{name_}")
            form.addRow(label, edit)

        self.problem = problem_label("new-patient-problem")

        self.duplicates_box = QGroupBox(_("Already registered? This may be the same person"))
        self.duplicates = QListWidget()
        self.duplicates.setObjectName("duplicate-candidates")
        self.use_existing = QPushButton(_("&Use the selected person"))
        self.keep_separate = QPushButton(_("&Register as a new person anyway"))
        self.use_existing.setAutoDefault(False)
        self.keep_separate.setAutoDefault(False)
        box_layout = QVBoxLayout(self.duplicates_box)
        box_layout.addWidget(self.duplicates)
        box_layout.addWidget(self.use_existing)
        box_layout.addWidget(self.keep_separate)
        self.duplicates_box.hide()

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.register_button = self.buttons.addButton(
            _("Re&gister"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.rejected.connect(self.reject)
        self.register_button.clicked.connect(lambda: self.register(keep_separate=False))
        self.use_existing.clicked.connect(self._use_selected)
        self.duplicates.itemActivated.connect(lambda _item: self._use_selected())
        self.keep_separate.clicked.connect(lambda: self.register(keep_separate=True))

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.duplicates_box)
        layout.addWidget(self.buttons)

    def register(self, *, keep_separate: bool) -> None:
        try:
            born = parse_date_of_birth(self.date_of_birth.text())
        except InvalidInput as error:
            self._show_problem(error)
            return
        details = {
            "first_name": self.first_name.text(),
            "last_name": self.last_name.text(),
            "email": self.email.text() or None,
            "phone": self.phone.text() or None,
            "date_of_birth": born,
            "city": self.city.text() or None,
        }

        def work(ctx: ServiceContext) -> Outcome[PatientPerson]:
            return register_patient(ctx, keep_separate=keep_separate, **details)

        self.register_button.setEnabled(False)
        run_operation(
            self.desk,
            work,
            parent=self,
            on_done=lambda outcome: self._choose(outcome.value.id, outcome.value.name),
            on_error=self._refused,
        )

    def _refused(self, error: Exception) -> None:
        self.register_button.setEnabled(True)
        if isinstance(error, DuplicatePerson):
            self._offer(error.candidates)
            return
        self._show_problem(error)

    def _offer(self, candidates: tuple[DuplicateCandidate, ...]) -> None:
        self.problem.hide()
        self.duplicates.clear()
        for candidate in candidates:
            item = QListWidgetItem(describe_candidate(candidate))
            item.setData(Qt.ItemDataRole.UserRole, (candidate.person_id, candidate.name))
            self.duplicates.addItem(item)
        self.duplicates.setCurrentRow(0)
        self.duplicates_box.show()
        self.duplicates.setFocus()

    def _use_selected(self) -> None:
        item = self.duplicates.currentItem()
        if item is not None:
            person_id, name = item.data(Qt.ItemDataRole.UserRole)
            self._choose(person_id, name)

    def _choose(self, person_id: uuid.UUID, name: str) -> None:
        self.chosen = (person_id, name)
        self.sig_person_chosen.emit(person_id, name)
        self.accept()

    def _show_problem(self, error: Exception) -> None:
        self.problem.setText(explain(error))
        self.problem.show()
