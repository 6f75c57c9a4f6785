"""The Alerts page: open alerts (low ratings, loop-guard trips, failed deliveries) to read and
acknowledge, and the sync conflicts inbox."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.enums import AlertKind, Role
from frontdesk.gui.alerts.alerts_model import ALERT_ROLE, AlertsTableModel, kind_words
from frontdesk.gui.alerts.conflicts import ConflictsInbox
from frontdesk.gui.automations.list_model import SearchableTable
from frontdesk.gui.desk import affects
from frontdesk.gui.messages import field_label
from frontdesk.gui.operations import run_operation
from frontdesk.i18n import N_, _
from frontdesk.services import alerts
from frontdesk.services.context import ServiceContext
from frontdesk.services.rule_choices import rule_choices
from frontdesk.store.changes import ChangeSet
from frontdesk.store.models import Alert

if TYPE_CHECKING:
    from frontdesk.gui.desk import Desk

ALERT_KINDS = (
    AlertKind.LOW_RATING,
    AlertKind.LOOP_GUARD,
    AlertKind.DELIVERY_FAILED,
    AlertKind.RATE_ANOMALY,
)


def _load(ctx: ServiceContext, kind: AlertKind | None) -> tuple[list[Alert], str]:
    return alerts.open_alerts(ctx, kind=kind), rule_choices(ctx).timezone


# The facts an alert keeps, as people name them; ids are for support, not for the screen.
DETAIL_LABELS = {
    "rule": N_("Rule"),
    "rule_chain": N_("Rules that set each other off"),
    "event": N_("Event"),
    "depth": N_("Depth"),
    "limit": N_("Limit"),
    "action": N_("Action"),
    "channel": N_("Channel"),
    "recipient": N_("Recipient"),
    "attempts": N_("Attempts"),
    "error": N_("Error"),
}


def detail_lines(details: dict[str, Any]) -> str:
    """An alert's details, one `Label: value` line each (lists as "a → b")."""
    lines = []
    for key, value in details.items():
        if key == "id" or key.endswith("_id"):
            continue
        label = _(DETAIL_LABELS[key]) if key in DETAIL_LABELS else field_label(key)
        shown = " → ".join(map(str, value)) if isinstance(value, list) else str(value)
        lines.append(_("{field}: {message}").format(field=label, message=shown))
    return "\n".join(lines)


class AlertsPage(QWidget):
    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.kind = QComboBox(self)
        self.kind.setObjectName("alerts-kind")
        self.kind.setAccessibleName(_("Kind"))
        self.kind.addItem(_("All alerts"), None)
        for kind in ALERT_KINDS:
            self.kind.addItem(kind_words(kind), kind.value)
        self.search = QLineEdit(self)
        self.search.setObjectName("alerts-search")
        self.search.setPlaceholderText(_("Search alerts…"))
        self.search.setAccessibleName(_("Search alerts"))
        self.model = AlertsTableModel(self)
        self.table = SearchableTable(self.model, self.search, self)
        self.table.setObjectName("alerts-table")
        self.table.setAccessibleName(_("Alerts"))
        self.proxy = self.table.proxy
        self.detail = QPlainTextEdit(self)
        self.detail.setObjectName("alert-detail")
        self.detail.setAccessibleName(_("The alert in full"))
        self.detail.setReadOnly(True)
        self.acknowledge_button = QPushButton(_("&Acknowledge"), self)
        self.acknowledge_button.setObjectName("acknowledge-alert")
        self.acknowledge_button.setEnabled(False)

        filters = QHBoxLayout()
        filters.addWidget(self.kind)
        filters.addWidget(self.search, 1)
        detail_side = QWidget(self)
        detail_layout = QVBoxLayout(detail_side)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.detail)
        detail_layout.addWidget(self.acknowledge_button, 0, Qt.AlignmentFlag.AlignRight)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.table)
        split.addWidget(detail_side)
        alerts_tab = QWidget(self)
        alerts_layout = QVBoxLayout(alerts_tab)
        alerts_layout.addLayout(filters)
        alerts_layout.addWidget(split, 1)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("alerts-tabs")
        self.tabs.addTab(alerts_tab, _("Alerts"))
        self.conflicts = ConflictsInbox(desk, self)
        self.tabs.addTab(self.conflicts, _("Sync conflicts"))
        # Alerts are an admin's to read (as `services.alerts` rules); everyone at the desk
        # resolves the sync conflicts they may, so the page opens on those instead.
        self.reads_alerts = desk.actor.role in (None, Role.ADMIN)
        if not self.reads_alerts:
            self.tabs.setTabEnabled(0, False)
            self.tabs.setTabToolTip(0, _("Alerts are for the clinic's admins."))
            self.tabs.setCurrentWidget(self.conflicts)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)

        self.kind.currentIndexChanged.connect(self.refresh)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_selected())
        self.acknowledge_button.clicked.connect(self.acknowledge)
        desk.signals.sig_changed.connect(self._changed)
        self.refresh()

    def refresh(self) -> None:
        self.conflicts.refresh()
        if not self.reads_alerts:
            return
        kind = self.kind.currentData()
        run_operation(
            self.desk,
            lambda ctx: _load(ctx, AlertKind(kind) if kind else None),
            parent=self,
            on_done=self._show,
        )

    def _show(self, loaded: tuple[list[Alert], str]) -> None:
        found, timezone = loaded
        self.model.set_alerts(found, ZoneInfo(timezone))
        if self.proxy.rowCount():
            self.table.selectRow(0)
        self._show_selected()

    def focus_search(self) -> None:
        """Ctrl+F: the search box of the tab on show."""
        if self.tabs.currentWidget() is self.conflicts:
            self.conflicts.focus_search()
            return
        self.search.setFocus()
        self.search.selectAll()

    def selected(self) -> Alert | None:
        index = self.table.selectionModel().currentIndex()
        if not index.isValid():
            return None
        alert = index.data(ALERT_ROLE)
        return alert if isinstance(alert, Alert) else None

    def _show_selected(self) -> None:
        alert = self.selected()
        self.acknowledge_button.setEnabled(alert is not None)
        if alert is None:
            self.detail.setPlainText("")
            return
        details = detail_lines(alerts.alert_details(alert))
        body = alerts.alert_body(alert)
        self.detail.setPlainText("\n\n".join(part for part in (body, details) if part))

    def acknowledge(self) -> None:
        alert = self.selected()
        if alert is None:
            return
        alert_id = alert.id
        run_operation(
            self.desk,
            lambda ctx: alerts.acknowledge(ctx, alert_id),
            parent=self,
            on_done=lambda _outcome: None,  # the change signal reloads the list
        )

    def _changed(self, changes: ChangeSet) -> None:
        if affects(changes, ("alerts", "sync_conflicts")):
            self.refresh()
