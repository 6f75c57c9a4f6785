"""Driving the rule editor as an admin would, from what a rule document says: typing names and
templates, picking from the lists, ticking boxes, pressing buttons. Used to build the
specification's examples through the editor alone."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox
from pytestqt.qtbot import QtBot

from frontdesk.domain.rules import Operator
from frontdesk.gui.automations.action_editor import ActionEditor, VariablesEditor
from frontdesk.gui.automations.action_fields import FIELDS, FIXED, Kind
from frontdesk.gui.automations.condition_builder import ConditionGroup
from frontdesk.gui.automations.editor import RuleEditor

COMMON_KEYS = {"type", "description", "delay_minutes", "conditions"}


def click(qtbot: QtBot, button: Any) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def pick(box: QComboBox, value: Any) -> None:
    """Choose the entry holding `value`, as a click in the open list does."""
    index = box.findData(value)
    assert index >= 0, f"{value!r} is not offered by {box.objectName()}"
    box.setCurrentIndex(index)
    box.activated.emit(index)


def type_text(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    """Typed key by key; a character no key produces (—, ă) is entered as a keyboard layout
    or a paste would, at the cursor."""
    edit.setFocus()
    edit.clear()
    for char in text:
        if char.isascii():
            qtbot.keyClicks(edit, char)
        else:
            edit.insert(char)


def build_rule(qtbot: QtBot, editor: RuleEditor, document: dict[str, Any]) -> None:
    type_text(qtbot, editor.name, document["name"])
    if document.get("description"):
        type_text(qtbot, editor.description, document["description"])
    pick(editor.trigger, document["trigger_event"])
    fill_settings(editor, document.get("trigger_config", {}))
    fill_conditions(qtbot, editor.conditions.root, document.get("conditions", {}))
    for action in document["actions"]:
        click(qtbot, editor.add_action_button)
        fill_action(qtbot, editor.action_editor, action)


def fill_settings(editor: RuleEditor, config: dict[str, Any]) -> None:
    settings = editor.settings
    if "hours_before" in config:
        settings.hours_before.setValue(config["hours_before"])
    if "time" in config:
        settings.time.setTime(QTime.fromString(config["time"], "HH:mm"))
    if "weekday" in config:
        pick(settings.weekday, config["weekday"])


def fill_conditions(qtbot: QtBot, group: ConditionGroup, conditions: dict[str, Any]) -> None:
    """Rows for an all-of document of attribute conditions (what the examples hold)."""
    for path, value in conditions.items():
        tests = value if isinstance(value, dict) else {"eq": value}
        for op, expected in tests.items():
            click(qtbot, group.add_row_button)
            row = group.items[-1]
            pick(row.attribute, path)
            pick(row.operator, Operator(op).value)
            set_value(qtbot, row.value.editor, expected)


def set_value(qtbot: QtBot, editor: Any, value: Any) -> None:
    if isinstance(editor, QComboBox):
        pick(editor, value)
    elif isinstance(editor, QSpinBox | QDoubleSpinBox):
        editor.setValue(value)
    else:
        type_text(qtbot, editor, str(value))


def fill_action(qtbot: QtBot, editor: ActionEditor, action: dict[str, Any]) -> None:
    pick(editor.type_box, action["type"])
    for spec in FIELDS[action["type"]]:
        if spec.name not in action or spec.name in FIXED.get(action["type"], {}):
            continue
        widget = editor.widgets[spec.name]
        value = action[spec.name]
        if spec.kind is Kind.VARIABLES:
            fill_variables(qtbot, widget, value)
        elif spec.kind is Kind.NESTED_ACTION:
            fill_action(qtbot, widget, value)
        elif isinstance(widget, QComboBox):
            pick(widget, value)
        elif isinstance(widget, QSpinBox):
            widget.setValue(value)
        else:
            type_text(qtbot, widget, str(value))
    if "description" in action:
        type_text(qtbot, editor.description, action["description"])
    if "delay_minutes" in action:
        editor.delay.setValue(action["delay_minutes"])
    if "conditions" in action:
        editor.conditions_box.setChecked(True)
        fill_conditions(qtbot, editor.conditions.root, action["conditions"])


def fill_variables(qtbot: QtBot, widget: VariablesEditor, variables: dict[str, str]) -> None:
    for name, source in variables.items():
        click(qtbot, widget.add_button)
        name_edit, template = widget.rows[-1][0], widget.rows[-1][1]
        type_text(qtbot, name_edit, name)
        type_text(qtbot, template, source)
