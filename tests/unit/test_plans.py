"""Service plans and treatment plans: their lifecycles, the events automations listen to,
session scheduling, adherence and expiry — and every refusal naming its field."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from frontdesk.domain.enums import (
    EnrolmentStatus,
    PatientPlanStatus,
    Role,
    TreatmentPlanStatus,
)
from frontdesk.domain.errors import AlreadyExists, InvalidInput, NotFound, PermissionDenied
from frontdesk.domain.events import EventName
from frontdesk.domain.treatment_schedule import (
    adherence_rate,
    pain_reduction_percentage,
    plan_end_date,
    session_dates,
)
from frontdesk.services import plans
from frontdesk.store.models import (
    Appointment,
    DomainEvent,
    PatientTreatmentPlan,
    TreatmentPlan,
    TreatmentSession,
)
from frontdesk.store.unit_of_work import Actor
from tests.support.clinic import Clinic
from tests.support.counts import fingerprint
from tests.support.refusals import refused
from tests.support.rows import insert_appointment, insert_person

TODAY = date(2026, 3, 2)  # the clinic's fixed clock, a Monday in Bucharest


def _events(clinic: Clinic, name: str) -> list[dict[str, Any]]:
    with clinic.ctx.sessions() as session:
        rows = session.scalars(
            select(DomainEvent).where(DomainEvent.name == name).order_by(DomainEvent.id)
        )
        return [{"subject_id": row.subject_id, **row.payload} for row in rows]


def _sessions(clinic: Clinic, assignment_id: uuid.UUID) -> list[TreatmentSession]:
    with clinic.ctx.sessions() as session:
        return list(
            session.scalars(
                select(TreatmentSession)
                .where(TreatmentSession.patient_treatment_plan_id == assignment_id)
                .order_by(TreatmentSession.scheduled_on)
            )
        )


def _active_plan(clinic: Clinic, **overrides: Any) -> uuid.UUID:
    values: dict[str, Any] = {
        "name": "Knee rehab",
        "type": "telerehab",
        "specialist_id": clinic.specialist_id,
        "frequency_per_week": 3,
        "duration_weeks": 2,
        **overrides,
    }
    plan = plans.create_treatment_plan(clinic.ctx, **values).value
    plans.activate_treatment_plan(clinic.ctx, plan.id)
    return plan.id


# --- the schedule, pure --------------------------------------------------------------------


def test_sessions_spread_over_each_week() -> None:
    assert session_dates(TODAY, 3, 2) == [TODAY + timedelta(days=d) for d in (0, 2, 4, 7, 9, 11)]
    assert session_dates(TODAY, 7, 1) == [TODAY + timedelta(days=d) for d in range(7)]
    assert session_dates(TODAY, 2, 1) == [TODAY, TODAY + timedelta(days=3)]
    assert plan_end_date(TODAY, 2) == date(2026, 3, 15)
    with pytest.raises(ValueError, match="frequency_per_week must be 1–7"):
        session_dates(TODAY, 8, 1)


def test_adherence_and_pain_figures() -> None:
    assert adherence_rate(1, 4) == 0.25
    assert adherence_rate(5, 4) == 1.0  # sessions done early do not count twice
    assert adherence_rate(0, 0) is None
    assert pain_reduction_percentage(8, 2) == 75.0
    assert pain_reduction_percentage(4, 6) == -50.0
    assert pain_reduction_percentage(0, 0) is None
    assert pain_reduction_percentage(None, 3) is None


# --- service plans -------------------------------------------------------------------------


def test_a_service_plan_enrolment_runs_to_completion(clinic: Clinic) -> None:
    plan = plans.create_service_plan(
        clinic.ctx, name="Back programme", service_id=clinic.consult_service_id, session_count=2
    ).value
    person = insert_person(clinic)
    enrolment = plans.enrol(clinic.ctx, plan.id, person.id).value
    assert _events(clinic, EventName.SERVICE_PLAN_ENROLLED) == [
        {
            "subject_id": enrolment.id,
            "patient_person_id": str(person.id),
            "service_plan_id": str(plan.id),
            "service_plan_enrolment_id": str(enrolment.id),
            "sessions_completed": 0,
            "session_count": 2,
        }
    ]
    appointment = insert_appointment(clinic, start=clinic.clock.now(), person_id=person.id)
    plans.record_service_session_started(clinic.ctx, enrolment.id, appointment_id=appointment.id)
    plans.record_service_session_completed(clinic.ctx, enrolment.id)
    assert _events(clinic, EventName.SERVICE_PLAN_COMPLETED) == []
    plans.record_service_session_started(clinic.ctx, enrolment.id)
    done = plans.record_service_session_completed(clinic.ctx, enrolment.id).value
    assert (done.status, done.sessions_completed) == (EnrolmentStatus.COMPLETED, 2)
    started = _events(clinic, EventName.SERVICE_PLAN_SESSION_STARTED)
    assert [(e["session_number"], e["appointment_id"]) for e in started] == [
        (1, str(appointment.id)),
        (2, None),
    ]
    completed = _events(clinic, EventName.SERVICE_PLAN_SESSION_COMPLETED)
    assert [e["session_number"] for e in completed] == [1, 2]
    assert len(_events(clinic, EventName.SERVICE_PLAN_COMPLETED)) == 1


def test_service_plan_refusals_name_the_field_and_write_nothing(clinic: Clinic) -> None:
    ctx, service = clinic.ctx, clinic.consult_service_id
    for field, values in (
        ("name", {"name": " "}),
        ("session_count", {"session_count": 0}),
        ("session_count", {"session_count": 101}),
        ("price_cents", {"price_cents": -1}),
    ):
        arguments = {"name": "P", "service_id": service, "session_count": 3, **values}
        refused(
            clinic,
            InvalidInput,
            field,
            lambda a=arguments: plans.create_service_plan(ctx, **a),
        )
    refused(
        clinic,
        NotFound,
        "service_id",
        lambda: plans.create_service_plan(ctx, name="P", service_id=uuid.uuid4(), session_count=3),
    )
    patient = clinic.as_(Actor(Role.PATIENT, label="p"))
    refused(
        clinic,
        PermissionDenied,
        "actor",
        lambda: plans.create_service_plan(patient, name="P", service_id=service, session_count=3),
    )


def test_enrolment_refusals_name_the_field_and_write_nothing(clinic: Clinic) -> None:
    plan = plans.create_service_plan(
        clinic.ctx, name="Back programme", service_id=clinic.consult_service_id, session_count=1
    ).value
    person, other = insert_person(clinic), insert_person(clinic, first_name="Radu")
    ctx = clinic.ctx
    refused(clinic, NotFound, "service_plan_id", lambda: plans.enrol(ctx, uuid.uuid4(), person.id))
    refused(clinic, NotFound, "patient_person_id", lambda: plans.enrol(ctx, plan.id, uuid.uuid4()))
    enrolment = plans.enrol(ctx, plan.id, person.id).value
    refused(clinic, AlreadyExists, "service_plan_id", lambda: plans.enrol(ctx, plan.id, person.id))
    elsewhere = insert_appointment(clinic, start=clinic.clock.now(), person_id=other.id)
    refused(
        clinic,
        InvalidInput,
        "appointment_id",
        lambda: plans.record_service_session_started(
            ctx, enrolment.id, appointment_id=elsewhere.id
        ),
    )
    refused(
        clinic,
        NotFound,
        "appointment_id",
        lambda: plans.record_service_session_completed(
            ctx, enrolment.id, appointment_id=uuid.uuid4()
        ),
    )
    refused(
        clinic,
        NotFound,
        "enrolment_id",
        lambda: plans.record_service_session_started(ctx, uuid.uuid4()),
    )
    plans.record_service_session_completed(ctx, enrolment.id)
    refused(
        clinic,
        InvalidInput,
        "enrolment_id",
        lambda: plans.record_service_session_completed(ctx, enrolment.id),
    )


def test_the_same_enrolment_id_twice_is_one_enrolment(clinic: Clinic) -> None:
    plan = plans.create_service_plan(
        clinic.ctx, name="Back programme", service_id=clinic.consult_service_id, session_count=1
    ).value
    person = insert_person(clinic)
    enrolment_id = uuid.uuid4()
    for _ in range(2):
        with clinic.ctx.transaction() as tx:
            plans.enrol_in(tx, plan.id, person.id, enrolment_id=enrolment_id)
    assert [e["subject_id"] for e in _events(clinic, EventName.SERVICE_PLAN_ENROLLED)] == [
        enrolment_id
    ]


# --- treatment plans: the plan -------------------------------------------------------------


def test_a_plan_is_a_draft_then_active(clinic: Clinic) -> None:
    plan = plans.create_treatment_plan(
        clinic.ctx, name="Knee rehab", type="telerehab", reference=7
    ).value
    assert plan.status == TreatmentPlanStatus.DRAFT
    assert [e["subject_id"] for e in _events(clinic, EventName.TREATMENT_PLAN_CREATED)] == [plan.id]
    active = plans.activate_treatment_plan(clinic.ctx, plan.id).value
    assert active.status == TreatmentPlanStatus.ACTIVE
    assert [e["status"] for e in _events(clinic, EventName.TREATMENT_PLAN_ACTIVATED)] == ["active"]


def test_a_plan_that_requires_approval_waits_for_an_admin(clinic: Clinic) -> None:
    plan = plans.create_treatment_plan(
        clinic.ctx, name="Shoulder", type="in_clinic", requires_approval=True
    ).value
    waiting = plans.activate_treatment_plan(clinic.ctx, plan.id).value
    assert waiting.status == TreatmentPlanStatus.PENDING_APPROVAL
    assert _events(clinic, EventName.TREATMENT_PLAN_ACTIVATED) == []
    refused(
        clinic,
        PermissionDenied,
        "actor",
        lambda: plans.approve_treatment_plan(clinic.ctx, plan.id),
    )
    approved = plans.approve_treatment_plan(clinic.as_(clinic.admin), plan.id).value
    assert approved.status == TreatmentPlanStatus.ACTIVE
    assert len(_events(clinic, EventName.TREATMENT_PLAN_ACTIVATED)) == 1
    refused(
        clinic,
        InvalidInput,
        "treatment_plan_id",
        lambda: plans.approve_treatment_plan(clinic.as_(clinic.admin), plan.id),
    )
    refused(
        clinic,
        InvalidInput,
        "treatment_plan_id",
        lambda: plans.activate_treatment_plan(clinic.ctx, plan.id),
    )


def test_treatment_plan_refusals_name_the_field_and_write_nothing(clinic: Clinic) -> None:
    ctx = clinic.ctx
    plans.create_treatment_plan(ctx, name="Taken", type="telerehab", reference=7)
    for field, values in (
        ("name", {"name": ""}),
        ("type", {"type": "hypnosis"}),
        ("frequency_per_week", {"frequency_per_week": 0}),
        ("frequency_per_week", {"frequency_per_week": 8}),
        ("duration_weeks", {"duration_weeks": 53}),
        ("session_estimated_minutes", {"session_estimated_minutes": 0}),
        ("reference", {"reference": 0}),
        ("reference", {"reference": 7}),
    ):
        arguments = {"name": "Plan", "type": "telerehab", **values}
        refused(
            clinic, InvalidInput, field, lambda a=arguments: plans.create_treatment_plan(ctx, **a)
        )
    refused(
        clinic,
        NotFound,
        "specialist_id",
        lambda: plans.create_treatment_plan(
            ctx, name="P", type="telerehab", specialist_id=uuid.uuid4()
        ),
    )
    refused(
        clinic,
        NotFound,
        "followup_service_id",
        lambda: plans.create_treatment_plan(
            ctx, name="P", type="telerehab", followup_service_id=uuid.uuid4()
        ),
    )
    refused(
        clinic,
        NotFound,
        "treatment_plan_id",
        lambda: plans.activate_treatment_plan(ctx, uuid.uuid4()),
    )
    patient = clinic.as_(Actor(Role.PATIENT, label="p"))
    refused(
        clinic,
        PermissionDenied,
        "actor",
        lambda: plans.create_treatment_plan(patient, name="P", type="telerehab"),
    )


# --- treatment plans: a patient's plan -----------------------------------------------------


def test_assigning_schedules_the_sessions_and_announces_it(clinic: Clinic) -> None:
    plan_id = _active_plan(clinic)
    person = insert_person(clinic)
    assignment = plans.assign_treatment_plan(clinic.ctx, plan_id, person.id).value
    assert (assignment.start_date, assignment.end_date) == (TODAY, date(2026, 3, 15))
    assert (assignment.sessions_total, assignment.status) == (6, PatientPlanStatus.ASSIGNED)
    assert not assignment.self_assigned
    assert [s.scheduled_on for s in _sessions(clinic, assignment.id)] == session_dates(TODAY, 3, 2)
    (event,) = _events(clinic, EventName.TREATMENT_PLAN_ASSIGNED)
    assert event["subject_id"] == assignment.id
    assert event["patient_person_id"] == str(person.id)
    assert event["treatment_plan_id"] == str(plan_id)
    assert event["patient_treatment_plan_id"] == str(assignment.id)
    assert event["specialist_id"] == str(clinic.specialist_id)


def test_a_patient_may_take_a_plan_for_themselves(clinic: Clinic) -> None:
    plan_id = _active_plan(clinic)
    person = insert_person(clinic)
    patient = clinic.as_(Actor(Role.PATIENT, label="p", person_ids=frozenset({person.id})))
    later = TODAY + timedelta(days=3)
    assignment = plans.assign_treatment_plan(patient, plan_id, person.id, start_date=later).value
    assert assignment.self_assigned
    assert assignment.start_date == later


def test_assignment_refusals_name_the_field_and_write_nothing(clinic: Clinic) -> None:
    draft = plans.create_treatment_plan(clinic.ctx, name="Draft", type="telerehab").value
    plan_id = _active_plan(clinic)
    person, other = insert_person(clinic), insert_person(clinic, first_name="Radu")
    ctx = clinic.ctx
    refused(
        clinic,
        InvalidInput,
        "treatment_plan_id",
        lambda: plans.assign_treatment_plan(ctx, draft.id, person.id),
    )
    refused(
        clinic,
        NotFound,
        "treatment_plan_id",
        lambda: plans.assign_treatment_plan(ctx, uuid.uuid4(), person.id),
    )
    refused(
        clinic,
        NotFound,
        "patient_person_id",
        lambda: plans.assign_treatment_plan(ctx, plan_id, uuid.uuid4()),
    )
    refused(
        clinic,
        InvalidInput,
        "start_date",
        lambda: plans.assign_treatment_plan(
            ctx, plan_id, person.id, start_date=TODAY - timedelta(days=1)
        ),
    )
    patient = clinic.as_(Actor(Role.PATIENT, label="p", person_ids=frozenset({other.id})))
    refused(
        clinic,
        PermissionDenied,
        "patient_person_id",
        lambda: plans.assign_treatment_plan(patient, plan_id, person.id),
    )
    plans.assign_treatment_plan(ctx, plan_id, person.id)
    refused(
        clinic,
        AlreadyExists,
        "treatment_plan_id",
        lambda: plans.assign_treatment_plan(ctx, plan_id, person.id),
    )


def test_the_same_assignment_id_twice_is_one_assignment(clinic: Clinic) -> None:
    plan_id = _active_plan(clinic)
    person = insert_person(clinic)
    assignment_id = uuid.uuid4()
    for _ in range(2):
        with clinic.ctx.transaction() as tx:
            plan = tx.session.get_one(TreatmentPlan, plan_id)
            plans.assign_treatment_plan_in(
                tx, plan, person.id, start_date=TODAY, assignment_id=assignment_id
            )
    assert len(_sessions(clinic, assignment_id)) == 6
    assert len(_events(clinic, EventName.TREATMENT_PLAN_ASSIGNED)) == 1


def test_sessions_complete_the_plan(clinic: Clinic) -> None:
    plan_id = _active_plan(clinic, frequency_per_week=2, duration_weeks=1)
    person = insert_person(clinic)
    assignment = plans.assign_treatment_plan(clinic.ctx, plan_id, person.id).value
    first, second = _sessions(clinic, assignment.id)
    patient = clinic.as_(Actor(Role.PATIENT, label="p", person_ids=frozenset({person.id})))
    plans.complete_session(patient, first.id, pain_level=8, duration_minutes=25)
    (event,) = _events(clinic, EventName.TREATMENT_PLAN_SESSION_COMPLETED)
    assert (event["session_id"], event["adherence_rate"], event["sessions_completed"]) == (
        str(first.id),
        1.0,
        1,
    )
    with clinic.ctx.sessions() as session:
        assert session.get_one(PatientTreatmentPlan, assignment.id).status == "active"
    assert _events(clinic, EventName.TREATMENT_PLAN_COMPLETED) == []

    plans.complete_session(clinic.ctx, second.id, pain_level=2)  # a day early: allowed
    (completed,) = _events(clinic, EventName.TREATMENT_PLAN_COMPLETED)
    assert completed["pain_reduction_percentage"] == 75.0
    assert completed["patient_treatment_plan_id"] == str(assignment.id)
    with clinic.ctx.sessions() as session:
        done = session.get_one(PatientTreatmentPlan, assignment.id)
    assert (done.status, done.pain_baseline, done.pain_latest) == ("completed", 8, 2)
    assert done.completed_at == clinic.clock.now()


def test_adherence_counts_the_sessions_due_so_far(clinic: Clinic) -> None:
    plan_id = _active_plan(clinic)
    person = insert_person(clinic)
    assignment = plans.assign_treatment_plan(clinic.ctx, plan_id, person.id).value
    clinic.clock.advance(timedelta(days=4))  # sessions on days 0, 2 and 4 are due
    first = _sessions(clinic, assignment.id)[0]
    plans.complete_session(clinic.ctx, first.id)
    (event,) = _events(clinic, EventName.TREATMENT_PLAN_SESSION_COMPLETED)
    assert event["adherence_rate"] == round(1 / 3, 4)


def test_session_refusals_name_the_field_and_write_nothing(clinic: Clinic) -> None:
    plan_id = _active_plan(clinic)
    person, other = insert_person(clinic), insert_person(clinic, first_name="Radu")
    assignment = plans.assign_treatment_plan(clinic.ctx, plan_id, person.id).value
    first = _sessions(clinic, assignment.id)[0]
    ctx = clinic.ctx
    for bad in (-1, 10.5):
        refused(
            clinic,
            InvalidInput,
            "pain_level",
            lambda bad=bad: plans.complete_session(ctx, first.id, pain_level=bad),
        )
    refused(
        clinic,
        InvalidInput,
        "duration_minutes",
        lambda: plans.complete_session(ctx, first.id, duration_minutes=0),
    )
    refused(clinic, NotFound, "session_id", lambda: plans.complete_session(ctx, uuid.uuid4()))
    stranger = clinic.as_(Actor(Role.PATIENT, label="p", person_ids=frozenset({other.id})))
    refused(
        clinic, PermissionDenied, "session_id", lambda: plans.complete_session(stranger, first.id)
    )
    plans.complete_session(ctx, first.id)
    refused(clinic, InvalidInput, "session_id", lambda: plans.complete_session(ctx, first.id))
    clinic.clock.advance(timedelta(days=30))
    plans.expire_overdue_plans(ctx)
    second = _sessions(clinic, assignment.id)[1]
    refused(clinic, InvalidInput, "session_id", lambda: plans.complete_session(ctx, second.id))


def test_overdue_plans_expire_once(clinic: Clinic) -> None:
    plan_id = _active_plan(clinic, frequency_per_week=1, duration_weeks=1)
    person, other = insert_person(clinic), insert_person(clinic, first_name="Radu")
    overdue = plans.assign_treatment_plan(clinic.ctx, plan_id, person.id).value
    finished = plans.assign_treatment_plan(clinic.ctx, plan_id, other.id).value
    plans.complete_session(clinic.ctx, _sessions(clinic, finished.id)[0].id)

    assert plans.expire_overdue_plans(clinic.ctx, TODAY + timedelta(days=6)).value == []
    expired = plans.expire_overdue_plans(clinic.ctx, TODAY + timedelta(days=7)).value
    assert [a.id for a in expired] == [overdue.id]
    assert expired[0].status == PatientPlanStatus.EXPIRED
    (event,) = _events(clinic, EventName.TREATMENT_PLAN_EXPIRED)
    assert (event["patient_person_id"], event["adherence_rate"]) == (str(person.id), 0.0)

    before = fingerprint(clinic.ctx.sessions)
    assert plans.expire_overdue_plans(clinic.ctx, TODAY + timedelta(days=8)).value == []
    assert fingerprint(clinic.ctx.sessions) == before


def test_expiry_is_for_staff_and_the_system(clinic: Clinic) -> None:
    patient = clinic.as_(Actor(Role.PATIENT, label="p"))
    refused(clinic, PermissionDenied, "actor", lambda: plans.expire_overdue_plans(patient, TODAY))


def test_the_session_due_today_is_the_one_not_done(clinic: Clinic) -> None:
    plan_id = _active_plan(clinic)
    person = insert_person(clinic)
    assignment = plans.assign_treatment_plan(clinic.ctx, plan_id, person.id).value
    first = _sessions(clinic, assignment.id)[0]
    with clinic.ctx.sessions() as session:
        due = plans.session_due(session, clinic.organization_id, person.id, TODAY)
        assert due is not None
        assert due.id == first.id
        assert plans.estimated_minutes(session, due) == 20
        tomorrow = TODAY + timedelta(days=1)
        assert plans.session_due(session, clinic.organization_id, person.id, tomorrow) is None
    plans.complete_session(clinic.ctx, first.id, duration_minutes=31)
    with clinic.ctx.sessions() as session:
        assert plans.session_due(session, clinic.organization_id, person.id, TODAY) is None
        assert plans.estimated_minutes(session, session.get_one(TreatmentSession, first.id)) == 31


def test_a_completed_session_links_its_appointment_and_counts_it_once(clinic: Clinic) -> None:
    plan = plans.create_service_plan(
        clinic.ctx, name="Back programme", service_id=clinic.consult_service_id, session_count=3
    ).value
    person = insert_person(clinic)
    enrolment = plans.enrol(clinic.ctx, plan.id, person.id).value
    appointment = insert_appointment(clinic, start=clinic.clock.now(), person_id=person.id)

    plans.record_service_session_completed(clinic.ctx, enrolment.id, appointment_id=appointment.id)
    with clinic.ctx.sessions() as session:
        linked = session.get_one(Appointment, appointment.id)
        assert (linked.patient_service_plan_id, linked.plan_session_number) == (enrolment.id, 1)

    refused(
        clinic,
        AlreadyExists,
        "appointment_id",
        lambda: plans.record_service_session_completed(
            clinic.ctx, enrolment.id, appointment_id=appointment.id
        ),
    )
