"""Which firings of a time-based rule exist in a window: the plan the timers table follows.

One function per trigger, each giving `PlannedTimer`s whose due time lies in [since, until):
- `appointment.before_start`: one per active appointment (booked, upcoming, confirmed), due
  `hours_before` its current start. The occurrence key names the start, so a moved
  appointment plans a new key and the old timer falls out of the plan.
- `schedule.daily` / `schedule.weekly`: one per wall-clock occurrence in the organization's
  zone, for the whole organization (the patients are listed when it fires, not when armed).
- `schedule.date_reached`: one per record whose watched date (+ offset) falls in the window.

The same plan answers both "what should be armed" (reconcile) and "is this timer still
right" (just before firing), so the two can never disagree.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.automation.trigger import Subject
from frontdesk.domain.enums import AppointmentStatus, EnrolmentStatus, PatientPlanStatus
from frontdesk.domain.events import EventName
from frontdesk.domain.rules import RuleDefinition
from frontdesk.domain.rules.schedule import (
    before_start_due,
    daily_occurrences,
    date_reached_occurrences,
    occurrence_key,
    weekly_occurrences,
)
from frontdesk.domain.rules.triggers import (
    BeforeStartSettings,
    DailySettings,
    DateReachedSettings,
    WeeklySettings,
)
from frontdesk.store.models import (
    Appointment,
    Patient,
    PatientPerson,
    PatientServicePlan,
    PatientTreatmentPlan,
)

TIMER_KIND = "trigger"
"""`payload["kind"]` of the timers armed here (delayed actions share the table)."""

ARMED_TRIGGERS = frozenset(
    {
        EventName.APPOINTMENT_BEFORE_START,
        EventName.SCHEDULE_DAILY,
        EventName.SCHEDULE_WEEKLY,
        EventName.SCHEDULE_DATE_REACHED,
    }
)
"""Time-based triggers that get timers. `treatment_plan.expired` is a daily check instead: it
fires on a plan's state, which the plans service owns (see `plan_expiry`)."""

WAITING_STATUSES = (
    AppointmentStatus.BOOKED,
    AppointmentStatus.UPCOMING,
    AppointmentStatus.CONFIRMED,
)
"""An appointment still waiting for its start: the only ones a reminder is for."""


@dataclass(frozen=True)
class PlannedTimer:
    key: str
    due_at: datetime
    subject_type: str
    subject_id: uuid.UUID
    # Who the execution is about; for schedule.daily/weekly it is filled per patient at firing.
    subject: Subject
    payload: dict[str, Any] = field(default_factory=dict)


def iso_utc(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def planned_timers(
    session: Session,
    organization_id: uuid.UUID,
    rule_id: uuid.UUID,
    definition: RuleDefinition,
    tz: ZoneInfo,
    since: datetime,
    until: datetime,
    *,
    subject_id: uuid.UUID | None = None,
) -> list[PlannedTimer]:
    """The firings of one rule due in [since, until), optionally for one subject only."""
    settings = definition.trigger_config
    trigger = definition.trigger_event
    if isinstance(settings, BeforeStartSettings):
        found = _before_start(session, organization_id, rule_id, settings, since, until, subject_id)
    elif isinstance(settings, DailySettings | WeeklySettings):
        found = _wall_clock(organization_id, rule_id, settings, tz, since, until)
    elif isinstance(settings, DateReachedSettings):
        found = _date_reached(
            session, organization_id, rule_id, settings, tz, since, until, subject_id
        )
    else:
        raise ValueError(f"trigger {trigger.value} is not armed with timers")
    return [
        PlannedTimer(
            p.key,
            p.due_at,
            p.subject_type,
            p.subject_id,
            p.subject,
            {"kind": TIMER_KIND, "trigger_event": trigger.value, **p.payload},
        )
        for p in found
    ]


def _before_start(
    session: Session,
    organization_id: uuid.UUID,
    rule_id: uuid.UUID,
    settings: BeforeStartSettings,
    since: datetime,
    until: datetime,
    subject_id: uuid.UUID | None,
) -> Iterator[PlannedTimer]:
    # due = start − lead, so a due time in [since, until) is a start in [since+lead, until+lead).
    query = select(Appointment).where(
        Appointment.organization_id == organization_id,
        Appointment.deleted_at.is_(None),
        Appointment.status.in_(WAITING_STATUSES),
        Appointment.started_at >= since + settings.lead,
        Appointment.started_at < until + settings.lead,
    )
    if subject_id is not None:
        query = query.where(Appointment.id == subject_id)
    for appointment in session.scalars(query):
        start = appointment.started_at
        due = before_start_due(start, settings)
        subject_label = f"appointment:{appointment.id}/start:{iso_utc(start)}"
        yield PlannedTimer(
            key=occurrence_key(rule_id, subject_label, due),
            due_at=due,
            subject_type="appointment",
            subject_id=appointment.id,
            subject=Subject(
                patient_person_id=appointment.patient_person_id, appointment_id=appointment.id
            ),
            payload={"appointment_start": iso_utc(start)},
        )


def _wall_clock(
    organization_id: uuid.UUID,
    rule_id: uuid.UUID,
    settings: DailySettings | WeeklySettings,
    tz: ZoneInfo,
    since: datetime,
    until: datetime,
) -> Iterator[PlannedTimer]:
    if isinstance(settings, WeeklySettings):
        instants = weekly_occurrences(settings.weekday_index, settings.wall_time, tz, since, until)
    else:
        instants = daily_occurrences(settings.wall_time, tz, since, until)
    for at in instants:
        yield PlannedTimer(
            key=occurrence_key(rule_id, f"organization:{organization_id}", at),
            due_at=at,
            subject_type="organization",
            subject_id=organization_id,
            subject=Subject(),
        )


@dataclass(frozen=True)
class _Dated:
    """One record whose date a date_reached rule watches."""

    value: date | datetime
    subject_type: str
    subject_id: uuid.UUID
    subject: Subject


def _date_reached(
    session: Session,
    organization_id: uuid.UUID,
    rule_id: uuid.UUID,
    settings: DateReachedSettings,
    tz: ZoneInfo,
    since: datetime,
    until: datetime,
    subject_id: uuid.UUID | None,
) -> Iterator[PlannedTimer]:
    records = _DATED_RECORDS[settings.date_field](session, organization_id, subject_id)
    for record in records:
        for at in date_reached_occurrences(record.value, settings, tz, since, until):
            label = f"{record.subject_type}:{record.subject_id}"
            yield PlannedTimer(
                key=occurrence_key(rule_id, label, at),
                due_at=at,
                subject_type=record.subject_type,
                subject_id=record.subject_id,
                subject=record.subject,
                payload={"date_field": settings.date_field},
            )


def _birthdays(
    session: Session, organization_id: uuid.UUID, subject_id: uuid.UUID | None
) -> Iterator[_Dated]:
    # Patients of this organization (onboarded, not removed), not every person on file.
    query = (
        select(PatientPerson.id, PatientPerson.date_of_birth)
        .join(Patient, Patient.patient_person_id == PatientPerson.id)
        .where(
            Patient.organization_id == organization_id,
            Patient.deleted_at.is_(None),
            PatientPerson.deleted_at.is_(None),
            PatientPerson.date_of_birth.is_not(None),
        )
    )
    if subject_id is not None:
        query = query.where(PatientPerson.id == subject_id)
    for person_id, born in session.execute(query):
        if born is not None:
            yield _Dated(born, "patient", person_id, Subject(patient_person_id=person_id))


def _treatment_plan_dates(
    session: Session, organization_id: uuid.UUID, subject_id: uuid.UUID | None, *, end: bool
) -> Iterator[_Dated]:
    query = select(PatientTreatmentPlan).where(
        PatientTreatmentPlan.organization_id == organization_id,
        PatientTreatmentPlan.deleted_at.is_(None),
        PatientTreatmentPlan.status != PatientPlanStatus.CANCELLED,
    )
    if subject_id is not None:
        query = query.where(PatientTreatmentPlan.id == subject_id)
    for plan in session.scalars(query):
        value = plan.end_date if end else plan.start_date
        subject = Subject(
            patient_person_id=plan.patient_person_id,
            treatment_plan_id=plan.treatment_plan_id,
            patient_treatment_plan_id=plan.id,
        )
        yield _Dated(value, "patient_treatment_plan", plan.id, subject)


def _enrolment_dates(
    session: Session, organization_id: uuid.UUID, subject_id: uuid.UUID | None
) -> Iterator[_Dated]:
    query = select(PatientServicePlan).where(
        PatientServicePlan.organization_id == organization_id,
        PatientServicePlan.deleted_at.is_(None),
        PatientServicePlan.status != EnrolmentStatus.CANCELLED,
    )
    if subject_id is not None:
        query = query.where(PatientServicePlan.id == subject_id)
    for enrolment in session.scalars(query):
        subject = Subject(
            patient_person_id=enrolment.patient_person_id,
            service_plan_enrolment_id=enrolment.id,
        )
        yield _Dated(enrolment.enrolled_at, "service_plan_enrolment", enrolment.id, subject)


_DATED_RECORDS: dict[str, Callable[[Session, uuid.UUID, uuid.UUID | None], Iterable[_Dated]]] = {
    "patient.date_of_birth": _birthdays,
    "patient_treatment_plan.start_date": partial(_treatment_plan_dates, end=False),
    "patient_treatment_plan.end_date": partial(_treatment_plan_dates, end=True),
    "service_plan_enrolment.enrolled_at": _enrolment_dates,
}
"""The records behind each of `triggers.DATE_FIELDS` (the schema admits no other)."""
