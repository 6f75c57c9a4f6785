"""The rule's test panel: pick a recent real event (or build a sample and edit it), then see the
dry run — each condition with its actual value and result, each action with what it would send
— with nothing written or sent (`domain.rules.dry_run`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from frontdesk.automation.samples import RecentEvent, recent_events
from frontdesk.domain.errors import InvalidInput
from frontdesk.domain.rules import dry_run, parse_event, validate_rule
from frontdesk.gui.automations.catalog_words import OPERATOR_WORDS, action_label
from frontdesk.gui.automations.sample_event import sample_event
from frontdesk.gui.messages import explain
from frontdesk.gui.operations import run_operation

if TYPE_CHECKING:
    from frontdesk.gui.desk import Desk

STATUS_WORDS = {"would_run": "would run", "skipped": "skipped", "error": "would fail"}


def _shown(value: Any) -> str:
    if value is None:
        return "(empty)"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


class DryRunPanel(QWidget):
    def __init__(
        self,
        desk: Desk,
        rule_document: Callable[[], dict[str, Any]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self._rule_document = rule_document
        self._timezone = "UTC"
        self.recent = QComboBox(self)
        self.recent.setObjectName("recent-events")
        self.recent.setAccessibleName("Recent events")
        self.recent.setMinimumContentsLength(40)
        self.recent.setPlaceholderText("Recent events of this trigger: press Find")
        self.load_recent = QPushButton("&Find recent events", self)
        self.load_recent.setObjectName("find-recent-events")
        self.build_sample = QPushButton("&Build a sample", self)
        self.build_sample.setObjectName("build-sample")
        self.event_text = QPlainTextEdit(self)
        self.event_text.setObjectName("sample-event")
        self.event_text.setAccessibleName("Event to test with (JSON)")
        self.run_button = QPushButton("&Run the test", self)
        self.run_button.setObjectName("run-dry-run")
        self.verdict = QLabel("Pick an event or build a sample, then run the test.", self)
        self.verdict.setObjectName("dry-run-verdict")
        self.verdict.setWordWrap(True)
        self.result = QTreeWidget(self)
        self.result.setObjectName("dry-run-result")
        self.result.setHeaderLabels(["What", "Detail", "Result"])
        self.result.setColumnWidth(0, 380)
        self.result.setColumnWidth(1, 640)
        pick = QHBoxLayout()
        pick.addWidget(self.recent, 1)
        pick.addWidget(self.load_recent)
        pick.addWidget(self.build_sample)
        top = QWidget(self)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(pick)
        top_layout.addWidget(self.event_text)
        top_layout.addWidget(self.run_button)
        bottom = QWidget(self)
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.verdict)
        bottom_layout.addWidget(self.result)
        splitter = QSplitter(self)
        splitter.setOrientation(splitter.orientation().Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.load_recent.clicked.connect(self.find_recent_events)
        self.build_sample.clicked.connect(self.fill_sample)
        self.recent.activated.connect(self._recent_chosen)
        self.run_button.clicked.connect(self.run_test)

    def set_timezone(self, timezone: str) -> None:
        self._timezone = timezone

    def find_recent_events(self) -> None:
        trigger = str(self._rule_document().get("trigger_event", ""))
        self.recent.clear()
        self.recent.addItem("Looking for recent events…")
        run_operation(
            self.desk,
            lambda ctx: recent_events(ctx, trigger),
            parent=self,
            on_done=self._show_recent,
        )

    def _show_recent(self, events: list[RecentEvent]) -> None:
        self.recent.clear()
        if not events:
            self.recent.addItem("No recent event of this kind: build a sample instead")
            return
        for event in events:
            self.recent.addItem(event.label, event.document)
        self.recent.setCurrentIndex(0)
        self._recent_chosen(0)

    def _recent_chosen(self, index: int) -> None:
        document = self.recent.itemData(index)
        if isinstance(document, dict):
            self.event_text.setPlainText(json.dumps(document, indent=2, ensure_ascii=False))

    def fill_sample(self) -> None:
        trigger = str(self._rule_document().get("trigger_event", ""))
        document = sample_event(trigger, self.desk.clock.now(), self._timezone)
        self.event_text.setPlainText(json.dumps(document, indent=2, ensure_ascii=False))

    def run_test(self) -> None:
        """Dry run on the UI thread: it is pure (no database, nothing sent)."""
        self.result.clear()
        try:
            rule = validate_rule(self._rule_document())
            event = parse_event(json.loads(self.event_text.toPlainText() or "{}"))
            outcome = dry_run(rule, event)
        except json.JSONDecodeError as error:
            self.verdict.setText(f"The event is not valid JSON: {error.msg} (line {error.lineno})")
            return
        except InvalidInput as error:
            self.verdict.setText(explain(error))
            return
        self.show_outcome(outcome)

    def show_outcome(self, outcome: dict[str, Any]) -> None:
        would_run = sum(1 for a in outcome["actions"] if a["status"] == "would_run")
        matched = "matches" if outcome["matched"] else "does not match"
        self.verdict.setText(
            f"The rule {matched} this event: {would_run} of {len(outcome['actions'])} "
            "action(s) would run. Nothing was saved or sent."
        )
        conditions = QTreeWidgetItem(self.result, ["Conditions", "", _yes_no(outcome["matched"])])
        if not outcome["conditions"]:
            QTreeWidgetItem(conditions, ["(none: always runs)", "", ""])
        for check in outcome["conditions"]:
            _check_item(conditions, check)
        actions = QTreeWidgetItem(self.result, ["Actions", "", ""])
        for entry in outcome["actions"]:
            status = STATUS_WORDS.get(entry["status"], entry["status"])
            item = QTreeWidgetItem(
                actions,
                [
                    f"{entry['index'] + 1}. {action_label(entry['type'])}",
                    _when(entry["runs_at"]),
                    status,
                ],
            )
            for key, value in entry["rendered"].items():
                QTreeWidgetItem(item, [key, _shown(value), ""])
            for check in entry["conditions"]:
                _check_item(item, check)
            if entry.get("error"):
                QTreeWidgetItem(item, ["error", entry["error"], ""])
        self.result.expandAll()


def _when(iso: str) -> str:
    """When an action would run, as the organization's clock shows it."""
    return f"runs {datetime.fromisoformat(iso):%Y-%m-%d %H:%M}"


def _yes_no(value: bool) -> str:
    return "✓ yes" if value else "✗ no"


def _check_item(parent: QTreeWidgetItem, check: dict[str, Any]) -> QTreeWidgetItem:
    words = OPERATOR_WORDS.get(check["op"], check["op"])  # type: ignore[call-overload]
    return QTreeWidgetItem(
        parent,
        [
            f"{check['path']} {words} {_shown(check['expected'])}",
            f"actual: {_shown(check['actual'])}",
            _yes_no(check["result"]),
        ],
    )
