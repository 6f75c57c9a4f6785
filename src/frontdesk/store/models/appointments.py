"""Appointments, their status history, reviews and the video room they carry."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.domain.enums import AppointmentSource, AppointmentStatus, AppointmentType
from frontdesk.store.base import Base, OrgOwned, SoftDeletable


class Appointment(OrgOwned, SoftDeletable, Base):
    __tablename__ = "appointments"
    __table_args__ = (
        # Covers the calendar's month counts (range, scope and filters read from the index
        # alone, no table lookups: a month is one contiguous slice of it).
        Index(
            "ix_appointments_org_start",
            "organization_id",
            "started_at",
            "status",
            "specialist_id",
            "patient_person_id",
            "deleted_at",
        ),
        Index("ix_appointments_specialist_start", "specialist_id", "started_at"),
        UniqueConstraint("organization_id", "idempotency_key"),
        CheckConstraint("ended_at > started_at", name="ends_after_start"),
    )

    patient_person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patient_persons.id"), index=True
    )
    specialist_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("specialists.id"))
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id"))
    calendar_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("calendars.id"), default=None)
    status: Mapped[AppointmentStatus] = mapped_column(String(20), default=AppointmentStatus.BOOKED)
    type: Mapped[AppointmentType] = mapped_column(String(20), default=AppointmentType.IN_CLINIC)
    source: Mapped[AppointmentSource] = mapped_column(String(20), default=AppointmentSource.STAFF)
    # Scheduled start and end (the specification's names).
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime]

    # Before onboarding: where to send the confirmation; who booked (for rate limits).
    contact_email: Mapped[str | None] = mapped_column(String(320), default=None)
    booking_client_id: Mapped[str | None] = mapped_column(String(100), default=None)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), default=None)

    additional_service_ids: Mapped[list[Any]] = mapped_column(default=list)
    additional_product_ids: Mapped[list[Any]] = mapped_column(default=list)
    patient_service_plan_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("patient_service_plans.id"), default=None
    )
    plan_session_number: Mapped[int | None] = mapped_column(Integer, default=None)

    video_room_name: Mapped[str | None] = mapped_column(String(200), default=None)
    video_room_url: Mapped[str | None] = mapped_column(String(500), default=None)
    video_room_expires_at: Mapped[datetime | None] = mapped_column(default=None)

    onboarded_at: Mapped[datetime | None] = mapped_column(default=None)
    checked_in_at: Mapped[datetime | None] = mapped_column(default=None)
    session_started_at: Mapped[datetime | None] = mapped_column(default=None)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    cancelled_at: Mapped[datetime | None] = mapped_column(default=None)
    cancelled_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id"), default=None
    )
    cancellation_reason: Mapped[str | None] = mapped_column(Text, default=None)
    double_booking_override_reason: Mapped[str | None] = mapped_column(Text, default=None)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id"), default=None
    )


class AppointmentStatusChange(OrgOwned, Base):
    """Every status change: from, to, who, when and why."""

    __tablename__ = "appointment_status_history"

    appointment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("appointments.id"), index=True)
    from_status: Mapped[AppointmentStatus | None] = mapped_column(String(20))
    to_status: Mapped[AppointmentStatus] = mapped_column(String(20))
    changed_at: Mapped[datetime]
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    actor_label: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str | None] = mapped_column(Text, default=None)


class Review(OrgOwned, Base):
    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("appointment_id"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
    )

    appointment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("appointments.id"))
    patient_person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient_persons.id"))
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
