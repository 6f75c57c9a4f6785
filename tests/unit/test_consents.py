"""Consents: a required consent blocks booking until given; withdrawing it blocks again;
a consent asked through a form is given by signing that form."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from frontdesk.domain.enums import FormSource, Role
from frontdesk.domain.errors import InvalidInput, NotFound, PermissionDenied
from frontdesk.services import consents, forms
from frontdesk.services.blocking import outstanding_items
from frontdesk.store.models import Consent
from frontdesk.store.unit_of_work import Actor
from tests.support.clinic import Clinic
from tests.support.refusals import refused
from tests.support.rows import insert_person

SVG = '<svg xmlns="http://www.w3.org/2000/svg"><path d="M1 1 C 5 9, 9 1, 14 8"/></svg>'


def _outstanding(clinic: Clinic, person_id: uuid.UUID) -> list[str]:
    with clinic.ctx.sessions() as session:
        return outstanding_items(session, clinic.organization_id, person_id)


def _patient(clinic: Clinic, *person_ids: uuid.UUID) -> Actor:
    return Actor(Role.PATIENT, label="patient", person_ids=frozenset(person_ids))


def test_a_required_consent_blocks_booking_until_given(clinic: Clinic) -> None:
    person = insert_person(clinic)
    consent = consents.require_consent(clinic.ctx, person.id, "biometric_data").value
    assert consent.required
    assert consent.granted_at is None
    assert _outstanding(clinic, person.id) == ["give the required consent “biometric_data”"]

    consents.grant_consent(clinic.as_(_patient(clinic, person.id)), person.id, "biometric_data")
    assert _outstanding(clinic, person.id) == []

    consents.revoke_consent(clinic.ctx, person.id, "biometric_data")
    assert _outstanding(clinic, person.id) == [
        "give the required consent “biometric_data” (it was revoked)"
    ]


def test_requiring_twice_or_after_it_was_given_asks_once(clinic: Clinic) -> None:
    person = insert_person(clinic)
    consents.grant_consent(clinic.ctx, person.id, "video_recording")
    consent_id = uuid.uuid4()
    for _ in range(2):
        with clinic.ctx.transaction() as tx:
            consents.require_consent_in(tx, person.id, "video_recording", consent_id=consent_id)
    with clinic.ctx.sessions() as session:
        rows = list(session.scalars(select(Consent)))
    assert len(rows) == 1
    assert rows[0].required
    assert consents.is_given(rows[0])
    assert _outstanding(clinic, person.id) == []


def test_the_same_consent_id_twice_is_one_row(clinic: Clinic) -> None:
    person = insert_person(clinic)
    consent_id = uuid.uuid4()
    for _ in range(2):
        with clinic.ctx.transaction() as tx:
            consents.require_consent_in(tx, person.id, "biometric_data", consent_id=consent_id)
    with clinic.ctx.sessions() as session:
        assert list(session.scalars(select(Consent.id))) == [consent_id]


def test_signing_the_consent_form_gives_the_consent(clinic: Clinic) -> None:
    person = insert_person(clinic)
    with clinic.ctx.transaction() as tx:
        consent = consents.require_consent_in(tx, person.id, "privacy")
        form = forms.add_form(
            tx, template_key="privacy", patient_person_id=person.id, source=FormSource.AUTOMATION
        )
        consents.give_through_form(tx, consent, form)
    forms.save_values(clinic.ctx, form.id, {"agree": True})
    forms.complete(clinic.ctx, form.id)
    forms.sign(clinic.ctx, form.id, signer_name="Ioana Marin", signature_svg=SVG)
    with clinic.ctx.sessions() as session:
        assert consents.is_given(session.get_one(Consent, consent.id))
    assert _outstanding(clinic, person.id) == []


def test_a_consent_form_must_be_the_same_patients(clinic: Clinic) -> None:
    person, other = insert_person(clinic), insert_person(clinic, first_name="Radu")
    with clinic.ctx.transaction() as tx:
        consent = consents.require_consent_in(tx, person.id, "privacy")
        form = forms.add_form(tx, template_key="privacy", patient_person_id=other.id)
        with pytest.raises(InvalidInput) as exc:
            consents.give_through_form(tx, consent, form)
    assert exc.value.field == "form_id"
    assert consent.form_instance_id is None


def test_consent_refusals_name_the_field_and_write_nothing(clinic: Clinic) -> None:
    person, other = insert_person(clinic), insert_person(clinic, first_name="Radu")
    ctx = clinic.ctx
    for bad in ("", "has space", "x" * 101, "-lead"):
        refused(
            clinic,
            InvalidInput,
            "consent_type",
            lambda bad=bad: consents.require_consent(ctx, person.id, bad),
        )
    refused(
        clinic,
        NotFound,
        "patient_person_id",
        lambda: consents.require_consent(ctx, uuid.uuid4(), "privacy"),
    )
    refused(
        clinic,
        PermissionDenied,
        "actor",
        lambda: consents.require_consent(clinic.as_(_patient(clinic, person.id)), person.id, "x"),
    )
    refused(
        clinic,
        PermissionDenied,
        "patient_person_id",
        lambda: consents.grant_consent(clinic.as_(_patient(clinic, other.id)), person.id, "x"),
    )
    refused(
        clinic,
        NotFound,
        "consent_type",
        lambda: consents.revoke_consent(ctx, person.id, "privacy"),
    )
    consents.grant_consent(ctx, person.id, "privacy")
    refused(
        clinic,
        InvalidInput,
        "consent_type",
        lambda: consents.grant_consent(ctx, person.id, "privacy"),
    )
    refused(
        clinic,
        InvalidInput,
        "consent_type",
        lambda: consents.revoke_consent(ctx, person.id, "bad type"),
    )
