"""The evaluation context of a trigger: the nested dict conditions and templates read
(`patient.age`, `appointment.specialist.name`, `treatment_plan.adherence_rate`, `time.*`).

Built from the database for one TriggerInstance, with only the entities its trigger offers
(`domain.rules.entities_for`). The subject names what it can; the rest is found from the most
specific record (a form names its patient and appointment, a patient's plan its patient and
plan), so an event only has to carry its subject. Values are JSON-ready: ids as text (a form
template, service or segment by its short reference number, which rules cite), dates and instants
as ISO text in the organization's zone, which conditions compare as dates and instants and
messages print as the patient's local time.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from frontdesk.automation.context_queries import (
    ONGOING_PLAN_STATUSES,
    REFERENCE_SEPARATOR,
    SEGMENT_SEPARATOR,
    appointment_statement,
    form_statement,
    patient_statement,
)
from frontdesk.automation.trigger import TriggerInstance
from frontdesk.domain.events import EventName
from frontdesk.domain.rules import derive_context, entities_for
from frontdesk.store.models import (
    Organization,
    PatientServicePlan,
    PatientTreatmentPlan,
    ServicePlan,
    Specialist,
    TreatmentPlan,
    TreatmentSession,
)


@dataclass
class _Ids:
    """What the trigger is about, filled in from the records as they are read."""

    patient: uuid.UUID | None = None
    appointment: uuid.UUID | None = None
    form: uuid.UUID | None = None
    enrolment: uuid.UUID | None = None
    treatment_plan: uuid.UUID | None = None
    patient_plan: uuid.UUID | None = None
    session: uuid.UUID | None = None


def build_context(
    session: Session, organization: Organization, trigger: TriggerInstance
) -> dict[str, Any]:
    """The evaluation context of `trigger` in `organization` (see the module docstring)."""
    tz = ZoneInfo(organization.timezone)
    wanted = _wanted_entities(trigger)
    ids = _subject_ids(trigger)
    raw: dict[str, Any] = {}
    builder = _Builder(session, organization.id, tz, trigger.occurred_at)

    if ids.form is not None and "form" in wanted:
        raw["form"] = builder.form(ids)
    if ids.patient_plan is not None or ids.enrolment is not None:
        builder.resolve_plan_owner(ids)
    if ids.appointment is not None and "appointment" in wanted:
        raw["appointment"] = builder.appointment(ids)
    if "patient_treatment_plan" in wanted and ids.patient_plan is None and ids.patient:
        ids.patient_plan = builder.current_plan_of(ids.patient)
    if "patient" in wanted and ids.patient is not None:
        raw["patient"] = builder.patient(ids.patient)
    if "service_plan_enrolment" in wanted and ids.enrolment is not None:
        raw.update(builder.enrolment(ids.enrolment))
    if ids.patient_plan is not None and "patient_treatment_plan" in wanted:
        raw.update(builder.patient_plan(ids))
    elif ids.treatment_plan is not None and "treatment_plan" in wanted:
        raw["treatment_plan"], _ = builder.treatment_plan(ids.treatment_plan)
    organization_values = {
        "id": str(organization.id),
        "name": organization.name,
        "timezone": organization.timezone,
    }
    return derive_context(raw, now=trigger.occurred_at, tz=tz, organization=organization_values)


def _wanted_entities(trigger: TriggerInstance) -> frozenset[str]:
    event = EventName(trigger.event_name)
    wanted = entities_for(event)
    if event is EventName.SCHEDULE_DATE_REACHED:
        # A date_reached rule also reads the record whose date it watches.
        subject = trigger.subject
        if subject.patient_treatment_plan_id is not None:
            wanted |= {"treatment_plan", "patient_treatment_plan"}
        if subject.service_plan_enrolment_id is not None:
            wanted |= {"service_plan", "service_plan_enrolment"}
    return wanted


def _subject_ids(trigger: TriggerInstance) -> _Ids:
    subject = trigger.subject
    session_id = trigger.payload.get("session_id") or trigger.payload.get("treatment_session_id")
    return _Ids(
        patient=subject.patient_person_id,
        appointment=subject.appointment_id,
        form=subject.form_id,
        enrolment=subject.service_plan_enrolment_id,
        treatment_plan=subject.treatment_plan_id,
        patient_plan=subject.patient_treatment_plan_id,
        session=uuid.UUID(str(session_id)) if session_id else None,
    )


class _Builder:
    def __init__(
        self, session: Session, organization_id: uuid.UUID, tz: ZoneInfo, now: datetime
    ) -> None:
        self.session = session
        # Named in lookups by patient: the unique indexes lead with the organization.
        self.organization_id = organization_id
        self.tz = tz
        self.now = now
        self.today = now.astimezone(tz).date()
        # Patients read with their appointment (`appointment_statement`), by id.
        self._patients: dict[uuid.UUID, tuple[Any, ...]] = {}

    def _scope(self) -> dict[str, Any]:
        """The parameters every patient lookup takes besides the patient."""
        return {"organization_id": self.organization_id, "today": self.today}

    def local(self, instant: datetime | None) -> str | None:
        return instant.astimezone(self.tz).isoformat() if instant is not None else None

    # --- records that name others -------------------------------------------------------------

    def form(self, ids: _Ids) -> dict[str, Any] | None:
        row = self.session.execute(form_statement(), {"form_id": ids.form}).first()
        if row is None:
            return None
        form, reference = row
        ids.patient = ids.patient or form.patient_person_id
        ids.appointment = ids.appointment or form.appointment_id
        return {
            "id": str(form.id),
            "type": str(form.form_type),
            "template_id": reference if reference is not None else str(form.template_id),
            "template_key": form.template_key,
            "title": form.title,
            "status": str(form.status),
            "blocking": form.blocking,
            "signed_at": self.local(form.signed_at),
        }

    def resolve_plan_owner(self, ids: _Ids) -> None:
        if ids.patient_plan is not None:
            plan = self.session.get(PatientTreatmentPlan, ids.patient_plan)
            if plan is not None:
                ids.patient = ids.patient or plan.patient_person_id
                ids.treatment_plan = ids.treatment_plan or plan.treatment_plan_id
        if ids.enrolment is not None:
            enrolment = self.session.get(PatientServicePlan, ids.enrolment)
            if enrolment is not None:
                ids.patient = ids.patient or enrolment.patient_person_id

    def appointment(self, ids: _Ids) -> dict[str, Any] | None:
        row = self.session.execute(
            appointment_statement(), {"appointment_id": ids.appointment, **self._scope()}
        ).first()
        if row is None:
            return None
        appointment, specialist_name, specialty, service_name, service_ref, earlier, *patient = row
        ids.patient = ids.patient or appointment.patient_person_id
        if patient[0] is not None:
            self._patients[appointment.patient_person_id] = tuple(patient)
        minutes = (appointment.ended_at - appointment.started_at).total_seconds() / 60
        return {
            "id": str(appointment.id),
            "type": str(appointment.type),
            "status": str(appointment.status),
            "source": str(appointment.source),
            # Rules cite a service by its short number (`appointment.service_id = 10`).
            "service_id": service_ref if service_ref is not None else str(appointment.service_id),
            "specialist_id": str(appointment.specialist_id),
            "calendar_id": str(appointment.calendar_id) if appointment.calendar_id else None,
            "started_at": self.local(appointment.started_at),
            "ended_at": self.local(appointment.ended_at),
            "duration_minutes": round(minutes),
            "video_room_url": appointment.video_room_url,
            "is_first": earlier == 0,
            "specialist": {"name": specialist_name, "specialty": specialty},
            "service": {"name": service_name},
        }

    # --- the patient ----------------------------------------------------------------------------

    def patient(self, person_id: uuid.UUID) -> dict[str, Any] | None:
        row = (
            self._patients.get(person_id)
            or self.session.execute(
                patient_statement(), {"person_id": person_id, **self._scope()}
            ).first()
        )
        if row is None:
            return None
        person, onboarded_at, count, last_start, segments, has_plan, today, open_today = row
        last_day = last_start.astimezone(self.tz).date() if last_start is not None else None
        return {
            "id": str(person.id),
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": person.email,
            "phone": person.phone,
            "country": person.country,
            "city": person.city,
            "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else None,
            "onboarded_at": self.local(onboarded_at),
            "segment_ids": _segment_ids(segments),
            "appointment_count": count,
            "days_since_last_appointment": (
                (self.today - last_day).days
                if last_day is not None and last_day <= self.today
                else None
            ),
            "has_active_treatment_plan": bool(has_plan),
            "session_due_today": bool(open_today),
            "session_completed_today": bool(today) and not open_today,
        }

    # --- plans ---------------------------------------------------------------------------------

    def current_plan_of(self, person_id: uuid.UUID) -> uuid.UUID | None:
        """The ongoing plan a daily or weekly rule is about: the one with a session today,
        else the most recently started."""
        rows = self.session.execute(
            select(PatientTreatmentPlan.id, func.count(TreatmentSession.id))
            .outerjoin(
                TreatmentSession,
                and_(
                    TreatmentSession.patient_treatment_plan_id == PatientTreatmentPlan.id,
                    TreatmentSession.scheduled_on == self.today,
                ),
            )
            .where(
                PatientTreatmentPlan.patient_person_id == person_id,
                PatientTreatmentPlan.status.in_(ONGOING_PLAN_STATUSES),
                PatientTreatmentPlan.deleted_at.is_(None),
            )
            .group_by(PatientTreatmentPlan.id)
            .order_by(
                func.count(TreatmentSession.id).desc(), PatientTreatmentPlan.start_date.desc()
            )
        ).first()
        return rows[0] if rows is not None else None

    def treatment_plan(self, plan_id: uuid.UUID) -> tuple[dict[str, Any] | None, int | None]:
        """The plan's values and its sessions' estimated length."""
        row = self.session.execute(
            select(TreatmentPlan, Specialist.name)
            .outerjoin(Specialist, Specialist.id == TreatmentPlan.specialist_id)
            .where(TreatmentPlan.id == plan_id)
        ).first()
        if row is None:
            return None, None
        plan, specialist_name = row
        values = {
            "id": str(plan.id),
            "name": plan.name,
            "type": str(plan.type),
            "status": str(plan.status),
            "requires_approval": plan.requires_approval,
            "frequency_per_week": plan.frequency_per_week,
            "duration_weeks": plan.duration_weeks,
            "specialist_id": str(plan.specialist_id) if plan.specialist_id else None,
            "specialist": {"name": specialist_name},
            "followup_service_id": (
                str(plan.followup_service_id) if plan.followup_service_id else None
            ),
        }
        return values, plan.session_estimated_minutes

    def patient_plan(self, ids: _Ids) -> dict[str, Any]:
        """treatment_plan, patient_treatment_plan and session, for a patient's plan."""
        plan = self.session.get(PatientTreatmentPlan, ids.patient_plan)
        if plan is None:
            return {}
        found, estimated = self.treatment_plan(plan.treatment_plan_id)
        template = found or {}
        due, done = self.session.execute(
            select(
                func.count().filter(TreatmentSession.scheduled_on <= self.today),
                func.count().filter(TreatmentSession.completed_at.is_not(None)),
            ).where(TreatmentSession.patient_treatment_plan_id == plan.id)
        ).one()
        # Sessions done early count, but adherence never passes 1.
        adherence = round(min(done / due, 1.0), 4) if due else None
        mine = {
            "id": str(plan.id),
            "status": str(plan.status),
            "self_assigned": plan.self_assigned,
            "sessions_total": plan.sessions_total,
            "sessions_completed": plan.sessions_completed,
            "adherence_rate": adherence,
            "pain_reduction_percentage": _pain_reduction(plan.pain_baseline, plan.pain_latest),
            "start_date": plan.start_date.isoformat(),
            "end_date": plan.end_date.isoformat(),
        }
        template.update(adherence_rate=adherence, sessions_completed=plan.sessions_completed)
        result: dict[str, Any] = {"treatment_plan": template, "patient_treatment_plan": mine}
        treatment_session = self._session(plan.id, ids.session, estimated)
        if treatment_session is not None:
            result["session"] = treatment_session
        return result

    def _session(
        self, plan_id: uuid.UUID, session_id: uuid.UUID | None, estimated: int | None
    ) -> dict[str, Any] | None:
        rows = self.session.scalars(
            select(TreatmentSession)
            .where(TreatmentSession.patient_treatment_plan_id == plan_id)
            .order_by(TreatmentSession.scheduled_on, TreatmentSession.id)
        ).all()
        # The session the event names, else today's, else the next one due.
        chosen = next((s for s in rows if s.id == session_id), None) if session_id else None
        chosen = chosen or next((s for s in rows if s.scheduled_on == self.today), None)
        chosen = chosen or next(
            (s for s in rows if s.scheduled_on >= self.today and s.completed_at is None), None
        )
        if chosen is None:
            return None
        return {
            "id": str(chosen.id),
            "number": rows.index(chosen) + 1,
            "scheduled_on": chosen.scheduled_on.isoformat(),
            "estimated_duration": chosen.duration_minutes or estimated,
            "completed_at": self.local(chosen.completed_at),
        }

    def enrolment(self, enrolment_id: uuid.UUID) -> dict[str, Any]:
        row = self.session.execute(
            select(PatientServicePlan, ServicePlan)
            .join(ServicePlan, ServicePlan.id == PatientServicePlan.service_plan_id)
            .where(PatientServicePlan.id == enrolment_id)
        ).first()
        if row is None:
            return {}
        enrolment, plan = row
        return {
            "service_plan": {
                "id": str(plan.id),
                "name": plan.name,
                "session_count": plan.session_count,
                "has_exercise_tracking": plan.has_exercise_tracking,
            },
            "service_plan_enrolment": {
                "id": str(enrolment.id),
                "status": str(enrolment.status),
                "enrolled_at": self.local(enrolment.enrolled_at),
                "sessions_completed": enrolment.sessions_completed,
            },
        }


def _segment_ids(aggregated: str | None) -> list[int | str]:
    """Rules cite a segment by its short number (15) or its id: offer both."""
    found: list[int | str] = []
    for item in aggregated.split(SEGMENT_SEPARATOR) if aggregated else ():
        segment_id, _, reference = item.partition(REFERENCE_SEPARATOR)
        if reference:
            found.append(int(reference))
        found.append(str(uuid.UUID(segment_id)))
    return found


def _pain_reduction(baseline: float | None, latest: float | None) -> float | None:
    if baseline is None or latest is None or baseline <= 0:
        return None
    return round((baseline - latest) / baseline * 100, 1)
