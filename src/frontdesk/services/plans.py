"""Multi-session service plans ("10 physiotherapy sessions") and treatment plans (a home
exercise programme a specialist prescribes), with the events automations listen to.

Service plans: a patient is enrolled (`service_plan.enrolled`); each session is recorded as
started and completed (`service_plan.session_started` / `session_completed`); the last one
completes the enrolment (`service_plan.completed`).

Treatment plans: created as a draft (`treatment_plan.created`), published — at once, or after
an admin's approval when the plan requires it (`treatment_plan.activated`) — then assigned to
patients (`treatment_plan.assigned`). An assignment schedules `frequency_per_week ×
duration_weeks` sessions over the weeks from its start date (see
`domain.treatment_schedule`). Completing a session emits `treatment_plan.session_completed`;
the last one completes the plan (`treatment_plan.completed`); a plan whose end date passed
first expires (`treatment_plan.expired`, from a background check).

A patient's plan is assigned until its first session is done, then active. Events name the
patient, the plan and the patient's plan in their payload, which is how automations find them.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from frontdesk.domain.enums import (
    EnrolmentStatus,
    PatientPlanStatus,
    Role,
    TreatmentPlanStatus,
    TreatmentPlanType,
)
from frontdesk.domain.errors import (
    AlreadyExists,
    FieldError,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from frontdesk.domain.events import EventName
from frontdesk.domain.field_names import POSITIVE_NUMBER, between, number_taken, too_long
from frontdesk.domain.ids import derived_id, new_id
from frontdesk.domain.treatment_schedule import (
    adherence_rate,
    pain_reduction_percentage,
    plan_end_date,
    session_dates,
)
from frontdesk.i18n.text import T_
from frontdesk.services.appointment_records import load_appointment, local_today
from frontdesk.services.context import Outcome, ServiceContext
from frontdesk.services.not_found import not_found
from frontdesk.services.patients import load_person
from frontdesk.services.permissions import require_staff
from frontdesk.store.models import (
    Appointment,
    PatientServicePlan,
    PatientTreatmentPlan,
    Service,
    ServicePlan,
    Specialist,
    TreatmentPlan,
    TreatmentSession,
)
from frontdesk.store.unit_of_work import Actor, UnitOfWork

NAME_MAX = 200
MAX_SESSION_COUNT = 100
MAX_PAIN = 10
ONGOING = (PatientPlanStatus.ASSIGNED, PatientPlanStatus.ACTIVE)

Row = TypeVar("Row", ServicePlan, PatientServicePlan, TreatmentPlan, TreatmentSession)


# --- service plans ----------------------------------------------------------------------------


def create_service_plan(
    ctx: ServiceContext,
    *,
    name: str,
    service_id: uuid.UUID,
    session_count: int,
    has_exercise_tracking: bool = False,
    price_cents: int | None = None,
) -> Outcome[ServicePlan]:
    require_staff(ctx.actor, field="actor")
    errors = _name_errors(name)
    if not 1 <= session_count <= MAX_SESSION_COUNT:
        errors.append(FieldError("session_count", between("session_count", 1, MAX_SESSION_COUNT)))
    if price_cents is not None and price_cents < 0:
        errors.append(FieldError("price_cents", T_("The price cannot be negative.")))
    if errors:
        raise InvalidInput(errors)
    with ctx.transaction() as tx:
        _require_service(tx, service_id, field="service_id")
        plan = ServicePlan(
            id=new_id(),
            organization_id=ctx.organization_id,
            name=" ".join(name.split()),
            service_id=service_id,
            session_count=session_count,
            has_exercise_tracking=has_exercise_tracking,
            price_cents=price_cents,
        )
        tx.session.add(plan)
        tx.audit("service_plan.created", "service_plan", plan.id, {"name": plan.name})
    return Outcome(plan, tx.changes)


def enrol(
    ctx: ServiceContext, service_plan_id: uuid.UUID, patient_person_id: uuid.UUID
) -> Outcome[PatientServicePlan]:
    require_staff(ctx.actor, field="actor")
    with ctx.transaction() as tx:
        enrolment = enrol_in(tx, service_plan_id, patient_person_id)
    return Outcome(enrolment, tx.changes)


def enrol_in(
    tx: UnitOfWork,
    service_plan_id: uuid.UUID,
    patient_person_id: uuid.UUID,
    *,
    enrolment_id: uuid.UUID | None = None,
) -> PatientServicePlan:
    """Enrol the person inside the caller's transaction. An enrolment whose `enrolment_id`
    exists already is returned as it is; a second active enrolment in one plan is refused."""
    if enrolment_id is not None:
        existing = tx.session.get(PatientServicePlan, enrolment_id)
        if existing is not None and existing.organization_id == tx.organization_id:
            return existing
    plan = _load(tx, ServicePlan, service_plan_id, field="service_plan_id", what="service plan")
    person = load_person(tx, patient_person_id, field="patient_person_id")
    active = tx.session.scalar(
        select(PatientServicePlan.id).where(
            PatientServicePlan.service_plan_id == plan.id,
            PatientServicePlan.patient_person_id == person.id,
            PatientServicePlan.status == EnrolmentStatus.ACTIVE,
            PatientServicePlan.deleted_at.is_(None),
        )
    )
    if active is not None:
        raise AlreadyExists(
            T_("{person} is already enrolled in {plan}.", person=person.name, plan=plan.name),
            field="service_plan_id",
        )
    enrolment = PatientServicePlan(
        id=enrolment_id or new_id(),
        organization_id=tx.organization_id,
        service_plan_id=plan.id,
        patient_person_id=person.id,
        status=EnrolmentStatus.ACTIVE,
        enrolled_at=tx.now,
        sessions_completed=0,
    )
    tx.session.add(enrolment)
    payload = _enrolment_payload(enrolment, plan)
    tx.emit(EventName.SERVICE_PLAN_ENROLLED, "service_plan_enrolment", enrolment.id, payload)
    tx.audit("service_plan.enrolled", "service_plan_enrolment", enrolment.id, payload)
    return enrolment


def record_service_session_started(
    ctx: ServiceContext, enrolment_id: uuid.UUID, *, appointment_id: uuid.UUID | None = None
) -> Outcome[PatientServicePlan]:
    """The next session of the enrolment has begun (optionally: this appointment)."""
    require_staff(ctx.actor, field="actor")
    with ctx.transaction() as tx:
        enrolment, plan = _active_enrolment(tx, enrolment_id)
        appointment = _appointment_of(tx, enrolment, appointment_id)
        payload = {
            **_enrolment_payload(enrolment, plan),
            "session_number": enrolment.sessions_completed + 1,
            "appointment_id": appointment.id if appointment is not None else None,
        }
        tx.emit(
            EventName.SERVICE_PLAN_SESSION_STARTED, "service_plan_enrolment", enrolment.id, payload
        )
        tx.audit("service_plan.session_started", "service_plan_enrolment", enrolment.id, payload)
    return Outcome(enrolment, tx.changes)


def record_service_session_completed(
    ctx: ServiceContext, enrolment_id: uuid.UUID, *, appointment_id: uuid.UUID | None = None
) -> Outcome[PatientServicePlan]:
    """The next session of the enrolment is done; the last one completes the enrolment."""
    require_staff(ctx.actor, field="actor")
    with ctx.transaction() as tx:
        enrolment, plan = _active_enrolment(tx, enrolment_id)
        appointment = _appointment_of(tx, enrolment, appointment_id)
        if appointment is not None and appointment.patient_service_plan_id is not None:
            raise AlreadyExists(
                T_(
                    "This appointment is counted already, as session {number} of a service plan.",
                    number=appointment.plan_session_number or 0,
                ),
                field="appointment_id",
            )
        enrolment.sessions_completed += 1
        if appointment is not None:
            appointment.patient_service_plan_id = enrolment.id
            appointment.plan_session_number = enrolment.sessions_completed
        finished = enrolment.sessions_completed >= plan.session_count
        if finished:
            enrolment.status = EnrolmentStatus.COMPLETED
            enrolment.completed_at = tx.now
        payload = {
            **_enrolment_payload(enrolment, plan),
            "session_number": enrolment.sessions_completed,
            "appointment_id": appointment.id if appointment is not None else None,
        }
        tx.emit(
            EventName.SERVICE_PLAN_SESSION_COMPLETED,
            "service_plan_enrolment",
            enrolment.id,
            payload,
        )
        if finished:
            tx.emit(
                EventName.SERVICE_PLAN_COMPLETED, "service_plan_enrolment", enrolment.id, payload
            )
        tx.audit("service_plan.session_completed", "service_plan_enrolment", enrolment.id, payload)
    return Outcome(enrolment, tx.changes)


def _active_enrolment(
    tx: UnitOfWork, enrolment_id: uuid.UUID
) -> tuple[PatientServicePlan, ServicePlan]:
    enrolment = _load(tx, PatientServicePlan, enrolment_id, field="enrolment_id", what="enrolment")
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise InvalidInput.single(
            "enrolment_id", T_("This plan enrolment has ended or was stopped.")
        )
    return enrolment, tx.session.get_one(ServicePlan, enrolment.service_plan_id)


def _appointment_of(
    tx: UnitOfWork, enrolment: PatientServicePlan, appointment_id: uuid.UUID | None
) -> Appointment | None:
    if appointment_id is None:
        return None
    appointment = load_appointment(tx, appointment_id)
    if appointment.patient_person_id != enrolment.patient_person_id:
        raise InvalidInput.single("appointment_id", T_("This appointment is another patient's."))
    return appointment


def _enrolment_payload(enrolment: PatientServicePlan, plan: ServicePlan) -> dict[str, Any]:
    return {
        "patient_person_id": enrolment.patient_person_id,
        "service_plan_id": plan.id,
        "service_plan_enrolment_id": enrolment.id,
        "sessions_completed": enrolment.sessions_completed,
        "session_count": plan.session_count,
    }


# --- treatment plans: the plan itself ---------------------------------------------------------


def create_treatment_plan(
    ctx: ServiceContext,
    *,
    name: str,
    type: TreatmentPlanType | str,
    specialist_id: uuid.UUID | None = None,
    requires_approval: bool = False,
    frequency_per_week: int = 3,
    duration_weeks: int = 6,
    session_estimated_minutes: int = 20,
    followup_service_id: uuid.UUID | None = None,
    reference: int | None = None,
) -> Outcome[TreatmentPlan]:
    """A new plan, as a draft. `reference` is the short number rules may cite."""
    require_staff(ctx.actor, field="actor")
    errors = _name_errors(name)
    if type not in set(TreatmentPlanType):
        choices = ", ".join(TreatmentPlanType)
        errors.append(FieldError("type", T_("Choose a kind of plan: {choices}.", choices=choices)))
    for field, value, low, high in (
        ("frequency_per_week", frequency_per_week, 1, 7),
        ("duration_weeks", duration_weeks, 1, 52),
        ("session_estimated_minutes", session_estimated_minutes, 1, 240),
    ):
        if not low <= value <= high:
            errors.append(FieldError(field, between(field, low, high)))
    if reference is not None and reference < 1:
        errors.append(FieldError("reference", POSITIVE_NUMBER))
    if errors:
        raise InvalidInput(errors)
    with ctx.transaction() as tx:
        if specialist_id is not None:
            specialist = tx.session.get(Specialist, specialist_id)
            if (
                specialist is None
                or specialist.organization_id != ctx.organization_id
                or not specialist.is_active
            ):
                raise NotFound(not_found("specialist"), field="specialist_id")
        if followup_service_id is not None:
            _require_service(tx, followup_service_id, field="followup_service_id")
        if reference is not None:
            _require_free_reference(tx, reference)
        plan = TreatmentPlan(
            id=new_id(),
            organization_id=ctx.organization_id,
            reference=reference,
            name=" ".join(name.split()),
            type=TreatmentPlanType(type),
            status=TreatmentPlanStatus.DRAFT,
            specialist_id=specialist_id,
            requires_approval=requires_approval,
            frequency_per_week=frequency_per_week,
            duration_weeks=duration_weeks,
            session_estimated_minutes=session_estimated_minutes,
            followup_service_id=followup_service_id,
        )
        tx.session.add(plan)
        tx.emit(EventName.TREATMENT_PLAN_CREATED, "treatment_plan", plan.id, _plan_payload(plan))
        tx.audit("treatment_plan.created", "treatment_plan", plan.id, {"name": plan.name})
    return Outcome(plan, tx.changes)


def activate_treatment_plan(ctx: ServiceContext, plan_id: uuid.UUID) -> Outcome[TreatmentPlan]:
    """Publish a draft: active at once, or waiting for an admin when it requires approval."""
    require_staff(ctx.actor, field="actor")
    with ctx.transaction() as tx:
        plan = _load_plan(tx, plan_id)
        if plan.status != TreatmentPlanStatus.DRAFT:
            raise InvalidInput.single(
                "treatment_plan_id",
                T_("Only a draft plan can be published; this one is published."),
            )
        if plan.requires_approval:
            plan.status = TreatmentPlanStatus.PENDING_APPROVAL
            tx.audit("treatment_plan.submitted", "treatment_plan", plan.id, {"name": plan.name})
        else:
            _activate(tx, plan)
    return Outcome(plan, tx.changes)


def approve_treatment_plan(ctx: ServiceContext, plan_id: uuid.UUID) -> Outcome[TreatmentPlan]:
    """An admin approves a plan waiting for approval, which makes it active."""
    _require_admin(ctx.actor)
    with ctx.transaction() as tx:
        plan = _load_plan(tx, plan_id)
        if plan.status != TreatmentPlanStatus.PENDING_APPROVAL:
            raise InvalidInput.single(
                "treatment_plan_id", T_("This plan is not waiting for approval.")
            )
        _activate(tx, plan)
    return Outcome(plan, tx.changes)


def _activate(tx: UnitOfWork, plan: TreatmentPlan) -> None:
    plan.status = TreatmentPlanStatus.ACTIVE
    tx.emit(EventName.TREATMENT_PLAN_ACTIVATED, "treatment_plan", plan.id, _plan_payload(plan))
    tx.audit("treatment_plan.activated", "treatment_plan", plan.id, {"by": tx.actor.label})


def _require_admin(actor: Actor) -> None:
    # The system (role None) approves when a rule or a sync says so.
    if actor.role not in (None, Role.ADMIN):
        raise PermissionDenied(
            T_("You are not allowed to approve a treatment plan: ask an admin."), field="actor"
        )


def _plan_payload(plan: TreatmentPlan) -> dict[str, Any]:
    return {
        "treatment_plan_id": plan.id,
        "type": plan.type,
        "status": plan.status,
        "specialist_id": plan.specialist_id,
    }


# --- treatment plans: a patient's plan --------------------------------------------------------


def assign_treatment_plan(
    ctx: ServiceContext,
    plan_id: uuid.UUID,
    patient_person_id: uuid.UUID,
    *,
    start_date: date | None = None,
) -> Outcome[PatientTreatmentPlan]:
    """Give an active plan to a patient, starting `start_date` (default: today in the
    organization's zone). Staff assign; a patient may take a plan for themselves (a
    self-assigned plan)."""
    if ctx.actor.role == Role.PATIENT:
        if patient_person_id not in ctx.actor.person_ids:
            raise PermissionDenied(
                T_("You may take a plan only for yourself."), field="patient_person_id"
            )
    else:
        require_staff(ctx.actor, field="actor")
    with ctx.transaction() as tx:
        today = local_today(tx)
        if start_date is not None and start_date < today:
            raise InvalidInput.single("start_date", T_("The start date cannot be in the past."))
        assignment = assign_treatment_plan_in(
            tx, _load_plan(tx, plan_id), patient_person_id, start_date=start_date or today
        )
    return Outcome(assignment, tx.changes)


def assign_treatment_plan_in(
    tx: UnitOfWork,
    plan: TreatmentPlan,
    patient_person_id: uuid.UUID,
    *,
    start_date: date,
    assignment_id: uuid.UUID | None = None,
) -> PatientTreatmentPlan:
    """Assign inside the caller's transaction, with its sessions. An assignment whose
    `assignment_id` exists already is returned as it is (the same occurrence ran again)."""
    if assignment_id is not None:
        existing = tx.session.get(PatientTreatmentPlan, assignment_id)
        if existing is not None and existing.organization_id == tx.organization_id:
            return existing
    if plan.status != TreatmentPlanStatus.ACTIVE:
        raise InvalidInput.single(
            "treatment_plan_id",
            T_("{plan} is not published yet, so it cannot be given to a patient.", plan=plan.name),
        )
    person = load_person(tx, patient_person_id, field="patient_person_id")
    if _ongoing_assignment(tx, plan.id, person.id) is not None:
        raise AlreadyExists(
            T_("{person} is already following {plan}.", person=person.name, plan=plan.name),
            field="treatment_plan_id",
        )
    dates = session_dates(start_date, plan.frequency_per_week, plan.duration_weeks)
    assignment = PatientTreatmentPlan(
        id=assignment_id or new_id(),
        organization_id=tx.organization_id,
        treatment_plan_id=plan.id,
        patient_person_id=person.id,
        status=PatientPlanStatus.ASSIGNED,
        self_assigned=tx.actor.role == Role.PATIENT,
        assigned_by_user_id=tx.actor.user_id,
        start_date=start_date,
        end_date=plan_end_date(start_date, plan.duration_weeks),
        sessions_total=len(dates),
        sessions_completed=0,
    )
    tx.session.add(assignment)
    tx.session.flush()
    for number, day in enumerate(dates, start=1):
        tx.session.add(
            TreatmentSession(
                # Derived from the assignment, so two desks making the same assignment (the
                # same automation occurrence offline) make the same sessions.
                id=derived_id(f"patient_treatment_plan:{assignment.id}", number),
                organization_id=tx.organization_id,
                patient_treatment_plan_id=assignment.id,
                scheduled_on=day,
            )
        )
    payload = {
        **_assignment_payload(assignment, plan),
        "start_date": assignment.start_date,
        "end_date": assignment.end_date,
        "self_assigned": assignment.self_assigned,
    }
    tx.emit(EventName.TREATMENT_PLAN_ASSIGNED, "patient_treatment_plan", assignment.id, payload)
    tx.audit("treatment_plan.assigned", "patient_treatment_plan", assignment.id, payload)
    return assignment


def complete_session(
    ctx: ServiceContext,
    session_id: uuid.UUID,
    *,
    pain_level: float | None = None,
    duration_minutes: int | None = None,
) -> Outcome[TreatmentSession]:
    """The patient did a session (recorded by them, by staff, or by the system), with the
    pain they felt (0–10). Sessions may be done ahead of their day; the last one completes
    the plan."""
    errors = []
    if pain_level is not None and not 0 <= pain_level <= MAX_PAIN:
        errors.append(FieldError("pain_level", between("pain_level", 0, MAX_PAIN)))
    if duration_minutes is not None and not 1 <= duration_minutes <= 600:
        errors.append(FieldError("duration_minutes", between("duration_minutes", 1, 600)))
    if errors:
        raise InvalidInput(errors)
    with ctx.transaction() as tx:
        treatment_session = _load(
            tx, TreatmentSession, session_id, field="session_id", what="treatment session"
        )
        assignment = tx.session.get_one(
            PatientTreatmentPlan, treatment_session.patient_treatment_plan_id
        )
        _require_may_complete(ctx.actor, assignment)
        if treatment_session.completed_at is not None:
            raise InvalidInput.single("session_id", T_("This session was completed already."))
        if assignment.status not in ONGOING:
            raise InvalidInput.single(
                "session_id", T_("This patient's plan has ended or was stopped.")
            )
        _record_completion(tx, treatment_session, assignment, pain_level, duration_minutes)
    return Outcome(treatment_session, tx.changes)


def _record_completion(
    tx: UnitOfWork,
    treatment_session: TreatmentSession,
    assignment: PatientTreatmentPlan,
    pain_level: float | None,
    duration_minutes: int | None,
) -> None:
    plan = tx.session.get_one(TreatmentPlan, assignment.treatment_plan_id)
    treatment_session.completed_at = tx.now
    treatment_session.pain_level = pain_level
    treatment_session.duration_minutes = duration_minutes
    assignment.sessions_completed += 1
    assignment.status = PatientPlanStatus.ACTIVE
    if pain_level is not None:
        if assignment.pain_baseline is None:
            assignment.pain_baseline = pain_level
        assignment.pain_latest = pain_level
    finished = assignment.sessions_completed >= assignment.sessions_total
    if finished:
        assignment.status = PatientPlanStatus.COMPLETED
        assignment.completed_at = tx.now
    tx.session.flush()
    payload = {
        **_assignment_payload(assignment, plan),
        "session_id": treatment_session.id,
        "pain_level": pain_level,
        "adherence_rate": adherence(tx.session, assignment, local_today(tx)),
    }
    subject = ("patient_treatment_plan", assignment.id)
    tx.emit(EventName.TREATMENT_PLAN_SESSION_COMPLETED, *subject, payload)
    if finished:
        reduction = pain_reduction_percentage(assignment.pain_baseline, assignment.pain_latest)
        tx.emit(
            EventName.TREATMENT_PLAN_COMPLETED,
            *subject,
            {**payload, "pain_reduction_percentage": reduction},
        )
    tx.audit("treatment_plan.session_completed", *subject, payload)


def _require_may_complete(actor: Actor, assignment: PatientTreatmentPlan) -> None:
    if actor.role == Role.PATIENT:
        if assignment.patient_person_id not in actor.person_ids:
            raise PermissionDenied(T_("This session is another patient's."), field="session_id")
        return
    require_staff(actor, field="actor")


def expire_overdue_plans(
    ctx: ServiceContext, today: date | None = None
) -> Outcome[list[PatientTreatmentPlan]]:
    """Patients' plans whose end date is before `today` (default: today in the
    organization's zone) and that were never completed become expired, each announcing
    `treatment_plan.expired`. Run by a background check; running it again changes nothing."""
    require_staff(ctx.actor, field="actor")
    with ctx.transaction() as tx:
        day = today or local_today(tx)
        overdue = tx.session.scalars(
            select(PatientTreatmentPlan)
            .where(
                PatientTreatmentPlan.organization_id == ctx.organization_id,
                PatientTreatmentPlan.status.in_(ONGOING),
                PatientTreatmentPlan.deleted_at.is_(None),
                PatientTreatmentPlan.end_date < day,
            )
            .order_by(PatientTreatmentPlan.end_date, PatientTreatmentPlan.id)
        ).all()
        for assignment in overdue:
            plan = tx.session.get_one(TreatmentPlan, assignment.treatment_plan_id)
            assignment.status = PatientPlanStatus.EXPIRED
            payload = {
                **_assignment_payload(assignment, plan),
                "end_date": assignment.end_date,
                "adherence_rate": adherence(tx.session, assignment, day),
            }
            tx.emit(
                EventName.TREATMENT_PLAN_EXPIRED, "patient_treatment_plan", assignment.id, payload
            )
            tx.audit("treatment_plan.expired", "patient_treatment_plan", assignment.id, payload)
    return Outcome(list(overdue), tx.changes)


# --- reading a patient's plan -----------------------------------------------------------------


def adherence(session: Session, assignment: PatientTreatmentPlan, today: date) -> float | None:
    """Sessions completed over sessions scheduled up to `today` (see
    `domain.treatment_schedule.adherence_rate`)."""
    due = session.scalar(
        select(func.count()).where(
            TreatmentSession.patient_treatment_plan_id == assignment.id,
            TreatmentSession.scheduled_on <= today,
        )
    )
    return adherence_rate(assignment.sessions_completed, int(due or 0))


def session_due(
    session: Session,
    organization_id: uuid.UUID,
    patient_person_id: uuid.UUID,
    day: date,
    *,
    assignment_id: uuid.UUID | None = None,
) -> TreatmentSession | None:
    """The patient's session scheduled for `day` and not done yet, in an ongoing plan (the
    named one, when `assignment_id` is given)."""
    query = (
        select(TreatmentSession)
        .join(
            PatientTreatmentPlan,
            PatientTreatmentPlan.id == TreatmentSession.patient_treatment_plan_id,
        )
        .where(
            PatientTreatmentPlan.organization_id == organization_id,
            PatientTreatmentPlan.patient_person_id == patient_person_id,
            PatientTreatmentPlan.status.in_(ONGOING),
            PatientTreatmentPlan.deleted_at.is_(None),
            TreatmentSession.scheduled_on == day,
            TreatmentSession.completed_at.is_(None),
        )
        .order_by(PatientTreatmentPlan.start_date, TreatmentSession.id)
    )
    if assignment_id is not None:
        query = query.where(PatientTreatmentPlan.id == assignment_id)
    return session.scalars(query).first()


def estimated_minutes(session: Session, treatment_session: TreatmentSession) -> int:
    """How long the session takes: as long as it took, once done; else the plan's estimate."""
    if treatment_session.duration_minutes is not None:
        return treatment_session.duration_minutes
    estimate = session.scalar(
        select(TreatmentPlan.session_estimated_minutes)
        .join(PatientTreatmentPlan, PatientTreatmentPlan.treatment_plan_id == TreatmentPlan.id)
        .where(PatientTreatmentPlan.id == treatment_session.patient_treatment_plan_id)
    )
    return int(estimate or 0)


def _assignment_payload(assignment: PatientTreatmentPlan, plan: TreatmentPlan) -> dict[str, Any]:
    return {
        "patient_person_id": assignment.patient_person_id,
        "treatment_plan_id": plan.id,
        "patient_treatment_plan_id": assignment.id,
        "specialist_id": plan.specialist_id,
        "status": assignment.status,
        "sessions_total": assignment.sessions_total,
        "sessions_completed": assignment.sessions_completed,
    }


def _ongoing_assignment(
    tx: UnitOfWork, plan_id: uuid.UUID, person_id: uuid.UUID
) -> uuid.UUID | None:
    return tx.session.scalar(
        select(PatientTreatmentPlan.id).where(
            PatientTreatmentPlan.treatment_plan_id == plan_id,
            PatientTreatmentPlan.patient_person_id == person_id,
            PatientTreatmentPlan.status.in_(ONGOING),
            PatientTreatmentPlan.deleted_at.is_(None),
        )
    )


# --- shared checks ----------------------------------------------------------------------------


def _name_errors(name: str) -> list[FieldError]:
    clean = " ".join(name.split())
    if not clean:
        return [FieldError("name", T_("Give the plan a name."))]
    if len(clean) > NAME_MAX:
        return [FieldError("name", too_long("name", NAME_MAX))]
    return []


def _load_plan(tx: UnitOfWork, plan_id: uuid.UUID) -> TreatmentPlan:
    return _load(tx, TreatmentPlan, plan_id, field="treatment_plan_id", what="treatment plan")


def _load(tx: UnitOfWork, model: type[Row], row_id: uuid.UUID, *, field: str, what: str) -> Row:
    row = tx.session.get(model, row_id)
    if (
        row is None
        or row.organization_id != tx.organization_id
        or getattr(row, "deleted_at", None) is not None
    ):
        raise NotFound(not_found(what), field=field)
    return row


def _require_service(tx: UnitOfWork, service_id: uuid.UUID, *, field: str) -> None:
    service = tx.session.get(Service, service_id)
    if service is None or service.organization_id != tx.organization_id or service.deleted_at:
        raise NotFound(not_found("service"), field=field)


def _require_free_reference(tx: UnitOfWork, reference: int) -> None:
    holder = tx.session.scalar(
        select(TreatmentPlan.name).where(
            TreatmentPlan.organization_id == tx.organization_id,
            TreatmentPlan.reference == reference,
        )
    )
    if holder is not None:
        raise InvalidInput.single("reference", number_taken(reference, holder))
