"""The patient and appointment parts of a rule's context, read with the one-query statements
of `automation.context_queries`: segments (by reference and id, removed memberships left out),
held appointments, plan flags before and after today's session, and `is_first`."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from frontdesk.automation.context import build_context
from frontdesk.automation.trigger import Subject, TriggerInstance
from frontdesk.domain.enums import AppointmentStatus
from frontdesk.services import plans, segments
from frontdesk.store.models import Organization
from tests.support.clinic import Clinic
from tests.support.rows import insert_appointment, insert_person


def _context(
    clinic: Clinic, event: str, person_id: uuid.UUID, appointment_id: uuid.UUID | None = None
) -> dict[str, Any]:
    trigger = TriggerInstance(
        event_name=event,
        occurred_at=clinic.clock.now(),
        subject_type="appointment" if appointment_id else "patient",
        subject_id=appointment_id or person_id,
        subject=Subject(patient_person_id=person_id, appointment_id=appointment_id),
    )
    with clinic.ctx.sessions() as session:
        organization = session.get_one(Organization, clinic.organization_id)
        return build_context(session, organization, trigger)


def _patient(clinic: Clinic, person_id: uuid.UUID) -> dict[str, Any]:
    patient: dict[str, Any] = _context(clinic, "patient.onboarded", person_id)["patient"]
    return patient


def test_a_patient_with_nothing_yet(clinic: Clinic) -> None:
    person = insert_person(clinic)
    patient = _patient(clinic, person.id)
    assert patient["id"] == str(person.id)
    assert patient["segment_ids"] == []
    assert (patient["appointment_count"], patient["days_since_last_appointment"]) == (0, None)
    assert patient["has_active_treatment_plan"] is False
    assert patient["session_due_today"] is False
    assert patient["session_completed_today"] is False


def test_segments_by_reference_and_id_without_removed_memberships(clinic: Clinic) -> None:
    person = insert_person(clinic)
    cited = segments.create_segment(clinic.ctx, "Birthday This Month", reference=15).value
    plain = segments.create_segment(clinic.ctx, "Runners").value
    left = segments.create_segment(clinic.ctx, "Left", reference=7).value
    for segment in (cited, plain, left):
        segments.add_member(clinic.ctx, segment.id, person.id)
    segments.remove_member(clinic.ctx, left.id, person.id)

    found = _patient(clinic, person.id)["segment_ids"]
    assert sorted(map(str, found)) == sorted(["15", str(cited.id), str(plain.id)])
    assert 15 in found  # the reference as a number, as rules cite it


def test_held_appointments_count_and_the_days_since_the_last(clinic: Clinic) -> None:
    person = insert_person(clinic)
    now = clinic.clock.now()
    insert_appointment(
        clinic,
        start=now - timedelta(days=10),
        person_id=person.id,
        status=AppointmentStatus.DONE,
    )
    insert_appointment(
        clinic,
        start=now - timedelta(days=3),
        person_id=person.id,
        status=AppointmentStatus.CANCELLED,
    )
    patient = _patient(clinic, person.id)
    assert (patient["appointment_count"], patient["days_since_last_appointment"]) == (1, 10)


def test_plan_flags_before_and_after_todays_session(clinic: Clinic) -> None:
    plan = plans.create_treatment_plan(
        clinic.ctx,
        name="Knee rehab",
        type="telerehab",
        specialist_id=clinic.specialist_id,
        frequency_per_week=7,
        duration_weeks=1,
    ).value
    plans.activate_treatment_plan(clinic.ctx, plan.id)
    person = insert_person(clinic)
    plans.assign_treatment_plan(clinic.ctx, plan.id, person.id)
    before = _patient(clinic, person.id)
    assert before["has_active_treatment_plan"] is True
    assert (before["session_due_today"], before["session_completed_today"]) == (True, False)

    today = clinic.clock.now().astimezone(ZoneInfo("Europe/Bucharest")).date()
    with clinic.ctx.sessions() as session:
        due = plans.session_due(session, clinic.organization_id, person.id, today)
    assert due is not None
    plans.complete_session(clinic.ctx, due.id)
    after = _patient(clinic, person.id)
    assert (after["session_due_today"], after["session_completed_today"]) == (False, True)


def test_only_the_earliest_appointment_is_the_first(clinic: Clinic) -> None:
    person = insert_person(clinic)
    now = clinic.clock.now()
    first = insert_appointment(clinic, start=now + timedelta(days=1), person_id=person.id)
    later = insert_appointment(clinic, start=now + timedelta(days=8), person_id=person.id)
    contexts = [
        _context(clinic, "appointment.booked", person.id, appointment.id)["appointment"]
        for appointment in (first, later)
    ]
    assert [c["is_first"] for c in contexts] == [True, False]
    assert contexts[0]["specialist"]["name"] == "Dr Mihai Popescu"
    assert contexts[0]["service"]["name"] == "Physiotherapy consult"


def test_an_appointment_event_reads_its_patient_as_a_patient_event_does(clinic: Clinic) -> None:
    person = insert_person(clinic)
    segment = segments.create_segment(clinic.ctx, "Runners", reference=4).value
    segments.add_member(clinic.ctx, segment.id, person.id)
    now = clinic.clock.now()
    insert_appointment(
        clinic, start=now - timedelta(days=6), person_id=person.id, status=AppointmentStatus.DONE
    )
    booked = insert_appointment(clinic, start=now + timedelta(days=2), person_id=person.id)

    along = _context(clinic, "appointment.booked", person.id, booked.id)["patient"]
    alone = _patient(clinic, person.id)
    assert along == alone
    # The booked one counts as held, and it is the latest: no "days since" yet.
    assert (along["appointment_count"], along["days_since_last_appointment"]) == (2, None)
    assert 4 in along["segment_ids"]
