"""The condition builder's groups, the template field's completion and checks, the trigger
settings, and the 7-day forecast of time-based rules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCompleter, QPushButton
from pytestqt.qtbot import QtBot

from frontdesk.domain.events import EventName
from frontdesk.domain.rules import catalog_for
from frontdesk.gui.automations.condition_builder import ConditionBuilder
from frontdesk.gui.automations.page import AutomationsPage
from frontdesk.gui.automations.template_edit import TemplateLineEdit
from frontdesk.gui.desk import Desk
from frontdesk.services import automation_rules
from tests.gui.automations.driver import build_rule, click, pick, type_text
from tests.gui.helpers import wait_for_operations
from tests.integration.automation.helpers import public_booking_onboarded
from tests.support.automation import example_document
from tests.support.clinic import Clinic


@pytest.mark.parametrize(
    "document",
    [
        {"any": [{"patient.country": "RO"}, {"patient.age": {"gte": 65}}]},
        {"patient.age": {"gte": 18, "lt": 65}, "any": [{"appointment.type": "video"}]},
        {"appointment.type": {"in": ["video", "in_clinic"]}, "patient.city": {"exists": True}},
        {"any": [{"patient.country": "RO"}, {"patient.city": "Cluj", "patient.age": {"gt": 3}}]},
    ],
)
def test_condition_documents_round_trip_through_the_builder(
    qtbot: QtBot, document: dict[str, Any]
) -> None:
    builder = ConditionBuilder()
    qtbot.addWidget(builder)
    builder.set_catalog(catalog_for(EventName.APPOINTMENT_BOOKED))
    builder.set_document(document)
    assert builder.document() == document


def test_an_any_of_group_is_built_from_the_widgets(qtbot: QtBot) -> None:
    builder = ConditionBuilder()
    qtbot.addWidget(builder)
    builder.set_catalog(catalog_for(EventName.APPOINTMENT_BOOKED))
    root = builder.root
    pick(root.kind, "any")
    click(qtbot, root.add_row_button)
    click(qtbot, root.add_row_button)
    first, second = root.items
    pick(first.attribute, "appointment.type")
    pick(first.value.editor, "video")  # type: ignore[arg-type]
    pick(second.attribute, "patient.age")
    pick(second.operator, "gte")
    second.value.editor.setValue(65)  # type: ignore[attr-defined]
    assert builder.document() == {
        "any": [{"appointment.type": "video"}, {"patient.age": {"gte": 65}}]
    }

    click(qtbot, first.findChild(QPushButton, "remove-condition"))
    assert root.items == [second]
    assert builder.document() == {"any": [{"patient.age": {"gte": 65}}]}


def test_typing_double_braces_offers_the_triggers_variables_and_flags_unknown_ones(
    qtbot: QtBot,
) -> None:
    edit = TemplateLineEdit()
    qtbot.addWidget(edit)
    edit.set_variables(v.path for v in catalog_for(EventName.PATIENT_ONBOARDED))
    qtbot.keyClicks(edit, "Hi {{patient.first")
    completer = edit.findChild(QCompleter)
    popup = completer.popup()
    assert popup.isVisible()
    offered = [popup.model().index(r, 0).data() for r in range(popup.model().rowCount())]
    assert offered == ["patient.first_name"]
    popup.setCurrentIndex(popup.model().index(0, 0))
    qtbot.keyClick(popup, Qt.Key.Key_Return)  # the admin picks it
    assert edit.text() == "Hi {{patient.first_name}}"
    assert edit.problem() == ""

    type_text(qtbot, edit, "Your visit {{appointment.started_at}}")
    assert edit.problem() == "not offered by this trigger: appointment.started_at"
    type_text(qtbot, edit, "{{ range(10) }}")
    assert edit.problem() != ""


def test_the_forecast_lists_the_next_seven_days_of_time_based_rules(
    qtbot: QtBot, admin_desk: Desk, clinic: Clinic
) -> None:
    automation_rules.import_rules(
        clinic.as_(clinic.admin), [example_document(n) for n in (1, 4, 5)]
    )
    # An appointment on Wednesday 10:00 Bucharest: its 24 h reminder is due on Tuesday.
    public_booking_onboarded(clinic, start=datetime(2026, 3, 4, 8, 0, tzinfo=UTC))
    page = AutomationsPage(admin_desk)
    qtbot.addWidget(page)
    wait_for_operations(qtbot, admin_desk)
    tree = page.forecast.tree
    items = {tree.topLevelItem(i).text(0): tree.topLevelItem(i) for i in range(2)}
    assert set(items) == {"24h Appointment Reminder", "Patient Birthday Campaign"}
    birthday = items["Patient Birthday Campaign"]
    assert birthday.text(1) == "Every day at a time · 7 runs"
    # From Monday 2 March 09:00 Bucharest (the clinic's clock): 7 mornings, the first today.
    assert [birthday.child(i).text(0) for i in (0, 6)] == [
        "Mon 02 Mar 2026, 09:00",
        "Sun 08 Mar 2026, 09:00",
    ]
    reminder = items["24h Appointment Reminder"]
    assert reminder.text(1) == "Before an appointment starts · 1 run"
    assert [reminder.child(0).text(c) for c in (0, 1)] == [
        "Tue 03 Mar 2026, 10:00",
        "reminder for an appointment",
    ]


def test_the_editor_forecasts_the_rule_being_edited(qtbot: QtBot, admin_desk: Desk) -> None:
    page = AutomationsPage(admin_desk)
    qtbot.addWidget(page)
    wait_for_operations(qtbot, admin_desk)
    editor = page.editor
    click(qtbot, page.new_button)
    build_rule(qtbot, editor, {**example_document(5), "name": "Weekly check"})
    pick(editor.trigger, "schedule.weekly")
    pick(editor.settings.weekday, "friday")
    editor.tabs.setCurrentWidget(editor.forecast)
    root = editor.forecast.tree.topLevelItem(0)
    assert root.text(0) == "Weekly check"
    assert [root.child(i).text(0) for i in range(root.childCount())] == ["Fri 06 Mar 2026, 09:00"]


def test_trigger_settings_follow_the_trigger(qtbot: QtBot, admin_desk: Desk) -> None:
    page = AutomationsPage(admin_desk)
    qtbot.addWidget(page)
    wait_for_operations(qtbot, admin_desk)
    editor = page.editor
    pick(editor.trigger, "schedule.weekly")
    pick(editor.settings.weekday, "friday")
    assert editor.settings.document() == {"time": "09:00", "weekday": "friday"}
    pick(editor.trigger, "appointment.before_start")
    editor.settings.hours_before.setValue(1)
    editor.settings.minutes_before.setValue(30)
    assert editor.settings.document() == {"minutes_before": 90}
    pick(editor.trigger, "schedule.date_reached")
    pick(editor.settings.date_field, "patient_treatment_plan.end_date")
    editor.settings.offset_days.setValue(-3)
    pick(editor.settings.repeat, "once")
    assert editor.settings.document() == {
        "date_field": "patient_treatment_plan.end_date",
        "time": "09:00",
        "offset_days": -3,
        "repeat": "once",
    }
    # The plan whose date is watched becomes readable by conditions and templates.
    click(qtbot, editor.conditions.root.add_row_button)
    offered = editor.conditions.root.items[0].attribute
    assert offered.findData("treatment_plan.name") >= 0
    pick(editor.trigger, "form.signed")
    assert editor.settings.document() == {}
    assert "form.template_id" in [v.path for v in editor.catalog()]
