"""What every appointment write shares: loading an appointment, its status history, its video
room, and the double-booking and same-day checks. Booking, onboarding and the lifecycle all
build on these, inside the caller's transaction."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.domain.appointment_states import ACTIVE_STATUSES
from frontdesk.domain.clock import local_day_bounds, zone
from frontdesk.domain.enums import AppointmentStatus
from frontdesk.domain.errors import DoubleBooking, NotFound
from frontdesk.domain.ids import new_id
from frontdesk.i18n.text import T_
from frontdesk.integrations.video import VideoRoomProvider, room_name
from frontdesk.services.not_found import not_found
from frontdesk.store.models import (
    Appointment,
    AppointmentStatusChange,
    Organization,
    Service,
    Specialist,
)
from frontdesk.store.unit_of_work import UnitOfWork


def load_appointment(tx: UnitOfWork, appointment_id: uuid.UUID) -> Appointment:
    """A live appointment of this organization, or NotFound naming `appointment_id`."""
    appointment = tx.session.get(Appointment, appointment_id)
    if (
        appointment is None
        or appointment.organization_id != tx.organization_id
        or appointment.deleted_at is not None
    ):
        raise NotFound(not_found("appointment"), field="appointment_id")
    return appointment


def organization_zone(session: Session, organization_id: uuid.UUID) -> ZoneInfo:
    name = session.scalar(select(Organization.timezone).where(Organization.id == organization_id))
    if name is None:
        raise NotFound(not_found("organization"), field="organization_id")
    return zone(name)


def local_today(tx: UnitOfWork) -> date:
    """Today in the organization's zone: dates of birth, plans and other local days are
    checked against this, never against the UTC date."""
    return tx.now.astimezone(organization_zone(tx.session, tx.organization_id)).date()


def local_label(instant: datetime, tz: ZoneInfo) -> str:
    """How the desk reads an instant: 'Tue 03 Mar 10:00' in the organization's zone."""
    return f"{instant.astimezone(tz):%a %d %b %H:%M}"


def record_status_change(
    tx: UnitOfWork,
    appointment: Appointment,
    to_status: AppointmentStatus,
    *,
    reason: str | None = None,
    is_creation: bool = False,
) -> None:
    """Move the appointment to `to_status` and append the history row (who, when, why).
    Callers check the transition first: this only records it."""
    tx.session.add(
        AppointmentStatusChange(
            id=new_id(),
            organization_id=appointment.organization_id,
            appointment_id=appointment.id,
            from_status=None if is_creation else appointment.status,
            to_status=to_status,
            changed_at=tx.now,
            actor_user_id=tx.actor.user_id,
            actor_label=tx.actor.label,
            reason=reason,
        )
    )
    appointment.status = to_status


def status_history(session: Session, appointment_id: uuid.UUID) -> list[AppointmentStatusChange]:
    """The appointment's status changes in the order they happened. Ids are time-ordered
    (UUIDv7), so they break ties between changes recorded at the same instant."""
    return list(
        session.scalars(
            select(AppointmentStatusChange)
            .where(AppointmentStatusChange.appointment_id == appointment_id)
            .order_by(AppointmentStatusChange.changed_at, AppointmentStatusChange.id)
        )
    )


def open_video_room(rooms: VideoRoomProvider, appointment: Appointment) -> None:
    """Request the appointment's room (idempotent at the provider) and remember it. The room
    expires when the appointment ends."""
    room = rooms.create_room(
        room_name(appointment.organization_id, appointment.id), expires_at=appointment.ended_at
    )
    appointment.video_room_name = room.name
    appointment.video_room_url = room.url
    appointment.video_room_expires_at = room.expires_at


def close_video_room(rooms: VideoRoomProvider, appointment: Appointment) -> None:
    if appointment.video_room_name is not None:
        rooms.delete_room(appointment.video_room_name)
    appointment.video_room_name = None
    appointment.video_room_url = None
    appointment.video_room_expires_at = None


def overlapping_appointments(
    session: Session,
    organization_id: uuid.UUID,
    specialist_id: uuid.UUID,
    start: datetime,
    end: datetime,
    *,
    exclude_id: uuid.UUID | None = None,
) -> list[Appointment]:
    """Live appointments holding the specialist's time somewhere in [start, end)."""
    query = select(Appointment).where(
        Appointment.organization_id == organization_id,
        Appointment.specialist_id == specialist_id,
        Appointment.status.in_(sorted(ACTIVE_STATUSES)),
        Appointment.deleted_at.is_(None),
        Appointment.started_at < end,
        Appointment.ended_at > start,
    )
    if exclude_id is not None:
        query = query.where(Appointment.id != exclude_id)
    return list(session.scalars(query.order_by(Appointment.started_at)))


def settle_double_booking(
    tx: UnitOfWork,
    *,
    specialist_id: uuid.UUID,
    start: datetime,
    end: datetime,
    override_reason: str | None,
    exclude_id: uuid.UUID | None = None,
) -> tuple[str | None, list[str]]:
    """Refuse an overlap with DoubleBooking unless an override reason was given (already
    validated: staff only). Returns the reason to record (None when nothing overlaps, so a
    stale reason never stays on a booking that no longer needs one) and the overlapped ids
    as text (for the audit log)."""
    conflicts = overlapping_appointments(
        tx.session, tx.organization_id, specialist_id, start, end, exclude_id=exclude_id
    )
    if not conflicts:
        return None, []
    ids = [str(conflict.id) for conflict in conflicts]
    if override_reason is None:
        tz = organization_zone(tx.session, tx.organization_id)
        specialist = tx.session.get_one(Specialist, specialist_id)
        taken = ", ".join(
            f"{local_label(c.started_at, tz)}–{c.ended_at.astimezone(tz):%H:%M}" for c in conflicts
        )
        raise DoubleBooking(
            T_(
                "{specialist} is already booked at {taken}. Choose another time, or book over it "
                "giving a reason.",
                specialist=specialist.name,
                taken=taken,
            ),
            conflicting_ids=tuple(ids),
        )
    return override_reason, ids


def same_day_warnings(
    tx: UnitOfWork,
    *,
    person_id: uuid.UUID,
    start: datetime,
    exclude_id: uuid.UUID | None = None,
) -> list[str]:
    """A warning per other active appointment of the person on the same local day: allowed
    (a consult and a follow-up can share a day) but usually a mistake worth a second look."""
    tz = organization_zone(tx.session, tx.organization_id)
    day_start, day_end = local_day_bounds(start.astimezone(tz).date(), tz)
    query = (
        select(Appointment, Service.name)
        .join(Service, Service.id == Appointment.service_id)
        .where(
            Appointment.organization_id == tx.organization_id,
            Appointment.patient_person_id == person_id,
            Appointment.status.in_(sorted(ACTIVE_STATUSES)),
            Appointment.deleted_at.is_(None),
            Appointment.started_at >= day_start,
            Appointment.started_at < day_end,
        )
        .order_by(Appointment.started_at)
    )
    if exclude_id is not None:
        query = query.where(Appointment.id != exclude_id)
    return [
        f"the patient already has {service_name} at {local_label(other.started_at, tz)} that day"
        for other, service_name in tx.session.execute(query)
    ]
