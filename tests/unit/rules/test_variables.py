"""The variable catalog and the save-time check of paths and template variables."""

from __future__ import annotations

import re
from typing import Any

import pytest

from frontdesk.domain.events import EventName
from frontdesk.domain.rules import (
    CATALOG,
    RuleDefinition,
    RuleInvalid,
    VarType,
    catalog_for,
    check_paths,
    entities_for,
    validate_rule,
)
from frontdesk.domain.rules.triggers import DateReachedSettings
from frontdesk.domain.rules.variables import ENTITIES_BY_TRIGGER
from tests.support.repository import REPOSITORY
from tests.unit.rules.factories import errors_of, rule_doc


def problems(document: dict[str, Any]) -> dict[str, str]:
    return {e.field: e.message for e in check_paths(RuleDefinition.model_validate(document))}


def test_every_trigger_has_its_entities() -> None:
    assert set(ENTITIES_BY_TRIGGER) == set(EventName)


def test_catalog_entries_are_usable_condition_paths_with_labels() -> None:
    for path, variable in CATALOG.items():
        assert variable.path == path
        assert re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", path), path
        assert variable.label
        assert isinstance(variable.type, VarType)


def test_the_paths_the_specification_names_are_in_the_catalog() -> None:
    named = {
        "patient.country", "patient.city", "patient.age", "patient.segment_id",
        "appointment.type", "appointment.service_id", "appointment.specialist.specialty",
        "form.type", "form.template_id", "treatment_plan.type",
        "treatment_plan.requires_approval", "treatment_plan.sessions_completed",
        "treatment_plan.adherence_rate", "time.hours_before_appointment", "time.day_of_week",
    }  # fmt: skip
    assert named <= set(CATALOG)


def test_catalog_for_a_trigger_offers_only_its_entities() -> None:
    onboarded = {v.path for v in catalog_for(EventName.PATIENT_ONBOARDED)}
    assert "patient.first_name" in onboarded
    assert "organization.name" in onboarded
    assert "time.day_of_week" in onboarded
    assert not any(p.startswith("appointment.") for p in onboarded)
    assert "time.hours_before_appointment" not in onboarded

    reminder = {v.path for v in catalog_for(EventName.APPOINTMENT_BEFORE_START)}
    assert {"appointment.specialist.name", "time.hours_before_appointment"} <= reminder

    created = {v.path for v in catalog_for(EventName.TREATMENT_PLAN_CREATED)}
    assert "treatment_plan.name" in created
    assert "patient.name" not in created


def test_catalog_is_sorted_and_typed_for_the_condition_builder() -> None:
    offered = catalog_for(EventName.APPOINTMENT_BOOKED)
    assert [v.path for v in offered] == sorted(v.path for v in offered)
    by_path = {v.path: v for v in offered}
    assert by_path["patient.age"].type is VarType.INT
    assert by_path["appointment.type"].choices == ("video", "in_clinic")
    assert by_path["time.day_of_week"].choices[0] == "Monday"


def test_date_reached_offers_the_record_it_watches() -> None:
    birthday = entities_for(
        EventName.SCHEDULE_DATE_REACHED, DateReachedSettings(date_field="patient.date_of_birth")
    )
    plan_end = entities_for(
        EventName.SCHEDULE_DATE_REACHED,
        DateReachedSettings(date_field="patient_treatment_plan.end_date"),
    )
    enrolment = entities_for(
        EventName.SCHEDULE_DATE_REACHED,
        DateReachedSettings(date_field="service_plan_enrolment.enrolled_at"),
    )
    assert "patient_treatment_plan" not in birthday
    assert {"patient", "treatment_plan", "patient_treatment_plan"} <= plan_end
    assert {"service_plan", "service_plan_enrolment"} <= enrolment


@pytest.mark.parametrize(
    ("document", "field", "message"),
    [
        (rule_doc(conditions={"patient.agee": 3}), "conditions.patient.agee",
         "unknown attribute 'patient.agee'"),
        (rule_doc(conditions={"appointment.type": "video"}), "conditions.appointment.type",
         "'appointment.type' is not available for trigger patient.onboarded"),
        (rule_doc(conditions={"time.hours_before_appointment": 24}),
         "conditions.time.hours_before_appointment", "not available for trigger"),
        (rule_doc(conditions={"any": [{"patient.city": "x"}, {"patient.cty": "x"}]}),
         "conditions.any[1].patient.cty", "unknown attribute"),
        (rule_doc(conditions={"patient.age": "old"}), "conditions.patient.age",
         "patient.age is a whole number; 'old' cannot match it"),
        (rule_doc(conditions={"patient.age": {"contains": 7}}), "conditions.patient.age",
         "'contains' does not apply"),
        (rule_doc(conditions={"patient.birthday_today": "yes"}),
         "conditions.patient.birthday_today", "true or false"),
        (rule_doc(conditions={"patient.birthday_today": {"in": [True]}}),
         "conditions.patient.birthday_today", "'in' does not apply"),
        (rule_doc(conditions={"patient.date_of_birth": {"lt": "yesterday"}}),
         "conditions.patient.date_of_birth", "a date (YYYY-MM-DD)"),
        (rule_doc(conditions={"patient.onboarded_at": {"gte": "2026-01-01"}}),
         "conditions.patient.onboarded_at", "a date and time"),
        (rule_doc(conditions={"time.day_of_week": "monday"}), "conditions.time.day_of_week",
         "one of 'Monday'"),
        (rule_doc(conditions={"patient.id": {"gt": 3}}), "conditions.patient.id",
         "'gt' does not apply"),
        (rule_doc(conditions={"patient.segment_ids": {"contains": True}}),
         "conditions.patient.segment_ids", "a list of ids"),
        (rule_doc(actions=[{"type": "send_email", "email_template": "w",
                            "conditions": {"appointment.type": "video"}}]),
         "actions[0].conditions.appointment.type", "not available for trigger"),
        (rule_doc(trigger_event="service_plan.enrolled",
                  actions=[{"type": "send_email", "email_template": "w",
                            "variables": {"plan_name": "{{service_plan.nme}}"}}]),
         "actions[0].variables.plan_name", "unknown variable 'service_plan.nme'"),
        (rule_doc(actions=[{"type": "show_notification", "message": "Hi {{ patient }}"}]),
         "actions[0].message", "unknown variable 'patient'"),
        (rule_doc(actions=[{"type": "show_notification", "message": "{{ range }}"}]),
         "actions[0].message", "unknown variable 'range'"),
        (rule_doc(actions=[{"type": "show_notification", "message": "Hi",
                            "cta_url": "/a/{{ appointment.id }}"}]),
         "actions[0].cta_url", "'appointment.id' is not available"),
        (rule_doc(actions=[{"type": "schedule_action", "delay_days": 1,
                            "action": {"type": "send_sms", "message": "{{ patient.nam }}",
                                       "conditions": {"form.type": "survey"}}}]),
         "actions[0].action.message", "unknown variable 'patient.nam'"),
        (rule_doc(actions=[{"type": "schedule_action", "delay_days": 1,
                            "action": {"type": "send_sms", "message": "Hi",
                                       "conditions": {"form.type": "survey"}}}]),
         "actions[0].action.conditions.form.type", "not available"),
        (rule_doc(trigger_event="treatment_plan.completed",
                  actions=[{"type": "book_followup_appointment",
                            "specialist_id": "{{treatment_plan.specialist_idd}}",
                            "service_id": 4}]),
         "actions[0].specialist_id", "unknown variable 'treatment_plan.specialist_idd'"),
        (rule_doc(actions=[{"type": "send_email", "email_template": "w",
                            "description": "{{ patient.first_name|default(patient.nick) }}"}]),
         "actions[0].description", "unknown variable 'patient.nick'"),
    ],
)  # fmt: skip
def test_unknown_paths_and_variables_are_refused_where_used(
    document: dict[str, Any], field: str, message: str
) -> None:
    found = problems(document)
    assert field in found, found
    assert message in found[field]
    with pytest.raises(RuleInvalid) as excinfo:
        validate_rule(document)
    assert field in errors_of(excinfo)


def test_known_paths_of_the_right_type_pass() -> None:
    document = rule_doc(
        trigger_event="appointment.booked",
        conditions={
            "patient.age": {"gte": 65},
            "patient.date_of_birth": {"lt": "1960-01-01"},
            "appointment.started_at": {"gte": "2026-01-01T00:00:00+02:00"},
            "appointment.type": {"in": ["video", "in_clinic"]},
            "appointment.specialist.specialty": {"contains": "kine"},
            "patient.segment_ids": 15,
            "time.day_of_week": "Monday",
            "any": [{"patient.email": {"exists": False}}, {"patient.phone": {"ne": "+40"}}],
        },
        actions=[
            {
                "type": "send_sms",
                "message": "{{ patient.first_name|upper }} {{ appointment['video_room_url'] }}",
                "conditions": {"time.hours_before_appointment": {"lte": 48}},
            }
        ],
    )
    assert problems(document) == {}
    assert validate_rule(document).trigger_event is EventName.APPOINTMENT_BOOKED


def test_the_rule_format_document_lists_the_whole_catalog() -> None:
    document = (REPOSITORY / "docs" / "rule-format.md").read_text(encoding="utf-8")
    missing = [path for path in CATALOG if f"`{path}`" not in document]
    assert missing == []
