"""The rule list as a table: name, trigger, number of actions, execution count, enabled. The
enabled column is a check box; ticking it asks for the change (`sig_enable_requested`), which
the page makes through the rules service before the table shows it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal

from frontdesk.gui.automations.catalog_words import trigger_label
from frontdesk.gui.automations.list_model import Index, ListTableModel
from frontdesk.i18n import N_, _
from frontdesk.services.automation_rules import rule_document
from frontdesk.store.models import AutomationRule

COLUMNS = (N_("Name"), N_("Trigger"), N_("Actions"), N_("Runs"), N_("Enabled"))
ENABLED_COLUMN = 4
RULE_ID_ROLE = Qt.ItemDataRole.UserRole
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 1
"""What the search box matches: name, description and trigger (as written and in words)."""


@dataclass(frozen=True, slots=True)
class RuleRow:
    id: uuid.UUID
    name: str
    description: str
    trigger: str
    actions: int
    executions: int
    enabled: bool
    document: dict[str, Any]

    @classmethod
    def of(cls, row: AutomationRule) -> RuleRow:
        return cls(
            id=row.id,
            name=row.name,
            description=row.description or "",
            trigger=row.trigger_event,
            actions=len(row.actions),
            executions=row.execution_count,
            enabled=row.enabled,
            document=rule_document(row),
        )


class RulesTableModel(ListTableModel[RuleRow]):
    sig_enable_requested = Signal(object, bool)
    """The enabled box of a rule was ticked or cleared: (rule id, wanted state)."""

    COLUMNS = COLUMNS

    @property
    def rows(self) -> list[RuleRow]:
        return self.items

    def set_rows(self, rows: list[RuleRow]) -> None:
        self.replace(rows)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == ENABLED_COLUMN:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.item(index)
        if row is None:
            return None
        column = index.column()
        if role == RULE_ID_ROLE:
            return row.id
        if role == SEARCH_ROLE:
            return " ".join((row.name, row.description, row.trigger, trigger_label(row.trigger)))
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                row.name,
                trigger_label(row.trigger),
                row.actions,
                row.executions,
                _("on") if row.enabled else _("draft / off"),
            )[column]
        if role == Qt.ItemDataRole.CheckStateRole and column == ENABLED_COLUMN:
            return Qt.CheckState.Checked if row.enabled else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.description or trigger_label(row.trigger)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (2, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (
            not index.isValid()
            or index.column() != ENABLED_COLUMN
            or role != Qt.ItemDataRole.CheckStateRole
        ):
            return False
        wanted = Qt.CheckState(value) == Qt.CheckState.Checked
        self.sig_enable_requested.emit(self.rows[index.row()].id, wanted)
        return False  # shown once the service has made the change
