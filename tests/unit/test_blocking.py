"""Booking is refused, with everything outstanding listed, while a person has an unsigned
blocking form, a booking block, or a missing required consent."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from frontdesk.domain.enums import FormStatus, FormType, Role
from frontdesk.domain.errors import BookingBlocked
from frontdesk.services import booking
from frontdesk.services.blocking import outstanding_items
from frontdesk.services.onboarding import onboard
from frontdesk.store.models import BookingBlock, Consent, FormInstance, PatientPerson
from frontdesk.store.unit_of_work import Actor
from tests.support.clinic import Clinic
from tests.support.counts import fingerprint
from tests.support.rows import insert_person
from tests.unit.appointment_helpers import TOMORROW_10, book


def _outstanding(clinic: Clinic, person_id: uuid.UUID) -> list[str]:
    with clinic.ctx.sessions() as session:
        return outstanding_items(session, clinic.organization_id, person_id)


def _form(
    clinic: Clinic,
    person: PatientPerson,
    *,
    title: str = "Privacy Policy & GDPR Consent",
    blocking: bool = True,
    status: FormStatus = FormStatus.CREATED,
    deleted: bool = False,
) -> None:
    with clinic.ctx.sessions.begin() as session:
        session.add(
            FormInstance(
                organization_id=clinic.organization_id,
                template_id=clinic.template_ids["privacy"],
                template_key="privacy",
                template_version=1,
                patient_person_id=person.id,
                form_type=FormType.DISCLAIMER,
                title=title,
                status=status,
                blocking=blocking,
                deleted_at=clinic.clock.now() if deleted else None,
            )
        )


def _block(clinic: Clinic, person: PatientPerson, reason: str, *, lifted: bool = False) -> None:
    with clinic.ctx.sessions.begin() as session:
        session.add(
            BookingBlock(
                organization_id=clinic.organization_id,
                patient_person_id=person.id,
                reason=reason,
                lifted_at=clinic.clock.now() if lifted else None,
            )
        )


def _consent(
    clinic: Clinic,
    person: PatientPerson,
    kind: str,
    *,
    required: bool = True,
    granted: bool = False,
    revoked: bool = False,
) -> None:
    now = clinic.clock.now()
    with clinic.ctx.sessions.begin() as session:
        session.add(
            Consent(
                organization_id=clinic.organization_id,
                patient_person_id=person.id,
                consent_type=kind,
                required=required,
                granted_at=now - timedelta(days=3) if granted else None,
                revoked_at=now if revoked else None,
            )
        )


def _walk_in(clinic: Clinic, person_id: uuid.UUID) -> booking.BookingResult:
    return booking.book_walk_in(
        clinic.ctx,
        patient_person_id=person_id,
        service_id=clinic.consult_service_id,
        specialist_id=clinic.specialist_id,
        start=TOMORROW_10,
    ).value


def test_a_person_with_nothing_outstanding_may_book(clinic: Clinic) -> None:
    person = insert_person(clinic)
    assert _outstanding(clinic, person.id) == []
    assert _walk_in(clinic, person.id).appointment.patient_person_id == person.id


def test_each_kind_of_outstanding_item_is_listed_in_words(clinic: Clinic) -> None:
    person = insert_person(clinic)
    _form(clinic, person)
    _block(clinic, person, "unpaid invoice 2026-014")
    _consent(clinic, person, "data processing")
    _consent(clinic, person, "video recording", granted=True, revoked=True)
    assert _outstanding(clinic, person.id) == [
        "sign the form “Privacy Policy & GDPR Consent”",
        "booking block to be lifted: unpaid invoice 2026-014",
        "give the required consent “data processing”",
        "give the required consent “video recording” (it was revoked)",
    ]


def test_cleared_and_irrelevant_items_do_not_block(clinic: Clinic) -> None:
    person = insert_person(clinic)
    other = insert_person(clinic, first_name="Other", email=None, phone=None)
    _form(clinic, person, status=FormStatus.SIGNED)
    _form(clinic, person, status=FormStatus.COMPLETED, blocking=False)
    _form(clinic, person, deleted=True)
    _block(clinic, person, "settled", lifted=True)
    _consent(clinic, person, "given", granted=True)
    _consent(clinic, person, "optional", required=False)
    _block(clinic, other, "someone else's block")
    assert _outstanding(clinic, person.id) == []


def test_a_completed_but_unsigned_blocking_form_still_blocks(clinic: Clinic) -> None:
    person = insert_person(clinic)
    _form(clinic, person, status=FormStatus.COMPLETED)
    assert len(_outstanding(clinic, person.id)) == 1


def test_a_blocked_walk_in_is_refused_with_the_whole_listing_and_nothing_written(
    clinic: Clinic,
) -> None:
    person = insert_person(clinic)
    _form(clinic, person)
    _block(clinic, person, "unpaid invoice")
    before = fingerprint(clinic.ctx.sessions)
    with pytest.raises(BookingBlocked) as blocked:
        _walk_in(clinic, person.id)
    assert blocked.value.field == "patient_person_id"
    assert blocked.value.outstanding == (
        "sign the form “Privacy Policy & GDPR Consent”",
        "booking block to be lifted: unpaid invoice",
    )
    assert "unpaid invoice" in str(blocked.value)
    assert fingerprint(clinic.ctx.sessions) == before


def test_a_patient_booking_for_themselves_is_blocked_too(clinic: Clinic) -> None:
    person = insert_person(clinic)
    _consent(clinic, person, "data processing")
    patient = Actor(Role.PATIENT, None, "Ioana", person_ids=frozenset({person.id}))
    with pytest.raises(BookingBlocked):
        booking.book_for_patient(
            clinic.as_(patient),
            patient_person_id=person.id,
            service_id=clinic.consult_service_id,
            specialist_id=clinic.specialist_id,
            start=TOMORROW_10,
        )


def test_onboarding_creates_the_blocking_form_that_then_blocks_the_next_booking(
    clinic: Clinic,
) -> None:
    first = book(clinic.ctx, clinic)
    onboarded = onboard(clinic.ctx, first.appointment.id).value
    with pytest.raises(BookingBlocked) as blocked:
        _walk_in(clinic, onboarded.person.id)
    assert blocked.value.outstanding == ("sign the form “Privacy Policy & GDPR Consent”",)


def test_a_new_public_booking_has_nothing_outstanding(clinic: Clinic) -> None:
    result = book(clinic.ctx, clinic)
    assert _outstanding(clinic, result.appointment.patient_person_id) == []
