"""The words the screens use for the inputs a refusal is about, and the refusals every layer
says alike ("“E-mail” is required."), so no message names a field by its key or path."""

from __future__ import annotations

import re

from frontdesk.i18n import N_
from frontdesk.i18n.text import T_, Text, nT_

# Marked here, translated when read; an input not listed is spelled out from its key.
FIELD_NAMES = {
    "start": N_("Start time"),
    "start_utc": N_("Start time"),
    "end_utc": N_("End time"),
    "patient_person_id": N_("Patient"),
    "person_id": N_("Patient"),
    "specialist_id": N_("Specialist"),
    "service_id": N_("Service"),
    "calendar_id": N_("Calendar"),
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
    "admin_email": N_("Your e-mail"),
    "phone": N_("Phone"),
    "slug": N_("Short name"),
    "timezone": N_("Time zone"),
    "first_name": N_("First name"),
    "last_name": N_("Last name"),
    "name": N_("Name"),
    "idempotency_key": N_("Request key"),
    "browser_id": N_("Browser"),
    "signer_name": N_("Signer's name"),
    "signature_svg": N_("Signature"),
    "comment": N_("Comment"),
    "limit": N_("Number of results"),
    "query": N_("Search"),
    "text": N_("Search"),
    "time": N_("Time"),
    "first": N_("First day"),
    "last": N_("Last day"),
    "day": N_("Day"),
    "year": N_("Year"),
    "month": N_("Month"),
    "password": N_("Password"),
    # Working hours, as its screen names them
    "note": N_("Note"),
    "slot_interval_minutes": N_("A slot starts every"),
    "minimum_notice_minutes": N_("Minimum notice for online bookings"),
}


def field_name(field: str) -> Text | str:
    """`patient_person_id` → "Patient" (translated when read); `fields[2].label` →
    "Fields 3 label"."""
    if field in FIELD_NAMES:
        return Text(FIELD_NAMES[field])
    words = re.sub(r"\[(\d+)\]", lambda m: f" {int(m.group(1)) + 1}", field)
    words = words.replace(".", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def required(field: str) -> Text:
    return T_("“{field}” is required.", field=field_name(field))


def too_long(field: str, limit: int) -> Text:
    return nT_(
        "“{field}” is longer than {count} character.",
        "“{field}” is longer than {count} characters.",
        limit,
        field=field_name(field),
    )


def no_control_characters(field: str) -> Text:
    return T_(
        "“{field}” must not contain line breaks or control characters.", field=field_name(field)
    )


def not_text(field: str) -> Text:
    return T_("“{field}” must be text.", field=field_name(field))


def between(field: str, low: int, high: int) -> Text:
    return T_(
        "“{field}” must be from {low} to {high}.", field=field_name(field), low=low, high=high
    )


BORN_IN_THE_FUTURE = T_("The date of birth cannot be in the future.")
POSITIVE_NUMBER = T_("The number must be a positive whole number.")


def number_taken(number: int, holder: str) -> Text:
    return T_("Number {number} is used by “{holder}” already.", number=number, holder=holder)
