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
from frontdesk.gui.automations.catalog_words import action_label, trigger_label
from frontdesk.gui.automations.details import DetailsToggle
from frontdesk.gui.automations.dry_run_panel import check_item
from frontdesk.gui.automations.history_model import (
    RECORD_ROLE,
    ExecutionsTableModel,
    has_failed_actions,
    status_words,
)
from frontdesk.gui.automations.list_model import SearchableTable
from frontdesk.gui.automations.problem_words import field_words
from frontdesk.gui.operations import run_operation
from frontdesk.i18n import N_, _, ngettext
from frontdesk.i18n.formats import format_datetime, format_number
from frontdesk.services import executions
from frontdesk.services.context import ServiceContext
from frontdesk.services.executions import EXECUTION_STATUSES, ExecutionRecord

if TYPE_CHECKING:
    from frontdesk.gui.desk import Desk

HISTORY_LIMIT = 500


class HistoryTab(QWidget):
    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.zone = ZoneInfo("UTC")
        self.rule_filter = QComboBox(self)
        self.rule_filter.setObjectName("history-rule")
        self.rule_filter.setAccessibleName(_("Show the runs of"))
        self.rule_filter.addItem(_("All rules"), None)
        self.status_filter = QComboBox(self)
        self.status_filter.setObjectName("history-status")
        self.status_filter.setAccessibleName(_("Outcome"))
        self.status_filter.addItem(_("Any outcome"), None)
        for status in EXECUTION_STATUSES:
            self.status_filter.addItem(status_words(status), status)
        self.range_box = QCheckBox(_("&Between"), self)
        self.range_box.setAccessibleDescription(_("Only the runs between the two dates"))
        self.range_box.setObjectName("history-range")
        self.date_from = QDateEdit(self)
        self.date_from.setObjectName("history-from")
        self.date_from.setAccessibleName(_("From"))
        self.date_to = QDateEdit(self)
        self.date_to.setObjectName("history-to")
        self.date_to.setAccessibleName(_("Until"))
        self._last_week()
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
        self.search = QLineEdit(self)
        self.search.setObjectName("history-search")
        self.search.setPlaceholderText(_("Search the list…"))
        self.search.setAccessibleName(_("Search the history"))

        self.model = ExecutionsTableModel(self)
        self.table = SearchableTable(self.model, self.search, self)
        self.table.setObjectName("history-table")
        self.table.setAccessibleName(_("Rule runs"))
        self.proxy = self.table.proxy
        self.count_label = QLabel(self)

        self.detail = QTreeWidget(self)
        self.detail.setObjectName("history-detail")
        self.detail.setAccessibleName(_("What the selected run did"))
        self.detail.setHeaderLabels([_("Step"), _("Detail"), _("Result")])
        self.details = DetailsToggle(self)
        self.details.setObjectName("history-details")
        self.detail.setColumnWidth(0, 300)
        self.detail.setColumnWidth(1, 640)
        self.replay_button = QPushButton(_("&Replay failed actions"), self)
        self.replay_button.setObjectName("history-replay")
        self.replay_button.setEnabled(False)
        # Staff read the history; replaying sends things again, which is an admin's call.
        self._may_replay = desk.actor.role in (None, Role.ADMIN)
        if not self._may_replay:
            self.replay_button.setToolTip(_("Only an admin can replay failed actions."))

        filters = QHBoxLayout()
        filters.addWidget(self.rule_filter, 2)
        filters.addWidget(self.status_filter, 1)
        filters.addWidget(self.range_box)
        filters.addWidget(self.date_from)
        filters.addWidget(QLabel(_("and"), self))
        filters.addWidget(self.date_to)
        filters.addWidget(self.search, 2)
        detail_side = QWidget(self)
        detail_layout = QVBoxLayout(detail_side)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.detail)
        under = QHBoxLayout()
        under.addWidget(self.details, 1, Qt.AlignmentFlag.AlignTop)
        under.addWidget(
            self.replay_button, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop
        )
        detail_layout.addLayout(under)
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
        self.rule_filter.addItem(_("All rules"), None)
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
        count = len(records)
        self.count_label.setText(ngettext("{count} run", "{count} runs", count).format(count=count))
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
            self.details.clear()
            return
        trace = record.trace
        trigger = trace.get("trigger", {})
        QTreeWidgetItem(
            self.detail,
            [
                _("Started by"),
                _("{trigger} on {when}").format(
                    trigger=trigger_label(record.trigger_event),
                    when=self._local(trigger.get("occurred_at") or record.executed_at),
                ),
                "",
            ],
        )
        conditions = QTreeWidgetItem(self.detail, [_("Conditions"), "", ""])
        if not trace.get("conditions"):
            QTreeWidgetItem(conditions, [_("(none: always runs)"), "", ""])
        for check in trace.get("conditions", []):
            check_item(conditions, check)
        actions = QTreeWidgetItem(self.detail, [_("Actions"), "", status_words(record.status)])
        for step in trace.get("actions", []):
            _step_item(actions, step)
        if record.error_message:
            QTreeWidgetItem(self.detail, [_("Problem"), record.error_message, ""])
        self.detail.expandAll()
        self.details.set_text(_raw(record))

    def _local(self, moment: object) -> str:
        if isinstance(moment, str):
            moment = datetime.fromisoformat(moment)
        if not isinstance(moment, datetime):
            return ""
        return format_datetime(moment.astimezone(self.zone), "d MMM y, HH:mm:ss")

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
            label=_("Replaying the failed actions…"),
        )


STEP_WORDS = {
    "success": N_("worked"),
    "failed": N_("failed"),
    "skipped": N_("skipped: its conditions did not hold"),
    "scheduled": N_("scheduled for later"),
    "retrying": N_("failed for now; will be tried again"),
}
# What an action wrote that a person reads; ids and keys stay in Details.
_READABLE = frozenset({"message", "title", "reason", "description", "subject", "cta_url"})


def _step_item(parent: QTreeWidgetItem, step: dict[str, Any]) -> QTreeWidgetItem:
    """One action of the trace: "2. Send an e-mail · 12 ms · failed", its problem and what
    it wrote."""
    action_type = str(step.get("type"))
    number = int(str(step.get("path", "0")).split(".")[0]) + 1
    duration = step.get("duration_ms")
    status = STEP_WORDS.get(str(step.get("status")))
    item = QTreeWidgetItem(
        parent,
        [
            _("{number}. {action}").format(number=number, action=action_label(action_type)),
            _("{duration} ms").format(duration=format_number(duration))
            if duration is not None
            else "",
            _(status) if status else str(step.get("status", "")),
        ],
    )
    if step.get("error"):
        QTreeWidgetItem(item, [_("Problem"), str(step["error"]), ""])
    for key, value in (step.get("rendered") or {}).items():
        if key in _READABLE and isinstance(value, str):
            QTreeWidgetItem(item, [field_words(action_type, key), value, ""])
    return item


def _raw(record: ExecutionRecord) -> str:
    """The execution as stored, ids and all."""
    raw = {
        "execution_id": str(record.id),
        "rule_id": str(record.rule_id),
        "trigger_event": record.trigger_event,
        "status": record.status,
        "trace": record.trace,
    }
    return json.dumps(raw, indent=2, ensure_ascii=False, default=str)


def _day(shown: QDate) -> date:
    return date(shown.year(), shown.month(), shown.day())
