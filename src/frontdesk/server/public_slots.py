"""Free start times of a public service on one day (read-only; booking re-checks them).

Slots follow the clinic's working day used everywhere else (weekdays 09:00-17:00 in the
organization's zone, one slot per service length); a slot is free when at least one specialist
who performs the service (the calendar's own, if it names one) has no active appointment
overlapping it, and it starts after now."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.domain.appointment_states import ACTIVE_STATUSES
from frontdesk.domain.clock import ensure_utc
from frontdesk.domain.errors import NotFound
from frontdesk.services.appointment_records import organization_zone
from frontdesk.services.followups import SATURDAY, WORKDAY_END, WORKDAY_START
from frontdesk.store.models import Appointment, Calendar, Service, ServiceSpecialist, Specialist


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime


def free_slots(
    session: Session,
    organization_id: uuid.UUID,
    *,
    service_id: uuid.UUID,
    day: date,
    calendar_id: uuid.UUID | None,
    now: datetime,
) -> list[Slot]:
    service = session.get(Service, service_id)
    if service is None or service.deleted_at is not None or not service.is_public:
        raise NotFound(f"no service {service_id}", field="service_id")
    specialists = _performers(session, service_id)
    if calendar_id is not None:
        calendar = session.get(Calendar, calendar_id)
        if calendar is None or calendar.deleted_at is not None or not calendar.is_public:
            raise NotFound(f"no calendar {calendar_id}", field="calendar_id")
        if calendar.specialist_id is not None:
            specialists = [s for s in specialists if s == calendar.specialist_id]
    tz = organization_zone(session, organization_id)
    if day.weekday() >= SATURDAY or not specialists:
        return []
    opening = ensure_utc(datetime.combine(day, WORKDAY_START, tzinfo=tz))
    closing = ensure_utc(datetime.combine(day, WORKDAY_END, tzinfo=tz))
    busy = _busy(session, specialists, opening, closing)
    length = timedelta(minutes=service.duration_minutes)
    slots: list[Slot] = []
    start = opening
    while start + length <= closing:
        end = start + length
        if start > now and any(
            all(end <= taken_start or start >= taken_end for taken_start, taken_end in busy[s])
            for s in specialists
        ):
            slots.append(Slot(start, end))
        start = end
    return slots


def _performers(session: Session, service_id: uuid.UUID) -> list[uuid.UUID]:
    return list(
        session.scalars(
            select(ServiceSpecialist.specialist_id)
            .join(Specialist, Specialist.id == ServiceSpecialist.specialist_id)
            .where(ServiceSpecialist.service_id == service_id, Specialist.is_active.is_(True))
            .order_by(ServiceSpecialist.id)
        )
    )


def _busy(
    session: Session, specialists: list[uuid.UUID], opening: datetime, closing: datetime
) -> dict[uuid.UUID, list[tuple[datetime, datetime]]]:
    busy: dict[uuid.UUID, list[tuple[datetime, datetime]]] = {s: [] for s in specialists}
    rows = session.execute(
        select(Appointment.specialist_id, Appointment.started_at, Appointment.ended_at).where(
            Appointment.specialist_id.in_(specialists),
            Appointment.status.in_(sorted(ACTIVE_STATUSES)),
            Appointment.deleted_at.is_(None),
            Appointment.started_at < closing,
            Appointment.ended_at > opening,
        )
    )
    for specialist_id, started_at, ended_at in rows:
        busy[specialist_id].append((started_at, ended_at))
    return busy
