"""Enumerations shared by every layer."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    RECEPTIONIST = "receptionist"
    SPECIALIST = "specialist"
    PATIENT = "patient"


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


class AppointmentType(StrEnum):
    VIDEO = "video"
    IN_CLINIC = "in_clinic"


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
