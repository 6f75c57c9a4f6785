"""The statements `automation.context` runs for every event, built once with bound parameters.

Building a SQLAlchemy statement costs several times what SQLite takes to run it, and the
dispatcher runs these for every event, so each is built on first use and then only executed
(`session.execute(statement, {"person_id": ..., ...})`). Each gathers in one round trip what
would otherwise take several: the patient's record, onboarding, held appointments, segments and
plan flags; an appointment with its specialist, service, whether it is the patient's first, and
its patient as above.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    String,
    and_,
    bindparam,
    cast,
    func,
    select,
)
from sqlalchemy.orm import QueryableAttribute, aliased

from frontdesk.domain.enums import AppointmentStatus, PatientPlanStatus
from frontdesk.store.models import (
    Appointment,
    FormInstance,
    FormTemplate,
    Patient,
    PatientPerson,
    PatientTreatmentPlan,
    Segment,
    SegmentMember,
    Service,
    Specialist,
    TreatmentSession,
)

# What these statements return: rows of several entities and values.
AnyRow = Select[*tuple[Any, ...]]
# A plan the patient is following: assigned (not started yet) or active.
ONGOING_PLAN_STATUSES = (PatientPlanStatus.ASSIGNED, PatientPlanStatus.ACTIVE)
NOT_HELD = (AppointmentStatus.CANCELLED, AppointmentStatus.NOSHOW)
# Joins a segment's id and short reference in the aggregated list ("<id>:<reference>").
SEGMENT_SEPARATOR = ","
REFERENCE_SEPARATOR = ":"


@cache
def patient_statement() -> AnyRow:
    """Parameters `person_id`, `organization_id`, `today` (the organization's date). Row:
    the PatientPerson and its PATIENT_COLUMNS."""
    person: BindParameter[Any] = bindparam("person_id")
    return select(PatientPerson, *_patient_columns(person)).where(PatientPerson.id == person)


@cache
def appointment_statement() -> AnyRow:
    """Parameters `appointment_id`, `organization_id`, `today`. Row: the Appointment, its
    specialist's name and specialty, its service's name and short number, how many of the patient's
    appointments started before it; then its patient as `patient_statement` reads them
    (one round trip for both)."""
    earlier = aliased(Appointment)
    count_earlier = (
        select(func.count())
        .select_from(earlier)
        .where(
            earlier.patient_person_id == Appointment.patient_person_id,
            earlier.started_at < Appointment.started_at,
            earlier.deleted_at.is_(None),
        )
        .correlate(Appointment)
        .scalar_subquery()
    )
    return (
        select(
            Appointment,
            Specialist.name,
            Specialist.specialty,
            Service.name,
            Service.reference,
            count_earlier,
            PatientPerson,
            *_patient_columns(Appointment.patient_person_id),
        )
        .join(Specialist, Specialist.id == Appointment.specialist_id)
        .join(Service, Service.id == Appointment.service_id)
        .outerjoin(PatientPerson, PatientPerson.id == Appointment.patient_person_id)
        .where(Appointment.id == bindparam("appointment_id"))
    )


# What `_patient_columns` gives, in order, after the PatientPerson.
PATIENT_COLUMNS = (
    "onboarded_at",
    "held_count",
    "last_held_start",
    "segments",
    "has_plan",
    "sessions_today",
    "open_sessions_today",
)


def _patient_columns(
    person: ColumnElement[Any] | QueryableAttribute[Any],
) -> list[ColumnElement[Any]]:
    """One scalar subquery per PATIENT_COLUMNS for the patient `person` (a parameter, or the
    appointment's patient column of an enclosing query): when they were onboarded, their held
    appointments (count, latest start), their segments as "<id>:<reference>" joined by
    commas, whether they follow a plan, its sessions scheduled today and how many of those
    are not completed."""
    organization: BindParameter[Any] = bindparam("organization_id")
    today: BindParameter[Any] = bindparam("today")
    onboarded = (
        select(Patient.onboarded_at)
        .where(
            # Named so the lookup uses the unique index that leads with the organization.
            Patient.organization_id == organization,
            Patient.patient_person_id == person,
            Patient.deleted_at.is_(None),
        )
        .limit(1)
        .scalar_subquery()
    )
    held_appointment = aliased(Appointment)
    held = (
        held_appointment.patient_person_id == person,
        held_appointment.deleted_at.is_(None),
        held_appointment.status.not_in(NOT_HELD),
    )
    count_held = select(func.count()).select_from(held_appointment).where(*held)
    last_held = select(func.max(held_appointment.started_at)).where(*held)
    segment_label = (
        cast(Segment.id, String)
        + REFERENCE_SEPARATOR
        + func.coalesce(cast(Segment.reference, String), "")
    )
    segments = (
        select(func.aggregate_strings(segment_label, SEGMENT_SEPARATOR))
        .select_from(Segment)
        # From the organization's segments to their members: the membership index is
        # (segment, patient), so each segment is one index probe, not a scan of all members.
        .join(
            SegmentMember,
            and_(SegmentMember.segment_id == Segment.id, SegmentMember.patient_person_id == person),
        )
        .where(
            Segment.organization_id == organization,
            SegmentMember.removed_at.is_(None),
            Segment.deleted_at.is_(None),
        )
    )
    ongoing = (
        PatientTreatmentPlan.patient_person_id == person,
        PatientTreatmentPlan.status.in_(ONGOING_PLAN_STATUSES),
        PatientTreatmentPlan.deleted_at.is_(None),
    )
    has_plan = select(PatientTreatmentPlan.id).where(*ongoing).exists()
    sessions_today = (
        select(func.count())
        .select_from(TreatmentSession)
        .join(
            PatientTreatmentPlan,
            PatientTreatmentPlan.id == TreatmentSession.patient_treatment_plan_id,
        )
        .where(*ongoing, TreatmentSession.scheduled_on == today)
    )
    open_today = sessions_today.where(TreatmentSession.completed_at.is_(None))
    return [
        onboarded,
        count_held.scalar_subquery(),
        last_held.scalar_subquery(),
        segments.scalar_subquery(),
        has_plan,
        sessions_today.scalar_subquery(),
        open_today.scalar_subquery(),
    ]


@cache
def form_statement() -> AnyRow:
    """Parameter `form_id`. Row: the FormInstance and its template's short reference."""
    return (
        select(FormInstance, FormTemplate.reference)
        .join(FormTemplate, FormTemplate.id == FormInstance.template_id)
        .where(FormInstance.id == bindparam("form_id"))
    )
