"""Create and edit a rule: name and description, the trigger (grouped by lifecycle) and its
settings, the conditions, the ordered actions with an editor for the selected one; a test
panel and a 7-day forecast; save as a draft or save and enable. Problems found when saving are
listed by the field at fault, and nothing is saved until all are fixed."""

from __future__ import annotations

import uuid
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.errors import InvalidInput
from frontdesk.domain.events import EventName
from frontdesk.domain.rules import Variable, catalog_for, validate_rule
from frontdesk.domain.rules.triggers import settings_model
from frontdesk.gui.automations.action_editor import ActionEditor
from frontdesk.gui.automations.actions_list import ACTION_ROLE, ActionsList
from frontdesk.gui.automations.catalog_words import TRIGGER_GROUPS
from frontdesk.gui.automations.condition_builder import ConditionBuilder
from frontdesk.gui.automations.details import DetailsToggle
from frontdesk.gui.automations.dry_run_panel import DryRunPanel
from frontdesk.gui.automations.forecast import ForecastView
from frontdesk.gui.automations.problem_words import raw_lines, sentence, sentences
from frontdesk.gui.automations.tones import problem_colour
from frontdesk.gui.automations.trigger_settings import TriggerSettingsEditor
from frontdesk.gui.operations import run_operation, show_error
from frontdesk.i18n import _
from frontdesk.services import automation_rules
from frontdesk.services.rule_choices import RuleChoices
from frontdesk.store.models import AutomationRule

if TYPE_CHECKING:
    from frontdesk.gui.desk import Desk


def trigger_box(parent: QWidget) -> QComboBox:
    """Triggers under a heading per lifecycle; the headings cannot be picked."""
    box = QComboBox(parent)
    model = box.model()
    assert isinstance(model, QStandardItemModel)
    bold = QFont()
    bold.setBold(True)
    for group, events in TRIGGER_GROUPS:
        box.addItem(_(group))
        heading = model.item(box.count() - 1)
        heading.setEnabled(False)
        heading.setFont(bold)
        for event, label in events:
            box.addItem("    " + _(label), event.value)
            # The stored name, for whoever writes rule files by hand.
            box.setItemData(box.count() - 1, event.value, Qt.ItemDataRole.ToolTipRole)
    return box


class RuleEditor(QWidget):
    sig_saved = Signal(object)
    """A rule was saved (carries the AutomationRule row)."""

    sig_closed = Signal()
    """The admin left the editor (back to the list)."""

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.rule_id: uuid.UUID | None = None
        self._saved_document: dict[str, Any] = {}
        self._choices = RuleChoices()
        self._editing: QListWidgetItem | None = None

        self.name = QLineEdit(self)
        self.name.setObjectName("rule-name")
        self.description = QLineEdit(self)
        self.description.setObjectName("rule-description")
        self.trigger = trigger_box(self)
        self.trigger.setObjectName("rule-trigger")
        self.trigger.setAccessibleName(_("When does this run?"))
        self.trigger.setAccessibleDescription(_("The event or time that starts this rule"))
        self.settings = TriggerSettingsEditor(self)
        self.conditions = ConditionBuilder(self)
        self.conditions.setObjectName("rule-conditions")

        self.action_list = ActionsList(self)
        self.add_action_button = QPushButton(_("&Add action"), self)
        self.add_action_button.setObjectName("add-action")
        self.remove_action_button = QPushButton(_("Remove"), self)
        self.remove_action_button.setObjectName("remove-action")
        self.remove_action_button.setAccessibleName(_("Remove the selected action"))
        self.up_button = QPushButton(_("Move up"), self)
        self.up_button.setAccessibleName(_("Move the selected action up"))
        self.up_button.setToolTip(_("Ctrl+Up in the list"))
        self.down_button = QPushButton(_("Move down"), self)
        self.down_button.setAccessibleName(_("Move the selected action down"))
        self.down_button.setToolTip(_("Ctrl+Down in the list"))
        self.action_editor = ActionEditor(self)
        self.action_editor.setObjectName("action-editor")
        self.action_editor.setEnabled(False)

        self.problems = QLabel(self)
        self.problems.setObjectName("rule-problems")
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet(f"color: {problem_colour().name()};")
        self.problems.hide()
        self.problem_details = DetailsToggle(self)
        self.problem_details.setObjectName("rule-problem-details")
        self.back_button = QPushButton(_("Back to the &list"), self)
        self.draft_button = QPushButton(_("Save as &draft"), self)
        self.draft_button.setObjectName("save-draft")
        self.draft_button.setAccessibleDescription(_("Saves the rule switched off"))
        self.enable_button = QPushButton(_("Save and &enable"), self)
        self.enable_button.setAccessibleDescription(_("Saves the rule and switches it on"))
        self.enable_button.setObjectName("save-enable")
        self.enable_button.setDefault(True)

        self.test_panel = DryRunPanel(desk, self.document, self)
        self.forecast = ForecastView(self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("editor-tabs")
        self.tabs.addTab(self._rule_tab(), _("Rule"))
        self.tabs.addTab(self.test_panel, _("Test"))
        self.tabs.addTab(self.forecast, _("Forecast"))

        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.draft_button)
        buttons.addWidget(self.enable_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.problems)
        layout.addWidget(self.problem_details)
        layout.addLayout(buttons)

        self.trigger.currentIndexChanged.connect(self._trigger_changed)
        self.settings.sig_date_field_changed.connect(self._catalog_changed)
        self.action_list.currentItemChanged.connect(self._current_action_changed)
        self.action_editor.sig_changed.connect(self._commit_action)
        self.add_action_button.clicked.connect(lambda: self.add_action())
        self.remove_action_button.clicked.connect(self._remove_action)
        self.action_list.sig_remove_requested.connect(self._remove_action)
        self.up_button.clicked.connect(lambda: self.action_list.move_current(-1))
        self.down_button.clicked.connect(lambda: self.action_list.move_current(1))
        self.draft_button.clicked.connect(lambda: self.save(enabled=False))
        self.enable_button.clicked.connect(lambda: self.save(enabled=True))
        self.back_button.clicked.connect(self.leave)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.set_trigger(EventName.PATIENT_ONBOARDED.value)

    def _rule_tab(self) -> QWidget:
        about = QFormLayout()
        about.addRow(_("Name *"), self.name)
        about.addRow(_("Description"), self.description)
        about.addRow(_("When does this run? *"), self.trigger)
        about.addRow("", self.settings)
        conditions_box = QGroupBox(_("Only if (conditions)"), self)
        QVBoxLayout(conditions_box).addWidget(self.conditions)

        list_buttons = QHBoxLayout()
        for button in (
            self.add_action_button,
            self.remove_action_button,
            self.up_button,
            self.down_button,
        ):
            list_buttons.addWidget(button)
        list_side = QWidget(self)
        list_layout = QVBoxLayout(list_side)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.addWidget(QLabel(_("In this order (drag to reorder):"), self))
        list_layout.addWidget(self.action_list)
        list_layout.addLayout(list_buttons)
        editor_scroll = QScrollArea(self)
        editor_scroll.setWidgetResizable(True)
        editor_scroll.setWidget(self.action_editor)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(list_side)
        split.addWidget(editor_scroll)
        split.setSizes([320, 520])
        actions_box = QGroupBox(_("Then do (actions)"), self)
        QVBoxLayout(actions_box).addWidget(split)

        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.addLayout(about)
        layout.addWidget(conditions_box)
        layout.addWidget(actions_box, 1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(page)
        return scroll

    # --- context and loading -------------------------------------------------------------------

    def set_choices(self, choices: RuleChoices) -> None:
        """What pickers offer; unchanged choices leave the editor alone (no lost focus)."""
        if choices == self._choices:
            return
        self._choices = choices
        self.test_panel.set_timezone(choices.timezone)
        self.action_editor.set_context(choices, self.catalog())

    def trigger_value(self) -> str:
        return str(self.trigger.currentData() or "")

    def set_trigger(self, trigger: str) -> None:
        self.trigger.setCurrentIndex(self.trigger.findData(trigger))
        self._trigger_changed()

    def catalog(self) -> list[Variable]:
        trigger = EventName(self.trigger_value())
        settings = None
        with suppress(Exception):  # half-filled settings: the catalog of the trigger alone
            settings = settings_model(trigger).model_validate(self.settings.document())
        return catalog_for(trigger, settings)

    def _trigger_changed(self) -> None:
        if not self.trigger_value():
            return
        self.settings.set_trigger(self.trigger_value())
        self._catalog_changed()

    def _catalog_changed(self) -> None:
        """Conditions and templates offer what the trigger (and its settings) provide."""
        catalog = self.catalog()
        self.conditions.set_catalog(catalog)
        self._commit_action()
        self.action_editor.set_context(self._choices, catalog)

    def new_rule(self) -> None:
        self.load(None, {"name": "", "trigger_event": EventName.PATIENT_ONBOARDED.value})

    def load(self, rule_id: uuid.UUID | None, document: dict[str, Any]) -> None:
        """Show a rule (None: a new one) as its document says."""
        self.rule_id = rule_id
        self._editing = None
        self.name.setText(str(document.get("name", "")))
        self.description.setText(str(document.get("description") or ""))
        self.set_trigger(str(document.get("trigger_event", EventName.PATIENT_ONBOARDED.value)))
        self.settings.set_document(dict(document.get("trigger_config") or {}))
        self.conditions.set_catalog(self.catalog())
        self.conditions.set_document(dict(document.get("conditions") or {}))
        self.action_list.set_actions(list(document.get("actions") or []))
        self.action_editor.setEnabled(self.action_list.count() > 0)
        self.problems.hide()
        self.problem_details.clear()
        self.tabs.setCurrentIndex(0)
        self.name.setFocus()
        self._saved_document = self.document()

    # --- actions -------------------------------------------------------------------------------

    def add_action(self, action_type: str = "send_email") -> QListWidgetItem:
        self._commit_action()
        item = self.action_list.add_action({"type": action_type})
        self.action_list.setCurrentItem(item)
        self.action_editor.type_box.setFocus()
        return item

    def _remove_action(self) -> None:
        self._editing = None
        self.action_list.remove_current()
        if self.action_list.count() == 0:
            self.action_editor.setEnabled(False)

    def _current_action_changed(
        self, current: QListWidgetItem | None, previous: QListWidgetItem | None
    ) -> None:
        self._commit_action()
        self._editing = None
        if current is None:
            self.action_editor.setEnabled(False)
            return
        self.action_editor.setEnabled(True)
        self.action_editor.set_action(current.data(ACTION_ROLE) or {"type": "send_email"})
        self._editing = current

    def _commit_action(self) -> None:
        """Keep what the action editor shows in the list item it edits."""
        if self._editing is not None and self.action_list.row(self._editing) >= 0:
            self.action_list.set_item_action(self._editing, self.action_editor.action())

    # --- the document and saving ---------------------------------------------------------------

    def document(self) -> dict[str, Any]:
        """The rule as the rule format writes it: keys left empty stay out."""
        self._commit_action()
        document: dict[str, Any] = {"name": self.name.text().strip()}
        if self.description.text().strip():
            document["description"] = self.description.text().strip()
        document["trigger_event"] = self.trigger_value()
        settings = self.settings.document()
        if settings:
            document["trigger_config"] = settings
        conditions = self.conditions.document()
        if conditions:
            document["conditions"] = conditions
        document["actions"] = self.action_list.actions()
        return document

    def save(self, *, enabled: bool) -> None:
        document = self.document()
        rule_id = self.rule_id
        self.problems.hide()
        self.problem_details.clear()
        run_operation(
            self.desk,
            lambda ctx: automation_rules.save_rule(ctx, document, rule_id=rule_id, enabled=enabled),
            parent=self,
            on_done=lambda outcome: self._saved(outcome.value),
            on_error=self._refused,
        )

    def _saved(self, row: AutomationRule) -> None:
        self.rule_id = row.id
        self._saved_document = self.document()
        self.sig_saved.emit(row)

    def has_unsaved_changes(self) -> bool:
        return self.document() != self._saved_document

    def leave(self) -> QMessageBox | None:
        """Back to the list; unsaved changes are discarded only once the admin agrees."""
        if not self.has_unsaved_changes():
            self.sig_closed.emit()
            return None
        box = QMessageBox(
            QMessageBox.Icon.Question,
            _("Unsaved changes"),
            _("This rule has changes that are not saved. Discard them?"),
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("confirm-discard")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        discard = box.button(QMessageBox.StandardButton.Discard)
        box.buttonClicked.connect(lambda button: button is discard and self.sig_closed.emit())
        box.open()
        return box

    def _refused(self, error: Exception) -> None:
        if not isinstance(error, InvalidInput):
            show_error(self, error)
            return
        document = self.document()
        lines = sentences(error.errors, document)
        self.problems.setText(_("Not saved yet — please fix:") + "\n" + lines)
        self.problems.show()
        self.problem_details.set_text(raw_lines(error.errors))

    def _tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.forecast:
            self.show_forecast()

    def show_forecast(self) -> None:
        try:
            rule = validate_rule(self.document())
        except InvalidInput as error:
            self.forecast.tree.clear()
            problem = sentence(error.errors[0], self.document())
            self.forecast.title.setText(
                _("The rule is not complete yet: {problem}").format(problem=problem)
            )
            return
        self.forecast.show_rules([rule], self.desk.clock.now(), self._choices.timezone)
