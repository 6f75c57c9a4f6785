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
from frontdesk.i18n import N_, _

# Field names as the screens label them (marked here, translated when shown); others are
# spelled out from the name.
FIELD_LABELS = {
    "start": N_("Start time"),
    "start_utc": N_("Start time"),
    "end_utc": N_("End time"),
    "patient_person_id": N_("Patient"),
    "specialist_id": N_("Specialist"),
    "service_id": N_("Service"),
    "appointment_id": N_("Appointment"),
    "date_of_birth": N_("Date of birth"),
    "override_reason": N_("Override reason"),
    "reason": N_("Reason"),
    "smtp_host": N_("SMTP server"),
    "smtp_port": N_("SMTP port"),
    "smtp_starttls": N_("STARTTLS"),
    "smtp_username": N_("SMTP user name"),
    "from_address": N_("Sender address"),
    "sms_api_url": N_("SMS provider address"),
    "email": N_("E-mail"),
    "phone": N_("Phone"),
    "slug": N_("Short name"),
    "timezone": N_("Time zone"),
}


def field_label(field: str) -> str:
    """`patient_person_id` → "Patient"; `fields[2].label` → "Fields 3 label"."""
    if field in FIELD_LABELS:
        return _(FIELD_LABELS[field])
    words = re.sub(r"\[(\d+)\]", lambda m: f" {int(m.group(1)) + 1}", field)
    words = words.replace(".", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def explain(error: Exception) -> str:
    """What went wrong, for the person at the desk. Service refusals change nothing, and the
    text says so where it helps."""
    if isinstance(error, InvalidInput):
        lines = [_labelled(field_label(e.field), e.message) for e in error.errors]
        return _("Please check:") + "\n" + "\n".join(f"• {line}" for line in lines)
    if isinstance(error, DoubleBooking):
        return _("The specialist is already booked at that time. {reason}").format(
            reason=_sentence(error.message)
        )
    if isinstance(error, BookingBlocked):
        items = "\n".join(f"• {item}" for item in error.outstanding)
        return _("This patient cannot be booked until these are done:\n{items}").format(items=items)
    if isinstance(error, PermissionDenied):
        return _("You are not allowed to do this. {reason}").format(reason=_sentence(error.message))
    if isinstance(error, NotFound):
        return _(
            "This record was not found; it may have been removed at another desk. ({reason})"
        ).format(reason=_with_field(error))
    if isinstance(error, ImmutableRecord):
        return _("This can no longer be changed. {reason}").format(reason=_sentence(error.message))
    if isinstance(error, TransitionNotAllowed | AlreadyExists):
        return _sentence(error.message)
    if isinstance(error, DomainError):
        return _sentence(_with_field(error))
    if isinstance(error, OperationalError) and "locked" in str(error.orig):
        return _("The local database is busy. Nothing was saved; please try again in a moment.")
    if isinstance(error, ConnectionError | TimeoutError):
        return _("The server cannot be reached. Your work is kept on this computer.")
    return _(
        "Something went wrong and nothing was saved. Details for support: {kind}: {details}"
    ).format(kind=type(error).__name__, details=error)


def _with_field(error: DomainError) -> str:
    return _labelled(field_label(error.field), error.message) if error.field else error.message


def _labelled(label: str, message: str) -> str:
    # Some languages space the colon differently.
    return _("{field}: {message}").format(field=label, message=message)


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
