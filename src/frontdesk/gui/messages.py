"""Errors in words a receptionist understands, naming the field at fault."""

from __future__ import annotations

import re

from sqlalchemy.exc import OperationalError

from frontdesk.domain.errors import (
    AlreadyExists,
    BookingBlocked,
    DomainError,
    DoubleBooking,
    ImmutableRecord,
    InvalidInput,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
)

# Field names as the screens label them; others are spelled out from the name.
FIELD_LABELS = {
    "start": "Start time",
    "start_utc": "Start time",
    "end_utc": "End time",
    "patient_person_id": "Patient",
    "specialist_id": "Specialist",
    "service_id": "Service",
    "appointment_id": "Appointment",
    "date_of_birth": "Date of birth",
    "override_reason": "Override reason",
    "reason": "Reason",
    "smtp_host": "SMTP server",
    "smtp_port": "SMTP port",
    "smtp_starttls": "STARTTLS",
    "smtp_username": "SMTP user name",
    "from_address": "Sender address",
    "sms_api_url": "SMS provider address",
    "email": "E-mail",
    "phone": "Phone",
    "slug": "Short name",
    "timezone": "Time zone",
}


def field_label(field: str) -> str:
    """`patient_person_id` → "Patient"; `fields[2].label` → "Fields 3 label"."""
    if field in FIELD_LABELS:
        return FIELD_LABELS[field]
    words = re.sub(r"\[(\d+)\]", lambda m: f" {int(m.group(1)) + 1}", field)
    words = words.replace(".", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def explain(error: Exception) -> str:
    """What went wrong, for the person at the desk. Service refusals change nothing, and the
    text says so where it helps."""
    if isinstance(error, InvalidInput):
        lines = [f"{field_label(e.field)}: {e.message}" for e in error.errors]
        return "Please check:\n" + "\n".join(f"• {line}" for line in lines)
    if isinstance(error, DoubleBooking):
        return f"The specialist is already booked at that time. {_sentence(error.message)}"
    if isinstance(error, BookingBlocked):
        items = "\n".join(f"• {item}" for item in error.outstanding)
        return f"This patient cannot be booked until these are done:\n{items}"
    if isinstance(error, PermissionDenied):
        return f"You are not allowed to do this. {_sentence(error.message)}"
    if isinstance(error, NotFound):
        return (
            "This record was not found; it may have been removed at another desk. "
            f"({_with_field(error)})"
        )
    if isinstance(error, ImmutableRecord):
        return f"This can no longer be changed. {_sentence(error.message)}"
    if isinstance(error, TransitionNotAllowed | AlreadyExists):
        return _sentence(error.message)
    if isinstance(error, DomainError):
        return _sentence(_with_field(error))
    if isinstance(error, OperationalError) and "locked" in str(error.orig):
        return "The local database is busy. Nothing was saved; please try again in a moment."
    if isinstance(error, ConnectionError | TimeoutError):
        return "The server cannot be reached. Your work is kept on this computer."
    return (
        "Something went wrong and nothing was saved. "
        f"Details for support: {type(error).__name__}: {error}"
    )


def _with_field(error: DomainError) -> str:
    return f"{field_label(error.field)}: {error.message}" if error.field else error.message


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
