"""Dry runs: a rule against a sample event, in the shape `frontdesk rules dry-run` prints."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from frontdesk.domain.errors import InvalidInput
from frontdesk.domain.rules import derive_context, dry_run, parse_event, validate_rule
from tests.unit.rules.factories import errors_of, load_example, rule_doc


def event(name: str, context: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "event": name,
        "occurred_at": "2026-11-22T09:00:00+02:00",
        "organization": {"timezone": "Europe/Bucharest"},
        "context": context,
        **extra,
    }


def test_a_matching_rule_renders_its_actions() -> None:
    rule = validate_rule(load_example(2))
    result = dry_run(rule, event("appointment.first_booked", {"appointment": {"type": "video"}}))
    assert json.loads(json.dumps(result)) == result
    assert result["rule"] == "First Video Appointment Setup"
    assert result["event"] == "appointment.first_booked"
    assert result["matched"] is True
    assert result["conditions"] == [
        {
            "path": "appointment.type",
            "op": "eq",
            "expected": "video",
            "actual": "video",
            "result": True,
        }
    ]
    assert [(a["index"], a["type"], a["status"]) for a in result["actions"]] == [
        (0, "require_form", "would_run"),
        (1, "send_email", "would_run"),
        (2, "suggest_form", "would_run"),
    ]
    assert result["actions"][0]["rendered"] == {
        "form_template_id": 50,
        "blocking": True,
        "description": "Video Recording Consent",
    }
    assert result["actions"][0]["runs_at"] == "2026-11-22T09:00:00+02:00"


def test_when_the_rule_does_not_match_every_action_is_skipped() -> None:
    rule = validate_rule(load_example(2))
    result = dry_run(
        rule, event("appointment.first_booked", {"appointment": {"type": "in_clinic"}})
    )
    assert result["matched"] is False
    assert result["conditions"][0]["actual"] == "in_clinic"
    assert {a["status"] for a in result["actions"]} == {"skipped"}


def test_per_action_conditions_decide_each_action() -> None:
    rule = validate_rule(load_example(4))
    context = {
        "patient": {"first_name": "Ana"},
        "appointment": {
            "type": "in_clinic",
            "started_at": "2026-11-23T09:00:00+02:00",
            "specialist": {"name": "Dr. Ionescu"},
        },
    }
    sms, email = dry_run(rule, event("appointment.before_start", context))["actions"]
    assert sms["status"] == "would_run"
    assert sms["rendered"]["variables"] == {
        "specialist_name": "Dr. Ionescu",
        "time": "2026-11-23T09:00:00+02:00",
    }
    assert email["status"] == "skipped"
    assert email["conditions"] == [
        {"path": "appointment.type", "op": "eq", "expected": "video", "actual": "in_clinic",
         "result": False}
    ]  # fmt: skip


def test_delays_and_scheduled_actions_show_when_they_run() -> None:
    rule = validate_rule(load_example(7))
    context = {
        "patient": {"has_active_treatment_plan": True, "session_due_today": True},
        "session": {"estimated_duration": 20},
    }
    result = dry_run(rule, event("schedule.daily", context))
    push, scheduled = result["actions"]
    assert push["rendered"]["message"] == (
        "Time for your exercises! Today's session takes about 20 minutes."
    )
    assert scheduled["status"] == "would_run"
    assert scheduled["runs_at"] == "2026-11-22T19:00:00+02:00"
    assert scheduled["rendered"] == {
        "delay_hours": 10,
        "action": {
            "type": "send_session_reminder",
            "channel": "email",
            "email_template": "session_reminder_evening",
            "conditions": {"patient.session_completed_today": False},
        },
    }
    first = dry_run(validate_rule(load_example(1)), event("patient.onboarded", {}))["actions"]
    assert first[2]["runs_at"] == "2026-11-22T09:05:00+02:00"


def test_a_template_that_cannot_be_filled_is_an_error_only_when_it_would_run() -> None:
    rule = validate_rule(load_example(7))
    due = {"patient": {"has_active_treatment_plan": True, "session_due_today": True}}
    push = dry_run(rule, event("schedule.daily", due))["actions"][0]
    assert push["status"] == "error"
    assert push["error"] == "actions[0].message: no value for 'session.estimated_duration'"
    assert push["rendered"] == {}
    not_due = {"patient": {"has_active_treatment_plan": True, "session_due_today": False}}
    push = dry_run(rule, event("schedule.daily", not_due))["actions"][0]
    assert push["status"] == "skipped"
    assert "no value" in push["error"]


def test_low_adherence_example_uses_derived_name_and_remaining_sessions() -> None:
    rule = validate_rule(load_example(9))
    context = {
        "patient": {"first_name": "Ana", "last_name": "Pop"},
        "treatment_plan": {"name": "Knee", "adherence_rate": 0.4, "specialist": {"name": "Dr. I"}},
        "patient_treatment_plan": {"sessions_completed": 3, "sessions_total": 12},
    }
    result = dry_run(rule, event("treatment_plan.session_completed", context))
    assert result["matched"] is True
    notification, email = result["actions"]
    assert notification["rendered"]["message"] == 'Ana Pop has low adherence (0.4%) on plan "Knee"'
    assert notification["rendered"]["target"] == "specialist"
    assert email["rendered"]["variables"]["sessions_remaining"] == "9"


def test_birthday_is_decided_in_the_organizations_zone() -> None:
    rule = validate_rule(load_example(5))
    context = {"patient": {"date_of_birth": "1956-11-22"}}
    # 23:30 UTC on the 21st is already the 22nd in Bucharest.
    late = event("schedule.daily", context, occurred_at="2026-11-21T23:30:00+00:00")
    assert dry_run(rule, late)["matched"] is True
    in_utc = {**late, "organization": {"timezone": "UTC"}}
    assert dry_run(rule, in_utc)["matched"] is False


def test_derived_values() -> None:
    context = derive_context(
        {
            "patient": {"first_name": "Ana", "date_of_birth": "2000-02-29", "segment_ids": [5]},
            "appointment": {"started_at": "2027-03-01T08:59:50+02:00"},  # fired 10 s late
            "service_plan": {"session_count": 10},
            "service_plan_enrolment": {"sessions_completed": 4},
        },
        now=datetime(2027, 2, 28, 7, 0, tzinfo=UTC),
        tz=ZoneInfo("Europe/Bucharest"),
        organization={"name": "Clinica"},
    )
    assert context["patient"] == {
        "first_name": "Ana",
        "name": "Ana",
        "date_of_birth": "2000-02-29",
        "segment_ids": [5],
        "segment_id": [5],
        "age": 26,  # the legal age: 27 from 1 March
        "birthday_today": True,  # celebrated on 28 February in common years
    }
    assert context["time"] == {
        "now": "2027-02-28T09:00:00+02:00",
        "today": "2027-02-28",
        "day_of_week": "Sunday",
        "hour": 9,
        "hours_before_appointment": 24,
        "minutes_before_appointment": 1440,
    }
    assert context["organization"] == {"timezone": "Europe/Bucharest", "name": "Clinica"}
    assert context["service_plan_enrolment"]["sessions_remaining"] == 6


def test_given_values_win_over_derived_ones() -> None:
    context = derive_context(
        {"patient": {"date_of_birth": "1950-01-01", "age": 3}, "time": {"day_of_week": "Friday"}},
        now=datetime(2026, 11, 22, 7, tzinfo=UTC),
        tz=ZoneInfo("UTC"),
    )
    assert context["patient"]["age"] == 3
    assert context["time"]["day_of_week"] == "Friday"


def test_the_sample_context_is_not_modified() -> None:
    sample = {"patient": {"first_name": "Ana"}}
    derive_context(sample, now=datetime(2026, 1, 1, tzinfo=UTC), tz=ZoneInfo("UTC"))
    assert sample == {"patient": {"first_name": "Ana"}}


@pytest.mark.parametrize(
    ("document", "field", "message"),
    [
        (event("patient.onboarded", {}), "event", "the rule listens to appointment.first_booked"),
        (event("patient.exploded", {}), "event", "unknown event 'patient.exploded'"),
        ({"event": "appointment.first_booked"}, "occurred_at", "is required"),
        (event("appointment.first_booked", {}, occurred_at="2026-11-22T09:00:00"), "occurred_at",
         "must include a time zone"),
        (event("appointment.first_booked", {}, occurred_at="soon"), "occurred_at",
         "ISO date and time"),
        (event("appointment.first_booked", {}, organization={"timezone": "Mars/Olympus"}),
         "organization.timezone", "is not a time zone"),
        (event("appointment.first_booked", {"patient": {"date_of_birth": "1956-13-01"}}),
         "context.patient.date_of_birth", "YYYY-MM-DD"),
        (event("appointment.first_booked", {"appointment": {"started_at": "2026-11-22T09:00"}}),
         "context.appointment.started_at", "must include a time zone"),
        (event("appointment.first_booked", {"appointment": {"started_at": "tomorrow"}}),
         "context.appointment.started_at", "ISO date and time"),
        (event("appointment.first_booked", {}, contexts={}), "contexts", "unknown key"),
        ("not an event", "event", "must be an object"),
    ],
)  # fmt: skip
def test_bad_event_documents_are_refused_by_field(document: Any, field: str, message: str) -> None:
    rule = validate_rule(load_example(2))
    with pytest.raises(InvalidInput) as excinfo:
        dry_run(rule, document)
    errors = errors_of(excinfo)
    assert field in errors, errors
    assert message in errors[field]


def test_a_parsed_event_can_be_passed_and_organization_defaults_to_utc() -> None:
    sample = parse_event({"event": "patient.onboarded", "occurred_at": "2026-01-01T10:00:00Z"})
    result = dry_run(validate_rule(rule_doc()), sample)
    assert result["actions"][0]["runs_at"] == "2026-01-01T10:00:00+00:00"
    assert result["matched"] is True
    assert result["conditions"] == []
