"""The editor's test panel: a dry run of the rule being edited, for a recent real event or a
built sample — each condition with its actual value and result, each action with what it would
send — and nothing written or sent."""

from __future__ import annotations

import json

from PySide6.QtWidgets import QTreeWidgetItem
from pytestqt.qtbot import QtBot

from frontdesk.gui.automations.page import AutomationsPage
from frontdesk.gui.desk import Desk
from frontdesk.services import automation_rules
from frontdesk.store.models import AutomationExecution, FormInstance, OutboundMessage
from tests.gui.automations.driver import click
from tests.gui.helpers import wait_for_operations
from tests.integration.automation.helpers import count, onboarded_event
from tests.support.automation import example_document
from tests.support.clinic import Clinic
from tests.support.rows import insert_person


def _editing(qtbot: QtBot, desk: Desk, clinic: Clinic, number: int) -> AutomationsPage:
    automation_rules.import_rules(clinic.as_(clinic.admin), example_document(number))
    page = AutomationsPage(desk)
    qtbot.addWidget(page)
    wait_for_operations(qtbot, desk)
    page.table.selectRow(0)
    click(qtbot, page.edit_button)
    page.editor.tabs.setCurrentWidget(page.editor.test_panel)
    return page


def _rows(item: QTreeWidgetItem) -> list[list[str]]:
    return [[item.child(i).text(c) for c in range(3)] for i in range(item.childCount())]


def _nothing_written(clinic: Clinic) -> None:
    assert count(clinic, OutboundMessage) == 0
    assert count(clinic, FormInstance) == 0
    assert count(clinic, AutomationExecution) == 0


def test_a_built_sample_shows_each_condition_and_each_action_without_sending(
    qtbot: QtBot, admin_desk: Desk, clinic: Clinic
) -> None:
    page = _editing(qtbot, admin_desk, clinic, 9)
    panel = page.editor.test_panel
    click(qtbot, panel.build_sample)
    sample = json.loads(panel.event_text.toPlainText())
    assert sample["event"] == "treatment_plan.session_completed"
    sample["context"]["treatment_plan"]["adherence_rate"] = 0.4
    sample["context"]["patient_treatment_plan"]["sessions_completed"] = 2
    panel.event_text.setPlainText(json.dumps(sample))

    click(qtbot, panel.run_button)

    conditions, actions = (panel.result.topLevelItem(i) for i in range(2))
    assert conditions.text(2) == "✗ no"
    assert _rows(conditions) == [
        ["Adherence rate (0–1) is less than 0.5", "was 0.4", "✓ yes"],
        ["Sessions completed is at least 3", "was 2", "✗ no"],
    ]
    assert [actions.child(i).text(2) for i in range(2)] == ["skipped", "skipped"]
    assert panel.verdict.text().startswith("The rule does not match this event: 0 of 2")
    _nothing_written(clinic)


def test_a_matching_sample_renders_each_message(
    qtbot: QtBot, admin_desk: Desk, clinic: Clinic
) -> None:
    page = _editing(qtbot, admin_desk, clinic, 9)
    panel = page.editor.test_panel
    click(qtbot, panel.build_sample)
    sample = json.loads(panel.event_text.toPlainText())
    sample["context"]["patient_treatment_plan"]["sessions_completed"] = 4
    panel.event_text.setPlainText(json.dumps(sample))

    click(qtbot, panel.run_button)

    actions = panel.result.topLevelItem(1)
    notify, email = actions.child(0), actions.child(1)
    assert (notify.text(0), notify.text(2)) == ("1. Show a notification", "would run")
    rendered = dict((row[0], row[1]) for row in _rows(notify))
    assert rendered["Send to"] == "The specialist"  # a choice in words, not as stored
    assert rendered["Message"] == (
        'Ana Popescu has low adherence (0.4%) on plan "Knee rehabilitation"'
    )
    assert _rows(email) == [
        ["E-mail", "adherence_encouragement", ""],
        [
            "Variables",
            "patient_name = Ana, sessions_remaining = 8, specialist_name = Dr Mihai Popescu",
            "",
        ],
    ]
    assert panel.verdict.text().startswith("The rule matches this event: 2 of 2")
    _nothing_written(clinic)


def test_a_recent_real_event_is_the_sample_and_the_dry_run_reads_its_patient(
    qtbot: QtBot, admin_desk: Desk, clinic: Clinic
) -> None:
    person = insert_person(clinic, first_name="Ioana", last_name="Marin")
    onboarded_event(clinic, person.id)
    page = _editing(qtbot, admin_desk, clinic, 1)
    panel = page.editor.test_panel

    click(qtbot, panel.load_recent)
    wait_for_operations(qtbot, admin_desk)

    assert panel.recent.count() == 1
    assert "Patient registered · Ioana Marin" in panel.recent.itemText(0)
    click(qtbot, panel.run_button)
    actions = panel.result.topLevelItem(1)
    assert [actions.child(i).text(2) for i in range(4)] == ["would run"] * 4
    assert actions.child(2).text(1) == "runs 2 Mar 2026, 09:05"  # the e-mail's 5 min delay
    _nothing_written(clinic)


def test_an_event_that_is_not_json_or_of_another_trigger_is_explained(
    qtbot: QtBot, admin_desk: Desk, clinic: Clinic
) -> None:
    page = _editing(qtbot, admin_desk, clinic, 1)
    panel = page.editor.test_panel
    panel.event_text.setPlainText("{not json")
    click(qtbot, panel.run_button)
    assert panel.verdict.text().startswith("The event is not valid JSON")

    panel.event_text.setPlainText(
        json.dumps({"event": "form.signed", "occurred_at": "2026-03-02T09:00:00+02:00"})
    )
    click(qtbot, panel.run_button)
    assert "the rule listens to patient.onboarded, not form.signed" in panel.verdict.text()
    assert panel.result.topLevelItemCount() == 0
