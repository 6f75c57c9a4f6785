"""The language a message is written in for its recipient.

Neither a patient nor an organization names a language of its own (no column, no setting):
what they have is a country. A patient whose country is given reads Romanian when it is a
Romanian-speaking country and English otherwise (a visitor from abroad); a patient without
one, and the staff, read the organization's (a clinic in Romania writes Romanian); else
English, the messages' own language."""

from __future__ import annotations

from typing import Final

from frontdesk.i18n import DEFAULT_LANGUAGE

ROMANIAN_COUNTRIES: Final = frozenset({"RO", "MD"})
"""Where Romanian is the language people are written to in (Romania, Moldova)."""


def country_language(country: str | None) -> str | None:
    """The language to write in to someone of `country` (an ISO code), None when unknown."""
    code = (country or "").strip().upper()
    if not code:
        return None
    return "ro" if code in ROMANIAN_COUNTRIES else DEFAULT_LANGUAGE


def recipient_language(*, patient_country: str | None, organization_country: str | None) -> str:
    """The patient's country's language, else the organization's, else English."""
    return (
        country_language(patient_country)
        or country_language(organization_country)
        or DEFAULT_LANGUAGE
    )
