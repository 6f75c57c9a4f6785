"""Words for the rule editor: triggers grouped by lifecycle, operators, action types."""

from __future__ import annotations

from frontdesk.domain.events import TIME_BASED_EVENTS, EventName
from frontdesk.domain.rules import Operator

TRIGGER_GROUPS: tuple[tuple[str, tuple[tuple[EventName, str], ...]], ...] = (
    (
        "Patient",
        (
            (EventName.PATIENT_ONBOARDED, "Patient registered"),
            (EventName.PATIENT_FIRST_LOGIN, "Patient logs in for the first time"),
            (EventName.PATIENT_PROFILE_COMPLETED, "Patient profile completed"),
        ),
    ),
    (
        "Appointment",
        (
            (EventName.APPOINTMENT_FIRST_BOOKED, "Patient's first appointment booked"),
            (EventName.APPOINTMENT_BOOKED, "Any appointment booked"),
            (EventName.APPOINTMENT_BEFORE_START, "Before an appointment starts"),
            (EventName.APPOINTMENT_STARTED, "Appointment starts"),
            (EventName.APPOINTMENT_COMPLETED, "Appointment finished"),
            (EventName.APPOINTMENT_CANCELED, "Appointment cancelled"),
        ),
    ),
    (
        "Service plan",
        (
            (EventName.SERVICE_PLAN_ENROLLED, "Patient enrolled in a service plan"),
            (EventName.SERVICE_PLAN_SESSION_STARTED, "Plan session started"),
            (EventName.SERVICE_PLAN_SESSION_COMPLETED, "Plan session finished"),
            (EventName.SERVICE_PLAN_COMPLETED, "All plan sessions completed"),
        ),
    ),
    (
        "Treatment plan",
        (
            (EventName.TREATMENT_PLAN_CREATED, "Treatment plan created"),
            (EventName.TREATMENT_PLAN_ASSIGNED, "Treatment plan assigned to a patient"),
            (EventName.TREATMENT_PLAN_ACTIVATED, "Treatment plan activated"),
            (EventName.TREATMENT_PLAN_SESSION_COMPLETED, "Patient finished a session"),
            (EventName.TREATMENT_PLAN_COMPLETED, "Treatment plan completed"),
            (EventName.TREATMENT_PLAN_EXPIRED, "Treatment plan expired"),
        ),
    ),
    (
        "Form",
        (
            (EventName.FORM_CREATED, "Form created"),
            (EventName.FORM_COMPLETED, "Form filled in"),
            (EventName.FORM_SIGNED, "Form signed"),
        ),
    ),
    (
        "Time",
        (
            (EventName.SCHEDULE_DAILY, "Every day at a time"),
            (EventName.SCHEDULE_WEEKLY, "Every week on a day"),
            (EventName.SCHEDULE_DATE_REACHED, "A date is reached (birthday, plan date)"),
        ),
    ),
)

TRIGGER_LABELS: dict[str, str] = {
    event.value: label for _, events in TRIGGER_GROUPS for event, label in events
}

FORECASTABLE = frozenset({EventName.SCHEDULE_DAILY.value, EventName.SCHEDULE_WEEKLY.value})
TIME_BASED = frozenset(event.value for event in TIME_BASED_EVENTS)

OPERATOR_WORDS: dict[Operator, str] = {
    Operator.EQ: "is",
    Operator.NE: "is not",
    Operator.LT: "is less than",
    Operator.LTE: "is at most",
    Operator.GT: "is more than",
    Operator.GTE: "is at least",
    Operator.IN: "is one of",
    Operator.NOT_IN: "is none of",
    Operator.CONTAINS: "contains",
    Operator.EXISTS: "is filled in",
}

ACTION_WORDS: dict[str, str] = {
    "require_form": "Require a form (blocks booking until signed)",
    "suggest_form": "Suggest a form",
    "request_profile_fields": "Ask for profile details",
    "send_email": "Send an e-mail",
    "send_sms": "Send an SMS",
    "show_notification": "Show a notification",
    "send_push": "Send a push notification",
    "block_booking": "Block booking",
    "grant_access": "Grant access to a feature",
    "require_consent": "Require a consent",
    "update_segment": "Add to or remove from a segment",
    "assign_treatment_plan": "Assign a treatment plan",
    "send_session_reminder": "Send a session reminder",
    "book_followup_appointment": "Book a follow-up appointment",
    "schedule_action": "Do something later",
}


def trigger_label(trigger: str) -> str:
    return TRIGGER_LABELS.get(trigger, trigger)


def action_label(action_type: str) -> str:
    return ACTION_WORDS.get(action_type, action_type)
