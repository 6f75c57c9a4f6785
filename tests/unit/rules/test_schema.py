"""The rule format: what it accepts, and every refusal named by its JSON path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from frontdesk.domain.errors import InvalidInput
from frontdesk.domain.rules import (
    ACTION_TYPES,
    RuleInvalid,
    parse_rule_json,
    validate_rule,
    validate_rule_file,
)
from frontdesk.domain.rules.triggers import DateReachedSettings, WeeklySettings
from tests.unit.rules.factories import errors_of, rule_doc, with_action

SPEC_ACTIONS = {
    "require_form", "suggest_form", "request_profile_fields", "send_email", "send_sms",
    "show_notification", "send_push", "block_booking", "grant_access", "require_consent",
    "update_segment", "assign_treatment_plan", "send_session_reminder",
    "book_followup_appointment", "schedule_action",
}  # fmt: skip

EVERY_ACTION: list[dict[str, Any]] = [
    {"type": "require_form", "form_template_id": "privacy_policy", "description": "Privacy"},
    {"type": "suggest_form", "form_template_id": "0190f3c2-7a4e-7b8a-9c1d-2e3f4a5b6c7d"},
    {
        "type": "request_profile_fields",
        "fields": ["phone", "city"],
        "message": "Hi",
        "blocking": True,
    },
    {"type": "send_email", "email_template": "welcome", "variables": {"n": "{{patient.name}}"}},
    {"type": "send_sms", "message": "Hi {{patient.first_name}}", "target": "patient"},
    {"type": "show_notification", "message": "New patient", "target": "staff", "priority": "low"},
    {"type": "send_push", "title": "Hello", "message": "Open the app", "cta_url": "/today"},
    {"type": "block_booking", "reason": "Unpaid invoice", "delay_minutes": 0},
    {"type": "grant_access", "feature": "telerehab", "duration_days": 30},
    {"type": "require_consent", "consent_type": "video_recording", "form_template_id": 9},
    {"type": "update_segment", "segment_id": "new_patients", "action": "remove"},
    {"type": "assign_treatment_plan", "treatment_plan_id": 12},
    {"type": "send_session_reminder", "channel": "sms", "template": "session_sms"},
    {"type": "book_followup_appointment", "specialist_id": 3, "service_id": "followup"},
    {
        "type": "schedule_action",
        "delay_days": 3,
        "description": "Check-in e-mail",
        "action": {
            "type": "schedule_action",
            "delay_minutes": 30,
            "action": {"type": "send_email", "email_template": "check_in"},
        },
    },
]


def refusal(document: object) -> dict[str, str]:
    with pytest.raises(RuleInvalid) as excinfo:
        validate_rule(document)
    return errors_of(excinfo)


def test_every_action_of_the_specification_is_a_type() -> None:
    assert set(ACTION_TYPES) == SPEC_ACTIONS
    assert {action["type"] for action in EVERY_ACTION} == SPEC_ACTIONS


def test_a_rule_with_every_action_validates_and_exports_unchanged() -> None:
    document = rule_doc(actions=EVERY_ACTION, on_failure="stop", description="All of them")
    rule = validate_rule(document)
    assert rule.to_json_dict() == document
    assert [action.type for action in rule.actions] == [a["type"] for a in EVERY_ACTION]


def test_defaults_are_applied_but_not_exported() -> None:
    rule = validate_rule(with_action({"type": "show_notification", "message": "Hi"}))
    notification = rule.actions[0]
    assert (notification.target, notification.priority) == ("patient", "normal")  # type: ignore[union-attr]
    assert rule.enabled is True
    assert rule.on_failure == "continue"
    assert rule.to_json_dict() == with_action({"type": "show_notification", "message": "Hi"})


def test_refusals_are_invalid_input_with_one_line_per_error() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        validate_rule(rule_doc(name="", trigger_event="nope"))
    assert isinstance(excinfo.value, RuleInvalid)
    assert [str(e) for e in excinfo.value.errors] == [
        "name: must not be empty",
        "trigger_event: unknown trigger 'nope'",
    ]


@pytest.mark.parametrize(
    ("document", "field", "message"),
    [
        (rule_doc(name=""), "name", "must not be empty"),
        (rule_doc(name="   "), "name", "must not be empty"),
        (rule_doc(name="x" * 201), "name", "at most 200 characters"),
        (rule_doc(name=7), "name", "must be text"),
        ({"trigger_event": "patient.onboarded", "actions": []}, "name", "is required"),
        (rule_doc(trigger_event="patient.exploded"), "trigger_event", "unknown trigger"),
        (rule_doc(priority=1), "priority", "unknown key"),
        (rule_doc(enabled="yes"), "enabled", "must be true or false"),
        (rule_doc(actions=[]), "actions", "at least 1 item"),
        (rule_doc(actions={"type": "send_email"}), "actions", "must be a list"),
        (rule_doc(actions=[5]), "actions[0]", "must be an object"),
        (rule_doc(on_failure="explode"), "on_failure", "must be 'continue' or 'stop'"),
        (rule_doc(misfire="skip"), "misfire", "only to time-based triggers"),
        (rule_doc(description="x" * 2001), "description", "at most 2000 characters"),
        ("not a rule", "rule", "must be an object"),
    ],
)
def test_rule_level_refusals(document: object, field: str, message: str) -> None:
    errors = refusal(document)
    assert field in errors, errors
    assert message in errors[field]


def test_misfire_is_accepted_for_time_based_rules() -> None:
    document = rule_doc(
        trigger_event="schedule.daily", trigger_config={"time": "08:00"}, misfire="skip"
    )
    assert validate_rule(document).misfire == "skip"


@pytest.mark.parametrize(
    ("action", "field", "message"),
    [
        ({"type": "sendmail"}, "actions[0].type", "unknown action type 'sendmail'"),
        ({"email_template": "x"}, "actions[0].type", "is required"),
        ({"type": "require_form"}, "actions[0].form_template_id", "is required"),
        (
            {"type": "require_form", "form_template_id": 0},
            "actions[0].form_template_id",
            "positive",
        ),
        ({"type": "require_form", "form_template_id": True}, "actions[0].form_template_id", "id"),
        ({"type": "require_form", "form_template_id": "a b"}, "actions[0].form_template_id", "key"),
        (
            {"type": "require_form", "form_template_id": 1, "blocking": False},
            "actions[0].blocking",
            "suggest the form instead",
        ),
        (
            {"type": "suggest_form", "form_template_id": 1, "blocking": True},
            "actions[0].blocking",
            "require the form instead",
        ),
        ({"type": "send_email"}, "actions[0].email_template", "is required"),
        (
            {"type": "send_email", "email_template": "welcome patient"},
            "actions[0].email_template",
            "message template key",
        ),
        (
            {"type": "send_email", "email_template": "w", "subjct": "Hi"},
            "actions[0].subjct",
            "unknown key",
        ),
        (
            {"type": "send_email", "email_template": "w", "variables": ["a"]},
            "actions[0].variables",
            "must be an object",
        ),
        (
            {"type": "send_email", "email_template": "w", "variables": {"plan name": "x"}},
            "actions[0].variables.plan name",
            "variable names",
        ),
        (
            {"type": "send_email", "email_template": "w", "variables": {"n": "{{ patient.name"}},
            "actions[0].variables.n",
            "template syntax error on line 1",
        ),
        (
            {"type": "send_email", "email_template": "w", "variables": {"n": 5}},
            "actions[0].variables.n",
            "must be text",
        ),
        (
            {"type": "send_email", "email_template": "w", "target": "everyone"},
            "actions[0].target",
            "'patient', 'specialist' or 'staff'",
        ),
        ({"type": "show_notification"}, "actions[0].message", "is required"),
        ({"type": "show_notification", "message": ""}, "actions[0].message", "must not be empty"),
        (
            {"type": "show_notification", "message": "x" * 501},
            "actions[0].message",
            "at most 500 characters",
        ),
        (
            {"type": "show_notification", "message": "Hi", "priority": "urgent"},
            "actions[0].priority",
            "must be 'low', 'normal' or 'high'",
        ),
        (
            {"type": "show_notification", "message": "Hi", "duration_days": 0},
            "actions[0].duration_days",
            "at least 1",
        ),
        (
            {"type": "show_notification", "message": "Hi", "cta_url": "/x/{{ p.__class__ }}"},
            "actions[0].cta_url",
            "is private",
        ),
        (
            {"type": "show_notification", "message": "{{ ''.__class__.__mro__ }}"},
            "actions[0].message",
            "is private",
        ),
        (
            {"type": "show_notification", "message": "{% for i in range(10**9) %}x{% endfor %}"},
            "actions[0].message",
            "loops",
        ),
        ({"type": "send_sms"}, "actions[0]", "either a message template or a message"),
        (
            {"type": "send_sms", "template": "t", "message": "m"},
            "actions[0]",
            "either a message template or a message",
        ),
        (
            {"type": "send_push", "title": "Hi"},
            "actions[0]",
            "either a message template or a message",
        ),
        ({"type": "block_booking"}, "actions[0].reason", "is required"),
        ({"type": "grant_access", "feature": "teleport"}, "actions[0].feature", "must be"),
        ({"type": "require_consent", "consent_type": ""}, "actions[0].consent_type", "key"),
        (
            {"type": "update_segment", "segment_id": 15, "action": "toggle"},
            "actions[0].action",
            "must be 'add' or 'remove'",
        ),
        ({"type": "update_segment", "segment_id": 15}, "actions[0].action", "is required"),
        ({"type": "update_segment", "action": "add"}, "actions[0].segment_id", "is required"),
        (
            {"type": "assign_treatment_plan", "treatment_plan_id": "{{ x"},
            "actions[0].treatment_plan_id",
            "syntax error",
        ),
        ({"type": "request_profile_fields", "fields": []}, "actions[0].fields", "at least 1"),
        (
            {"type": "request_profile_fields", "fields": ["shoe_size"]},
            "actions[0].fields[0]",
            "must be",
        ),
        (
            {"type": "request_profile_fields", "fields": ["phone", "phone"]},
            "actions[0]",
            "twice",
        ),
        (
            {"type": "send_session_reminder", "channel": "push", "email_template": "e"},
            "actions[0]",
            "takes a push or SMS template, not an e-mail one",
        ),
        (
            {"type": "send_session_reminder", "channel": "email", "template": "t"},
            "actions[0]",
            "takes an e-mail template, not a push or SMS one",
        ),
        (
            {"type": "send_session_reminder", "channel": "email"},
            "actions[0]",
            "either a message or an e-mail template",
        ),
        (
            {"type": "send_session_reminder", "channel": "fax", "message": "m"},
            "actions[0].channel",
            "must be",
        ),
        (
            {
                "type": "book_followup_appointment",
                "specialist_id": 1,
                "service_id": 2,
                "within_days": 91,
            },
            "actions[0].within_days",
            "at most 90",
        ),
        (
            {
                "type": "book_followup_appointment",
                "specialist_id": 1,
                "service_id": 2,
                "within_days": 0,
            },
            "actions[0].within_days",
            "at least 1",
        ),
        (
            {"type": "book_followup_appointment", "service_id": 2},
            "actions[0].specialist_id",
            "is required",
        ),
        (
            {"type": "book_followup_appointment", "specialist_id": "{{ a.b() }}", "service_id": 2},
            "actions[0].specialist_id",
            "calls are not allowed",
        ),
        (
            {"type": "send_email", "email_template": "w", "delay_minutes": -1},
            "actions[0].delay_minutes",
            "at least 0",
        ),
        (
            {"type": "send_email", "email_template": "w", "delay_minutes": 60 * 24 * 90 + 1},
            "actions[0].delay_minutes",
            "at most 129600",
        ),
        (
            {"type": "send_email", "email_template": "w", "delay_minutes": 1.5},
            "actions[0].delay_minutes",
            "whole number",
        ),
        (
            {"type": "send_email", "email_template": "w", "description": "x" * 501},
            "actions[0].description",
            "at most 500",
        ),
    ],
)
def test_action_refusals_name_the_field(action: dict[str, Any], field: str, message: str) -> None:
    errors = refusal(with_action(action))
    assert field in errors, errors
    assert message in errors[field]


@pytest.mark.parametrize(
    ("action", "field", "message"),
    [
        ({"type": "schedule_action", "action": {"type": "send_email", "email_template": "w"}},
         "actions[0]", "give the delay once"),
        ({"type": "schedule_action", "delay_hours": 1, "delay_days": 1,
          "action": {"type": "send_email", "email_template": "w"}},
         "actions[0]", "give the delay once"),
        ({"type": "schedule_action", "delay_minutes": 0,
          "action": {"type": "send_email", "email_template": "w"}},
         "actions[0]", "more than 0 minutes"),
        ({"type": "schedule_action", "delay_hours": 0,
          "action": {"type": "send_email", "email_template": "w"}},
         "actions[0].delay_hours", "at least 1"),
        ({"type": "schedule_action", "delay_days": 91,
          "action": {"type": "send_email", "email_template": "w"}},
         "actions[0].delay_days", "at most 90"),
        ({"type": "schedule_action", "delay_days": 1}, "actions[0].action", "is required"),
        ({"type": "schedule_action", "delay_days": 1, "action": {"type": "require_form"}},
         "actions[0].action.form_template_id", "is required"),
        ({"type": "schedule_action", "delay_days": 1, "action": {"type": "nope"}},
         "actions[0].action.type", "unknown action type"),
        ({"type": "schedule_action", "delay_days": 1,
          "action": {"type": "send_sms", "message": "{{ x|attr('y') }}"}},
         "actions[0].action.message", "filter 'attr' is not allowed"),
    ],
)  # fmt: skip
def test_schedule_action_refusals(action: dict[str, Any], field: str, message: str) -> None:
    errors = refusal(with_action(action))
    assert field in errors, errors
    assert message in errors[field]


def _scheduled(depth: int) -> dict[str, Any]:
    action: dict[str, Any] = {"type": "send_email", "email_template": "w"}
    for _ in range(depth):
        action = {"type": "schedule_action", "delay_hours": 1, "action": action}
    return action


def test_scheduled_actions_nest_three_deep_but_not_four() -> None:
    validate_rule(with_action(_scheduled(3)))
    errors = refusal(with_action(_scheduled(4)))
    assert errors == {"actions[0]": "“Do something later” may hold another at most 3 deep"}


@pytest.mark.parametrize(
    ("trigger", "config", "field", "message"),
    [
        ("appointment.before_start", None, "trigger_config", "in hours or in minutes"),
        ("appointment.before_start", {}, "trigger_config", "in hours or in minutes"),
        ("appointment.before_start", {"hours_before": 24, "minutes_before": 30},
         "trigger_config", "in hours or in minutes"),
        ("appointment.before_start", {"hours_before": 0}, "trigger_config.hours_before",
         "greater than 0"),
        ("appointment.before_start", {"hours_before": 1441}, "trigger_config.hours_before",
         "at most 1440"),
        ("appointment.before_start", {"hours_before": "24"}, "trigger_config.hours_before",
         "must be a number"),
        ("appointment.before_start", {"hours_before": True}, "trigger_config.hours_before",
         "must be a number"),
        ("appointment.before_start", {"minutes_before": 1.5}, "trigger_config.minutes_before",
         "whole number"),
        ("appointment.before_start", {"hours_before": 2, "days": 1}, "trigger_config.days",
         "unknown key"),
        ("schedule.daily", None, "trigger_config.time", "is required"),
        ("schedule.daily", {"time": "9:00"}, "trigger_config.time", '"HH:MM"'),
        ("schedule.daily", {"time": "24:00"}, "trigger_config.time", '"HH:MM"'),
        ("schedule.daily", [], "trigger_config", "must be an object"),
        ("schedule.weekly", {"time": "08:00"}, "trigger_config", "day of the week once"),
        ("schedule.weekly", {"time": "08:00", "weekday": "funday"}, "trigger_config.weekday",
         "day of the week"),
        ("schedule.weekly", {"time": "08:00", "weekday": "monday", "day": "monday"},
         "trigger_config", "day of the week once"),
        ("schedule.date_reached", {}, "trigger_config.date_field", "is required"),
        ("schedule.date_reached", {"date_field": "patient.wedding"},
         "trigger_config.date_field", "must be one of patient.date_of_birth"),
        ("schedule.date_reached", {"date_field": "patient.date_of_birth", "offset_days": 400},
         "trigger_config.offset_days", "at most 366"),
        ("schedule.date_reached", {"date_field": "patient.date_of_birth", "repeat": "monthly"},
         "trigger_config.repeat", "must be 'yearly' or 'once'"),
        ("patient.onboarded", {"hours_before": 24}, "trigger_config.hours_before",
         "trigger patient.onboarded takes none"),
    ],
)  # fmt: skip
def test_trigger_config_refusals(trigger: str, config: object, field: str, message: str) -> None:
    document = rule_doc(trigger_event=trigger)
    if config is not None:
        document["trigger_config"] = config
    errors = refusal(document)
    assert field in errors, errors
    assert message in errors[field]


def test_weekly_accepts_day_as_a_spelling_of_weekday_in_any_case() -> None:
    for key in ("weekday", "day"):
        document = rule_doc(
            trigger_event="schedule.weekly", trigger_config={"time": "08:00", key: "MonDay"}
        )
        rule = validate_rule(document)
        assert isinstance(rule.trigger_config, WeeklySettings)
        assert rule.trigger_config.weekday_index == 0
        assert rule.to_json_dict() == document


def test_date_reached_defaults_follow_the_field() -> None:
    birthday = validate_rule(
        rule_doc(
            trigger_event="schedule.date_reached",
            trigger_config={"date_field": "patient.date_of_birth"},
        )
    ).trigger_config
    plan_end = validate_rule(
        rule_doc(
            trigger_event="schedule.date_reached",
            trigger_config={"date_field": "patient_treatment_plan.end_date", "repeat": "yearly"},
        )
    ).trigger_config
    assert isinstance(birthday, DateReachedSettings)
    assert isinstance(plan_end, DateReachedSettings)
    assert birthday.repeats_yearly
    assert birthday.wall_time.hour == 9
    assert plan_end.repeats_yearly  # said explicitly, against the field's default


def test_condition_errors_carry_the_path_inside_the_conditions() -> None:
    document = rule_doc(
        conditions={"patient.age": {"gtx": 3}, "any": [{"patient.city": []}]},
        actions=[
            {"type": "send_email", "email_template": "w"},
            {"type": "send_email", "email_template": "w", "conditions": {"patient.country": None}},
        ],
    )
    errors = refusal(document)
    assert set(errors) == {
        "conditions.patient.age",
        "conditions.any[0].patient.city",
        "actions[1].conditions.patient.country",
    }
    assert errors["conditions.patient.age"].startswith("unknown operator 'gtx'")


def test_every_problem_is_reported_at_once() -> None:
    document = rule_doc(
        name="",
        trigger_event="schedule.daily",
        trigger_config={"time": "late"},
        actions=[{"type": "require_form"}, {"type": "update_segment", "segment_id": 1}],
    )
    assert set(refusal(document)) == {
        "name",
        "trigger_config.time",
        "actions[0].form_template_id",
        "actions[1].action",
    }


def test_json_text_errors() -> None:
    with pytest.raises(RuleInvalid, match=r"rule: not valid JSON: .*line 1, column 2"):
        parse_rule_json("{name")
    with pytest.raises(RuleInvalid, match="rule: key 'name' is written twice"):
        parse_rule_json('{"name": "a", "name": "b"}')
    rule = parse_rule_json(json.dumps(rule_doc()))
    assert rule.name == "Welcome"


def test_rule_files(tmp_path: Path) -> None:
    path = tmp_path / "rule.json"
    path.write_text(json.dumps(rule_doc(name="Ünïcode ✓")), encoding="utf-8")
    assert validate_rule_file(path).name == "Ünïcode ✓"
    with pytest.raises(RuleInvalid) as excinfo:
        validate_rule_file(tmp_path / "missing.json")
    assert excinfo.value.errors[0].field == "rule"
    assert "cannot read" in excinfo.value.errors[0].message
