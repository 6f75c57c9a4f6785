"""Forms generated for an appointment: service forms then calendar forms, merged, snapshotted,
pre-filled, each announced, and never generated twice."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from frontdesk.domain.enums import FormSource, FormStatus, FormType
from frontdesk.domain.events import EventName
from frontdesk.services import catalog
from frontdesk.services.context import ServiceContext
from frontdesk.services.forms import generate_appointment_forms
from frontdesk.store.models import (
    Appointment,
    AuditEntry,
    DomainEvent,
    FormInstance,
    FormTemplate,
    OutboxMutation,
    PatientPerson,
    ServiceForm,
)
from frontdesk.store.unit_of_work import Actor
from tests.support.clinic import Clinic
from tests.support.rows import insert_appointment, insert_person

START = datetime.fromisoformat("2026-03-03T08:00:00+00:00")


def _appointment(
    clinic: Clinic,
    person: PatientPerson,
    *,
    calendar_id: uuid.UUID | None = None,
    service_id: uuid.UUID | None = None,
) -> Appointment:
    appointment = insert_appointment(
        clinic, start=START, person_id=person.id, service_id=service_id
    )
    if calendar_id is not None:
        with clinic.ctx.sessions.begin() as session:
            row = session.get_one(Appointment, appointment.id)
            row.calendar_id = calendar_id
            appointment = row
    return appointment


def _generate(
    clinic: Clinic, appointment: Appointment, person: PatientPerson
) -> list[FormInstance]:
    with clinic.ctx.transaction() as tx:
        return generate_appointment_forms(tx, appointment, person)


def _forms(clinic: Clinic, appointment_id: uuid.UUID) -> list[FormInstance]:
    with clinic.ctx.sessions() as session:
        return list(
            session.scalars(
                select(FormInstance)
                .where(FormInstance.appointment_id == appointment_id)
                .order_by(FormInstance.id)
            )
        )


def _count(clinic: Clinic, model: type, *where: object) -> int:
    with clinic.ctx.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_service_forms_come_in_position_order(clinic: Clinic) -> None:
    person = insert_person(clinic)
    appointment = _appointment(clinic, person)

    created = _generate(clinic, appointment, person)

    assert [f.template_key for f in created] == ["intake", "privacy"]
    assert [f.template_key for f in _forms(clinic, appointment.id)] == ["intake", "privacy"]
    assert {f.source for f in created} == {FormSource.SERVICE}


def test_service_and_calendar_forms_merge_without_duplicates(clinic: Clinic) -> None:
    person = insert_person(clinic)
    appointment = _appointment(clinic, person, calendar_id=clinic.public_calendar_id)

    created = _generate(clinic, appointment, person)

    # "intake" is on both: it is generated once, as a service form.
    assert [(f.template_key, f.source) for f in created] == [
        ("intake", FormSource.SERVICE),
        ("privacy", FormSource.SERVICE),
        ("promo", FormSource.CALENDAR),
    ]


def test_an_instance_snapshots_the_template(clinic: Clinic) -> None:
    person = insert_person(clinic)
    appointment = _appointment(clinic, person)

    privacy = next(f for f in _generate(clinic, appointment, person) if f.template_key == "privacy")

    stored = next(f for f in _forms(clinic, appointment.id) if f.id == privacy.id)
    assert stored.title == "Privacy Policy & GDPR Consent"
    assert stored.form_type == FormType.DISCLAIMER
    assert stored.blocking is True
    assert stored.status == FormStatus.CREATED
    assert stored.template_id == clinic.template_ids["privacy"]
    assert stored.template_version == 1
    assert stored.patient_person_id == person.id
    assert stored.organization_id == clinic.organization_id
    assert stored.fields == [
        {"key": "agree", "label": "I agree", "type": "boolean", "required": True}
    ]
    assert stored.values == {}


def test_a_later_template_version_does_not_touch_generated_forms(clinic: Clinic) -> None:
    person = insert_person(clinic)
    first = _appointment(clinic, person)
    _generate(clinic, first, person)

    catalog.add_form_template(
        clinic.ctx,
        key="privacy",
        title="Privacy Policy v2",
        form_type=FormType.DISCLAIMER,
        blocking=True,
        fields=[
            {"key": "agree", "label": "I agree", "type": "boolean", "required": True},
            {"key": "marketing", "label": "Marketing", "type": "boolean"},
        ],
    )
    second = insert_appointment(clinic, start=START + timedelta(days=7), person_id=person.id)
    _generate(clinic, second, person)

    old = next(f for f in _forms(clinic, first.id) if f.template_key == "privacy")
    new = next(f for f in _forms(clinic, second.id) if f.template_key == "privacy")
    assert (old.template_version, old.title, len(old.fields)) == (
        1,
        "Privacy Policy & GDPR Consent",
        1,
    )
    assert (new.template_version, new.title, len(new.fields)) == (2, "Privacy Policy v2", 2)


def test_values_are_prefilled_from_the_profile(clinic: Clinic) -> None:
    catalog.add_form_template(
        clinic.ctx,
        key="intake",
        title="Intake questionnaire",
        form_type=FormType.SURVEY,
        fields=[
            {"key": f, "label": f, "type": "text", "prefill": f"patient.{f}"}
            for f in ("email", "phone", "first_name", "last_name", "city", "country")
        ]
        + [
            {"key": "dob", "label": "Born", "type": "date", "prefill": "patient.date_of_birth"},
            {"key": "free", "label": "Free", "type": "text"},
            # A profile value the field would refuse is left for the patient to answer.
            {"key": "odd", "label": "Odd", "type": "date", "prefill": "patient.city"},
        ],
    )
    person = insert_person(
        clinic, date_of_birth=date(1980, 5, 17), city="Cluj-Napoca", country="RO"
    )
    appointment = _appointment(clinic, person)

    intake = next(f for f in _generate(clinic, appointment, person) if f.template_key == "intake")

    assert intake.values == {
        "email": "ioana.marin@example.com",
        "phone": "+40721000111",
        "first_name": "Ioana",
        "last_name": "Marin",
        "city": "Cluj-Napoca",
        "country": "RO",
        "dob": "1980-05-17",
    }


def test_missing_profile_values_leave_fields_empty(clinic: Clinic) -> None:
    person = insert_person(clinic, email=None)
    appointment = _appointment(clinic, person)

    intake = next(f for f in _generate(clinic, appointment, person) if f.template_key == "intake")

    assert intake.values == {}


def test_running_twice_creates_nothing_twice(clinic: Clinic) -> None:
    person = insert_person(clinic)
    appointment = _appointment(clinic, person, calendar_id=clinic.public_calendar_id)
    _generate(clinic, appointment, person)
    events_before = _count(clinic, DomainEvent)
    outbox_before = _count(clinic, OutboxMutation)

    again = _generate(clinic, appointment, person)

    assert again == []
    assert len(_forms(clinic, appointment.id)) == 3
    assert _count(clinic, DomainEvent) == events_before
    assert _count(clinic, OutboxMutation) == outbox_before


def test_a_form_added_to_the_service_later_is_generated_on_a_second_run(
    clinic: Clinic,
) -> None:
    person = insert_person(clinic)
    appointment = _appointment(clinic, person)
    _generate(clinic, appointment, person)
    with clinic.ctx.sessions.begin() as session:
        session.add(
            ServiceForm(
                organization_id=clinic.organization_id,
                service_id=clinic.consult_service_id,
                template_key="promo",
                position=5,
            )
        )

    again = _generate(clinic, appointment, person)

    assert [f.template_key for f in again] == ["promo"]


def test_a_deleted_instance_is_generated_again(clinic: Clinic) -> None:
    person = insert_person(clinic)
    appointment = _appointment(clinic, person)
    intake = next(f for f in _generate(clinic, appointment, person) if f.template_key == "intake")
    with clinic.ctx.sessions.begin() as session:
        session.get_one(FormInstance, intake.id).deleted_at = clinic.clock.now()

    again = _generate(clinic, appointment, person)

    assert [f.template_key for f in again] == ["intake"]
    assert again[0].id != intake.id


def test_a_retired_template_is_skipped(clinic: Clinic) -> None:
    person = insert_person(clinic)
    appointment = _appointment(clinic, person)
    with clinic.ctx.sessions.begin() as session:
        template = session.get_one(FormTemplate, clinic.template_ids["privacy"])
        template.deleted_at = clinic.clock.now()

    created = _generate(clinic, appointment, person)

    assert [f.template_key for f in created] == ["intake"]


def test_each_form_is_announced_and_recorded_in_the_callers_transaction(
    clinic: Clinic,
) -> None:
    person = insert_person(clinic)
    appointment = _appointment(clinic, person)

    with clinic.ctx.transaction() as tx:
        created = generate_appointment_forms(tx, appointment, person)
        changes = tx.changes

    assert changes.events == [EventName.FORM_CREATED, EventName.FORM_CREATED]
    assert changes.created["form_instances"] == {f.id for f in created}
    with clinic.ctx.sessions() as session:
        events = session.scalars(
            select(DomainEvent).where(DomainEvent.name == EventName.FORM_CREATED)
        ).all()
        assert {e.subject_id for e in events} == {f.id for f in created}
        privacy = next(e for e in events if e.payload["template_key"] == "privacy")
        assert privacy.subject_type == "form"
        assert privacy.payload == {
            "form_id": str(privacy.subject_id),
            "template_key": "privacy",
            "form_type": "disclaimer",
            "appointment_id": str(appointment.id),
            "patient_person_id": str(person.id),
            "blocking": True,
            "source": "service",
        }
        outbox = session.scalars(
            select(OutboxMutation).where(OutboxMutation.table_name == "form_instances")
        ).all()
        assert {(m.row_id, m.operation) for m in outbox} == {(f.id, "insert") for f in created}
    assert _count(clinic, AuditEntry, AuditEntry.action == "form.created") == 2


def test_a_failure_later_in_the_callers_transaction_leaves_no_forms(clinic: Clinic) -> None:
    person = insert_person(clinic)
    appointment = _appointment(clinic, person)
    events_before = _count(clinic, DomainEvent)

    def onboarding_that_fails_after_generating() -> None:
        with clinic.ctx.transaction() as tx:
            generate_appointment_forms(tx, appointment, person)
            raise RuntimeError("the onboarding failed after generating forms")

    with pytest.raises(RuntimeError):
        onboarding_that_fails_after_generating()

    assert _forms(clinic, appointment.id) == []
    assert _count(clinic, DomainEvent) == events_before


def test_forms_of_another_organizations_templates_are_not_used(clinic: Clinic) -> None:
    other = ServiceContext(
        sessions=clinic.ctx.sessions,
        organization_id=uuid.uuid4(),
        actor=Actor.system("setup"),
        clock=clinic.clock,
    )
    catalog.create_organization(other, name="Elsewhere", slug="elsewhere", timezone="UTC")
    catalog.add_form_template(
        other,
        key="intake",
        title="Their intake",
        form_type=FormType.SURVEY,
        fields=[{"key": "q", "label": "Q", "type": "text"}],
    )
    person = insert_person(clinic)
    appointment = _appointment(clinic, person)

    created = _generate(clinic, appointment, person)

    intake = next(f for f in created if f.template_key == "intake")
    assert intake.title == "Intake questionnaire"
    assert intake.template_id == clinic.template_ids["intake"]
