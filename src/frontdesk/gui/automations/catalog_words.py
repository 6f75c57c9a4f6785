"""Words for the rule editor: triggers grouped by lifecycle, operators, action types, the
values an action's choices take, the attributes conditions read. Marked here (the tables are
built at import, before a language is chosen) and translated by the functions below."""

from __future__ import annotations

from frontdesk.domain.enums import AppointmentStatus, AppointmentType
from frontdesk.domain.events import TIME_BASED_EVENTS, EventName
from frontdesk.domain.rules import Operator, Variable
from frontdesk.i18n import N_, _

TRIGGER_GROUPS: tuple[tuple[str, tuple[tuple[EventName, str], ...]], ...] = (
    (
        N_("Patient"),
        (
            (EventName.PATIENT_ONBOARDED, N_("Patient registered")),
            (EventName.PATIENT_FIRST_LOGIN, N_("Patient logs in for the first time")),
            (EventName.PATIENT_PROFILE_COMPLETED, N_("Patient profile completed")),
        ),
    ),
    (
        N_("Appointment"),
        (
            (EventName.APPOINTMENT_FIRST_BOOKED, N_("Patient's first appointment booked")),
            (EventName.APPOINTMENT_BOOKED, N_("Any appointment booked")),
            (EventName.APPOINTMENT_BEFORE_START, N_("Before an appointment starts")),
            (EventName.APPOINTMENT_STARTED, N_("Appointment starts")),
            (EventName.APPOINTMENT_COMPLETED, N_("Appointment finished")),
            (EventName.APPOINTMENT_CANCELED, N_("Appointment cancelled")),
        ),
    ),
    (
        N_("Service plan"),
        (
            (EventName.SERVICE_PLAN_ENROLLED, N_("Patient enrolled in a service plan")),
            (EventName.SERVICE_PLAN_SESSION_STARTED, N_("Plan session started")),
            (EventName.SERVICE_PLAN_SESSION_COMPLETED, N_("Plan session finished")),
            (EventName.SERVICE_PLAN_COMPLETED, N_("All plan sessions completed")),
        ),
    ),
    (
        N_("Treatment plan"),
        (
            (EventName.TREATMENT_PLAN_CREATED, N_("Treatment plan created")),
            (EventName.TREATMENT_PLAN_ASSIGNED, N_("Treatment plan assigned to a patient")),
            (EventName.TREATMENT_PLAN_ACTIVATED, N_("Treatment plan activated")),
            (EventName.TREATMENT_PLAN_SESSION_COMPLETED, N_("Patient finished a session")),
            (EventName.TREATMENT_PLAN_COMPLETED, N_("Treatment plan completed")),
            (EventName.TREATMENT_PLAN_EXPIRED, N_("Treatment plan expired")),
        ),
    ),
    (
        N_("Form"),
        (
            (EventName.FORM_CREATED, N_("Form created")),
            (EventName.FORM_COMPLETED, N_("Form filled in")),
            (EventName.FORM_SIGNED, N_("Form signed")),
        ),
    ),
    (
        N_("Time"),
        (
            (EventName.SCHEDULE_DAILY, N_("Every day at a time")),
            (EventName.SCHEDULE_WEEKLY, N_("Every week on a day")),
            (EventName.SCHEDULE_DATE_REACHED, N_("A date is reached (birthday, plan date)")),
        ),
    ),
)

TRIGGER_LABELS: dict[str, str] = {
    event.value: label for _, events in TRIGGER_GROUPS for event, label in events
}

FORECASTABLE = frozenset({EventName.SCHEDULE_DAILY.value, EventName.SCHEDULE_WEEKLY.value})
TIME_BASED = frozenset(event.value for event in TIME_BASED_EVENTS)

OPERATOR_WORDS: dict[Operator, str] = {
    Operator.EQ: N_("is"),
    Operator.NE: N_("is not"),
    Operator.LT: N_("is less than"),
    Operator.LTE: N_("is at most"),
    Operator.GT: N_("is more than"),
    Operator.GTE: N_("is at least"),
    Operator.IN: N_("is one of"),
    Operator.NOT_IN: N_("is none of"),
    Operator.CONTAINS: N_("contains"),
    Operator.EXISTS: N_("is filled in"),
}

ACTION_WORDS: dict[str, str] = {
    "require_form": N_("Require a form (blocks booking until signed)"),
    "suggest_form": N_("Suggest a form"),
    "request_profile_fields": N_("Ask for profile details"),
    "send_email": N_("Send an e-mail"),
    "send_sms": N_("Send an SMS"),
    "show_notification": N_("Show a notification"),
    "send_push": N_("Send a push notification"),
    "block_booking": N_("Block booking"),
    "grant_access": N_("Grant access to a feature"),
    "require_consent": N_("Require a consent"),
    "update_segment": N_("Add to or remove from a segment"),
    "assign_treatment_plan": N_("Assign a treatment plan"),
    "send_session_reminder": N_("Send a session reminder"),
    "book_followup_appointment": N_("Book a follow-up appointment"),
    "schedule_action": N_("Do something later"),
}


OPTION_WORDS: dict[str, str] = {
    # whom a message goes to
    "patient": N_("The patient"),
    "specialist": N_("The specialist"),
    "staff": N_("The front desk staff"),
    # a notification's priority
    "low": N_("Low"),
    "normal": N_("Normal"),
    "high": N_("High"),
    # a segment change
    "add": N_("Add to the segment"),
    "remove": N_("Remove from the segment"),
    # a reminder's channel
    "push": N_("Push notification"),
    "email": N_("E-mail"),
    "sms": N_("SMS"),
    # features access is granted to
    "booking": N_("Online booking"),
    "video": N_("Video consultations"),
    "telerehab": N_("Tele-rehabilitation"),
    "treatment_plans": N_("Treatment plans"),
    "exercise_videos": N_("Exercise videos"),
}
"""The stored values an action's choices take, in words."""

PROFILE_FIELD_WORDS: dict[str, str] = {
    "first_name": N_("First name"),
    "last_name": N_("Last name"),
    "email": N_("E-mail"),
    "phone": N_("Phone"),
    "date_of_birth": N_("Date of birth"),
    "country": N_("Country"),
    "city": N_("City"),
}
"""The profile details a rule may ask a patient for, in words."""

WEEKDAY_WORDS: dict[str, str] = {
    "monday": N_("Monday"),
    "tuesday": N_("Tuesday"),
    "wednesday": N_("Wednesday"),
    "thursday": N_("Thursday"),
    "friday": N_("Friday"),
    "saturday": N_("Saturday"),
    "sunday": N_("Sunday"),
}


def trigger_label(trigger: str) -> str:
    """A trigger in words ("Patient registered"); an unknown one as stored."""
    label = TRIGGER_LABELS.get(trigger)
    return _(label) if label else trigger


def action_label(action_type: str) -> str:
    """An action type in words ("Send an SMS"); an unknown one as stored."""
    label = ACTION_WORDS.get(action_type)
    return _(label) if label else action_type


def operator_label(op: object) -> str:
    """An operator in words ("is at least"), from the operator or its stored name."""
    try:
        return _(OPERATOR_WORDS[Operator(op)])
    except ValueError:
        return str(op)


def option_label(value: object) -> str:
    """A choice's stored value in words; values with no words (ids, keys) as they are."""
    words = OPTION_WORDS.get(str(value))
    return _(words) if words else str(value)


def profile_field_label(name: str) -> str:
    words = PROFILE_FIELD_WORDS.get(name)
    return _(words) if words else name.replace("_", " ")


def weekday_label(day: str) -> str:
    words = WEEKDAY_WORDS.get(day)
    return _(words) if words else day


def variable_label(variable: Variable) -> str:
    """An attribute conditions and templates read, in words (the catalogue marks them)."""
    return _(variable.label)


def choice_label(value: str) -> str:
    """A value from an attribute's fixed set, in words where the desk has them (appointment
    statuses and types, days of the week); others as stored."""
    for enum in (AppointmentStatus, AppointmentType):
        if value in enum._value2member_map_:
            return enum(value).label
    words = WEEKDAY_WORDS.get(value.lower())
    return _(words) if words else value
