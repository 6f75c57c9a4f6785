"""Timers through the real engine: example 4 (the 24-hour reminder) armed by a booking, fired
by the runner's sweep at its due time — once — and not at all for an appointment cancelled
before it."""

from __future__ import annotations

import uuid
from datetime import timedelta

from frontdesk.automation.scheduler import AutomationRunner
from frontdesk.domain.enums import MessageChannel
from frontdesk.services import booking, lifecycle, patients
from frontdesk.store.models import AutomationExecution, OutboundMessage
from tests.integration.automation.helpers import executions, rows
from tests.integration.automation.timer_helpers import timers
from tests.support.automation import engine_ctx, insert_example
from tests.support.clinic import Clinic


def _booked(clinic: Clinic, phone: str, email: str, days: int) -> uuid.UUID:
    person = patients.register_patient(
        clinic.ctx, first_name="Vera", last_name="Pop", email=email, phone=phone
    ).value
    return booking.book_for_patient(
        clinic.ctx,
        patient_person_id=person.id,
        service_id=clinic.video_service_id,
        specialist_id=clinic.specialist_id,
        start=clinic.clock.now() + timedelta(days=days),
    ).value.appointment.id


def test_the_24_hour_reminder_is_sent_once_by_the_runner(clinic: Clinic) -> None:
    rule_id = insert_example(clinic, 4)
    appointment_id = _booked(clinic, "+40721000203", "vera@example.com", days=3)
    runner = AutomationRunner(engine_ctx(clinic))

    runner.sweep()  # the booking's events are dispatched and the reminder armed
    (timer,) = timers(clinic)
    assert timer.subject_id == appointment_id
    assert rows(clinic, OutboundMessage) == []

    clinic.clock.set(timer.due_at_utc + timedelta(seconds=30))
    report = runner.sweep()
    runner.sweep()  # a second wake finds the occurrence fired

    assert report.failed_steps == []
    (execution,) = executions(clinic, rule_id)
    assert execution.trigger_entity_id == appointment_id
    assert execution.execution_key.endswith(timer.due_at_utc.isoformat().replace("+00:00", "Z"))
    messages = rows(clinic, OutboundMessage)
    assert sorted(m.channel for m in messages) == [MessageChannel.EMAIL, MessageChannel.SMS]
    sms = next(m for m in messages if m.channel == MessageChannel.SMS)
    assert sms.recipient == "+40721000203"
    assert "Dr Mihai Popescu" in sms.body_text
    assert [t.status for t in timers(clinic)] == ["fired"]


def test_no_reminder_for_an_appointment_cancelled_before_it(clinic: Clinic) -> None:
    insert_example(clinic, 4)
    appointment_id = _booked(clinic, "+40721000204", "ion@example.com", days=3)
    runner = AutomationRunner(engine_ctx(clinic))
    runner.sweep()
    (timer,) = timers(clinic)

    lifecycle.cancel(clinic.ctx, appointment_id, reason="the patient called")
    clinic.clock.set(timer.due_at_utc)
    runner.sweep()

    assert rows(clinic, OutboundMessage) == []
    assert rows(clinic, AutomationExecution) == []
    assert [t.status for t in timers(clinic)] == ["cancelled"]
