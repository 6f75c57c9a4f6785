"""What the desk may book: the organization's live services, each with the active
specialists who perform it, and its time zone (the booking form shows local times)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from frontdesk.domain.enums import AppointmentType
from frontdesk.services.appointment_records import organization_zone
from frontdesk.services.context import ServiceContext
from frontdesk.services.permissions import require_staff
from frontdesk.store.models import Service, ServiceSpecialist, Specialist


@dataclass(frozen=True, slots=True)
class SpecialistChoice:
    id: uuid.UUID
    name: str
    specialty: str


@dataclass(frozen=True, slots=True)
class ServiceChoice:
    id: uuid.UUID
    name: str
    duration_minutes: int
    appointment_type: AppointmentType
    # Empty: anyone may give it (as `services.booking` allows).
    specialist_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class BookingChoices:
    timezone: str
    services: list[ServiceChoice]
    specialists: list[SpecialistChoice]

    def specialists_for(self, service_id: uuid.UUID) -> list[SpecialistChoice]:
        """Who may give the service, in the order they were assigned to it."""
        service = next((s for s in self.services if s.id == service_id), None)
        if service is None or not service.specialist_ids:
            return list(self.specialists)
        by_id = {specialist.id: specialist for specialist in self.specialists}
        return [by_id[i] for i in service.specialist_ids if i in by_id]


def booking_choices(ctx: ServiceContext) -> BookingChoices:
    require_staff(ctx.actor, field="actor")
    with ctx.sessions() as session:
        specialists = [
            SpecialistChoice(s.id, s.name, s.specialty)
            for s in session.scalars(
                select(Specialist)
                .where(
                    Specialist.organization_id == ctx.organization_id,
                    Specialist.is_active.is_(True),
                )
                .order_by(Specialist.name, Specialist.id)
            )
        ]
        assignments: dict[uuid.UUID, list[uuid.UUID]] = {}
        for service_id, specialist_id in session.execute(
            select(ServiceSpecialist.service_id, ServiceSpecialist.specialist_id)
            .where(
                ServiceSpecialist.organization_id == ctx.organization_id,
                ServiceSpecialist.deleted_at.is_(None),
            )
            .order_by(ServiceSpecialist.id)
        ):
            assignments.setdefault(service_id, []).append(specialist_id)
        services = [
            ServiceChoice(
                s.id,
                s.name,
                s.duration_minutes,
                AppointmentType(s.appointment_type),
                tuple(assignments.get(s.id, ())),
            )
            for s in session.scalars(
                select(Service)
                .where(Service.organization_id == ctx.organization_id, Service.deleted_at.is_(None))
                .order_by(Service.name, Service.id)
            )
        ]
        timezone = organization_zone(session, ctx.organization_id).key
    return BookingChoices(timezone, services, specialists)
