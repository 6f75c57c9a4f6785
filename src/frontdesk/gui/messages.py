"""Errors in words a receptionist understands, naming the field at fault."""

from __future__ import annotations

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
from frontdesk.domain.field_names import FIELD_NAMES, field_name
from frontdesk.i18n import _

# Field names as the screens label them (with the services' refusals, in the domain).
FIELD_LABELS = FIELD_NAMES


def field_label(field: str) -> str:
    """`patient_person_id` → "Patient"; `fields[2].label` → "Fields 3 label"."""
    return str(field_name(field))


def explain(error: Exception) -> str:
    """What went wrong, for the person at the desk. Service refusals change nothing, and the
    text says so where it helps."""
    if isinstance(error, InvalidInput):
        lines = [
            e.message if e.translated else _labelled(field_label(e.field), e.message)
            for e in error.errors
        ]
        return _("Please check:") + "\n" + "\n".join(f"• {line}" for line in lines)
    if (
        isinstance(error, DomainError)
        and error.translated
        and not isinstance(error, BookingBlocked)
    ):
        # Converted refusals are whole sentences: what is wrong, and what to do about it.
        return error.message
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
