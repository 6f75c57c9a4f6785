"""Enumerations shared by every layer."""

from __future__ import annotations

from enum import StrEnum

from frontdesk.i18n import N_, _
from frontdesk.i18n.text import Text


class Role(StrEnum):
    ADMIN = "admin"
    RECEPTIONIST = "receptionist"
    SPECIALIST = "specialist"
    PATIENT = "patient"

    @property
    def label(self) -> str:
        """The role in plain words, in the active language."""
        return _(_ROLE_LABELS[self])

    @property
    def text(self) -> Text:
        """The role in plain words, translated when read (for words that travel)."""
        return Text(_ROLE_LABELS[self])


STAFF_ROLES = frozenset({Role.ADMIN, Role.RECEPTIONIST, Role.SPECIALIST})

EXECUTION_STATUSES = ("success", "partial_failure", "failure")
"""How an automation's run ended (an execution record's status)."""


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    UPCOMING = "upcoming"
    CONFIRMED = "confirmed"
    INPROGRESS = "inprogress"
    DONE = "done"
    CANCELLED = "cancelled"
    NOSHOW = "noshow"

    @property
    def label(self) -> str:
        """The status in plain words, in the active language ("In progress", not the stored
        "inprogress")."""
        return _(_STATUS_LABELS[self])

    @property
    def text(self) -> Text:
        """The status in plain words, translated when read (for words that travel)."""
        return Text(_STATUS_LABELS[self])


class AppointmentType(StrEnum):
    VIDEO = "video"
    IN_CLINIC = "in_clinic"

    @property
    def label(self) -> str:
        return _(_TYPE_LABELS[self])


class AppointmentSource(StrEnum):
    PUBLIC = "public"
    WALK_IN = "walk_in"
    STAFF = "staff"
    AUTOMATION = "automation"


class FormType(StrEnum):
    SURVEY = "survey"
    DISCLAIMER = "disclaimer"
    PARAMETERS = "parameters"
    ANALYSIS = "analysis"
    ADVICE = "advice"
    REPORT = "report"
    PRESCRIPTION = "prescription"


class FormStatus(StrEnum):
    CREATED = "created"
    COMPLETED = "completed"
    SIGNED = "signed"


class FormSource(StrEnum):
    SERVICE = "service"
    CALENDAR = "calendar"
    AUTOMATION = "automation"
    STAFF = "staff"


class FieldType(StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"
    NUMBER = "number"
    INTEGER = "integer"
    DATE = "date"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    EMAIL = "email"
    PHONE = "phone"
    SCALE = "scale"


class AlertKind(StrEnum):
    LOW_RATING = "low_rating"
    LOOP_GUARD = "loop_guard"
    DELIVERY_FAILED = "delivery_failed"
    SYNC_CONFLICT = "sync_conflict"
    RATE_ANOMALY = "rate_anomaly"
    TEMPLATE_LIMIT = "template_limit"


class MessageChannel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    PUSH = "push"


class MessageStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class EnrolmentStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class TreatmentPlanType(StrEnum):
    TELEREHAB = "telerehab"
    IN_CLINIC = "in_clinic"


class TreatmentPlanStatus(StrEnum):
    DRAFT = "draft"
    PENDING_APPROVAL = "pending_approval"
    ACTIVE = "active"
    ARCHIVED = "archived"


class PatientPlanStatus(StrEnum):
    ASSIGNED = "assigned"
    ACTIVE = "active"
    COMPLETED = "completed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


# The words people read for the values above (stored values stay as they are). Marked here,
# translated when read, so a language chosen at start-up applies.
_ROLE_LABELS = {
    Role.ADMIN: N_("Administrator"),
    Role.RECEPTIONIST: N_("Receptionist"),
    Role.SPECIALIST: N_("Specialist"),
    Role.PATIENT: N_("Patient"),
}
_STATUS_LABELS = {
    AppointmentStatus.BOOKED: N_("Booked"),
    AppointmentStatus.UPCOMING: N_("Upcoming"),
    AppointmentStatus.CONFIRMED: N_("Confirmed"),
    AppointmentStatus.INPROGRESS: N_("In progress"),
    AppointmentStatus.DONE: N_("Done"),
    AppointmentStatus.CANCELLED: N_("Cancelled"),
    AppointmentStatus.NOSHOW: N_("No-show"),
}
_TYPE_LABELS = {
    AppointmentType.VIDEO: N_("Video"),
    AppointmentType.IN_CLINIC: N_("In the clinic"),
}
