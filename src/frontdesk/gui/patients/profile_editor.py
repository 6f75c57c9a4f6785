"""Correcting a person's profile at the desk: names, contact details, date of birth, city and
country, saved through `services.profiles.update_profile` (every bad field named at once)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.errors import InvalidInput
from frontdesk.gui.appointments.problem_label import problem_label
from frontdesk.gui.desk import Desk
from frontdesk.gui.messages import explain
from frontdesk.gui.operations import run_operation
from frontdesk.gui.patients.new_patient import parse_date_of_birth
from frontdesk.i18n import _
from frontdesk.services.context import Outcome, ServiceContext
from frontdesk.services.patient_directory import PatientProfile
from frontdesk.services.profiles import update_profile
from frontdesk.store.models import PatientPerson


class ProfileEditor(QDialog):
    sig_saved = Signal(object)
    """The profile was saved: carries the person's id."""

    def __init__(self, desk: Desk, profile: PatientProfile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.person_id = profile.person.id
        self.setObjectName("profile-editor")
        self.setWindowTitle(_("Profile — {name}").format(name=profile.person.name))
        person = profile.person
        self.first_name = QLineEdit(profile.first_name)
        self.last_name = QLineEdit(profile.last_name)
        self.date_of_birth = QLineEdit(
            person.date_of_birth.isoformat() if person.date_of_birth else ""
        )
        self.date_of_birth.setPlaceholderText(_("YYYY-MM-DD"))
        self.phone = QLineEdit(person.phone or "")
        self.email = QLineEdit(person.email or "")
        self.city = QLineEdit(profile.city or "")
        self.country = QLineEdit(profile.country or "")
        self.country.setPlaceholderText(_("two letters, e.g. RO"))
        self.country.setMaxLength(2)
        form = QFormLayout()
        for label, edit in (
            (_("&First name *"), self.first_name),
            (_("&Last name"), self.last_name),
            (_("&Date of birth"), self.date_of_birth),
            (_("&Phone"), self.phone),
            (_("&E-mail"), self.email),
            (_("&City"), self.city),
            (_("C&ountry"), self.country),
        ):
            form.addRow(label, edit)
        self.problem = problem_label("profile-problem")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(_("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)

    def save(self) -> None:
        try:
            born = parse_date_of_birth(self.date_of_birth.text())
        except InvalidInput as error:
            self._show_problem(error)
            return
        person_id = self.person_id
        details = {
            "first_name": self.first_name.text(),
            "last_name": self.last_name.text(),
            "email": self.email.text() or None,
            "phone": self.phone.text() or None,
            "date_of_birth": born,
            "city": self.city.text() or None,
            "country": self.country.text() or None,
        }

        def work(ctx: ServiceContext) -> Outcome[PatientPerson]:
            return update_profile(ctx, person_id, **details)

        self.buttons.setEnabled(False)
        run_operation(self.desk, work, parent=self, on_done=self._saved, on_error=self._refused)

    def _saved(self, _outcome: Outcome[PatientPerson]) -> None:
        self.sig_saved.emit(self.person_id)
        self.accept()

    def _refused(self, error: Exception) -> None:
        self.buttons.setEnabled(True)
        self._show_problem(error)

    def _show_problem(self, error: Exception) -> None:
        self.problem.setText(explain(error))
        self.problem.show()
