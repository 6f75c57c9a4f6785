"""The nine example configurations of the specification load verbatim and export unchanged."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from frontdesk.domain.events import EventName
from frontdesk.domain.rules import (
    RuleDefinition,
    ScheduleAction,
    check_paths,
    validate_rule,
    validate_rule_file,
)
from frontdesk.domain.rules.actions import BookFollowupAppointment, RequireForm, SendEmail
from frontdesk.domain.rules.triggers import BeforeStartSettings, DailySettings
from tests.unit.rules.factories import example_paths, load_example

EXPECTED_FILES = [
    "01_new_patient_gdpr.json",
    "02_first_video_appointment.json",
    "03_service_plan_enrolment.json",
    "04_appointment_reminder_24h.json",
    "05_birthday_campaign.json",
    "06_telerehab_plan_assignment.json",
    "07_daily_session_reminder.json",
    "08_treatment_plan_completion_followup.json",
    "09_low_adherence_alert.json",
]


def test_the_nine_examples_are_there() -> None:
    assert [path.name for path in example_paths()] == EXPECTED_FILES


@pytest.mark.parametrize("path", example_paths(), ids=lambda path: path.stem)
def test_example_validates_and_exports_exactly_as_written(path: Path) -> None:
    original = json.loads(path.read_text(encoding="utf-8"))
    assert RuleDefinition.model_validate(original).to_json_dict() == original
    rule = validate_rule(original)
    assert rule.to_json_dict() == original
    assert check_paths(rule) == []
    assert validate_rule_file(path) == rule


def test_example_1_keeps_integer_form_ids_and_the_delay() -> None:
    rule = validate_rule(load_example(1))
    first, second, email, _notification = rule.actions
    assert isinstance(first, RequireForm)
    assert first.form_template_id == 42
    assert first.blocking
    assert isinstance(second, RequireForm)
    assert second.form_template_id == 43
    assert isinstance(email, SendEmail)
    assert email.delay_minutes == 5
    assert rule.enabled
    assert rule.trigger_event is EventName.PATIENT_ONBOARDED


def test_example_4_reads_its_lead_time_and_per_action_condition() -> None:
    rule = validate_rule(load_example(4))
    assert isinstance(rule.trigger_config, BeforeStartSettings)
    assert rule.trigger_config.lead == timedelta(hours=24)
    assert rule.actions[0].conditions.entries == ()
    assert rule.actions[1].conditions.entries[0].path == "appointment.type"


def test_example_7_nests_a_conditional_action_ten_hours_later() -> None:
    rule = validate_rule(load_example(7))
    assert isinstance(rule.trigger_config, DailySettings)
    assert rule.trigger_config.wall_time.hour == 9
    scheduled = rule.actions[1]
    assert isinstance(scheduled, ScheduleAction)
    assert scheduled.schedule_delay_minutes == 600
    assert scheduled.action.type == "send_session_reminder"
    assert scheduled.action.conditions.entries[0].path == "patient.session_completed_today"


def test_example_8_keeps_template_references_for_the_engine() -> None:
    followup = validate_rule(load_example(8)).actions[0]
    assert isinstance(followup, BookFollowupAppointment)
    assert followup.specialist_id == "{{treatment_plan.specialist_id}}"
    assert followup.within_days == 7
    assert dict(followup.template_sources())["description"].endswith("{{treatment_plan.name}}")


def test_example_9_uses_the_operator_form() -> None:
    rule = validate_rule(load_example(9))
    adherence, sessions = rule.conditions.entries
    assert (adherence.path, adherence.tests[0].op, adherence.tests[0].expected) == (
        "treatment_plan.adherence_rate",
        "lt",
        0.5,
    )
    assert (sessions.tests[0].op, sessions.tests[0].expected) == ("gte", 3)
