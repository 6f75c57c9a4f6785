"""Wall-clock and date rules armed as durable timers: daily and weekly in the organization's
zone across both DST transitions, and dates reached (birthdays, 29 February included; plan
and enrolment dates)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from frontdesk.automation.occurrences import planned_timers
from frontdesk.domain.enums import EnrolmentStatus, PatientPlanStatus, TreatmentPlanType
from frontdesk.domain.errors import InvalidInput
from frontdesk.domain.rules import validate_rule
from frontdesk.services import patients
from frontdesk.store.models import (
    PatientServicePlan,
    PatientTreatmentPlan,
    ServicePlan,
    TreatmentPlan,
)
from tests.integration.automation.timer_helpers import (
    NOTIFY,
    RecordingExecutor,
    fire,
    iso,
    pending,
    reconcile,
    sweep,
    time_rule,
    timers,
)
from tests.support.automation import engine_ctx
from tests.support.clinic import Clinic
from tests.support.rows import insert_person

BUCHAREST = ZoneInfo("Europe/Bucharest")


def test_spring_forward_fires_a_missing_wall_time_at_the_transition(clinic: Clinic) -> None:
    # 2026-03-29 in Bucharest: 03:00 jumps to 04:00, so 03:30 never shows on the wall.
    person = insert_person(clinic)
    rule_id = time_rule(clinic, "schedule.daily", {"time": "03:30"})
    clinic.clock.set(datetime(2026, 3, 28, 12, 0, tzinfo=UTC))
    run = RecordingExecutor()

    reconcile(clinic)
    transition = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert pending(clinic) == [(rule_id, transition)]
    assert transition.astimezone(BUCHAREST).strftime("%H:%M") == "04:00"

    clinic.clock.set(transition)
    summary = sweep(clinic, run)

    assert run.occurrences == [(iso(transition), person.id)]
    assert len(summary.fired) == 1
    # The next day is a normal one again: 03:30 EEST (UTC+3).
    assert pending(clinic) == [(rule_id, datetime(2026, 3, 30, 0, 30, tzinfo=UTC))]


def test_fall_back_fires_a_twice_shown_wall_time_once(clinic: Clinic) -> None:
    # 2026-10-25 in Bucharest: 04:00 goes back to 03:00, so 03:30 shows twice.
    insert_person(clinic)
    rule_id = time_rule(clinic, "schedule.daily", {"time": "03:30"})
    clinic.clock.set(datetime(2026, 10, 24, 12, 0, tzinfo=UTC))
    run = RecordingExecutor()
    reconcile(clinic)
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 03:30 EEST, the first showing
    assert pending(clinic) == [(rule_id, first)]

    for minutes in range(0, 121, 30):  # sweep through both showings of 03:30
        clinic.clock.set(first + timedelta(minutes=minutes))
        sweep(clinic, run)

    assert [occurrence for occurrence, _ in run.occurrences] == [iso(first)]
    # The next firing is the next day's 03:30, now EET (UTC+2).
    assert pending(clinic) == [(rule_id, datetime(2026, 10, 26, 1, 30, tzinfo=UTC))]


def test_weekly_fires_on_the_local_weekday_even_when_utc_is_still_the_day_before(
    clinic: Clinic,
) -> None:
    insert_person(clinic)
    rule_id = time_rule(clinic, "schedule.weekly", {"time": "00:30", "weekday": "monday"})
    clinic.clock.set(datetime(2026, 3, 4, 10, 0, tzinfo=UTC))  # a Wednesday

    reconcile(clinic)

    ((_, due),) = pending(clinic)
    assert due == datetime(2026, 3, 8, 22, 30, tzinfo=UTC)  # Sunday in UTC …
    assert due.astimezone(BUCHAREST).strftime("%A %H:%M") == "Monday 00:30"  # … Monday here
    assert pending(clinic) == [(rule_id, due)]


def test_a_wall_clock_rule_runs_once_per_patient_of_the_organization(clinic: Clinic) -> None:
    first = insert_person(clinic, first_name="Ana")
    second = insert_person(clinic, first_name="Bogdan", email="b@example.com", phone=None)
    insert_person(clinic, first_name="Not", email=None, phone=None, onboarded=False)
    time_rule(clinic, "schedule.daily", {"time": "09:00"})
    run = RecordingExecutor()
    reconcile(clinic)
    due = datetime(2026, 3, 2, 7, 0, tzinfo=UTC) + timedelta(days=1)  # 09:00 tomorrow
    clinic.clock.set(due)

    sweep(clinic, run)

    assert {subject for _, subject in run.occurrences} == {first.id, second.id}
    assert len(run.calls) == 2
    trigger = run.calls[0][1]
    assert trigger.subject_type == "patient"
    assert trigger.occurred_at == due
    assert trigger.payload["scheduled_for"] == iso(due)


def test_reconciling_twice_arms_nothing_twice(clinic: Clinic) -> None:
    time_rule(clinic, "schedule.daily", {"time": "09:00"})
    reconcile(clinic)
    reconcile(clinic)
    assert len(timers(clinic)) == 1


def test_birthdays_fire_on_the_day_and_29_february_on_28_february(clinic: Clinic) -> None:
    march = patients.register_patient(
        clinic.ctx, first_name="Ana", last_name="Pop", date_of_birth=date(1990, 3, 5)
    ).value
    leap = patients.register_patient(
        clinic.ctx, first_name="Leo", last_name="Lup", date_of_birth=date(1992, 2, 29)
    ).value
    rule_id = time_rule(
        clinic, "schedule.date_reached", {"date_field": "patient.date_of_birth", "time": "10:00"}
    )
    clinic.clock.set(datetime(2027, 2, 25, 12, 0, tzinfo=UTC))  # 2027 has no 29 February
    run = RecordingExecutor()

    reconcile(clinic)

    leap_due = datetime(2027, 2, 28, 8, 0, tzinfo=UTC)  # 10:00 EET
    march_due = datetime(2027, 3, 5, 8, 0, tzinfo=UTC)
    assert pending(clinic) == [(rule_id, leap_due), (rule_id, march_due)]
    assert [t.subject_id for t in timers(clinic)] == [leap.id, march.id]

    clinic.clock.set(leap_due)
    sweep(clinic, run)
    assert run.occurrences == [(iso(leap_due), leap.id)]
    assert run.calls[0][1].subject.patient_person_id == leap.id

    clinic.clock.set(march_due + timedelta(minutes=1))
    sweep(clinic, run)
    assert run.occurrences[1:] == [(iso(march_due), march.id)]


def test_a_birthday_of_someone_removed_before_it_is_cancelled(clinic: Clinic) -> None:
    person = insert_person(clinic, date_of_birth=date(1990, 3, 5))
    time_rule(clinic, "schedule.date_reached", {"date_field": "patient.date_of_birth"})
    reconcile(clinic)
    (timer,) = timers(clinic)
    with clinic.ctx.sessions.begin() as session:
        session.get_one(type(person), person.id).deleted_at = clinic.clock.now()
    clinic.clock.set(timer.due_at_utc)
    run = RecordingExecutor()

    summary = fire(clinic, run)

    assert run.calls == []
    assert summary.cancelled == [timer.id]
    assert timers(clinic)[0].status == "cancelled"


def _treatment_plan(
    clinic: Clinic, person_id: object, *, status: PatientPlanStatus
) -> PatientTreatmentPlan:
    with clinic.ctx.sessions.begin() as session:
        plan = TreatmentPlan(
            organization_id=clinic.organization_id, name="Knee", type=TreatmentPlanType.TELEREHAB
        )
        session.add(plan)
        session.flush()
        assigned = PatientTreatmentPlan(
            organization_id=clinic.organization_id,
            treatment_plan_id=plan.id,
            patient_person_id=person_id,
            status=status,
            start_date=date(2026, 2, 1),
            end_date=date(2026, 3, 4),
            sessions_total=18,
        )
        session.add(assigned)
    return assigned


def test_a_plan_end_date_fires_for_that_plan_but_not_for_a_cancelled_one(clinic: Clinic) -> None:
    person = insert_person(clinic)
    ongoing = _treatment_plan(clinic, person.id, status=PatientPlanStatus.ACTIVE)
    _treatment_plan(clinic, person.id, status=PatientPlanStatus.CANCELLED)
    time_rule(
        clinic,
        "schedule.date_reached",
        {"date_field": "patient_treatment_plan.end_date", "offset_days": 1},
    )
    run = RecordingExecutor()
    reconcile(clinic)
    (timer,) = timers(clinic)
    assert timer.due_at_utc == datetime(2026, 3, 5, 7, 0, tzinfo=UTC)  # the day after, 09:00

    clinic.clock.set(timer.due_at_utc)
    sweep(clinic, run)

    ((_, trigger),) = run.calls
    assert trigger.subject_type == "patient_treatment_plan"
    assert trigger.subject.patient_treatment_plan_id == ongoing.id
    assert trigger.subject.patient_person_id == person.id


def test_an_enrolment_date_fires_once_for_the_enrolment(clinic: Clinic) -> None:
    person = insert_person(clinic)
    with clinic.ctx.sessions.begin() as session:
        plan = ServicePlan(
            organization_id=clinic.organization_id,
            name="10 sessions",
            service_id=clinic.consult_service_id,
            session_count=10,
        )
        session.add(plan)
        session.flush()
        enrolment = PatientServicePlan(
            organization_id=clinic.organization_id,
            service_plan_id=plan.id,
            patient_person_id=person.id,
            status=EnrolmentStatus.ACTIVE,
            enrolled_at=datetime(2026, 2, 27, 15, 0, tzinfo=UTC),
        )
        session.add(enrolment)
    time_rule(
        clinic,
        "schedule.date_reached",
        {"date_field": "service_plan_enrolment.enrolled_at", "offset_days": 7, "time": "12:00"},
    )

    reconcile(clinic)

    (timer,) = timers(clinic)
    assert timer.subject_type == "service_plan_enrolment"
    assert timer.subject_id == enrolment.id
    assert timer.due_at_utc == datetime(2026, 3, 6, 10, 0, tzinfo=UTC)


def test_only_time_based_rules_can_be_planned(clinic: Clinic) -> None:
    definition = validate_rule(
        {"name": "On onboarding", "trigger_event": "patient.onboarded", "actions": [NOTIFY]}
    )
    ctx = engine_ctx(clinic)
    now = clinic.clock.now()
    with ctx.sessions() as session, pytest.raises(ValueError, match=r"patient\.onboarded"):
        planned_timers(
            session, clinic.organization_id, clinic.organization_id, definition, BUCHAREST, now, now
        )


def test_a_naive_now_is_refused_by_name(clinic: Clinic) -> None:
    with pytest.raises(InvalidInput) as refused:
        reconcile(clinic, datetime(2026, 3, 2, 9, 0))
    assert refused.value.errors[0].field == "now"
