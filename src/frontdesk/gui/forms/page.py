"""The Forms page: every form the person at the desk may see, newest first, searchable by
title or patient and filtered by status; Enter opens one in the filler."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from frontdesk.domain.enums import FormStatus
from frontdesk.gui.appointments.list_widgets import RowsTable, SearchBox
from frontdesk.gui.appointments.table_model import RowsTableModel
from frontdesk.gui.desk import Desk, affects
from frontdesk.gui.forms.columns import ALL_FORMS_COLUMNS
from frontdesk.gui.forms.filler import FormFillerDialog, open_filler
from frontdesk.gui.messages import explain
from frontdesk.gui.operations import run_operation
from frontdesk.i18n import N_, _, ngettext
from frontdesk.i18n.formats import format_number
from frontdesk.services.form_views import FormRow, list_forms
from frontdesk.store.changes import ChangeSet

PAGE_SIZE = 500
"""Rows one search loads: a page of the newest matches, not the whole table."""

STATUS_FILTERS: list[tuple[str, tuple[FormStatus, ...] | None]] = [
    (N_("Not signed yet"), (FormStatus.CREATED, FormStatus.COMPLETED)),
    (N_("All"), None),
    (N_("To fill in"), (FormStatus.CREATED,)),
    (N_("Filled in, to sign"), (FormStatus.COMPLETED,)),
    (N_("Signed"), (FormStatus.SIGNED,)),
]
"""The status filter's choices (marked here, translated when shown)."""

WATCHED_TABLES = ("form_instances", "patient_persons")


class FormsPage(QWidget):
    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.setObjectName("forms-page")
        self.search = SearchBox(_("Search forms by title or patient (Ctrl+F)"))
        self.search.setAccessibleName(_("Search forms"))
        self.search.setObjectName("forms-search")
        self.status = QComboBox()
        self.status.setObjectName("forms-status")
        # A list is read by its current choice unless it is named.
        self.status.setAccessibleName(_("Show forms"))
        for label, _statuses in STATUS_FILTERS:
            self.status.addItem(_(label))
        status_label = QLabel(_("&Status"))
        status_label.setBuddy(self.status)
        self.model: RowsTableModel[FormRow] = RowsTableModel(ALL_FORMS_COLUMNS, self)
        self.table = RowsTable(self.model)
        self.table.setObjectName("forms-table")
        self.table.setAccessibleName(_("Forms"))
        self.open_button = QPushButton(_("&Open form"))
        self.count = QLabel()
        self.count.setObjectName("forms-count")

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(status_label)
        top.addWidget(self.status)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)
        bottom.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

        self.search.sig_search.connect(lambda _text: self.refresh())
        self.status.currentIndexChanged.connect(lambda _index: self.refresh())
        self.table.sig_row_activated.connect(self.open_form)
        self.open_button.clicked.connect(lambda: self.open_form(self.table.current_row()))
        desk.signals.sig_changed.connect(self._on_changed)
        self.refresh()

    def refresh(self) -> None:
        text = self.search.text().strip()
        statuses = STATUS_FILTERS[max(self.status.currentIndex(), 0)][1]
        run_operation(
            self.desk,
            lambda ctx: list_forms(ctx, text=text, statuses=statuses, limit=PAGE_SIZE),
            parent=self,
            on_done=self._show,
            on_error=self._problem,
        )

    def _show(self, rows: list[FormRow]) -> None:
        self.model.set_rows(rows)
        count = ngettext("{count} form", "{count} forms", len(rows))
        text = count.format(count=format_number(len(rows)))
        if len(rows) == PAGE_SIZE:
            text = _("{count} (the newest; narrow the search to see others)").format(count=text)
        self.count.setText(text)
        if rows and not self.table.currentIndex().isValid():
            self.table.selectRow(0)

    def _problem(self, error: Exception) -> None:
        self.count.setText(explain(error))

    def open_form(self, row: FormRow | None) -> FormFillerDialog | None:
        return open_filler(self.desk, row.id, self) if row is not None else None

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _on_changed(self, changes: ChangeSet) -> None:
        if affects(changes, WATCHED_TABLES):
            self.refresh()
