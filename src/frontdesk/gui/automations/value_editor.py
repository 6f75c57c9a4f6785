"""The value side of a condition, as an editor of the attribute's type: a spin box for numbers,
a yes/no choice for booleans, a date picker for dates, a list of the allowed values for a text
attribute with a fixed set, a comma-separated list for "is one of"."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QHBoxLayout,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from frontdesk.domain.rules import Operator, Variable, VarType
from frontdesk.domain.rules.conditions import LIST_OPERATORS
from frontdesk.gui.automations.catalog_words import choice_label
from frontdesk.i18n import _

LIMIT = 1_000_000_000
DATETIME_EXAMPLE = "2026-03-01T09:00:00+02:00"
"""What a date and time looks like in a condition (ISO 8601, the same in every language)."""


class ValueEditor(QWidget):
    """Holds one inner editor, rebuilt when the attribute or the operator changes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._variable: Variable | None = None
        self._op = Operator.EQ
        self.editor: QWidget = self._named(QLineEdit(self))
        self._layout.addWidget(self.editor)

    def configure(self, variable: Variable | None, op: Operator) -> None:
        if variable == self._variable and op == self._op:
            return
        kept = self._text_value()
        self._variable, self._op = variable, op
        _discard(self.editor)
        self.editor = self._make_editor()
        self._layout.addWidget(self.editor)
        if kept is not None:
            self.set_value(kept)

    def _make_editor(self) -> QWidget:
        variable, op = self._variable, self._op
        kind = variable.type if variable else VarType.STR
        if op is Operator.EXISTS or (kind is VarType.BOOL and op not in LIST_OPERATORS):
            box = QComboBox(self)
            box.addItem(_("yes"), True)
            box.addItem(_("no"), False)
            return self._named(box)
        if op in LIST_OPERATORS:
            edit = QLineEdit(self)
            edit.setPlaceholderText(_("values separated by commas"))
            return self._named(edit)
        if variable is not None and variable.choices:
            box = QComboBox(self)
            for choice in variable.choices:
                box.addItem(choice_label(choice), choice)
            return self._named(box)
        if kind is VarType.INT:
            spin = QSpinBox(self)
            spin.setRange(-LIMIT, LIMIT)
            return self._named(spin)
        if kind is VarType.FLOAT:
            double = QDoubleSpinBox(self)
            double.setRange(-LIMIT, LIMIT)
            double.setDecimals(3)
            double.setSingleStep(0.1)
            return self._named(double)
        if kind is VarType.DATE:
            date = QDateEdit(self)
            date.setCalendarPopup(True)
            date.setDisplayFormat("yyyy-MM-dd")
            return self._named(date)
        edit = QLineEdit(self)
        if kind is VarType.DATETIME:
            edit.setPlaceholderText(DATETIME_EXAMPLE)
        return self._named(edit)

    def _named(self, editor: QWidget) -> QWidget:
        editor.setAccessibleName(_("Condition: the value compared with"))
        return editor

    def value(self) -> Any:
        editor = self.editor
        kind = self._variable.type if self._variable else VarType.STR
        if isinstance(editor, QComboBox):
            return editor.currentData()
        if isinstance(editor, QSpinBox):
            return editor.value()
        if isinstance(editor, QDoubleSpinBox):
            return round(editor.value(), 6)
        if isinstance(editor, QDateEdit):
            return editor.date().toString("yyyy-MM-dd")
        assert isinstance(editor, QLineEdit)
        if self._op in LIST_OPERATORS:
            items = [part.strip() for part in editor.text().split(",") if part.strip()]
            return [_typed(kind, item) for item in items]
        return _typed(kind, editor.text().strip())

    def set_value(self, value: Any) -> None:
        editor = self.editor
        if isinstance(editor, QComboBox):
            index = editor.findData(value)
            if index >= 0:
                editor.setCurrentIndex(index)
        elif isinstance(editor, QSpinBox) and isinstance(value, int | float):
            editor.setValue(int(value))
        elif isinstance(editor, QDoubleSpinBox) and isinstance(value, int | float):
            editor.setValue(float(value))
        elif isinstance(editor, QDateEdit) and isinstance(value, str):
            editor.setDate(QDate.fromString(value, "yyyy-MM-dd"))
        elif isinstance(editor, QLineEdit):
            if isinstance(value, list | tuple):
                editor.setText(", ".join(str(item) for item in value))
            else:
                editor.setText("" if value is None else str(value))

    def _text_value(self) -> Any:
        """What the current editor holds, kept across a change of operator when it fits."""
        if isinstance(self.editor, QLineEdit) and self.editor.text().strip():
            return self.value()
        return None


def _discard(widget: QWidget) -> None:
    """Out of sight and out of the layout now; deleted when the event loop next runs."""
    widget.hide()
    widget.setParent(None)
    widget.deleteLater()


def _typed(kind: VarType, text: str) -> Any:
    """Ids and numbers typed as text become numbers when they are numbers."""
    if kind in {VarType.INT, VarType.ID, VarType.ID_LIST} and text.lstrip("-").isdigit():
        return int(text)
    if kind is VarType.FLOAT:
        try:
            return float(text)
        except ValueError:
            return text
    return text
