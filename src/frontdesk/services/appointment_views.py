"""Reading one appointment for the desk: every field with names instead of ids, its status
history, forms and review; and what onboarding it would generate. Read-only; changes go
through `services.booking`, `services.onboarding` and `services.lifecycle`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from frontdesk.domain.enums import (
    AppointmentSource,
    AppointmentStatus,
    AppointmentType,
    FormSource,
)
from frontdesk.domain.errors import NotFound
from frontdesk.services import calendar
from frontdesk.services.access import can_see_appointment
from frontdesk.services.appointment_records import organization_zone, status_history
from frontdesk.services.calendar import CalendarEntry
from frontdesk.services.context import ServiceContext
from frontdesk.services.form_views import FormRow, list_forms
from frontdesk.services.not_found import not_found
from frontdesk.store.models import (
    Appointment,
    Calendar,
    CalendarForm,
    FormTemplate,
    PatientPerson,
    Review,
    Service,
    ServiceForm,
    Specialist,
    User,
)


@dataclass(frozen=True, slots=True)
class StatusStep:
    changed_local: datetime
    from_status: AppointmentStatus | None
    to_status: AppointmentStatus
    actor_label: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class ReviewView:
    rating: int
    comment: str
    submitted_local: datetime


@dataclass(frozen=True, slots=True)
class PlannedForm:
    """A form onboarding will ask for (or has asked for) on this appointment."""

    template_key: str
    title: str
    source: FormSource
    blocking: bool


@dataclass(frozen=True)
class AppointmentDetail:
    id: uuid.UUID
    status: AppointmentStatus
    type: AppointmentType
    source: AppointmentSource
    start_local: datetime
    end_local: datetime
    service_name: str
    specialist_id: uuid.UUID
    specialist_name: str
    calendar_name: str | None
    patient_person_id: uuid.UUID
    patient_name: str
    patient_phone: str | None
    patient_email: str | None
    contact_email: str | None
    video_room_name: str | None
    video_room_url: str | None
    video_room_expires_local: datetime | None
    onboarded_local: datetime | None
    checked_in_local: datetime | None
    session_started_local: datetime | None
    completed_local: datetime | None
    cancelled_local: datetime | None
    cancelled_by: str | None
    cancellation_reason: str | None
    double_booking_override_reason: str | None
    plan_session_number: int | None
    notes: str
    booked_local: datetime
    history: list[StatusStep]
    forms: list[FormRow]
    review: ReviewView | None


def appointment_detail(ctx: ServiceContext, appointment_id: uuid.UUID) -> AppointmentDetail:
    """The appointment as the detail dialog shows it, if the actor may see it."""
    with ctx.sessions() as session:
        appointment = session.get(Appointment, appointment_id)
        if appointment is None or not can_see_appointment(
            ctx.actor, ctx.organization_id, appointment
        ):
            raise NotFound(not_found("appointment"), field="appointment_id")
        tz = organization_zone(session, ctx.organization_id)

        def local(instant: datetime | None) -> datetime | None:
            return instant.astimezone(tz) if instant is not None else None

        person = session.get_one(PatientPerson, appointment.patient_person_id)
        calendar = (
            session.get(Calendar, appointment.calendar_id) if appointment.calendar_id else None
        )
        cancelled_by = (
            session.get(User, appointment.cancelled_by_user_id)
            if appointment.cancelled_by_user_id
            else None
        )
        review = session.scalar(select(Review).where(Review.appointment_id == appointment.id))
        detail = AppointmentDetail(
            id=appointment.id,
            status=AppointmentStatus(appointment.status),
            type=AppointmentType(appointment.type),
            source=AppointmentSource(appointment.source),
            start_local=appointment.started_at.astimezone(tz),
            end_local=appointment.ended_at.astimezone(tz),
            service_name=session.get_one(Service, appointment.service_id).name,
            specialist_id=appointment.specialist_id,
            specialist_name=session.get_one(Specialist, appointment.specialist_id).name,
            calendar_name=calendar.name if calendar else None,
            patient_person_id=person.id,
            patient_name=person.name,
            patient_phone=person.phone,
            patient_email=person.email,
            contact_email=appointment.contact_email,
            video_room_name=appointment.video_room_name,
            video_room_url=appointment.video_room_url,
            video_room_expires_local=local(appointment.video_room_expires_at),
            onboarded_local=local(appointment.onboarded_at),
            checked_in_local=local(appointment.checked_in_at),
            session_started_local=local(appointment.session_started_at),
            completed_local=local(appointment.completed_at),
            cancelled_local=local(appointment.cancelled_at),
            cancelled_by=cancelled_by.display_name if cancelled_by else None,
            cancellation_reason=appointment.cancellation_reason,
            double_booking_override_reason=appointment.double_booking_override_reason,
            plan_session_number=appointment.plan_session_number,
            notes=appointment.notes,
            booked_local=appointment.created_at.astimezone(tz),
            history=[
                StatusStep(
                    change.changed_at.astimezone(tz),
                    AppointmentStatus(change.from_status) if change.from_status else None,
                    AppointmentStatus(change.to_status),
                    change.actor_label,
                    change.reason,
                )
                for change in status_history(session, appointment.id)
            ],
            forms=[],
            review=(
                ReviewView(review.rating, review.comment, review.created_at.astimezone(tz))
                if review
                else None
            ),
        )
    return AppointmentDetail(
        **{**detail.__dict__, "forms": list_forms(ctx, appointment_id=appointment_id)}
    )


def planned_forms(ctx: ServiceContext, appointment_id: uuid.UUID) -> list[PlannedForm]:
    """The forms onboarding generates for this appointment: its service's, then its
    calendar's, one per template key (the service's entry wins), current versions only —
    the same merge as `services.forms.generate_appointment_forms`."""
    with ctx.sessions() as session:
        appointment = session.get(Appointment, appointment_id)
        if appointment is None or not can_see_appointment(
            ctx.actor, ctx.organization_id, appointment
        ):
            raise NotFound(not_found("appointment"), field="appointment_id")
        keys: dict[str, FormSource] = {}
        for key in session.scalars(
            select(ServiceForm.template_key)
            .where(
                ServiceForm.service_id == appointment.service_id, ServiceForm.deleted_at.is_(None)
            )
            .order_by(ServiceForm.position, ServiceForm.template_key)
        ):
            keys.setdefault(key, FormSource.SERVICE)
        if appointment.calendar_id is not None:
            for key in session.scalars(
                select(CalendarForm.template_key)
                .where(CalendarForm.calendar_id == appointment.calendar_id)
                .order_by(CalendarForm.position, CalendarForm.template_key)
            ):
                keys.setdefault(key, FormSource.CALENDAR)
        templates = {
            template.template_key: template
            for template in session.scalars(
                select(FormTemplate).where(
                    FormTemplate.organization_id == ctx.organization_id,
                    FormTemplate.template_key.in_(list(keys)),
                    FormTemplate.is_current.is_(True),
                    FormTemplate.deleted_at.is_(None),
                )
            )
        }
        return [
            PlannedForm(key, templates[key].title, source, templates[key].blocking)
            for key, source in keys.items()
            if key in templates
        ]


def sessions_today(ctx: ServiceContext) -> tuple[date, list[CalendarEntry]]:
    """The clinic-local day and its appointments the actor may see, by start: for a
    specialist, their own sessions (the calendar's scope)."""
    with ctx.sessions() as session:
        tz = organization_zone(session, ctx.organization_id)
    today = ctx.clock.now().astimezone(tz).date()
    return today, calendar.day(ctx, today)
