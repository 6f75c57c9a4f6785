"""Normalising people's contact details: names, e-mail addresses and phone numbers."""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from frontdesk.domain.errors import InvalidInput
from frontdesk.domain.field_names import field_name, required, too_long
from frontdesk.i18n.text import T_, Text


def normalize_email(value: str, *, field: str = "email") -> str:
    """A syntactically valid address in normalised form, or InvalidInput naming `field`."""
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise InvalidInput.single(
            field,
            T_(
                "“{field}” is not a valid e-mail address (e.g. name@example.com).",
                field=field_name(field),
            ),
        ) from None


def normalize_phone(value: str, *, region: str | None, field: str = "phone") -> str:
    """A valid phone number in E.164 form. National numbers are read in `region` (ISO 3166)."""
    try:
        parsed = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise InvalidInput.single(field, _not_a_phone(field)) from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidInput.single(field, _not_a_phone(field))
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _not_a_phone(field: str) -> Text:
    return T_(
        "“{field}” is not a valid phone number (e.g. +40 721 234 567).", field=field_name(field)
    )


def split_full_name(value: str, *, field: str = "name") -> tuple[str, str]:
    """(first, last) from a full name typed in one box; the last word is the family name."""
    words = value.split()
    if not words:
        raise InvalidInput.single(field, required(field))
    if len(" ".join(words)) > 200:
        raise InvalidInput.single(field, too_long(field, 200))
    if len(words) == 1:
        return words[0], ""
    return " ".join(words[:-1]), words[-1]
