"""The event catalog: every domain event the services publish and automations listen to."""

from __future__ import annotations

from enum import StrEnum


class EventName(StrEnum):
    PATIENT_ONBOARDED = "patient.onboarded"
    PATIENT_FIRST_LOGIN = "patient.first_login"
    PATIENT_PROFILE_COMPLETED = "patient.profile_completed"

    APPOINTMENT_FIRST_BOOKED = "appointment.first_booked"
    APPOINTMENT_BOOKED = "appointment.booked"
    APPOINTMENT_BEFORE_START = "appointment.before_start"
    APPOINTMENT_STARTED = "appointment.started"
    APPOINTMENT_COMPLETED = "appointment.completed"
    APPOINTMENT_CANCELED = "appointment.canceled"

    SERVICE_PLAN_ENROLLED = "service_plan.enrolled"
    SERVICE_PLAN_SESSION_STARTED = "service_plan.session_started"
    SERVICE_PLAN_SESSION_COMPLETED = "service_plan.session_completed"
    SERVICE_PLAN_COMPLETED = "service_plan.completed"

    TREATMENT_PLAN_CREATED = "treatment_plan.created"
    TREATMENT_PLAN_ASSIGNED = "treatment_plan.assigned"
    TREATMENT_PLAN_ACTIVATED = "treatment_plan.activated"
    TREATMENT_PLAN_SESSION_COMPLETED = "treatment_plan.session_completed"
    TREATMENT_PLAN_COMPLETED = "treatment_plan.completed"
    TREATMENT_PLAN_EXPIRED = "treatment_plan.expired"

    FORM_CREATED = "form.created"
    FORM_COMPLETED = "form.completed"
    FORM_SIGNED = "form.signed"

    SCHEDULE_DAILY = "schedule.daily"
    SCHEDULE_WEEKLY = "schedule.weekly"
    SCHEDULE_DATE_REACHED = "schedule.date_reached"


# Lifecycle events that are not automation triggers but that the desk and sync care about.
class DeskEventName(StrEnum):
    APPOINTMENT_UPCOMING = "appointment.onboarded"
    APPOINTMENT_CONFIRMED = "appointment.confirmed"
    APPOINTMENT_CHECKED_IN = "appointment.checked_in"
    APPOINTMENT_NOSHOW = "appointment.noshow"
    APPOINTMENT_REINSTATED = "appointment.reinstated"
    APPOINTMENT_RESCHEDULED = "appointment.rescheduled"
    REVIEW_SUBMITTED = "review.submitted"
    ALERT_RAISED = "alert.raised"


TIME_BASED_EVENTS = frozenset(
    {
        EventName.APPOINTMENT_BEFORE_START,
        EventName.SCHEDULE_DAILY,
        EventName.SCHEDULE_WEEKLY,
        EventName.SCHEDULE_DATE_REACHED,
        EventName.TREATMENT_PLAN_EXPIRED,
    }
)
"""Triggers fired by the scheduler rather than by a write."""
