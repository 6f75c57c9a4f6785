"""The execution history as a table: when, rule, trigger, status, what failed."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt

from frontdesk.gui.automations.catalog_words import trigger_label
from frontdesk.gui.automations.list_model import Index, ListTableModel
from frontdesk.gui.automations.tones import problem_colour, warning_colour
from frontdesk.i18n import N_, _
from frontdesk.i18n.formats import format_datetime
from frontdesk.services.executions import ExecutionRecord

COLUMNS = (N_("When"), N_("Rule"), N_("Trigger"), N_("Outcome"), N_("Problem"))
RECORD_ROLE = Qt.ItemDataRole.UserRole
STATUS_WORDS = {
    "success": N_("Everything worked"),
    "partial_failure": N_("Some actions failed"),
    "failure": N_("Failed"),
}
WHEN = "d MMM y, HH:mm"
_STATUS_COLOURS = {"partial_failure": warning_colour, "failure": problem_colour}


def status_words(status: str) -> str:
    words = STATUS_WORDS.get(status)
    return _(words) if words else status


def has_failed_actions(record: ExecutionRecord) -> bool:
    return any(entry.get("status") == "failed" for entry in record.actions_executed)


class ExecutionsTableModel(ListTableModel[ExecutionRecord]):
    COLUMNS = COLUMNS

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.zone = ZoneInfo("UTC")

    @property
    def records(self) -> list[ExecutionRecord]:
        return self.items

    def set_records(self, records: list[ExecutionRecord], zone: ZoneInfo) -> None:
        self.zone = zone
        self.replace(records)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        record = self.item(index)
        if record is None:
            return None
        if role == RECORD_ROLE:
            return record
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            local = record.executed_at.astimezone(self.zone)
            return (
                format_datetime(local, WHEN),
                record.rule_name,
                trigger_label(record.trigger_event),
                status_words(record.status),
                record.error_message or "",
            )[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 3:
            return _STATUS_COLOURS[record.status]() if record.status in _STATUS_COLOURS else None
        return None
