"""Helpers shared by the appointment service tests: a recording video-room provider and
small readers of what services wrote."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from frontdesk.integrations.video import VideoRoom
from frontdesk.services import booking
from frontdesk.services.booking import BookingResult
from frontdesk.services.context import ServiceContext
from frontdesk.store.models import AppointmentStatusChange, AuditEntry, DomainEvent
from tests.support.clinic import Clinic

TOMORROW_10 = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)  # 10:00 in Bucharest
"""A start the clinic's fixed clock (Monday 07:00 UTC) sees as tomorrow morning."""


@dataclass
class RecordingRooms:
    """A video provider that remembers what it was asked to do."""

    created: list[tuple[str, datetime]] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    def create_room(self, name: str, expires_at: datetime) -> VideoRoom:
        self.created.append((name, expires_at))
        return VideoRoom(name=name, url=f"https://video.test/{name}", expires_at=expires_at)

    def delete_room(self, name: str) -> None:
        self.deleted.append(name)


def with_rooms(clinic: Clinic, rooms: RecordingRooms) -> ServiceContext:
    return replace(clinic.ctx, video_rooms=rooms)


def history(
    sessions: sessionmaker[Session], appointment_id: uuid.UUID
) -> list[tuple[str | None, str]]:
    with sessions() as session:
        rows = session.scalars(
            select(AppointmentStatusChange)
            .where(AppointmentStatusChange.appointment_id == appointment_id)
            .order_by(AppointmentStatusChange.changed_at, AppointmentStatusChange.id)
        )
        return [(row.from_status, row.to_status) for row in rows]


def event_names(sessions: sessionmaker[Session], subject_id: uuid.UUID) -> list[str]:
    with sessions() as session:
        return list(
            session.scalars(
                select(DomainEvent.name)
                .where(DomainEvent.subject_id == subject_id)
                .order_by(DomainEvent.id)
            )
        )


def events_named(sessions: sessionmaker[Session], name: str) -> list[DomainEvent]:
    with sessions() as session:
        return list(
            session.scalars(
                select(DomainEvent).where(DomainEvent.name == name).order_by(DomainEvent.id)
            )
        )


def audit_actions(sessions: sessionmaker[Session], entity_id: uuid.UUID) -> list[str]:
    with sessions() as session:
        return list(
            session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.entity_id == entity_id)
                .order_by(AuditEntry.id)
            )
        )


def book(
    ctx: ServiceContext,
    clinic: Clinic,
    *,
    start: datetime = TOMORROW_10,
    key: str | None = None,
    name: str = "Ioana Marin",
    email: str = "ioana.marin@example.com",
    phone: str = "0721 000 111",
    calendar_id: uuid.UUID | None = None,
    service_id: uuid.UUID | None = None,
) -> BookingResult:
    """A public booking with sensible defaults."""
    return booking.book_public(
        ctx,
        service_id=service_id or clinic.consult_service_id,
        calendar_id=calendar_id,
        start=start,
        name=name,
        email=email,
        phone=phone,
        client_id="browser-1",
        idempotency_key=key or str(uuid.uuid4()),
    ).value


def later(start: datetime, minutes: int) -> datetime:
    return start + timedelta(minutes=minutes)
