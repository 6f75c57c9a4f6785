"""Open alerts as a table: when, what kind, how serious, what happened."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from frontdesk.domain.enums import AlertKind
from frontdesk.gui.automations.list_model import Index, ListTableModel
from frontdesk.store.models import Alert

COLUMNS = ("Raised", "Kind", "Severity", "What happened")
ALERT_ROLE = Qt.ItemDataRole.UserRole
KIND_WORDS = {
    AlertKind.LOW_RATING: "Low rating",
    AlertKind.LOOP_GUARD: "Automation stopped (loop guard)",
    AlertKind.DELIVERY_FAILED: "Message not delivered",
    AlertKind.SYNC_CONFLICT: "Sync conflict",
    AlertKind.RATE_ANOMALY: "Automation firing unusually often",
}
_SEVERITY_COLOURS = {"critical": QColor("#a93226"), "warning": QColor("#b9770e")}


class AlertsTableModel(ListTableModel[Alert]):
    COLUMNS = COLUMNS

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.zone = ZoneInfo("UTC")

    @property
    def alerts(self) -> list[Alert]:
        return self.items

    def set_alerts(self, alerts: list[Alert], zone: ZoneInfo) -> None:
        self.zone = zone
        self.replace(alerts)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        alert = self.item(index)
        if alert is None:
            return None
        if role == ALERT_ROLE:
            return alert
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return (
                f"{alert.created_at.astimezone(self.zone):%Y-%m-%d %H:%M}",
                KIND_WORDS.get(AlertKind(alert.kind), str(alert.kind)),
                alert.severity,
                alert.title,
            )[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 2:
            return _SEVERITY_COLOURS.get(alert.severity)
        return None
