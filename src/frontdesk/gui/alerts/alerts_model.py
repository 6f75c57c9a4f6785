"""Open alerts as a table: when, what kind, how serious, what happened."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from frontdesk.domain.enums import AlertKind
from frontdesk.gui.automations.list_model import Index, ListTableModel
from frontdesk.gui.theme import active_theme
from frontdesk.i18n import N_, _
from frontdesk.i18n.formats import format_datetime
from frontdesk.services.alerts import alert_title
from frontdesk.store.models import Alert

COLUMNS = (N_("Raised"), N_("Kind"), N_("Severity"), N_("What happened"))
ALERT_ROLE = Qt.ItemDataRole.UserRole
# Marked here, translated when shown (`kind_words`).
KIND_WORDS = {
    AlertKind.LOW_RATING: N_("Low rating"),
    AlertKind.LOOP_GUARD: N_("Automation stopped (it kept setting itself off)"),
    AlertKind.DELIVERY_FAILED: N_("Message not delivered"),
    AlertKind.SYNC_CONFLICT: N_("Sync conflict"),
    AlertKind.RATE_ANOMALY: N_("Automation firing unusually often"),
    AlertKind.TEMPLATE_LIMIT: N_("Message template over its limits"),
}
SEVERITY_WORDS = {"critical": N_("critical"), "warning": N_("warning"), "info": N_("information")}


def kind_words(kind: str) -> str:
    return _(KIND_WORDS.get(AlertKind(kind), kind))


# The theme's colours, readable on both themes' tables (tests/gui/test_theme.py).
_SEVERITY_COLOURS = {"critical": "error_text", "warning": "warning_text"}


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
                format_datetime(alert.created_at.astimezone(self.zone), "y-MM-dd HH:mm"),
                kind_words(alert.kind),
                _(SEVERITY_WORDS.get(alert.severity, alert.severity)),
                alert_title(alert),
            )[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 2:
            colour = _SEVERITY_COLOURS.get(alert.severity)
            return QColor(active_theme().colour(colour)) if colour else None
        return None
