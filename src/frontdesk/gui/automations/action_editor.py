"""The editor of one action: its type, the keys of that type (action_fields.FIELDS), and what
every action may have — a description, a delay and its own conditions. `action()` gives the
action as the rule format writes it: only the keys that were filled in."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.rules import ACTION_TYPES, Variable
from frontdesk.gui.automations.action_fields import (
    FIELDS,
    FIXED,
    MAX_DELAY_MINUTES,
    PROFILE_FIELD_NAMES,
    FieldSpec,
    Kind,
)
from frontdesk.gui.automations.catalog_words import (
    action_label,
    option_label,
    profile_field_label,
)
from frontdesk.gui.automations.condition_builder import ConditionBuilder
from frontdesk.gui.automations.template_edit import TemplateLineEdit
from frontdesk.i18n import _
from frontdesk.i18n.formats import format_number
from frontdesk.services.rule_choices import RuleChoices

VARIABLE_EXAMPLE = "{{patient.first_name}}"
"""A template's variable, written the same in every language."""


class VariablesEditor(QWidget):
    """name → template pairs passed to a message template."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._paths: list[str] = []
        self.rows: list[tuple[QLineEdit, TemplateLineEdit, QWidget]] = []
        self._rows_layout = QVBoxLayout()
        self.add_button = QPushButton(_("Add variable"), self)
        self.add_button.setAccessibleDescription(
            _("A named value the message template may use, e.g. the plan's name")
        )
        self.add_button.setObjectName("add-variable")
        self.add_button.clicked.connect(lambda: self.add_row())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._rows_layout)
        layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)

    def set_variables(self, paths: list[str]) -> None:
        self._paths = paths
        for _name, template, _row in self.rows:
            template.set_variables(paths)

    def add_row(self, name: str = "", source: str = "") -> tuple[QLineEdit, TemplateLineEdit]:
        row = QWidget(self)
        name_edit = QLineEdit(name, row)
        name_edit.setPlaceholderText(_("name"))
        name_edit.setAccessibleName(_("Variable name"))
        template = TemplateLineEdit(row)
        template.set_variables(self._paths)
        template.setText(source)
        template.setPlaceholderText(VARIABLE_EXAMPLE)
        template.setAccessibleName(_("Variable value"))
        remove = QPushButton(_("Remove"), row)
        remove.setAccessibleName(_("Remove this variable"))
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(name_edit, 1)
        line.addWidget(template, 3)
        line.addWidget(remove)
        entry = (name_edit, template, row)
        self.rows.append(entry)
        self._rows_layout.addWidget(row)
        remove.clicked.connect(lambda: self._remove(entry))
        name_edit.setFocus()
        return name_edit, template

    def _remove(self, entry: tuple[QLineEdit, TemplateLineEdit, QWidget]) -> None:
        self.rows.remove(entry)
        entry[2].hide()
        self._rows_layout.removeWidget(entry[2])
        entry[2].deleteLater()

    def value(self) -> dict[str, str] | None:
        pairs = {name.text().strip(): t.text() for name, t, _ in self.rows if name.text().strip()}
        return pairs or None

    def set_value(self, value: Any) -> None:
        for entry in list(self.rows):
            self._remove(entry)
        if isinstance(value, dict):
            for name, source in value.items():
                self.add_row(str(name), str(source))


class ProfileFieldsEditor(QListWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        for name in PROFILE_FIELD_NAMES:
            item = QListWidgetItem(profile_field_label(name), self)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setCheckState(Qt.CheckState.Unchecked)
        self.setMaximumHeight(130)
        self.setAccessibleDescription(_("Tick each detail to ask the patient for"))

    def value(self) -> list[str] | None:
        chosen = [
            self.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.count())
            if self.item(i).checkState() == Qt.CheckState.Checked
        ]
        return chosen or None

    def set_value(self, value: Any) -> None:
        wanted = set(value) if isinstance(value, list) else set()
        for i in range(self.count()):
            item = self.item(i)
            checked = item.data(Qt.ItemDataRole.UserRole) in wanted
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)


def _default(words: str) -> str:
    return _("(default: {value})").format(value=words)


def _picker(spec: FieldSpec, choices: RuleChoices, parent: QWidget) -> QComboBox:
    box = QComboBox(parent)
    if not spec.required:
        box.addItem("—", None)
    if spec.kind is Kind.MESSAGE:
        box.setEditable(True)
        assert spec.channel is not None
        for key in choices.message_templates.get(spec.channel, []):
            box.addItem(key, key)
        box.setCurrentIndex(0 if not spec.required else -1)
        return box
    if spec.kind is Kind.CHOICE:
        if not spec.required and spec.default_hint:
            box.setItemText(0, _default(option_label(spec.default_hint)))
        for option in spec.options:
            box.addItem(option_label(option), option)
        return box
    if spec.kind is Kind.YES_NO:
        box.setItemText(0, _default(_("yes") if spec.default_hint == "yes" else _("no")))
        box.addItem(_("yes"), True)
        box.addItem(_("no"), False)
        return box
    found = choices.form_templates if spec.kind is Kind.FORM_TEMPLATE else choices.segments
    for choice in found:
        box.addItem(choice.label, choice.value)
        box.setItemData(box.count() - 1, str(choice.value), Qt.ItemDataRole.ToolTipRole)
    return box


class ActionEditor(QWidget):
    sig_changed = Signal()
    """The action's type or one of its keys changed (the list's summary may change)."""

    def __init__(self, parent: QWidget | None = None, *, nested: bool = False) -> None:
        super().__init__(parent)
        self._choices = RuleChoices()
        self._catalog: list[Variable] = []
        self._nested = nested
        self.type_box = QComboBox(self)
        self.type_box.setObjectName("action-type")
        self.type_box.setAccessibleName(_("What the action does"))
        for action_type in ACTION_TYPES:
            self.type_box.addItem(action_label(action_type), action_type)
        self.fields_box = QWidget(self)
        self.form = QFormLayout(self.fields_box)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.widgets: dict[str, Any] = {}
        self.description = TemplateLineEdit(self)
        self.description.setObjectName("action-description")
        self.description.setPlaceholderText(_("shown in the history and to staff"))
        self.description.setAccessibleName(_("Action description"))
        self.delay = QSpinBox(self)
        self.delay.setObjectName("action-delay")
        self.delay.setRange(0, MAX_DELAY_MINUTES)
        self.delay.setSuffix(" " + _("min"))
        self.delay.setSpecialValueText(_("at once"))
        self.delay.setAccessibleName(_("Delay (minutes)"))
        self.conditions_box = QGroupBox(_("Only when…"), self)
        self.conditions_box.setAccessibleName(_("Only when (the action's own conditions)"))
        self.conditions_box.setObjectName("action-conditions")
        self.conditions_box.setCheckable(True)
        self.conditions_box.setChecked(False)
        self.conditions = ConditionBuilder(self.conditions_box)
        QVBoxLayout(self.conditions_box).addWidget(self.conditions)
        common = QFormLayout()
        common.addRow(_("Description"), self.description)
        common.addRow(_("Delay"), self.delay)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QFormLayout()
        top.addRow(_("Do"), self.type_box)
        layout.addLayout(top)
        layout.addWidget(self.fields_box)
        layout.addLayout(common)
        layout.addWidget(self.conditions_box)
        layout.addStretch(1)
        self.type_box.currentIndexChanged.connect(self._type_changed)
        self.description.textChanged.connect(self.sig_changed)
        self._type_changed()

    # --- context -------------------------------------------------------------------------------

    def set_context(self, choices: RuleChoices, catalog: list[Variable]) -> None:
        """What pickers offer and which variables templates and conditions may use."""
        current = self.action()
        self._choices = choices
        self._catalog = catalog
        self.conditions.set_catalog(catalog)
        self.description.set_variables(_paths(catalog))
        self._type_changed()  # pickers and completions are built from the new context
        self.set_action(current)

    def action_type(self) -> str:
        return str(self.type_box.currentData())

    def set_action_type(self, action_type: str) -> None:
        self.type_box.setCurrentIndex(self.type_box.findData(action_type))

    # --- building ------------------------------------------------------------------------------

    def _type_changed(self) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.widgets = {}
        for spec in FIELDS[self.action_type()]:
            widget = self._make(spec)
            widget.setObjectName(f"field-{spec.name}")
            label = _(spec.label)
            widget.setAccessibleName(label)
            self.widgets[spec.name] = widget
            self.form.addRow(_("{label} *").format(label=label) if spec.required else label, widget)
        self.sig_changed.emit()

    def _make(self, spec: FieldSpec) -> QWidget:
        paths = _paths(self._catalog)
        if spec.kind in {Kind.FORM_TEMPLATE, Kind.SEGMENT, Kind.MESSAGE, Kind.CHOICE, Kind.YES_NO}:
            box = _picker(spec, self._choices, self.fields_box)
            box.currentIndexChanged.connect(self.sig_changed)
            return box
        if spec.kind in {Kind.TEMPLATE, Kind.REFERENCE}:
            edit = TemplateLineEdit(self.fields_box)
            edit.set_variables(paths)
            edit.textChanged.connect(self.sig_changed)
            return edit
        if spec.kind is Kind.KEY:
            return QLineEdit(self.fields_box)
        if spec.kind is Kind.NUMBER:
            spin = QSpinBox(self.fields_box)
            spin.setRange(0, spec.maximum)
            hint = _default(format_number(int(spec.default_hint))) if spec.default_hint else "—"
            spin.setSpecialValueText(hint)
            return spin
        if spec.kind is Kind.VARIABLES:
            variables = VariablesEditor(self.fields_box)
            variables.set_variables(paths)
            return variables
        if spec.kind is Kind.PROFILE_FIELDS:
            return ProfileFieldsEditor(self.fields_box)
        nested = ActionEditor(self.fields_box, nested=True)
        nested.set_context(self._choices, self._catalog)
        nested.sig_changed.connect(self.sig_changed)
        return nested

    # --- reading and writing -------------------------------------------------------------------

    def action(self) -> dict[str, Any]:
        action_type = self.action_type()
        document: dict[str, Any] = {"type": action_type}
        for spec in FIELDS[action_type]:
            value = _read(self.widgets[spec.name], spec)
            if value is not None:
                document[spec.name] = value
        document.update(FIXED.get(action_type, {}))
        if self.description.text().strip():
            document["description"] = self.description.text()
        if self.delay.value():
            document["delay_minutes"] = self.delay.value()
        if self.conditions_box.isChecked():
            conditions = self.conditions.document()
            if conditions:
                document["conditions"] = conditions
        return document

    def set_action(self, document: dict[str, Any]) -> None:
        self.set_action_type(str(document.get("type", ACTION_TYPES[0])))
        for spec in FIELDS[self.action_type()]:
            _write(self.widgets[spec.name], spec, document.get(spec.name))
        self.description.setText(str(document.get("description") or ""))
        self.delay.setValue(int(document.get("delay_minutes") or 0))
        conditions = document.get("conditions") or {}
        self.conditions_box.setChecked(bool(conditions))
        self.conditions.set_document(conditions)


def _paths(catalog: list[Variable]) -> list[str]:
    return [variable.path for variable in catalog]


def _read(widget: Any, spec: FieldSpec) -> Any:
    if isinstance(widget, QComboBox):
        if spec.kind is Kind.MESSAGE:
            text = widget.currentText().strip()
            return None if text in {"", "—"} else text
        return widget.currentData()
    if isinstance(widget, TemplateLineEdit):
        text = widget.text().strip()
        if not text:
            return None
        if spec.kind is Kind.REFERENCE and text.isdigit():
            return int(text)
        return widget.text()
    if isinstance(widget, QSpinBox):
        return widget.value() or None
    if isinstance(widget, QLineEdit):
        return widget.text().strip() or None
    if isinstance(widget, ActionEditor):
        return widget.action()
    return widget.value()


def _write(widget: Any, spec: FieldSpec, value: Any) -> None:
    if isinstance(widget, QComboBox):
        index = widget.findData(value)
        if index < 0 and value is not None:
            label = (
                str(value)
                if spec.kind is Kind.MESSAGE
                else _("{value} (not found)").format(value=value)
            )
            widget.addItem(label, value)
            index = widget.count() - 1
        if spec.kind is Kind.MESSAGE and value is None:
            widget.setCurrentIndex(0 if not spec.required else -1)
            widget.setEditText("" if spec.required else "—")
            return
        widget.setCurrentIndex(max(index, 0) if value is not None or not spec.required else -1)
    elif isinstance(widget, TemplateLineEdit | QLineEdit):
        widget.setText("" if value is None else str(value))
        widget.setCursorPosition(0)  # long templates read from their start
    elif isinstance(widget, QSpinBox):
        widget.setValue(int(value or 0))
    elif isinstance(widget, ActionEditor):
        widget.set_action(value if isinstance(value, dict) else {})
    else:
        widget.set_value(value)
