"""What the public booking page offers: the free slots of a public service on one day, and
the check a public booking passes (its start must be one the listing would offer).

Both go through `frontdesk.domain.slot_grid.offered_slots` (the working-day grid, after now,
within the organization's booking horizon). The listing further leaves out slots no performer
of the service (the calendar's own specialist, if it names one) is free for; a booking of an
offered slot that was taken meanwhile is refused as a double booking instead.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.domain.appointment_states import ACTIVE_STATUSES
from frontdesk.domain.clock import zone
from frontdesk.domain.errors import InvalidInput, NotFound
from frontdesk.domain.slot_grid import Slot, is_offered, offered_slots
from frontdesk.i18n.text import T_
from frontdesk.services.not_found import not_found
from frontdesk.store.models import (
    Appointment,
    Calendar,
    Organization,
    Service,
    ServiceSpecialist,
    Specialist,
)

NOT_OFFERED = T_("That time is not offered: choose one of the free times.")


@dataclass(frozen=True, slots=True)
class BookingWindow:
    """The organization's zone and how many days ahead it takes public bookings."""

    tz: ZoneInfo
    horizon_days: int


def booking_window(session: Session, organization_id: uuid.UUID) -> BookingWindow:
    row = session.execute(
        select(Organization.timezone, Organization.booking_horizon_days).where(
            Organization.id == organization_id
        )
    ).one_or_none()
    if row is None:
        raise NotFound(not_found("organization"), field="organization_id")
    return BookingWindow(zone(row.timezone), row.booking_horizon_days)


def public_service(session: Session, organization_id: uuid.UUID, service_id: uuid.UUID) -> Service:
    service = session.get(Service, service_id)
    if (
        service is None
        or service.organization_id != organization_id
        or service.deleted_at is not None
        or not service.is_public
    ):
        raise NotFound(not_found("service"), field="service_id")
    return service


def public_calendar(
    session: Session, organization_id: uuid.UUID, calendar_id: uuid.UUID | None
) -> Calendar | None:
    if calendar_id is None:
        return None
    calendar = session.get(Calendar, calendar_id)
    if (
        calendar is None
        or calendar.organization_id != organization_id
        or calendar.deleted_at is not None
        or not calendar.is_public
    ):
        raise NotFound(not_found("calendar"), field="calendar_id")
    return calendar


def performers(
    session: Session, service_id: uuid.UUID, calendar: Calendar | None = None
) -> list[uuid.UUID]:
    """Active specialists performing the service, in the order they were assigned to it;
    only the calendar's own specialist when the calendar names one."""
    found = list(
        session.scalars(
            select(ServiceSpecialist.specialist_id)
            .join(Specialist, Specialist.id == ServiceSpecialist.specialist_id)
            .where(ServiceSpecialist.service_id == service_id, Specialist.is_active.is_(True))
            .order_by(ServiceSpecialist.id)
        )
    )
    if calendar is not None and calendar.specialist_id is not None:
        found = [s for s in found if s == calendar.specialist_id]
    return found


def require_offered(
    session: Session, organization_id: uuid.UUID, service: Service, start: datetime, now: datetime
) -> None:
    """Refuses (422 on `start`) a start the public slots listing would not offer."""
    window = booking_window(session, organization_id)
    length = timedelta(minutes=service.duration_minutes)
    if not is_offered(start, window.tz, length, now=now, horizon_days=window.horizon_days):
        raise InvalidInput.single("start", NOT_OFFERED)


def free_slots(
    session: Session,
    organization_id: uuid.UUID,
    *,
    service_id: uuid.UUID,
    day: date,
    calendar_id: uuid.UUID | None,
    now: datetime,
) -> list[Slot]:
    """The offered slots of the local `day` that at least one performer is free for."""
    service = public_service(session, organization_id, service_id)
    specialists = performers(
        session, service_id, public_calendar(session, organization_id, calendar_id)
    )
    window = booking_window(session, organization_id)
    offered = offered_slots(
        day,
        window.tz,
        timedelta(minutes=service.duration_minutes),
        now=now,
        horizon_days=window.horizon_days,
    )
    if not offered or not specialists:
        return []
    busy = _busy(session, specialists, offered[0].start, offered[-1].end)
    return [
        slot
        for slot in offered
        if any(
            all(
                slot.end <= taken_start or slot.start >= taken_end
                for taken_start, taken_end in busy[s]
            )
            for s in specialists
        )
    ]


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
