"""The Automations page: the rule list (search, enable toggle, import and export of rule files
in the specification's JSON), the rule editor, the forecast of time-based rules and the
execution history."""

from __future__ import annotations

import json
import uuid
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from frontdesk.automation.week_ahead import PlannedFiring, week_ahead
from frontdesk.domain.errors import InvalidInput
from frontdesk.domain.rules.schema import load_json
from frontdesk.gui.automations.catalog_words import TIME_BASED
from frontdesk.gui.automations.editor import RuleEditor
from frontdesk.gui.automations.forecast import FORECAST_DAYS, ForecastView
from frontdesk.gui.automations.history import HistoryTab
from frontdesk.gui.automations.problem_words import raw_lines, sentences
from frontdesk.gui.automations.rules_model import (
    RULE_ID_ROLE,
    SEARCH_ROLE,
    RuleRow,
    RulesTableModel,
)
from frontdesk.gui.desk import affects
from frontdesk.gui.operations import ERROR_BOX_NAME, run_operation, show_error
from frontdesk.i18n import N_, _, ngettext
from frontdesk.services import automation_rules
from frontdesk.services.context import Outcome, ServiceContext
from frontdesk.services.rule_choices import RuleChoices, rule_choices
from frontdesk.store.changes import ChangeSet

if TYPE_CHECKING:
    from frontdesk.gui.desk import Desk

WATCHED_TABLES = ("automation_rules", "automation_executions", "form_templates", "segments")


@dataclass(frozen=True)
class _Loaded:
    rows: list[RuleRow]
    choices: RuleChoices
    firings: list[PlannedFiring]


def _load(ctx: ServiceContext) -> _Loaded:
    rows = [RuleRow.of(row) for row in automation_rules.list_rules(ctx)]
    return _Loaded(rows, rule_choices(ctx), week_ahead(ctx, days=FORECAST_DAYS))


def _import_file(ctx: ServiceContext, path: Path) -> Outcome[Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        message = _("cannot read {file}: {error}").format(file=path.name, error=error)
        raise InvalidInput.single("file", message) from None
    return automation_rules.import_rules(ctx, load_json(text))


def _export_file(ctx: ServiceContext, path: Path) -> int:
    documents = automation_rules.export_rules(ctx)
    try:
        path.write_text(json.dumps(documents, indent=2, ensure_ascii=False) + "\n", "utf-8")
    except OSError as error:
        message = _("cannot write {file}: {error}").format(file=path.name, error=error)
        raise InvalidInput.single("file", message) from None
    return len(documents)


_IMPORT_OUTCOMES = {
    "created": N_("new"),
    "updated": N_("updated"),
    "unchanged": N_("unchanged"),
}


def imported_words(entries: list[automation_rules.ImportedRule], file: str) -> str:
    """ "Imported 2 rules from all.json: Welcome (new), Reminder (unchanged)"."""
    names = ", ".join(
        _("{name} ({outcome})").format(name=e.rule.name, outcome=_(_IMPORT_OUTCOMES[e.outcome]))
        for e in entries
    )
    count = len(entries)
    return ngettext(
        "Imported {count} rule from {file}: {names}",
        "Imported {count} rules from {file}: {names}",
        count,
    ).format(count=count, file=file, names=names)


class AutomationsPage(QWidget):
    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.choices = RuleChoices()

        self.search = QLineEdit(self)
        self.search.setObjectName("rules-search")
        self.search.setPlaceholderText(_("Search rules by name or trigger…"))
        self.search.setAccessibleName(_("Search rules"))
        self.search.setClearButtonEnabled(True)
        self.model = RulesTableModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterRole(SEARCH_ROLE)
        self.proxy.setFilterKeyColumn(0)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.table = QTableView(self)
        self.table.setObjectName("rules-table")
        self.table.setAccessibleName(_("Rules"))
        self.table.setAccessibleDescription(
            _("Press Enter to edit the selected rule; tick Enabled to switch it on or off.")
        )
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.new_button = QPushButton(_("&New rule"), self)
        self.new_button.setObjectName("new-rule")
        self.edit_button = QPushButton(_("&Edit"), self)
        self.edit_button.setObjectName("edit-rule")
        self.delete_button = QPushButton(_("&Delete…"), self)
        self.delete_button.setObjectName("delete-rule")
        self.import_button = QPushButton(_("&Import…"), self)
        self.import_button.setObjectName("import-rules")
        self.export_button = QPushButton(_("E&xport…"), self)
        self.export_button.setObjectName("export-rules")
        self.status = QLabel(self)
        self.status.setObjectName("rules-status")

        self.editor = RuleEditor(desk, self)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self._list_page())
        self.stack.addWidget(self.editor)
        self.history = HistoryTab(desk, self)
        self.forecast = ForecastView(self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("automations-tabs")
        self.tabs.addTab(self.stack, _("Rules"))
        self.tabs.addTab(self.history, _("History"))
        self.tabs.addTab(self.forecast, _("Next 7 days"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)

        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.table.activated.connect(lambda _index: self.edit_selected())
        self.new_button.clicked.connect(self.new_rule)
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button.clicked.connect(self.confirm_delete)
        self.import_button.clicked.connect(self._choose_import)
        self.export_button.clicked.connect(self._choose_export)
        self.model.sig_enable_requested.connect(self.set_enabled)
        self.editor.sig_saved.connect(self._saved)
        self.editor.sig_closed.connect(self.show_list)
        self.tabs.currentChanged.connect(self._tab_changed)
        desk.signals.sig_changed.connect(self._changed)
        self.refresh()

    def _list_page(self) -> QWidget:
        page = QWidget(self)
        buttons = QHBoxLayout()
        for button in (self.new_button, self.edit_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.export_button)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        return page

    # --- loading -------------------------------------------------------------------------------

    def focus_search(self) -> None:
        """Ctrl+F: the search box of the list on show (the rule editor has none)."""
        if self.tabs.currentWidget() is self.history:
            search = self.history.search
        elif self.tabs.currentWidget() is self.stack and self.stack.currentIndex() == 0:
            search = self.search
        else:
            return
        search.setFocus()
        search.selectAll()

    def refresh(self) -> None:
        run_operation(self.desk, _load, parent=self, on_done=self._show)

    def _show(self, loaded: _Loaded) -> None:
        self.choices = loaded.choices
        self.model.set_rows(loaded.rows)
        self.editor.set_choices(loaded.choices)
        zone = ZoneInfo(loaded.choices.timezone)
        self.history.set_zone(zone)
        self.history.set_rules([(row.id, row.name) for row in loaded.rows])
        timed = [(row.name, row.trigger) for row in loaded.rows if row.enabled]
        self.forecast.show_planned(
            [(name, trigger) for name, trigger in timed if trigger in TIME_BASED], loaded.firings
        )
        if self.tabs.currentWidget() is self.history:
            self.history.refresh()

    def _changed(self, changes: ChangeSet) -> None:
        if affects(changes, WATCHED_TABLES):
            self.refresh()

    def _tab_changed(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.history:
            self.history.refresh()

    # --- the list ------------------------------------------------------------------------------

    def selected_rule(self) -> RuleRow | None:
        index = self.table.selectionModel().currentIndex()
        if not index.isValid():
            return None
        rule_id = index.data(RULE_ID_ROLE)
        return next((row for row in self.model.rows if row.id == rule_id), None)

    def new_rule(self) -> None:
        self.editor.new_rule()
        self.stack.setCurrentWidget(self.editor)

    def edit_selected(self) -> None:
        row = self.selected_rule()
        if row is None:
            return
        self.editor.load(row.id, row.document)
        self.stack.setCurrentWidget(self.editor)

    def confirm_delete(self) -> QMessageBox | None:
        """Ask before retiring the selected rule (its history stays)."""
        row = self.selected_rule()
        if row is None:
            return None
        box = QMessageBox(
            QMessageBox.Icon.Question,
            _("Delete rule"),
            _("Delete the rule “{name}”? It stops running; its history is kept.").format(
                name=row.name
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setObjectName("confirm-delete-rule")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        rule_id = row.id
        box.accepted.connect(lambda: self.delete_rule(rule_id))
        box.open()
        return box

    def delete_rule(self, rule_id: uuid.UUID) -> None:
        run_operation(
            self.desk,
            lambda ctx: automation_rules.delete_rule(ctx, rule_id),
            parent=self,
            on_done=lambda outcome: self.status.setText(
                _("Deleted {name}.").format(name=outcome.value.name)
            ),
        )

    def show_list(self) -> None:
        self.stack.setCurrentIndex(0)
        self.table.setFocus()

    def set_enabled(self, rule_id: uuid.UUID, enabled: bool) -> None:
        run_operation(
            self.desk,
            lambda ctx: automation_rules.set_enabled(ctx, rule_id, enabled),
            parent=self,
            on_done=lambda _outcome: None,  # the change signal reloads the list
        )

    def _saved(self, _row: object) -> None:
        self.status.setText(_("Saved."))
        self.show_list()

    # --- files ---------------------------------------------------------------------------------

    def _choose_import(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Import rules"), "", _("Rules ({pattern})").format(pattern="*.json")
        )
        if path:
            self.import_file(Path(path))

    def _choose_export(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Export rules"), "rules.json", _("Rules ({pattern})").format(pattern="*.json")
        )
        if path:
            self.export_file(Path(path))

    def import_file(self, path: Path) -> None:
        run_operation(
            self.desk,
            lambda ctx: _import_file(ctx, path),
            parent=self,
            on_done=lambda outcome: self.status.setText(imported_words(outcome.value, path.name)),
            on_error=lambda error: self._import_refused(error, path),
        )

    def _import_refused(self, error: Exception, path: Path) -> QMessageBox:
        """A refused file's problems in words, each rule and action named; the paths the
        rule layer gives stay behind the box's details."""
        if not isinstance(error, InvalidInput):
            return show_error(self, error)
        documents = None
        with suppress(OSError, UnicodeDecodeError, InvalidInput):  # named by the file's kinds
            documents = load_json(path.read_text(encoding="utf-8"))
        problems = sentences(error.errors, documents)
        text = _("Nothing was imported. Please fix the file:") + "\n" + problems
        box = QMessageBox(QMessageBox.Icon.Warning, _("Import rules"), text, parent=self)
        box.setObjectName(ERROR_BOX_NAME)
        box.setDetailedText(raw_lines(error.errors))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    def export_file(self, path: Path) -> None:
        run_operation(
            self.desk,
            lambda ctx: _export_file(ctx, path),
            parent=self,
            on_done=lambda count: self.status.setText(
                ngettext(
                    "Exported {count} rule to {file}.", "Exported {count} rules to {file}.", count
                ).format(count=count, file=path.name)
            ),
        )
