"""Errors in plain words, naming the field."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from frontdesk.domain.enums import Role
from frontdesk.domain.errors import (
    BookingBlocked,
    DoubleBooking,
    FieldError,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from frontdesk.domain.field_names import required
from frontdesk.domain.write_rules import write_refusal
from frontdesk.gui.messages import explain, field_label
from frontdesk.i18n.catalogs import activate


def test_every_invalid_field_is_named_as_the_screen_labels_it() -> None:
    error = InvalidInput(
        [FieldError("start", "must be in the future"), FieldError("fields[2].label", "empty")]
    )
    text = explain(error)
    assert "Start time: must be in the future" in text
    assert "Fields 3 label: empty" in text


def test_field_labels_spell_out_unknown_names() -> None:
    assert field_label("patient_person_id") == "Patient"
    assert field_label("cancellation_reason") == "Cancellation reason"


def test_refusals_read_as_sentences() -> None:
    assert explain(DoubleBooking("overlaps 10:00", conflicting_ids=("x",))).startswith(
        "The specialist is already booked at that time. Overlaps 10:00."
    )
    assert "• sign the privacy form" in explain(BookingBlocked(["sign the privacy form"]))
    assert (
        explain(PermissionDenied("admins only")) == "You are not allowed to do this. Admins only."
    )
    assert "Appointment: no appointment 1" in explain(
        NotFound("no appointment 1", field="appointment_id")
    )


def test_unexpected_errors_say_nothing_was_saved_and_give_details() -> None:
    locked = OperationalError("UPDATE x", {}, Exception("database is locked"))
    assert "busy" in explain(locked)
    text = explain(RuntimeError("boom"))
    assert "nothing was saved" in text
    assert "RuntimeError: boom" in text


def test_in_romanian_errors_and_field_labels_speak_romanian() -> None:
    activate("ro")
    error = InvalidInput([FieldError("start", "x"), FieldError("date_of_birth", "y")])
    assert explain(error) == "Vă rugăm să verificați:\n• Ora de început: x\n• Data nașterii: y"
    assert explain(PermissionDenied("admins only")).startswith("Nu aveți dreptul")
    assert "Nu s-a salvat nimic" in explain(
        OperationalError("UPDATE x", {}, Exception("database is locked"))
    )


def test_converted_refusals_read_whole_in_romanian_without_a_key_or_a_second_label() -> None:
    activate("ro")
    missing = InvalidInput.single("email", required("email"))
    assert explain(missing) == "Vă rugăm să verificați:\n• Câmpul „E-mail” este obligatoriu."
    refusal = write_refusal(Role.RECEPTIONIST, "automation_rules", "insert")
    assert refusal is not None
    assert explain(PermissionDenied(refusal, field="actor")) == (
        "Nu aveți dreptul să adăugați aceasta (automatizare): rugați un administrator să o adauge."
    )
