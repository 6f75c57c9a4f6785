"""Example 3: enrolling a patient in a multi-session plan with exercise tracking asks for the
biometric consent (blocking: no booking until it is signed), sends the plan's welcome e-mail
and suggests the baseline assessment; a plan without exercise tracking does none of it."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from frontdesk.domain.enums import FormSource, MessageChannel
from frontdesk.domain.errors import BookingBlocked
from frontdesk.services import booking, plans
from frontdesk.store.models import DomainEvent, FormInstance, OutboundMessage
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


def _enrol(clinic: Clinic, person_id: uuid.UUID, *, exercise_tracking: bool) -> uuid.UUID:
    plan = plans.create_service_plan(
        clinic.ctx,
        name="Back pain programme",
        service_id=clinic.consult_service_id,
        session_count=10,
        has_exercise_tracking=exercise_tracking,
    ).value
    return plans.enrol(clinic.ctx, plan.id, person_id).value.id


def _book(clinic: Clinic, person_id: uuid.UUID) -> None:
    booking.book_for_patient(
        clinic.ctx,
        patient_person_id=person_id,
        service_id=clinic.consult_service_id,
        specialist_id=clinic.specialist_id,
        start=clinic.clock.now() + timedelta(days=3),
    )


def test_enrolment_with_exercise_tracking_asks_for_consent_welcomes_and_suggests_baseline(
    clinic: Clinic, example_catalog: ExampleCatalog
) -> None:
    rule_id = import_example(clinic, 3)
    person_id = register(clinic, "Sorina")
    enrolment_id = _enrol(clinic, person_id, exercise_tracking=True)

    dispatch_all(clinic)

    (execution,) = executions(clinic, rule_id)
    assert execution.status == "success"
    assert execution.trigger_entity_id == enrolment_id
    made = rows(clinic, FormInstance, FormInstance.source == FormSource.AUTOMATION)
    templates = {v: k for k, v in example_catalog.form_templates.items()}
    assert sorted((templates[f.template_id], f.blocking, f.patient_person_id) for f in made) == [
        (60, True, person_id),
        (61, False, person_id),
    ]
    (message,) = rows(clinic, OutboundMessage)
    assert (message.channel, message.template) == (MessageChannel.EMAIL, "plan_welcome")
    assert message.recipient == "sorina@example.com"
    assert message.subject == "Bun venit în Back pain programme"
    assert (
        "înscrierea dumneavoastră în Back pain programme este confirmată: 10 ședințe."
        in message.body_text
    )

    # The consent is blocking: booking is refused until it is signed.
    with pytest.raises(BookingBlocked) as refused:
        _book(clinic, person_id)
    assert refused.value.outstanding == ("sign the form “Biometric Data Consent”",)
    (consent,) = (f for f in made if f.blocking)
    sign_form(clinic, consent.id)
    _book(clinic, person_id)


def test_enrolment_without_exercise_tracking_does_nothing(
    clinic: Clinic, example_catalog: ExampleCatalog
) -> None:
    rule_id = import_example(clinic, 3)
    person_id = register(clinic, "Tudor")
    _enrol(clinic, person_id, exercise_tracking=False)

    dispatch_all(clinic)

    assert count(clinic, DomainEvent, DomainEvent.name == "service_plan.enrolled") == 1
    assert executions(clinic, rule_id) == []
    assert count(clinic, FormInstance, FormInstance.source == FormSource.AUTOMATION) == 0
    assert count(clinic, OutboundMessage) == 0
    _book(clinic, person_id)  # nothing blocks the patient
