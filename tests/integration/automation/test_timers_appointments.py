"""`appointment.before_start` timers follow the appointment: armed on booking, re-armed on
reschedule, cancelled on cancellation (and back on reinstatement), never fired once the
appointment has started."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from frontdesk.domain.enums import AppointmentStatus
from frontdesk.services import lifecycle
from frontdesk.store.models import Appointment
from tests.integration.automation.timer_helpers import (
    RecordingExecutor,
    fire,
    iso,
    pending,
    reconcile,
    sweep,
    time_rule,
    timers,
)
from tests.support.clinic import Clinic
from tests.support.rows import insert_appointment, insert_person
from tests.unit.appointment_helpers import book

THURSDAY_10 = datetime(2026, 3, 5, 8, 0, tzinfo=UTC)  # 10:00 in Bucharest; now is Monday


def _reminder_rule(clinic: Clinic, **extra: object) -> uuid.UUID:
    return time_rule(clinic, "appointment.before_start", {"hours_before": 24}, **extra)


def test_booking_arms_a_timer_24_hours_before_the_start(clinic: Clinic) -> None:
    rule_id = _reminder_rule(clinic)
    appointment = book(clinic.ctx, clinic, start=THURSDAY_10).appointment

    reconcile(clinic)

    (timer,) = timers(clinic)
    assert (timer.automation_rule_id, timer.due_at_utc) == (rule_id, THURSDAY_10 - timedelta(1))
    assert (timer.subject_type, timer.subject_id) == ("appointment", appointment.id)
    assert iso(THURSDAY_10) in timer.occurrence_key  # the key names the start it was armed for
    assert timer.status == "pending"


def test_reschedule_cancels_the_old_timer_and_arms_one_for_the_new_start(clinic: Clinic) -> None:
    rule_id = _reminder_rule(clinic)
    appointment = book(clinic.ctx, clinic, start=THURSDAY_10).appointment
    reconcile(clinic)
    (old,) = timers(clinic)
    new_start = THURSDAY_10 + timedelta(days=1, hours=2)

    lifecycle.reschedule(clinic.ctx, appointment.id, start=new_start)
    reconcile(clinic)

    statuses = {t.id: t.status for t in timers(clinic)}
    assert statuses[old.id] == "cancelled"
    assert pending(clinic) == [(rule_id, new_start - timedelta(hours=24))]


def test_cancelling_removes_the_timer_and_reinstating_brings_it_back(clinic: Clinic) -> None:
    _reminder_rule(clinic)
    appointment = book(clinic.ctx, clinic, start=THURSDAY_10).appointment
    reconcile(clinic)
    (timer,) = timers(clinic)

    lifecycle.cancel(clinic.ctx, appointment.id, reason="patient called")
    reconcile(clinic)
    assert [t.status for t in timers(clinic)] == ["cancelled"]
    assert pending(clinic) == []

    lifecycle.reinstate(clinic.ctx, appointment.id)
    reconcile(clinic)
    assert [(t.id, t.status) for t in timers(clinic)] == [(timer.id, "pending")]


def test_the_reminder_fires_at_its_due_time_for_the_appointment(clinic: Clinic) -> None:
    _reminder_rule(clinic)
    appointment = book(clinic.ctx, clinic, start=THURSDAY_10).appointment
    reconcile(clinic)
    run = RecordingExecutor()
    due = THURSDAY_10 - timedelta(hours=24)

    clinic.clock.set(due - timedelta(seconds=1))
    sweep(clinic, run)
    assert run.calls == []

    clinic.clock.set(due)
    sweep(clinic, run)
    ((_, trigger),) = run.calls
    assert trigger.event_name == "appointment.before_start"
    assert (trigger.subject_type, trigger.subject_id) == ("appointment", appointment.id)
    assert trigger.subject.appointment_id == appointment.id
    assert trigger.subject.patient_person_id == appointment.patient_person_id
    assert trigger.occurrence == iso(due)
    assert [t.status for t in timers(clinic)] == ["fired"]

    sweep(clinic, run)  # a second sweep finds nothing left to fire
    assert len(run.calls) == 1


def test_an_appointment_booked_inside_the_lead_time_gets_no_late_reminder(clinic: Clinic) -> None:
    _reminder_rule(clinic)
    book(clinic.ctx, clinic, start=clinic.clock.now() + timedelta(hours=3))

    reconcile(clinic)

    assert timers(clinic) == []


def test_appointments_beyond_the_horizon_are_armed_when_they_come_within_it(
    clinic: Clinic,
) -> None:
    _reminder_rule(clinic)
    far = clinic.clock.now() + timedelta(days=20)
    book(clinic.ctx, clinic, start=far)

    reconcile(clinic)
    assert timers(clinic) == []

    clinic.clock.advance(timedelta(days=12))
    reconcile(clinic)
    assert pending(clinic)[0][1] == far - timedelta(hours=24)


def test_a_move_between_reconcile_and_firing_cancels_the_timer_at_firing(clinic: Clinic) -> None:
    _reminder_rule(clinic)
    appointment = book(clinic.ctx, clinic, start=THURSDAY_10).appointment
    reconcile(clinic)
    (timer,) = timers(clinic)
    with clinic.ctx.sessions.begin() as session:
        moved = session.get_one(Appointment, appointment.id)
        moved.started_at += timedelta(hours=1)
        moved.ended_at += timedelta(hours=1)
    run = RecordingExecutor()

    summary = fire(clinic, run, timer.due_at_utc)

    assert run.calls == []
    assert summary.cancelled == [timer.id]


def test_a_reminder_is_never_sent_once_the_appointment_has_started(clinic: Clinic) -> None:
    _reminder_rule(clinic)
    person = insert_person(clinic)
    start = clinic.clock.now() + timedelta(days=2)
    insert_appointment(clinic, start=start, person_id=person.id)
    reconcile(clinic)
    (timer,) = timers(clinic)
    run = RecordingExecutor()

    summary = fire(clinic, run, start + timedelta(minutes=5))  # the desk was off until then

    assert run.calls == []
    assert summary.missed == [timer.id]
    (closed,) = timers(clinic)
    assert closed.status == "missed"
    assert closed.payload["reason"] == "the appointment had started"


def test_an_appointment_in_progress_no_longer_holds_a_reminder(clinic: Clinic) -> None:
    _reminder_rule(clinic)
    person = insert_person(clinic)
    start = clinic.clock.now() + timedelta(days=2)
    appointment = insert_appointment(clinic, start=start, person_id=person.id)
    reconcile(clinic)
    with clinic.ctx.sessions.begin() as session:
        session.get_one(Appointment, appointment.id).status = AppointmentStatus.INPROGRESS

    reconcile(clinic)

    assert [t.status for t in timers(clinic)] == ["cancelled"]
