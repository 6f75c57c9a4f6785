"""The Patients page: search the people registered; the one selected shows their profile,
their dependents (or who manages them), their appointments and their forms. Enter on an
appointment or a form opens it; on a dependent, shows that person."""

from __future__ import annotations

import html
import uuid

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from frontdesk.gui.appointments.detail import AppointmentDetailDialog
from frontdesk.gui.appointments.list_widgets import RowsTable, SearchBox
from frontdesk.gui.appointments.table_model import RowsTableModel
from frontdesk.gui.booking.dialog import BookingDialog
from frontdesk.gui.desk import Desk, affects
from frontdesk.gui.forms.columns import PERSON_FORM_COLUMNS
from frontdesk.gui.forms.filler import FormFillerDialog, open_filler
from frontdesk.gui.messages import explain
from frontdesk.gui.operations import run_operation
from frontdesk.gui.patients.columns import APPOINTMENT_COLUMNS, PERSON_COLUMNS, born_on
from frontdesk.gui.patients.new_patient import NewPatientDialog
from frontdesk.gui.patients.profile_editor import ProfileEditor
from frontdesk.i18n import _, ngettext
from frontdesk.services.form_views import FormRow
from frontdesk.services.patient_directory import (
    AppointmentRow,
    PatientProfile,
    PersonRow,
    patient_profile,
    search_people,
)
from frontdesk.store.changes import ChangeSet

PAGE_SIZE = 200
WATCHED_TABLES = ("patient_persons", "patients", "appointments", "form_instances")


class PatientsPage(QWidget):
    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.profile: PatientProfile | None = None
        self.setObjectName("patients-page")

        self.search = SearchBox(_("Search patients by name, phone or e-mail (Ctrl+F)"))
        self.search.setObjectName("patients-search")
        self.search.setAccessibleName(_("Search patients"))
        self.new_button = QPushButton(_("&New patient…"))
        self.people_model: RowsTableModel[PersonRow] = RowsTableModel(PERSON_COLUMNS, self)
        self.people = RowsTable(self.people_model)
        self.people.setObjectName("patients-table")
        self.people.setAccessibleName(_("Patients"))
        self.count = QLabel()
        self.count.setObjectName("patients-count")

        self.edit_button = QPushButton(_("&Edit profile…"))
        self.book_button = QPushButton(_("&Book an appointment…"))
        for button in (self.edit_button, self.book_button):
            button.setEnabled(False)
        self.details = QLabel(_("Choose a patient to see their profile."))
        self.details.setObjectName("patient-details")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.appointments_model: RowsTableModel[AppointmentRow] = RowsTableModel(
            APPOINTMENT_COLUMNS, self
        )
        self.appointments = RowsTable(self.appointments_model)
        self.appointments.setObjectName("patient-appointments")
        self.appointments.setAccessibleName(_("The patient's appointments"))
        self.forms_model: RowsTableModel[FormRow] = RowsTableModel(PERSON_FORM_COLUMNS, self)
        self.forms = RowsTable(self.forms_model)
        self.forms.setObjectName("patient-forms")
        self.forms.setAccessibleName(_("The patient's forms"))
        self.dependents_model: RowsTableModel[PersonRow] = RowsTableModel(PERSON_COLUMNS[:4], self)
        self.dependents = RowsTable(self.dependents_model)
        self.dependents.setObjectName("patient-dependents")
        self.dependents.setAccessibleName(_("The patient's dependents"))
        self.tabs = QTabWidget()
        self.tabs.addTab(self.appointments, _("&Appointments"))
        self.tabs.addTab(self.forms, _("F&orms"))
        self.tabs.addTab(self.dependents, _("&Dependents"))

        left = QWidget()
        left_layout = QVBoxLayout(left)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.new_button)
        left_layout.addLayout(top)
        left_layout.addWidget(self.people, 1)
        left_layout.addWidget(self.count)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.details)
        actions = QHBoxLayout()
        actions.addWidget(self.edit_button)
        actions.addWidget(self.book_button)
        actions.addStretch(1)
        right_layout.addLayout(actions)
        right_layout.addWidget(self.tabs, 1)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([700, 600])  # the list's columns fit; the profile takes the rest
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.search.sig_search.connect(lambda _text: self.refresh())
        self.people.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self._selected(current.row())
        )
        self.appointments.sig_row_activated.connect(self.open_appointment)
        self.forms.sig_row_activated.connect(self.open_form)
        self.dependents.sig_row_activated.connect(
            lambda row: row is not None and self.show_person(row.id)
        )
        self.new_button.clicked.connect(self.register_new)
        self.edit_button.clicked.connect(self.edit_profile)
        self.book_button.clicked.connect(self.book)
        desk.signals.sig_changed.connect(self._on_changed)
        self.refresh()

    # --- the list --------------------------------------------------------------------------

    def refresh(self, *, keep_profile: bool = False) -> None:
        """Search again; `keep_profile` keeps the person shown even if the list no longer
        has them (data changed under a search), rather than moving to the first match."""
        text = self.search.text().strip()
        run_operation(
            self.desk,
            lambda ctx: search_people(ctx, text, limit=PAGE_SIZE),
            parent=self,
            on_done=lambda rows: self._show_people(rows, keep_profile=keep_profile),
            on_error=lambda error: self.count.setText(explain(error)),
        )

    def _show_people(self, rows: list[PersonRow], *, keep_profile: bool) -> None:
        shown = self.profile.person.id if self.profile else None
        self.people_model.set_rows(rows)
        count = ngettext("{count} person", "{count} people", len(rows)).format(count=len(rows))
        if len(rows) == PAGE_SIZE:
            count = _("{count} (type more to narrow the list)").format(count=count)
        self.count.setText(count)
        ids = [row.id for row in rows]
        if shown in ids:
            # Selecting again after the reset reloads the profile too.
            self.people.selectRow(ids.index(shown))
        elif keep_profile and shown is not None:
            self.show_person(shown)
        elif rows:
            self.people.selectRow(0)

    def _selected(self, row: int) -> None:
        if 0 <= row < self.people_model.rowCount():
            self.show_person(self.people_model.row_at(row).id)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # --- one person ------------------------------------------------------------------------

    def show_person(self, person_id: uuid.UUID) -> None:
        run_operation(
            self.desk,
            lambda ctx: patient_profile(ctx, person_id),
            parent=self,
            on_done=self._show_profile,
            on_error=lambda error: self.details.setText(explain(error)),
        )

    def _show_profile(self, profile: PatientProfile) -> None:
        self.profile = profile
        person = profile.person
        lines = [f"<h3>{html.escape(person.name)}</h3>"]
        facts = [
            (_("Born"), born_on(person.date_of_birth) or "—"),
            (_("Phone"), person.phone or "—"),
            (_("E-mail"), person.email or "—"),
            (_("City"), ", ".join(x for x in (profile.city, profile.country) if x) or "—"),
            (_("Portal login"), _("asked for") if profile.login_requested else _("no")),
            (
                _("Patient of the clinic"),
                _("yes") if person.is_patient else _("not onboarded yet"),
            ),
        ]
        if person.manager_name:
            facts.append((_("Managed by"), person.manager_name))
        lines.append("<br>".join(f"<b>{label}:</b> {html.escape(value)}" for label, value in facts))
        self.details.setText("".join(lines))
        self.appointments_model.set_rows(profile.appointments)
        self.forms_model.set_rows(profile.forms)
        self.dependents_model.set_rows(profile.dependents)
        for tab, (title, rows) in enumerate(
            (
                (_("&Appointments"), profile.appointments),
                (_("F&orms"), profile.forms),
                (_("&Dependents"), profile.dependents),
            )
        ):
            self.tabs.setTabText(tab, _("{title} ({count})").format(title=title, count=len(rows)))
        self.edit_button.setEnabled(True)
        self.book_button.setEnabled(True)

    def edit_profile(self) -> ProfileEditor | None:
        if self.profile is None:
            return None
        dialog = ProfileEditor(self.desk, self.profile, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def book(self) -> BookingDialog | None:
        if self.profile is None:
            return None
        person = self.profile.person
        dialog = BookingDialog(self.desk, self, patient=(person.id, person.name))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_appointment(self, row: AppointmentRow | None) -> AppointmentDetailDialog | None:
        if row is None:
            return None
        dialog = AppointmentDetailDialog(self.desk, row.id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_form(self, row: FormRow | None) -> FormFillerDialog | None:
        return open_filler(self.desk, row.id, self) if row is not None else None

    def register_new(self) -> NewPatientDialog:
        dialog = NewPatientDialog(self.desk, self, name=self.search.text())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.sig_person_chosen.connect(lambda person_id, _name: self.show_person(person_id))
        dialog.open()
        return dialog

    def _on_changed(self, changes: ChangeSet) -> None:
        if affects(changes, WATCHED_TABLES):
            self.refresh(keep_profile=True)
