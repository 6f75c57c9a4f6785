"""What the public booking page offers: the free slots of a public service on one day, and
the check a public booking passes (its start must be one the listing would offer).

Both use the one slot function (`domain.slots`, loaded by `services.slots`): the union over
the service's performers (the calendar's own specialist, if it names one) of their working
hours, after the organization's minimum notice and within its booking horizon. The listing
leaves out what active appointments take; the booking check does not (a start offered a
moment ago and taken meanwhile is refused as a double booking instead, which says why).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.domain.errors import InvalidInput, NotFound
from frontdesk.domain.slots import Slot, local_day_of
from frontdesk.i18n.text import T_
from frontdesk.services.not_found import not_found
from frontdesk.services.slots import booking_policy, slots_by_specialist, union_slots
from frontdesk.store.models import Calendar, Service, ServiceSpecialist, Specialist

NOT_OFFERED = T_("That time is not offered: choose one of the free times.")


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
            .where(
                ServiceSpecialist.service_id == service_id,
                ServiceSpecialist.deleted_at.is_(None),
                Specialist.is_active.is_(True),
            )
            .order_by(ServiceSpecialist.id)
        )
    )
    if calendar is not None and calendar.specialist_id is not None:
        found = [s for s in found if s == calendar.specialist_id]
    return found


def working_performers(
    session: Session,
    organization_id: uuid.UUID,
    service: Service,
    calendar: Calendar | None,
    start: datetime,
    now: datetime,
) -> list[uuid.UUID]:
    """The performers whose working hours offer `start` for the service (taken or not), in
    the order they were assigned; refuses (422 on `start`) a start none of them offers."""
    policy = booking_policy(session, organization_id, now)
    day = local_day_of(start, policy)
    specialists = performers(session, service.id, calendar)
    if day is None or not specialists:
        raise InvalidInput.single("start", NOT_OFFERED)
    offered = slots_by_specialist(
        session,
        organization_id,
        specialists,
        timedelta(minutes=service.duration_minutes),
        day,
        policy,
        ignore_appointments=True,
    )
    working = [s for s in specialists if any(slot.start == start for slot in offered[s])]
    if not working:
        raise InvalidInput.single("start", NOT_OFFERED)
    return working


def free_slots(
    session: Session,
    organization_id: uuid.UUID,
    *,
    service_id: uuid.UUID,
    day: date,
    calendar_id: uuid.UUID | None,
    now: datetime,
) -> list[Slot]:
    """The slots of the local `day` that at least one performer is free for."""
    service = public_service(session, organization_id, service_id)
    specialists = performers(
        session, service_id, public_calendar(session, organization_id, calendar_id)
    )
    return union_slots(
        session,
        organization_id,
        specialists,
        timedelta(minutes=service.duration_minutes),
        day,
        booking_policy(session, organization_id, now),
    )
