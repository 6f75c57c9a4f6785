"""Examples 6 and 8, driven through the plans service.

6: assigning a telerehab plan asks for the pose-tracking consent (blocking), sends the plan's
welcome e-mail and shows a three-day notification whose button opens the patient's plan; an
in-clinic plan does none of it.
8: completing a plan a specialist assigned books the review with that specialist in their
first free slot within seven days, suggests the outcome assessment, congratulates the patient
and adds them to segment 20; a plan the patient took for themselves does none of it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from frontdesk.domain.enums import (
    AppointmentSource,
    FormSource,
    MessageChannel,
    Role,
    TreatmentPlanType,
)
from frontdesk.domain.errors import BookingBlocked
from frontdesk.services import booking, plans
from frontdesk.services.context import ServiceContext
from frontdesk.store.models import (
    Appointment,
    DomainEvent,
    FormInstance,
    Notification,
    OutboundMessage,
    PatientPerson,
    SegmentMember,
    TreatmentSession,
)
from frontdesk.store.unit_of_work import Actor
from tests.integration.automation.helpers import (
    count,
    dispatch_all,
    executions,
    import_example,
    register,
    rows,
    sign_form,
)
from tests.support.automation_catalog import ExampleCatalog
from tests.support.clinic import Clinic

# The clinic's clock: Monday 2026-03-02 09:00 in Bucharest.
MONDAY_1100 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MONDAY_1145 = datetime(2026, 3, 2, 9, 45, tzinfo=UTC)


def _active_plan(
    clinic: Clinic, plan_type: TreatmentPlanType, *, frequency: int = 3, weeks: int = 6
) -> uuid.UUID:
    staff = clinic.as_(clinic.specialist_actor)
    plan = plans.create_treatment_plan(
        staff,
        name="Knee rehab",
        type=plan_type,
        specialist_id=clinic.specialist_id,
        frequency_per_week=frequency,
        duration_weeks=weeks,
        followup_service_id=clinic.consult_service_id,
    ).value
    plans.activate_treatment_plan(staff, plan.id)
    return plan.id


def _book(clinic: Clinic, person_id: uuid.UUID) -> None:
    booking.book_for_patient(
        clinic.ctx,
        patient_person_id=person_id,
        service_id=clinic.consult_service_id,
        specialist_id=clinic.specialist_id,
        start=clinic.clock.now() + timedelta(days=10),
    )


# --- example 6 -------------------------------------------------------------------------------


def test_telerehab_assignment_requires_consent_welcomes_and_notifies(
    clinic: Clinic, example_catalog: ExampleCatalog
) -> None:
    rule_id = import_example(clinic, 6)
    person_id = register(clinic, "Ioana")
    plan_id = _active_plan(clinic, TreatmentPlanType.TELEREHAB)
    assignment = plans.assign_treatment_plan(clinic.ctx, plan_id, person_id).value

    dispatch_all(clinic)

    (execution,) = executions(clinic, rule_id)
    assert execution.status == "success"
    assert execution.trigger_entity_id == assignment.id
    (form,) = rows(clinic, FormInstance, FormInstance.source == FormSource.AUTOMATION)
    assert (form.template_id, form.blocking) == (example_catalog.form_templates[70], True)
    assert form.patient_person_id == person_id
    (message,) = rows(clinic, OutboundMessage)
    assert (message.channel, message.template) == (MessageChannel.EMAIL, "treatment_plan_welcome")
    assert message.recipient == "ioana@example.com"
    assert message.subject == "Planul dumneavoastră de tratament Knee rehab este gata"
    assert (
        "Dr Mihai Popescu a pregătit pentru dumneavoastră Knee rehab: 3x/week, timp de 6 weeks."
        in (message.body_text)
    )
    (notification,) = rows(clinic, Notification)
    assert notification.patient_person_id == person_id
    assert notification.message == "Your treatment plan is ready! Start your first session."
    assert notification.cta_url == f"/treatment-plans/{assignment.id}/today"
    assert notification.expires_at == clinic.clock.now() + timedelta(days=3)

    with pytest.raises(BookingBlocked):
        _book(clinic, person_id)
    sign_form(clinic, form.id)
    _book(clinic, person_id)


def test_in_clinic_assignment_does_nothing(clinic: Clinic, example_catalog: ExampleCatalog) -> None:
    rule_id = import_example(clinic, 6)
    person_id = register(clinic, "Radu")
    plans.assign_treatment_plan(
        clinic.ctx, _active_plan(clinic, TreatmentPlanType.IN_CLINIC), person_id
    )

    dispatch_all(clinic)

    assert count(clinic, DomainEvent, DomainEvent.name == "treatment_plan.assigned") == 1
    assert executions(clinic, rule_id) == []
    assert count(clinic, FormInstance, FormInstance.source == FormSource.AUTOMATION) == 0
    assert count(clinic, OutboundMessage) == 0
    assert count(clinic, Notification) == 0
    _book(clinic, person_id)


# --- example 8 -------------------------------------------------------------------------------


def _patient_actor(clinic: Clinic, person_id: uuid.UUID) -> ServiceContext:
    with clinic.ctx.sessions() as session:
        person = session.get_one(PatientPerson, person_id)
    actor = Actor(
        Role.PATIENT, person.user_id, person.first_name, person_ids=frozenset({person_id})
    )
    return clinic.as_(actor)


def _complete_plan(clinic: Clinic, assigner: ServiceContext, person_id: uuid.UUID) -> uuid.UUID:
    """A two-session plan assigned by `assigner`, both sessions done (pain 8, then 4)."""
    plan_id = _active_plan(clinic, TreatmentPlanType.TELEREHAB, frequency=2, weeks=1)
    assignment = plans.assign_treatment_plan(assigner, plan_id, person_id).value
    sessions = rows(
        clinic,
        TreatmentSession,
        TreatmentSession.patient_treatment_plan_id == assignment.id,
    )
    in_order = sorted(sessions, key=lambda s: s.scheduled_on)
    for pain, treatment_session in zip((8.0, 4.0), in_order, strict=True):
        plans.complete_session(clinic.ctx, treatment_session.id, pain_level=pain)
    return assignment.id


def test_completing_an_assigned_plan_books_review_asks_outcome_congratulates_and_segments(
    clinic: Clinic, example_catalog: ExampleCatalog
) -> None:
    rule_id = import_example(clinic, 8)
    person_id = register(clinic, "Maria")
    other_id = register(clinic, "Dan")
    # Now is 09:00; with two hours' notice 11:00 is the first start, and it is taken.
    taken = booking.book_for_patient(
        clinic.ctx,
        patient_person_id=other_id,
        service_id=clinic.consult_service_id,
        specialist_id=clinic.specialist_id,
        start=MONDAY_1100,
    ).value.appointment
    assignment_id = _complete_plan(clinic, clinic.as_(clinic.specialist_actor), person_id)

    dispatch_all(clinic)

    (execution,) = executions(clinic, rule_id)
    assert execution.status == "success"
    assert execution.trigger_entity_id == assignment_id
    with clinic.ctx.sessions() as session:
        (review,) = session.scalars(
            select(Appointment).where(Appointment.source == AppointmentSource.AUTOMATION)
        )
    assert review.id != taken.id
    assert review.patient_person_id == person_id
    assert (review.specialist_id, review.service_id) == (
        clinic.specialist_id,
        clinic.consult_service_id,
    )
    assert review.started_at == MONDAY_1145  # the first free slot
    assert review.notes == "Treatment plan review — Knee rehab"
    (form,) = rows(clinic, FormInstance, FormInstance.source == FormSource.AUTOMATION)
    assert (form.template_id, form.blocking) == (example_catalog.form_templates[72], False)
    assert form.patient_person_id == person_id
    (message,) = rows(clinic, OutboundMessage, OutboundMessage.patient_person_id == person_id)
    assert message.template == "treatment_plan_completed"
    assert message.subject == "Felicitări: ați încheiat Knee rehab"
    assert "ați încheiat Knee rehab: 2 ședințe, iar durerea s-a ameliorat cu 50.0%." in (
        message.body_text
    )
    (member,) = rows(clinic, SegmentMember)
    assert (member.segment_id, member.patient_person_id) == (
        example_catalog.segments[20],
        person_id,
    )
    assert member.removed_at is None


def test_completing_a_self_assigned_plan_does_nothing(
    clinic: Clinic, example_catalog: ExampleCatalog
) -> None:
    rule_id = import_example(clinic, 8)
    person_id = register(clinic, "Elena")
    _complete_plan(clinic, _patient_actor(clinic, person_id), person_id)

    dispatch_all(clinic)

    assert count(clinic, DomainEvent, DomainEvent.name == "treatment_plan.completed") == 1
    assert executions(clinic, rule_id) == []
    assert count(clinic, Appointment) == 0
    assert count(clinic, FormInstance, FormInstance.source == FormSource.AUTOMATION) == 0
    assert count(clinic, OutboundMessage) == 0
    assert count(clinic, SegmentMember) == 0
