"""Finding the patient for a booking: search the people registered, or register someone
new (with the likely-duplicate check of `NewPatientDialog`)."""

from __future__ import annotations

import html
import uuid

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from frontdesk.gui.appointments.list_widgets import RowsTable, SearchBox
from frontdesk.gui.appointments.table_model import RowsTableModel
from frontdesk.gui.desk import Desk
from frontdesk.gui.messages import explain
from frontdesk.gui.operations import run_operation
from frontdesk.gui.patients.columns import PERSON_COLUMNS
from frontdesk.gui.patients.new_patient import NewPatientDialog
from frontdesk.i18n import _
from frontdesk.services.patient_directory import PersonRow, search_people

PICKER_ROWS = 50
"""Matches the picker shows: enough to pick from; a longer list means type more."""


class PatientPicker(QWidget):
    sig_person_chosen = Signal(object, str)
    """The patient was chosen: (person id, name); (None, "") when the choice was cleared."""

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.chosen: tuple[uuid.UUID, str] | None = None
        self.search = SearchBox(_("Name, phone or e-mail"))
        self.search.setObjectName("patient-search")
        self.search.setAccessibleName(_("Search patients"))
        self.model: RowsTableModel[PersonRow] = RowsTableModel(PERSON_COLUMNS[:4], self)
        self.table = RowsTable(self.model)
        self.table.setObjectName("patient-matches")
        self.table.setAccessibleName(_("Patients found"))
        self.table.setMinimumHeight(140)
        # Its own key: the booking dialog it sits in has "&Notes".
        self.new_button = QPushButton(_("Ne&w patient…"))
        self.new_button.setAutoDefault(False)
        self.chosen_label = QLabel(_("No patient chosen yet"))
        self.chosen_label.setObjectName("patient-chosen")

        row = QHBoxLayout()
        row.addWidget(self.search, 1)
        row.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.table)
        layout.addWidget(self.chosen_label)

        self.search.sig_search.connect(self.find)
        self.table.sig_row_activated.connect(self._picked)
        self.table.clicked.connect(lambda index: self._picked(self.model.row_at(index.row())))
        self.new_button.clicked.connect(self.register_new)

    def find(self, text: str) -> None:
        if not text:
            self.model.set_rows([])
            return
        run_operation(
            self.desk,
            lambda ctx: search_people(ctx, text, limit=PICKER_ROWS),
            parent=self,
            on_done=self.model.set_rows,
            on_error=lambda error: self.chosen_label.setText(explain(error)),
        )

    def choose(self, person_id: uuid.UUID, name: str) -> None:
        self.chosen = (person_id, name)
        self.chosen_label.setText(_("Patient: {name}").format(name=f"<b>{html.escape(name)}</b>"))
        self.sig_person_chosen.emit(person_id, name)

    def register_new(self) -> NewPatientDialog:
        dialog = NewPatientDialog(self.desk, self, name=self.search.text())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.sig_person_chosen.connect(self.choose)
        dialog.open()
        return dialog

    def _picked(self, row: PersonRow | None) -> None:
        if row is not None:
            self.choose(row.id, row.name)
