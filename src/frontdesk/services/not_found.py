"""What a person reads when a record they named is not there: one sentence per kind of
record (each language words each noun its own way), translated when shown."""

from __future__ import annotations

from frontdesk.i18n.text import T_, Text

_GONE = {
    "organization": T_("The clinic was not found on this desk: sync, or set the clinic up."),
    "service": T_("This service was not found; it may have been removed."),
    "calendar": T_("This calendar was not found; it may have been removed."),
    "specialist": T_("This specialist was not found, or no longer works here."),
    "appointment": T_("This appointment was not found; it may have been removed at another desk."),
    "patient": T_("This patient was not found; the record may have been removed at another desk."),
    "person": T_("This person was not found; the record may have been removed at another desk."),
    "user": T_("This account was not found in the clinic."),
    "form": T_("This form was not found; it may have been removed at another desk."),
    "form template": T_("This form template was not found; it may have been removed."),
    "segment": T_("This patient group was not found; it may have been removed."),
    "automation rule": T_("This automation was not found; it may have been removed."),
    "booking block": T_("This booking block was not found; it may have been lifted already."),
    "service plan": T_("This service plan was not found; it may have been removed."),
    "enrolment": T_("This plan enrolment was not found; it may have been removed."),
    "treatment plan": T_("This treatment plan was not found; it may have been removed."),
    "treatment session": T_("This treatment session was not found; it may have been removed."),
    "message template": T_("This message template was not found."),
}


def not_found(what: str) -> Text:
    """`what`: one of the kinds of record above ("appointment")."""
    return _GONE.get(what, T_("This record was not found; it may have been removed."))
