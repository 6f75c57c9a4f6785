"""The condition builder: rows of "attribute · operator · value" in an all-of or any-of group,
groups nested in groups. It reads and writes the rule format's condition document:
`{"path": value}` for "is", `{"path": {"lt": 0.5}}` for other operators, `{"any": [...]}` and
`{"all": [...]}` for groups (see docs/rule-format.md)."""

from __future__ import annotations

from typing import Any, Literal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.errors import InvalidInput
from frontdesk.domain.rules import Operator, Variable, parse_conditions
from frontdesk.domain.rules.conditions import FieldCondition, Group, Match
from frontdesk.domain.rules.variables import operators_for
from frontdesk.gui.automations.catalog_words import OPERATOR_WORDS, operator_label, variable_label
from frontdesk.gui.automations.value_editor import ValueEditor
from frontdesk.i18n import N_, _

GroupKind = Literal["all", "any"]
GROUP_KINDS: tuple[tuple[GroupKind, str], ...] = (
    ("all", N_("All of these hold")),
    ("any", N_("Any of these holds")),
)


class ConditionRow(QWidget):
    sig_remove_requested = Signal(object)
    """The row's remove button was pressed (carries the row)."""

    def __init__(self, catalog: list[Variable], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._by_path = {variable.path: variable for variable in catalog}
        self.attribute = QComboBox(self)
        self.attribute.setObjectName("condition-attribute")
        self.attribute.setAccessibleName(_("Condition: what is checked"))
        for variable in catalog:
            self.attribute.addItem(variable_label(variable), variable.path)
            # The path templates use ({{patient.age}}), for whoever writes them.
            index = self.attribute.count() - 1
            self.attribute.setItemData(index, variable.path, Qt.ItemDataRole.ToolTipRole)
        self.operator = QComboBox(self)
        self.operator.setObjectName("condition-operator")
        self.operator.setAccessibleName(_("Condition: how it compares"))
        self.value = ValueEditor(self)
        remove = QPushButton(_("Remove"), self)
        remove.setObjectName("remove-condition")
        remove.setAccessibleName(_("Remove this condition"))
        remove.setToolTip(_("Remove this condition"))
        remove.clicked.connect(lambda: self.sig_remove_requested.emit(self))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.attribute, 3)
        layout.addWidget(self.operator, 1)
        layout.addWidget(self.value, 2)
        layout.addWidget(remove)
        self.attribute.currentIndexChanged.connect(self._attribute_changed)
        self.operator.currentIndexChanged.connect(self._operator_changed)
        self._attribute_changed()

    @property
    def variable(self) -> Variable | None:
        return self._by_path.get(self.attribute.currentData())

    def set_attribute(self, path: str) -> None:
        index = self.attribute.findData(path)
        if index < 0:  # not offered by this trigger: shown so it is not lost, refused at save
            self.attribute.addItem(
                _("{path} (not available for this trigger)").format(path=path), path
            )
            index = self.attribute.count() - 1
        self.attribute.setCurrentIndex(index)

    def set_operator(self, op: Operator) -> None:
        index = self.operator.findData(op.value)
        if index < 0:
            self.operator.addItem(operator_label(op), op.value)
            index = self.operator.count() - 1
        self.operator.setCurrentIndex(index)

    def current_operator(self) -> Operator:
        return Operator(self.operator.currentData() or Operator.EQ.value)

    def document(self) -> dict[str, Any]:
        path = str(self.attribute.currentData())
        op = self.current_operator()
        value = self.value.value()
        return {path: value} if op is Operator.EQ else {path: {op.value: value}}

    def _attribute_changed(self) -> None:
        variable = self.variable
        # The catalog's own operators per type: the builder offers exactly what saving accepts.
        allowed = operators_for(variable.type) if variable else frozenset(Operator)
        current = self.operator.currentData()
        self.operator.blockSignals(True)
        self.operator.clear()
        for op in OPERATOR_WORDS:
            if op in allowed:
                self.operator.addItem(operator_label(op), op.value)
        index = self.operator.findData(current)
        self.operator.setCurrentIndex(max(index, 0))
        self.operator.blockSignals(False)
        self._operator_changed()

    def _operator_changed(self) -> None:
        self.value.configure(self.variable, self.current_operator())


class ConditionGroup(QFrame):
    """An all-of or any-of group of rows and nested groups."""

    sig_remove_requested = Signal(object)
    """The group's remove button was pressed (carries the group)."""

    def __init__(
        self, catalog: list[Variable], *, nested: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._catalog = catalog
        self.setFrameShape(QFrame.Shape.StyledPanel if nested else QFrame.Shape.NoFrame)
        self.kind = QComboBox(self)
        self.kind.setObjectName("condition-group-kind")
        self.kind.setAccessibleName(_("Which conditions must hold"))
        for kind, words in GROUP_KINDS:
            self.kind.addItem(_(words), kind)
        self.add_row_button = QPushButton(_("Add condition"), self)
        self.add_row_button.setObjectName("add-condition")
        self.add_group_button = QPushButton(_("Add group"), self)
        self.add_group_button.setAccessibleDescription(
            _("A group of conditions of its own: all of them, or any of them")
        )
        self.add_group_button.setObjectName("add-condition-group")
        header = QHBoxLayout()
        header.addWidget(self.kind)
        header.addStretch(1)
        header.addWidget(self.add_row_button)
        header.addWidget(self.add_group_button)
        if nested:
            remove = QPushButton(_("Remove group"), self)
            remove.clicked.connect(lambda: self.sig_remove_requested.emit(self))
            header.addWidget(remove)
        self._items_layout = QVBoxLayout()
        self.empty_label = QLabel(_("No conditions: the rule always runs."), self)
        self.empty_label.setVisible(not nested)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.empty_label)
        layout.addLayout(self._items_layout)
        self.items: list[ConditionRow | ConditionGroup] = []
        self.add_row_button.clicked.connect(lambda: self.add_row())
        self.add_group_button.clicked.connect(lambda: self.add_group())
        self._nested = nested

    def group_kind(self) -> GroupKind:
        return "any" if self.kind.currentData() == "any" else "all"

    def set_group_kind(self, kind: GroupKind) -> None:
        self.kind.setCurrentIndex(self.kind.findData(kind))

    def add_row(self) -> ConditionRow:
        row = ConditionRow(self._catalog, self)
        row.sig_remove_requested.connect(self._remove)
        self._append(row)
        row.attribute.setFocus()
        return row

    def add_group(self, kind: GroupKind = "any") -> ConditionGroup:
        group = ConditionGroup(self._catalog, nested=True, parent=self)
        group.set_group_kind(kind)
        group.sig_remove_requested.connect(self._remove)
        self._append(group)
        return group

    def _append(self, item: ConditionRow | ConditionGroup) -> None:
        self.items.append(item)
        self._items_layout.addWidget(item)
        self.empty_label.setVisible(False)

    def _remove(self, item: ConditionRow | ConditionGroup) -> None:
        self.items.remove(item)
        item.hide()
        self._items_layout.removeWidget(item)
        item.deleteLater()
        self.empty_label.setVisible(not self._nested and not self.items)

    def clear(self) -> None:
        for item in list(self.items):
            self._remove(item)

    def entries(self) -> list[dict[str, Any]]:
        """Each row or nested group as a condition document of its own."""
        return [item.document() for item in self.items]

    def document(self) -> dict[str, Any]:
        entries = self.entries()
        if not entries:
            return {}
        if self.group_kind() == "any":
            return {"any": entries}
        return _merged(entries)

    def load(self, match: Match) -> None:
        """Rows and groups for a parsed condition document."""
        entries = match.entries
        if len(entries) == 1 and isinstance(entries[0], Group):
            self.set_group_kind(entries[0].kind)
            for item in entries[0].items:
                self._load_item(item)
            return
        self.set_group_kind("all")
        self._load_entries(entries)

    def _load_entries(self, entries: tuple[FieldCondition | Group, ...]) -> None:
        for entry in entries:
            if isinstance(entry, FieldCondition):
                for test in entry.tests:
                    row = self.add_row()
                    row.set_attribute(entry.path)
                    row.set_operator(test.op)
                    row.value.set_value(test.to_json())
            else:
                group = self.add_group(entry.kind)
                for item in entry.items:
                    group._load_item(item)

    def _load_item(self, item: Match) -> None:
        """One member of a group: a single condition becomes a row, more a nested all-of."""
        single = len(item.entries) == 1 and not isinstance(item.entries[0], Group)
        if single and len(item.entries[0].tests) == 1:  # type: ignore[union-attr]
            self._load_entries(item.entries)
        else:
            self.add_group("all")._load_entries(item.entries)


def _merged(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """All-of entries as one object when their keys do not clash (several operators on one
    attribute merge: `{"gte": 18, "lt": 65}`), else as `{"all": [...]}`."""
    merged: dict[str, Any] = {}
    for entry in entries:
        for key, value in entry.items():
            if key not in merged:
                merged[key] = value
                continue
            combined = _combined_tests(merged[key], value) if key not in {"all", "any"} else None
            if combined is None:
                return {"all": entries}
            merged[key] = combined
    return merged


def _combined_tests(first: Any, second: Any) -> dict[str, Any] | None:
    tests = [value if isinstance(value, dict) else {"eq": value} for value in (first, second)]
    if set(tests[0]) & set(tests[1]):
        return None
    return {**tests[0], **tests[1]}


class ConditionBuilder(QWidget):
    """The whole condition document of a rule or of one action."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._catalog: list[Variable] = []
        self.root = ConditionGroup(self._catalog, parent=self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.root)

    def set_catalog(self, catalog: list[Variable]) -> None:
        """The attributes the rule's trigger offers; the conditions written so far are kept."""
        document = self.document()
        self._catalog[:] = catalog
        try:
            self.set_document(document)
        except InvalidInput:  # a half-written row (an empty "is one of"): start afresh
            self.set_document({})

    def set_document(self, document: dict[str, Any]) -> None:
        self.root.clear()
        self.root.set_group_kind("all")
        if document:
            self.root.load(parse_conditions(document))

    def document(self) -> dict[str, Any]:
        return self.root.document()
