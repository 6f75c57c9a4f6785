"""Example 4 end to end: appointments booked through the booking service, the runner's sweep
arming the `appointment.before_start` timers and firing them as the clock moves. At T−24h each
patient gets the SMS naming their specialist and time, and only the video appointment's
patient the video-link e-mail; a cancelled appointment gets no reminder, a rescheduled one
gets it 24 hours before its new start (and not before the old one)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from frontdesk.domain.enums import MessageChannel
from frontdesk.services import booking, lifecycle
from frontdesk.store.models import OutboundMessage
from tests.integration.automation.helpers import executions, import_example, register, rows, sweep
from tests.support.automation_catalog import ExampleCatalog
from tests.support.clinic import Clinic

# The clinic's clock: Monday 2026-03-02 09:00 in Bucharest (UTC+2).
THURSDAY_10 = datetime(2026, 3, 5, 8, 0, tzinfo=UTC)
THURSDAY_12 = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)
FRIDAY_11 = datetime(2026, 3, 6, 9, 0, tzinfo=UTC)
DAY = timedelta(hours=24)


def _book(
    clinic: Clinic, person_id: uuid.UUID, service_id: uuid.UUID, start: datetime
) -> uuid.UUID:
    return booking.book_for_patient(
        clinic.ctx,
        patient_person_id=person_id,
        service_id=service_id,
        specialist_id=clinic.specialist_id,
        start=start,
    ).value.appointment.id


def _sweep_at(clinic: Clinic, at: datetime) -> list[OutboundMessage]:
    """Sweep at `at`; every message sent so far."""
    clinic.clock.set(at)
    sweep(clinic)
    return rows(clinic, OutboundMessage)


def test_reminders_fire_24_hours_before_with_the_video_link_only_for_video(
    clinic: Clinic, example_catalog: ExampleCatalog
) -> None:
    rule_id = import_example(clinic, 4)
    vera = register(clinic, "Vera", phone="+40721000203")
    ion = register(clinic, "Ion", phone="+40721000204")
    video = _book(clinic, vera, clinic.video_service_id, THURSDAY_10)
    in_clinic = _book(clinic, ion, clinic.consult_service_id, THURSDAY_12)
    sweep(clinic)  # the bookings' events dispatched, the timers armed

    assert _sweep_at(clinic, THURSDAY_10 - DAY - timedelta(seconds=1)) == []

    sent = _sweep_at(clinic, THURSDAY_10 - DAY)
    assert sorted((m.channel, m.recipient) for m in sent) == [
        (MessageChannel.EMAIL, "vera@example.com"),
        (MessageChannel.SMS, "+40721000203"),
    ]
    sms = next(m for m in sent if m.channel == MessageChannel.SMS)
    assert sms.template == "appointment_reminder"
    assert sms.body_text == (
        "Reamintire: programarea dumneavoastră la Dr Mihai Popescu are loc pe "
        "2026-03-05T10:00:00+02:00. "
        "Riverside Physio"
    )
    email = next(m for m in sent if m.channel == MessageChannel.EMAIL)
    assert email.template == "appointment_reminder_with_video_link"
    assert email.subject == "Mâine: programarea dumneavoastră video cu Dr Mihai Popescu"

    sent = _sweep_at(clinic, THURSDAY_12 - DAY)
    ion_messages = [m for m in sent if m.patient_person_id == ion]
    assert [(m.channel, m.recipient) for m in ion_messages] == [
        (MessageChannel.SMS, "+40721000204")
    ]
    assert "Dr Mihai Popescu are loc pe 2026-03-05T12:00:00+02:00" in ion_messages[0].body_text

    # Sweeping on, up to the appointments themselves, sends nothing twice.
    assert len(_sweep_at(clinic, THURSDAY_10 - timedelta(minutes=5))) == 3
    by_appointment = {e.trigger_entity_id: e for e in executions(clinic, rule_id)}
    assert set(by_appointment) == {video, in_clinic}
    assert [e["status"] for e in by_appointment[in_clinic].actions_executed] == [
        "success",
        "skipped",
    ]


def test_a_cancelled_appointment_gets_no_reminder(
    clinic: Clinic, example_catalog: ExampleCatalog
) -> None:
    rule_id = import_example(clinic, 4)
    vera = register(clinic, "Vera", phone="+40721000203")
    appointment = _book(clinic, vera, clinic.video_service_id, THURSDAY_10)
    sweep(clinic)

    clinic.clock.advance(timedelta(hours=2))
    lifecycle.cancel(clinic.ctx, appointment, reason="patient called")

    assert _sweep_at(clinic, THURSDAY_10 - DAY) == []
    assert _sweep_at(clinic, THURSDAY_10 - timedelta(hours=1)) == []
    assert executions(clinic, rule_id) == []


def test_a_rescheduled_appointment_is_reminded_before_its_new_start(
    clinic: Clinic, example_catalog: ExampleCatalog
) -> None:
    rule_id = import_example(clinic, 4)
    vera = register(clinic, "Vera", phone="+40721000203")
    appointment = _book(clinic, vera, clinic.video_service_id, THURSDAY_10)
    sweep(clinic)

    clinic.clock.advance(timedelta(hours=2))
    lifecycle.reschedule(clinic.ctx, appointment, start=FRIDAY_11)

    assert _sweep_at(clinic, THURSDAY_10 - DAY) == []
    assert _sweep_at(clinic, FRIDAY_11 - DAY - timedelta(seconds=1)) == []
    sent = _sweep_at(clinic, FRIDAY_11 - DAY)
    assert sorted(m.channel for m in sent) == [MessageChannel.EMAIL, MessageChannel.SMS]
    sms = next(m for m in sent if m.channel == MessageChannel.SMS)
    assert "Dr Mihai Popescu are loc pe 2026-03-06T11:00:00+02:00" in sms.body_text
    (execution,) = executions(clinic, rule_id)
    assert execution.trigger_entity_id == appointment
