"""The Services page: every service of the clinic, searched from a box; new, edit, retire and
bring back. The clinic's admins set services up (`services.service_setup` refuses anyone
else), so the navigation lists the page on an admin's desk only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from frontdesk.gui.automations.list_model import SearchableTable
from frontdesk.gui.desk import affects
from frontdesk.gui.operations import run_operation
from frontdesk.gui.services_admin.editor import ServiceEditor
from frontdesk.gui.services_admin.model import RECORD_ROLE, ServicesTableModel
from frontdesk.i18n import _
from frontdesk.services import service_setup
from frontdesk.services.context import ServiceContext
from frontdesk.services.service_setup import ServiceChoices, ServiceRecord
from frontdesk.store.changes import ChangeSet

if TYPE_CHECKING:
    from frontdesk.gui.desk import Desk

TABLES = ("services", "service_specialists", "service_forms", "specialists", "form_templates")


def _load(ctx: ServiceContext) -> tuple[list[ServiceRecord], ServiceChoices]:
    return service_setup.list_services(ctx), service_setup.service_choices(ctx)


class ServicesPage(QWidget):
    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.records: list[ServiceRecord] = []
        self.choices = ServiceChoices((), ())
        self.editor: ServiceEditor | None = None
        self.search = QLineEdit(self)
        self.search.setObjectName("search")
        self.search.setPlaceholderText(_("Search services…"))
        self.search.setAccessibleName(_("Search services"))
        self.show_retired = QCheckBox(_("&Show retired services"), self)
        self.show_retired.setObjectName("services-show-retired")
        self.show_retired.setChecked(True)
        self.model = ServicesTableModel(self)
        self.table = SearchableTable(self.model, self.search, self)
        self.table.setObjectName("services-table")
        self.table.setAccessibleName(_("Services"))
        self.new_button = QPushButton(_("&New service…"), self)
        self.new_button.setObjectName("service-new")
        self.edit_button = QPushButton(_("&Edit…"), self)
        self.edit_button.setObjectName("service-edit")
        self.retire_button = QPushButton(_("&Retire"), self)
        self.retire_button.setObjectName("service-retire")
        self.restore_button = QPushButton(_("&Bring back"), self)
        self.restore_button.setObjectName("service-restore")

        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        filters.addWidget(self.show_retired)
        actions = QHBoxLayout()
        for button in (self.new_button, self.edit_button, self.retire_button, self.restore_button):
            actions.addWidget(button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)

        self.show_retired.toggled.connect(lambda _checked: self._show_rows())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._enable())
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.new_button.clicked.connect(self.new_service)
        self.edit_button.clicked.connect(self.edit_selected)
        self.retire_button.clicked.connect(lambda: self._set_retired(True))
        self.restore_button.clicked.connect(lambda: self._set_retired(False))
        desk.signals.sig_changed.connect(self._changed)
        self._enable()
        self.refresh()

    def refresh(self) -> None:
        run_operation(self.desk, _load, parent=self, on_done=self._loaded)

    def _loaded(self, loaded: tuple[list[ServiceRecord], ServiceChoices]) -> None:
        self.records, self.choices = loaded
        self._show_rows()

    def _show_rows(self) -> None:
        current = self.selected()
        shown = [r for r in self.records if self.show_retired.isChecked() or not r.retired]
        self.model.replace(shown)
        row = next((n for n, r in enumerate(shown) if current and r.id == current.id), 0)
        if self.table.proxy.rowCount():
            self.table.selectRow(min(row, self.table.proxy.rowCount() - 1))
        self._enable()

    def focus_search(self) -> None:
        """Ctrl+F: the search box."""
        self.search.setFocus()
        self.search.selectAll()

    def selected(self) -> ServiceRecord | None:
        index = self.table.selectionModel().currentIndex()
        if not index.isValid():
            return None
        record = index.data(RECORD_ROLE)
        return record if isinstance(record, ServiceRecord) else None

    def _enable(self) -> None:
        record = self.selected()
        self.edit_button.setEnabled(record is not None)
        self.retire_button.setEnabled(record is not None and not record.retired)
        self.restore_button.setEnabled(record is not None and record.retired)

    def new_service(self) -> ServiceEditor:
        return self._open(None)

    def edit_selected(self) -> ServiceEditor | None:
        record = self.selected()
        return self._open(record) if record is not None else None

    def _open(self, record: ServiceRecord | None) -> ServiceEditor:
        self.editor = ServiceEditor(self.desk, self.choices, record, self)
        self.editor.open()
        return self.editor

    def _set_retired(self, retired: bool) -> None:
        record = self.selected()
        if record is None:
            return
        service_id = record.id
        change = service_setup.retire_service if retired else service_setup.restore_service
        run_operation(
            self.desk,
            lambda ctx: change(ctx, service_id),
            parent=self,
            on_done=lambda _outcome: None,  # the change signal reloads the list
        )

    def _changed(self, changes: ChangeSet) -> None:
        if affects(changes, TABLES):
            self.refresh()
