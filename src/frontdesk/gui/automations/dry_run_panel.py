"""The rule's test panel: pick a recent real event (or build a sample and edit it), then see the
dry run — each condition with its actual value and result, each action with what it would send
— with nothing written or sent (`domain.rules.dry_run`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

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
from frontdesk.domain.rules.variables import CATALOG
from frontdesk.gui.automations.action_fields import FIELDS, Kind
from frontdesk.gui.automations.catalog_words import (
    action_label,
    choice_label,
    operator_label,
    option_label,
    trigger_label,
    variable_label,
)
from frontdesk.gui.automations.problem_words import field_words, sentences
from frontdesk.gui.automations.sample_event import sample_event
from frontdesk.gui.operations import run_operation
from frontdesk.i18n import N_, _, ngettext
from frontdesk.i18n.formats import format_datetime, format_number

if TYPE_CHECKING:
    from frontdesk.gui.desk import Desk

STATUS_WORDS = {"would_run": N_("would run"), "skipped": N_("skipped"), "error": N_("would fail")}


def _shown(value: Any) -> str:
    if value is None:
        return _("(empty)")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
        return format_number(value)
    if isinstance(value, list | tuple):
        return ", ".join(_shown(item) for item in value)
    if isinstance(value, dict):  # a message's variables: "name = Ana, plan = Knee"
        return ", ".join(f"{key} = {_shown(item)}" for key, item in value.items())
    return str(value)


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
        self.recent.setAccessibleName(_("Recent events"))
        self.recent.setMinimumContentsLength(40)
        self.recent.setPlaceholderText(_("Recent events of this trigger: press Find"))
        self.load_recent = QPushButton(_("&Find recent events"), self)
        self.load_recent.setObjectName("find-recent-events")
        self.build_sample = QPushButton(_("Build a &sample"), self)
        self.build_sample.setObjectName("build-sample")
        self.build_sample.setAccessibleDescription(
            _("Fills in a made-up event of this trigger, to edit before the test")
        )
        self.event_text = QPlainTextEdit(self)
        self.event_text.setObjectName("sample-event")
        self.event_text.setAccessibleName(_("Event to test with"))
        self.event_text.setAccessibleDescription(
            _("The event as the rule reads it, written in JSON; edit any value before the test")
        )
        self.run_button = QPushButton(_("&Run the test"), self)
        self.run_button.setObjectName("run-dry-run")
        self.run_button.setAccessibleDescription(_("Nothing is saved or sent"))
        self.verdict = QLabel(_("Pick an event or build a sample, then run the test."), self)
        self.verdict.setObjectName("dry-run-verdict")
        self.verdict.setWordWrap(True)
        self.result = QTreeWidget(self)
        self.result.setObjectName("dry-run-result")
        self.result.setAccessibleName(_("Test result"))
        self.result.setHeaderLabels([_("What"), _("Detail"), _("Result")])
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
        self.recent.addItem(_("Looking for recent events…"))
        run_operation(
            self.desk,
            lambda ctx: recent_events(ctx, trigger),
            parent=self,
            on_done=self._show_recent,
        )

    def _show_recent(self, events: list[RecentEvent]) -> None:
        self.recent.clear()
        if not events:
            self.recent.addItem(_("No recent event of this kind: build a sample instead"))
            return
        for event in events:
            self.recent.addItem(self._event_words(event), event.document)
        self.recent.setCurrentIndex(0)
        self._recent_chosen(0)

    def _recent_chosen(self, index: int) -> None:
        document = self.recent.itemData(index)
        if isinstance(document, dict):
            self.event_text.setPlainText(json.dumps(document, indent=2, ensure_ascii=False))

    def _event_words(self, event: RecentEvent) -> str:
        """ "3 Mar 2026, 09:00 · Every day at a time · Ana Pop": when, what, who."""
        document = event.document
        patient = (document.get("context") or {}).get("patient") or {}
        when = format_datetime(event.occurred_at.astimezone(ZoneInfo(self._timezone)), WHEN)
        parts = [when, trigger_label(str(document.get("event", "")))]
        if patient.get("name"):
            parts.append(str(patient["name"]))
        return " · ".join(parts)

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
            self.verdict.setText(
                _("The event is not valid JSON: {problem} (line {line})").format(
                    problem=error.msg, line=error.lineno
                )
            )
            return
        except InvalidInput as error:
            problems = sentences(error.errors, self._rule_document())
            self.verdict.setText(_("Please check:") + "\n" + problems)
            return
        self.show_outcome(outcome)

    def show_outcome(self, outcome: dict[str, Any]) -> None:
        total = len(outcome["actions"])
        would_run = sum(1 for a in outcome["actions"] if a["status"] == "would_run")
        if outcome["matched"]:
            verdict = ngettext(
                "The rule matches this event: {count} of {total} action would run.",
                "The rule matches this event: {count} of {total} actions would run.",
                total,
            )
        else:
            verdict = ngettext(
                "The rule does not match this event: {count} of {total} action would run.",
                "The rule does not match this event: {count} of {total} actions would run.",
                total,
            )
        self.verdict.setText(
            verdict.format(count=would_run, total=total) + " " + _("Nothing was saved or sent.")
        )
        conditions = QTreeWidgetItem(
            self.result, [_("Conditions"), "", _yes_no(outcome["matched"])]
        )
        if not outcome["conditions"]:
            QTreeWidgetItem(conditions, [_("(none: always runs)"), "", ""])
        for check in outcome["conditions"]:
            check_item(conditions, check)
        actions = QTreeWidgetItem(self.result, [_("Actions"), "", ""])
        for entry in outcome["actions"]:
            words = STATUS_WORDS.get(entry["status"])
            item = QTreeWidgetItem(
                actions,
                [
                    _("{number}. {action}").format(
                        number=entry["index"] + 1, action=action_label(entry["type"])
                    ),
                    _when(entry["runs_at"]),
                    _(words) if words else entry["status"],
                ],
            )
            for key, value in entry["rendered"].items():
                words = field_words(entry["type"], key)
                QTreeWidgetItem(item, [words, _rendered(entry["type"], key, value), ""])
            for check in entry["conditions"]:
                check_item(item, check)
            if entry.get("error"):
                QTreeWidgetItem(item, [_("Problem"), entry["error"], ""])
        self.result.expandAll()


WHEN = "d MMM y, HH:mm"
"""How the panels write a moment: "3 Mar 2026, 09:00" ("3 mar. 2026, 09:00")."""


def _rendered(action_type: str, key: str, value: Any) -> str:
    """What an action would send: a choice ("specialist", "high") in words."""
    choices = {spec.name for spec in FIELDS.get(action_type, ()) if spec.kind is Kind.CHOICE}
    if key in choices and isinstance(value, str):
        return option_label(value)
    return _shown(value)


def _when(iso: str) -> str:
    """When an action would run, as the organization's clock shows it."""
    return _("runs {when}").format(when=format_datetime(datetime.fromisoformat(iso), WHEN))


def _yes_no(value: bool) -> str:
    return _("✓ yes") if value else _("✗ no")


def check_item(parent: QTreeWidgetItem, check: dict[str, Any]) -> QTreeWidgetItem:
    """A condition checked: "Age in years is at least 18 · was 42 · ✓ yes"."""
    variable = CATALOG.get(str(check.get("path")))
    attribute = variable_label(variable) if variable else str(check.get("path"))

    def shown(value: Any) -> str:  # a status or a type in words, not as stored
        if variable is not None and variable.choices and isinstance(value, str):
            return choice_label(value)
        return _shown(value)

    item = QTreeWidgetItem(
        parent,
        [
            _("{attribute} {operator} {value}").format(
                attribute=attribute,
                operator=operator_label(check.get("op")),
                value=shown(check.get("expected")),
            ),
            _("was {value}").format(value=shown(check.get("actual"))),
            _yes_no(bool(check.get("result"))),
        ],
    )
    item.setToolTip(0, str(check.get("path")))
    return item
