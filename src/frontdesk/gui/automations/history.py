"""The execution history: filter by rule, status and date range; the selected execution's trace
(trigger, each condition, each action with its status, duration, output and error); replay of
its failed actions."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from frontdesk.automation.replay import replay_failed_actions
from frontdesk.domain.enums import Role
from frontdesk.gui.automations.catalog_words import OPERATOR_WORDS, action_label
from frontdesk.gui.automations.history_model import (
    RECORD_ROLE,
    STATUS_WORDS,
    ExecutionsTableModel,
    has_failed_actions,
)
from frontdesk.gui.automations.list_model import SearchableTable
from frontdesk.gui.operations import run_operation
from frontdesk.services import executions
from frontdesk.services.context import ServiceContext
from frontdesk.services.executions import EXECUTION_STATUSES, ExecutionRecord

if TYPE_CHECKING:
    from frontdesk.gui.desk import Desk

HISTORY_LIMIT = 500


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


class HistoryTab(QWidget):
    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.zone = ZoneInfo("UTC")
        self.rule_filter = QComboBox(self)
        self.rule_filter.setObjectName("history-rule")
        self.rule_filter.setAccessibleName("Rule")
        self.rule_filter.addItem("All rules", None)
        self.status_filter = QComboBox(self)
        self.status_filter.setObjectName("history-status")
        self.status_filter.setAccessibleName("Status")
        self.status_filter.addItem("Any status", None)
        for status in EXECUTION_STATUSES:
            self.status_filter.addItem(STATUS_WORDS[status], status)
        self.range_box = QCheckBox("Between", self)
        self.range_box.setObjectName("history-range")
        self.date_from = QDateEdit(self)
        self.date_from.setObjectName("history-from")
        self.date_to = QDateEdit(self)
        self.date_to.setObjectName("history-to")
        self._last_week()
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
        self.search = QLineEdit(self)
        self.search.setObjectName("history-search")
        self.search.setPlaceholderText("Search the list…")

        self.model = ExecutionsTableModel(self)
        self.table = SearchableTable(self.model, self.search, self)
        self.table.setObjectName("history-table")
        self.proxy = self.table.proxy
        self.count_label = QLabel(self)

        self.detail = QTreeWidget(self)
        self.detail.setObjectName("history-detail")
        self.detail.setHeaderLabels(["Step", "Detail", "Result"])
        self.detail.setColumnWidth(0, 300)
        self.detail.setColumnWidth(1, 640)
        self.replay_button = QPushButton("&Replay failed actions", self)
        self.replay_button.setObjectName("history-replay")
        self.replay_button.setEnabled(False)
        # Staff read the history; replaying sends things again, which is an admin's call.
        self._may_replay = desk.actor.role in (None, Role.ADMIN)
        if not self._may_replay:
            self.replay_button.setToolTip("Only an admin can replay failed actions.")

        filters = QHBoxLayout()
        filters.addWidget(self.rule_filter, 2)
        filters.addWidget(self.status_filter, 1)
        filters.addWidget(self.range_box)
        filters.addWidget(self.date_from)
        filters.addWidget(QLabel("and", self))
        filters.addWidget(self.date_to)
        filters.addWidget(self.search, 2)
        detail_side = QWidget(self)
        detail_layout = QVBoxLayout(detail_side)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.detail)
        detail_layout.addWidget(self.replay_button, 0, Qt.AlignmentFlag.AlignRight)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.table)
        split.addWidget(detail_side)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(split, 1)
        layout.addWidget(self.count_label)

        self.rule_filter.currentIndexChanged.connect(self.refresh)
        self.status_filter.currentIndexChanged.connect(self.refresh)
        self.range_box.toggled.connect(self._range_toggled)
        self.date_from.dateChanged.connect(self._range_changed)
        self.date_to.dateChanged.connect(self._range_changed)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_detail())
        self.replay_button.clicked.connect(self.replay)

    def set_zone(self, zone: ZoneInfo) -> None:
        self.zone = zone
        if not self.range_box.isChecked():
            self._last_week()  # the clinic's days, now that its zone is known

    def _last_week(self) -> None:
        """The range offered until the admin picks one: the past seven days, today included."""
        now = self.desk.clock.now().astimezone(self.zone)
        today = QDate(now.year, now.month, now.day)
        self.date_from.setDate(today.addDays(-7))
        self.date_to.setDate(today)

    def set_rules(self, rules: list[tuple[uuid.UUID, str]]) -> None:
        """The rules offered in the filter; the current choice is kept when it still exists."""
        current = self.rule_filter.currentData()
        self.rule_filter.blockSignals(True)
        self.rule_filter.clear()
        self.rule_filter.addItem("All rules", None)
        for rule_id, name in rules:
            self.rule_filter.addItem(name, rule_id)
        self.rule_filter.setCurrentIndex(max(self.rule_filter.findData(current), 0))
        self.rule_filter.blockSignals(False)

    def _range_toggled(self, on: bool) -> None:
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)
        self.refresh()

    def _range_changed(self) -> None:
        if self.range_box.isChecked():
            self.refresh()

    def _range(self) -> tuple[datetime | None, datetime | None]:
        if not self.range_box.isChecked():
            return None, None
        first, last = _day(self.date_from.date()), _day(self.date_to.date())
        since = datetime.combine(first, time(0), self.zone)
        until = datetime.combine(last + timedelta(days=1), time(0), self.zone)
        return since, until

    def refresh(self) -> None:
        rule_id = self.rule_filter.currentData()
        status = self.status_filter.currentData()
        since, until = self._range()

        def work(ctx: ServiceContext) -> list[ExecutionRecord]:
            return executions.list_executions(
                ctx, rule_id=rule_id, status=status, since=since, until=until, limit=HISTORY_LIMIT
            )

        run_operation(self.desk, work, parent=self, on_done=self._show)

    def _show(self, records: list[ExecutionRecord]) -> None:
        selected = self.selected()
        self.model.set_records(records, self.zone)
        self.count_label.setText(f"{len(records)} execution(s)")
        if selected is not None:
            for row, record in enumerate(records):
                if record.id == selected.id:
                    self.table.selectRow(self.proxy.mapFromSource(self.model.index(row, 0)).row())
        self._show_detail()

    def selected(self) -> ExecutionRecord | None:
        index = self.table.selectionModel().currentIndex()
        if not index.isValid():
            return None
        record = index.data(RECORD_ROLE)
        return record if isinstance(record, ExecutionRecord) else None

    def _show_detail(self) -> None:
        self.detail.clear()
        record = self.selected()
        self.replay_button.setEnabled(
            self._may_replay and record is not None and has_failed_actions(record)
        )
        if record is None:
            return
        trace = record.trace
        trigger = trace.get("trigger", {})
        head = QTreeWidgetItem(
            self.detail,
            ["Trigger", f"{record.trigger_event} at {self._local(trigger.get('occurred_at'))}", ""],
        )
        for key in ("subject_type", "subject_id", "event_id", "occurrence", "payload"):
            if trigger.get(key):
                QTreeWidgetItem(head, [key, _text(trigger[key]), ""])
        conditions = QTreeWidgetItem(self.detail, ["Conditions", "", ""])
        for check in trace.get("conditions", []):
            QTreeWidgetItem(
                conditions,
                [
                    f"{check.get('path')} {OPERATOR_WORDS.get(check.get('op'), check.get('op'))} "
                    f"{_text(check.get('expected'))}",
                    f"actual: {_text(check.get('actual'))}",
                    "✓" if check.get("result") else "✗",
                ],
            )
        actions = QTreeWidgetItem(self.detail, ["Actions", "", STATUS_WORDS.get(record.status, "")])
        for step in trace.get("actions", []):
            duration = step.get("duration_ms")
            item = QTreeWidgetItem(
                actions,
                [
                    f"{int(str(step.get('path', '0')).split('.')[0]) + 1}. "
                    + action_label(str(step.get("type"))),
                    f"{duration} ms" if duration is not None else "",
                    str(step.get("status", "")),
                ],
            )
            if step.get("error"):
                QTreeWidgetItem(item, ["error", _text(step["error"]), ""])
            for key, value in (step.get("rendered") or {}).items():
                QTreeWidgetItem(item, [key, _text(value), ""])
        if record.error_message:
            QTreeWidgetItem(self.detail, ["Problem", record.error_message, ""])
        self.detail.expandAll()

    def _local(self, iso: object) -> str:
        if not isinstance(iso, str):
            return ""
        return f"{datetime.fromisoformat(iso).astimezone(self.zone):%Y-%m-%d %H:%M:%S}"

    def replay(self) -> None:
        record = self.selected()
        if record is None:
            return
        execution_id = record.id
        run_operation(
            self.desk,
            lambda ctx: replay_failed_actions(ctx, execution_id).status,
            parent=self,
            on_done=lambda _status: self.refresh(),
            label="Replaying the failed actions…",
        )


def _day(shown: QDate) -> date:
    return date(shown.year(), shown.month(), shown.day())
