"""What the public booking page lists: the clinic's public services that are not retired, each
with the public calendars it can be booked through and its performers' names.

A calendar offers a service when it names no specialist, or names one who performs the
service (the slots listing would offer nothing otherwise). Nothing private leaves here: no
e-mail, phone or account; the only ids are those booking needs (service and calendar).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.domain.enums import AppointmentType
from frontdesk.store.models import Calendar, Service, ServiceSpecialist, Specialist


@dataclass(frozen=True)
class PublicCalendar:
    id: uuid.UUID
    name: str


@dataclass(frozen=True)
class PublicService:
    id: uuid.UUID
    reference: int | None
    name: str
    description: str
    duration_minutes: int
    mode: AppointmentType
    price_cents: int | None
    currency: str | None
    calendars: tuple[PublicCalendar, ...]
    performers: tuple[str, ...]


def public_services(session: Session, organization_id: uuid.UUID) -> list[PublicService]:
    services = session.scalars(
        select(Service)
        .where(
            Service.organization_id == organization_id,
            Service.is_public.is_(True),
            Service.deleted_at.is_(None),
        )
        .order_by(Service.reference.is_(None), Service.reference, Service.name, Service.id)
    ).all()
    performers: dict[uuid.UUID, list[tuple[uuid.UUID, str]]] = {}
    for service_id, specialist_id, name in session.execute(
        select(ServiceSpecialist.service_id, Specialist.id, Specialist.name)
        .join(Specialist, Specialist.id == ServiceSpecialist.specialist_id)
        .where(
            ServiceSpecialist.organization_id == organization_id,
            ServiceSpecialist.deleted_at.is_(None),
            Specialist.is_active.is_(True),
        )
        .order_by(ServiceSpecialist.id)
    ):
        performers.setdefault(service_id, []).append((specialist_id, name))
    calendars = session.execute(
        select(Calendar.id, Calendar.name, Calendar.specialist_id)
        .where(
            Calendar.organization_id == organization_id,
            Calendar.is_public.is_(True),
            Calendar.deleted_at.is_(None),
        )
        .order_by(Calendar.name, Calendar.id)
    ).all()
    listed = []
    for service in services:
        who = performers.get(service.id, [])
        ids = {specialist_id for specialist_id, _ in who}
        listed.append(
            PublicService(
                id=service.id,
                reference=service.reference,
                name=service.name,
                description=service.description,
                duration_minutes=service.duration_minutes,
                mode=AppointmentType(service.appointment_type),
                price_cents=service.price_cents,
                currency=service.currency,
                calendars=tuple(
                    PublicCalendar(c.id, c.name)
                    for c in calendars
                    if c.specialist_id is None or c.specialist_id in ids
                ),
                performers=tuple(name for _, name in who),
            )
        )
    return listed
