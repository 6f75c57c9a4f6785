"""The services' refusals read in the desk's language, naming the field as the screen does,
and say what to do; alerts read in the reader's language."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from frontdesk.domain.appointment_states import check_transition
from frontdesk.domain.enums import AlertKind, AppointmentStatus, Role
from frontdesk.domain.errors import InvalidInput, NotFound, PermissionDenied, TransitionNotAllowed
from frontdesk.domain.write_rules import write_refusal
from frontdesk.i18n.catalogs import activate
from frontdesk.i18n.text import T_
from frontdesk.services import alerts, patients
from frontdesk.services.lifecycle import check_in
from frontdesk.store.models import Alert, Organization
from frontdesk.store.unit_of_work import Actor
from tests.support.clinic import Clinic


def test_a_patients_bad_fields_read_romanian_and_name_each_field(clinic: Clinic) -> None:
    with clinic.ctx.sessions() as session:
        organization = session.get_one(Organization, clinic.organization_id)
    activate("ro")
    with pytest.raises(InvalidInput) as bad:
        patients.validate_person(
            organization,
            first_name=" ",
            last_name="x" * 101,
            email="not-an-address",
            phone="12",
            date_of_birth=date(2030, 1, 1),
            today=date(2026, 3, 2),
        )
    assert [e.message for e in bad.value.errors] == [
        "Scrieți prenumele.",
        "Câmpul „Nume de familie” depășește 100 de caractere.",
        "Câmpul „E-mail” nu conține o adresă de e-mail validă (de ex. nume@exemplu.ro).",
        "Câmpul „Telefon” nu conține un număr de telefon valid (de ex. +40 721 234 567).",
        "Data nașterii nu poate fi în viitor.",
    ]
    assert "_" not in str(bad.value)  # no field key or path reaches the words


def test_a_refused_transition_names_the_statuses_in_romanian(clinic: Clinic) -> None:
    activate("ro")
    with pytest.raises(TransitionNotAllowed) as refused:
        check_transition(AppointmentStatus.DONE, AppointmentStatus.BOOKED)
    assert refused.value.message == (
        "Programarea este „Încheiată”: nu se mai poate schimba, deci nu poate deveni „Rezervată”."
    )


def test_a_permission_refusal_says_who_to_ask_in_plain_words() -> None:
    refusal = write_refusal(Role.RECEPTIONIST, "automation_rules", "insert")
    assert str(refusal) == (
        "You are not allowed to add this (automation rule): ask an admin to add it."
    )
    specialist = write_refusal(Role.SPECIALIST, "appointments", "update", {"specialist_id"})
    assert str(specialist) == (
        "You are not allowed to change this (appointment: Specialist): ask the front desk or "
        "an admin to change it."
    )
    activate("ro")
    assert str(refusal) == (
        "Nu aveți dreptul să adăugați aceasta (automatizare): rugați un administrator să o adauge."
    )


def test_a_service_permission_refusal_reads_romanian_with_its_fix(clinic: Clinic) -> None:
    ctx = clinic.as_(Actor(Role.RECEPTIONIST, uuid.uuid4(), "Rita"))
    activate("ro")
    with pytest.raises(PermissionDenied) as refused:
        alerts.open_alerts(ctx)
    assert refused.value.message == (
        "Nu aveți dreptul să citiți alertele: rugați un administrator."
    )


def test_check_in_of_an_unknown_appointment_reads_romanian(clinic: Clinic) -> None:
    activate("ro")
    with pytest.raises(NotFound) as refused:
        check_in(clinic.ctx, uuid.uuid4())
    assert refused.value.field == "appointment_id"
    assert str(refused.value) == (
        "Această programare nu a fost găsită; poate a fost ștearsă la altă recepție."
    )


def _raise(clinic: Clinic, **words: object) -> Alert:
    with clinic.ctx.transaction() as tx:
        return alerts.raise_alert(tx, kind=AlertKind.LOW_RATING, **words)  # type: ignore[arg-type]


def test_an_alert_reads_in_the_language_of_whoever_reads_it(clinic: Clinic) -> None:
    alert = _raise(
        clinic,
        title=T_(
            "Low rating: {rating} of {stars} stars for {specialist} ({day})",
            rating=2,
            stars=5,
            specialist="Dr Pop",
            day=date(2026, 3, 2),
        ),
        body=T_("No comment."),
        details={"rating": 2},
    )
    assert alert.title == "Low rating: 2 of 5 stars for Dr Pop (02 Mar 2026)"  # stored English
    (read,) = alerts.open_alerts(clinic.as_(clinic.admin))
    assert alerts.alert_title(read) == "Low rating: 2 of 5 stars for Dr Pop (02 Mar 2026)"
    activate("ro")
    assert alerts.alert_title(read) == "Notă mică: 2 din 5 stele pentru Dr Pop (02 mar. 2026)"
    assert alerts.alert_body(read) == "Fără comentariu."
    assert alerts.alert_details(read) == {"rating": 2}


def test_an_alert_made_before_texts_travelled_reads_as_stored(clinic: Clinic) -> None:
    alert = _raise(clinic, title="Low rating", body="Old words")
    activate("ro")
    assert alerts.alert_title(alert) == "Low rating"
    assert alerts.alert_body(alert) == "Old words"
