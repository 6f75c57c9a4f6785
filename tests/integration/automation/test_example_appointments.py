"""Examples 2 and 4: a first video appointment gets its consent form, guide e-mail and
questionnaire (an in-clinic one does not); a 24-hour reminder sends an SMS, and the video link
e-mail only for a video appointment (a per-action condition)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from frontdesk.automation.engine import execute
from frontdesk.automation.trigger import Subject, TriggerInstance
from frontdesk.domain.enums import FormSource, MessageChannel
from frontdesk.domain.rules import occurrence_key
from frontdesk.services import booking, patients
from frontdesk.store.models import Appointment, AutomationRule, FormInstance, OutboundMessage
from tests.integration.automation.helpers import count, dispatch_all, executions, rows
from tests.support.automation import engine_ctx, insert_example
from tests.support.clinic import Clinic


def _registered(clinic: Clinic, first_name: str, email: str, phone: str) -> uuid.UUID:
    return patients.register_patient(
        clinic.ctx, first_name=first_name, last_name="Pop", email=email, phone=phone
    ).value.id


def _book(clinic: Clinic, person_id: uuid.UUID, service_id: uuid.UUID, days: int) -> uuid.UUID:
    return booking.book_for_patient(
        clinic.ctx,
        patient_person_id=person_id,
        service_id=service_id,
        specialist_id=clinic.specialist_id,
        start=clinic.clock.now() + timedelta(days=days),
    ).value.appointment.id


def test_first_video_appointment_gets_consent_guide_and_questionnaire(
    clinic: Clinic, templates: dict[int, uuid.UUID]
) -> None:
    rule_id = insert_example(clinic, 2)
    person_id = _registered(clinic, "Maria", "maria@example.com", "+40721000201")
    appointment_id = _book(clinic, person_id, clinic.video_service_id, 2)
    _book(clinic, person_id, clinic.video_service_id, 9)  # not the first: no second run

    dispatch_all(clinic)

    (execution,) = executions(clinic, rule_id)
    assert execution.status == "success"
    assert execution.trigger_entity_id == appointment_id
    made = rows(clinic, FormInstance, FormInstance.source == FormSource.AUTOMATION)
    assert sorted((f.template_key, f.blocking, f.appointment_id) for f in made) == [
        ("medical_history", False, appointment_id),
        ("video_consent", True, appointment_id),
    ]
    (message,) = rows(clinic, OutboundMessage)
    assert message.template == "first_appointment_video_guide"
    assert message.recipient == "maria@example.com"
    assert "Dr Mihai Popescu" in message.body_text


def test_first_in_clinic_appointment_does_not_match(
    clinic: Clinic, templates: dict[int, uuid.UUID]
) -> None:
    rule_id = insert_example(clinic, 2)
    person_id = _registered(clinic, "Dan", "dan@example.com", "+40721000202")
    _book(clinic, person_id, clinic.consult_service_id, 2)

    dispatch_all(clinic)

    assert executions(clinic, rule_id) == []
    assert count(clinic, FormInstance, FormInstance.source == FormSource.AUTOMATION) == 0
    assert count(clinic, OutboundMessage) == 0


def _reminder(clinic: Clinic, appointment_id: uuid.UUID, rule_id: uuid.UUID) -> TriggerInstance:
    """The occurrence the scheduler would hand over 24 hours before the start."""
    with clinic.ctx.sessions() as session:
        appointment = session.get(Appointment, appointment_id)
        assert appointment is not None
        due = appointment.started_at - timedelta(hours=24)
        person_id = appointment.patient_person_id
    clinic.clock.set(due)
    return TriggerInstance(
        event_name="appointment.before_start",
        occurred_at=due,
        subject_type="appointment",
        subject_id=appointment_id,
        subject=Subject(patient_person_id=person_id, appointment_id=appointment_id),
        occurrence=occurrence_key(rule_id, appointment_id, due),
    )


def _rule(clinic: Clinic, rule_id: uuid.UUID) -> AutomationRule:
    with clinic.ctx.sessions() as session:
        return session.scalars(select(AutomationRule).where(AutomationRule.id == rule_id)).one()


def test_reminder_sends_sms_and_video_link_only_for_video(
    clinic: Clinic, templates: dict[int, uuid.UUID]
) -> None:
    rule_id = insert_example(clinic, 4)
    video_person = _registered(clinic, "Vera", "vera@example.com", "+40721000203")
    clinic_person = _registered(clinic, "Ion", "ion@example.com", "+40721000204")
    video = _book(clinic, video_person, clinic.video_service_id, 3)
    in_clinic = _book(clinic, clinic_person, clinic.consult_service_id, 4)

    first = execute(engine_ctx(clinic), _rule(clinic, rule_id), _reminder(clinic, video, rule_id))
    second = execute(
        engine_ctx(clinic), _rule(clinic, rule_id), _reminder(clinic, in_clinic, rule_id)
    )

    assert first is not None
    assert second is not None
    assert [e["status"] for e in first.actions_executed] == ["success", "success"]
    assert [e["status"] for e in second.actions_executed] == ["success", "skipped"]
    assert second.status == "success"
    skipped = second.trace["actions"][1]
    assert skipped["conditions"] == [
        {
            "path": "appointment.type",
            "op": "eq",
            "expected": "video",
            "actual": "in_clinic",
            "result": False,
        }
    ]
    messages = rows(clinic, OutboundMessage)
    assert sorted((m.channel, m.patient_person_id == video_person) for m in messages) == [
        (MessageChannel.EMAIL, True),
        (MessageChannel.SMS, False),
        (MessageChannel.SMS, True),
    ]
    sms = next(m for m in messages if m.recipient == "+40721000203")
    assert "Dr Mihai Popescu" in sms.body_text
    email = next(m for m in messages if m.channel == MessageChannel.EMAIL)
    assert email.template == "appointment_reminder_with_video_link"
    # The same occurrence handed over again (a second desk, a catch-up) runs nothing.
    again = execute(engine_ctx(clinic), _rule(clinic, rule_id), _reminder(clinic, video, rule_id))
    assert again is None
    assert count(clinic, OutboundMessage) == 3
