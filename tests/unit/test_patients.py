"""Patient persons: duplicates offered, contact details normalised, accounts and the
organization link made once."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from frontdesk.domain.enums import Role
from frontdesk.domain.errors import InvalidInput, PermissionDenied
from frontdesk.domain.events import EventName
from frontdesk.domain.ids import new_id
from frontdesk.services import patients
from frontdesk.services.patients import DuplicatePerson
from frontdesk.store.models import Organization, Patient, PatientPerson
from frontdesk.store.unit_of_work import Actor
from tests.support.clinic import Clinic
from tests.support.counts import fingerprint
from tests.support.rows import insert_person
from tests.unit.appointment_helpers import events_named

BORN = date(1990, 5, 17)


def _find(clinic: Clinic, **criteria: object) -> list[patients.DuplicateCandidate]:
    query = {
        "first_name": "Nobody",
        "last_name": "Here",
        "date_of_birth": None,
        "phone": None,
        "email": None,
        **criteria,
    }
    with clinic.ctx.sessions() as session:
        return patients.find_duplicates(session, clinic.organization_id, **query)  # type: ignore[arg-type]


def test_same_name_and_birth_date_is_a_duplicate_whatever_the_case(clinic: Clinic) -> None:
    person = insert_person(
        clinic, first_name="Ștefan", last_name="Ionescu", date_of_birth=BORN, phone=None
    )
    found = _find(clinic, first_name="ȘTEFAN", last_name=" ionescu ", date_of_birth=BORN)
    assert [(c.person_id, c.reasons) for c in found] == [(person.id, ("name and date of birth",))]


def test_same_name_without_the_same_birth_date_is_not_a_duplicate(clinic: Clinic) -> None:
    insert_person(clinic, first_name="Ana", last_name="Pop", date_of_birth=BORN, phone=None)
    assert _find(clinic, first_name="Ana", last_name="Pop", date_of_birth=date(1991, 1, 1)) == []
    assert _find(clinic, first_name="Ana", last_name="Pop") == []


def test_same_phone_or_email_is_a_duplicate(clinic: Clinic) -> None:
    by_phone = insert_person(clinic, email=None, phone="+40721000111")
    by_email = insert_person(clinic, email="Someone@Example.com", phone=None)
    assert [c.person_id for c in _find(clinic, phone="+40721000111")] == [by_phone.id]
    found = _find(clinic, email="someone@example.com")
    assert [(c.person_id, c.reasons) for c in found] == [(by_email.id, ("e-mail",))]


def test_every_reason_is_given_and_soft_deleted_or_excluded_people_are_ignored(
    clinic: Clinic,
) -> None:
    both = insert_person(clinic, date_of_birth=BORN)
    insert_person(clinic, phone="+40721000111", email=None, deleted_at=clinic.clock.now())
    found = _find(
        clinic,
        first_name="Ioana",
        last_name="Marin",
        date_of_birth=BORN,
        phone="+40721000111",
        email="ioana.marin@example.com",
    )
    assert [(c.person_id, c.reasons) for c in found] == [
        (both.id, ("name and date of birth", "phone", "e-mail"))
    ]
    assert _find(clinic, phone="+40721000111", exclude_ids=[both.id]) == []


def test_people_of_another_organization_are_never_duplicates(clinic: Clinic) -> None:
    insert_person(clinic)
    with clinic.ctx.sessions() as session:
        found = patients.find_duplicates(
            session,
            new_id(),
            first_name="Ioana",
            last_name="Marin",
            date_of_birth=None,
            phone="+40721000111",
            email=None,
        )
    assert found == []


def test_validation_normalises_contact_details_in_the_organizations_region(
    clinic: Clinic,
) -> None:
    with clinic.ctx.sessions() as session:
        organization = session.get_one(Organization, clinic.organization_id)
    details = patients.validate_person(
        organization,
        first_name="  Ana   Maria ",
        last_name="Pop",
        email=" Ana@Example.COM ",
        phone="0721 000 222",
        today=date(2026, 3, 2),
    )
    assert (details.first_name, details.email, details.phone) == (
        "Ana Maria",
        "Ana@example.com",
        "+40721000222",
    )


def test_validation_reports_every_bad_field_at_once(clinic: Clinic) -> None:
    with clinic.ctx.sessions() as session:
        organization = session.get_one(Organization, clinic.organization_id)
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
    assert [e.field for e in bad.value.errors] == [
        "first_name",
        "last_name",
        "email",
        "phone",
        "date_of_birth",
    ]


def test_register_patient_makes_person_account_and_link(clinic: Clinic) -> None:
    outcome = patients.register_patient(
        clinic.ctx, first_name="Dan", last_name="Luca", email="dan@example.com", phone="0722111222"
    )
    person = outcome.value
    with clinic.ctx.sessions() as session:
        link = session.scalars(select(Patient).where(Patient.patient_person_id == person.id)).one()
    assert (person.account_requested_at, person.user_id) == (clinic.clock.now(), None)
    assert link.onboarded_by_user_id == clinic.receptionist.user_id
    assert [
        e.subject_id for e in events_named(clinic.ctx.sessions, EventName.PATIENT_ONBOARDED)
    ] == [person.id]
    assert outcome.changes.created["patients"] == {link.id}


def test_register_patient_offers_a_duplicate_instead_of_creating_one(clinic: Clinic) -> None:
    existing = insert_person(clinic, phone="+40722111222", email=None)
    before = fingerprint(clinic.ctx.sessions)
    with pytest.raises(DuplicatePerson) as offered:
        patients.register_patient(
            clinic.ctx, first_name="Dan", last_name="Luca", phone="0722 111 222"
        )
    assert offered.value.field == "link_person_id"
    assert [c.person_id for c in offered.value.candidates] == [existing.id]
    assert str(existing.id) not in str(offered.value)  # the words name, the candidates hold ids
    assert fingerprint(clinic.ctx.sessions) == before

    kept = patients.register_patient(
        clinic.ctx, first_name="Dan", last_name="Luca", phone="0722 111 222", keep_separate=True
    ).value
    assert kept.id != existing.id


def test_no_email_means_no_account(clinic: Clinic) -> None:
    person = patients.register_patient(
        clinic.ctx, first_name="Old", last_name="Man", phone="0733 000 111"
    ).value
    assert person.account_requested_at is None


def test_register_patient_is_for_staff_and_bad_input_writes_nothing(clinic: Clinic) -> None:
    before = fingerprint(clinic.ctx.sessions)
    patient = Actor(Role.PATIENT, None, "someone")
    with pytest.raises(PermissionDenied):
        patients.register_patient(clinic.as_(patient), first_name="A", last_name="B")
    with pytest.raises(InvalidInput) as bad:
        patients.register_patient(clinic.ctx, first_name="A", last_name="B", email="nope")
    assert bad.value.field == "email"
    assert fingerprint(clinic.ctx.sessions) == before


def test_the_link_is_made_once_and_a_tombstoned_link_is_restored(clinic: Clinic) -> None:
    person = insert_person(clinic, onboarded=False)
    with clinic.ctx.transaction() as tx:
        row = tx.session.get_one(PatientPerson, person.id)
        assert patients.ensure_patient_link(tx, row) is True
        assert patients.ensure_patient_link(tx, row) is False
        link = patients.patient_link(tx.session, clinic.organization_id, person.id)
        assert link is not None
        link.deleted_at = tx.now
    with clinic.ctx.transaction() as tx:
        row = tx.session.get_one(PatientPerson, person.id)
        assert patients.ensure_patient_link(tx, row) is True
        assert patients.is_patient(tx.session, clinic.organization_id, person.id)
    assert len(events_named(clinic.ctx.sessions, EventName.PATIENT_ONBOARDED)) == 2


def test_a_birth_date_of_today_is_checked_in_the_organization_zone(clinic: Clinic) -> None:
    # 22:30 UTC on 2 March is already 00:30 on 3 March in Bucharest.
    clinic.clock.set(datetime(2026, 3, 2, 22, 30, tzinfo=UTC))
    person = patients.register_patient(
        clinic.ctx, first_name="New", last_name="Born", date_of_birth=date(2026, 3, 3)
    ).value
    assert person.date_of_birth == date(2026, 3, 3)
