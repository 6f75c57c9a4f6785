"""What can be booked and the forms it needs: services, calendars, form templates."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.domain.enums import AppointmentType, FormType
from frontdesk.store.base import Base, OrgOwned, SoftDeletable


class FormTemplate(OrgOwned, SoftDeletable, Base):
    """One version of a form template. Editing a template adds a version; old ones stay."""

    __tablename__ = "form_templates"
    __table_args__ = (UniqueConstraint("organization_id", "template_key", "version"),)

    template_key: Mapped[str] = mapped_column(String(100))
    # The short number admins see and rules may cite ("form_template_id": 42); shared by
    # every version of one template.
    reference: Mapped[int | None] = mapped_column(Integer, default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)
    is_current: Mapped[bool] = mapped_column(default=True)
    title: Mapped[str] = mapped_column(String(200))
    form_type: Mapped[FormType] = mapped_column(String(20))
    blocking: Mapped[bool] = mapped_column(default=False)
    # [{"key": "allergies", "label": "Allergies", "type": "textarea", "required": true,
    #   "options": [...], "min": 0, "max": 10, "prefill": "patient.email"}, ...]
    fields: Mapped[list[Any]] = mapped_column(default=list)
    body: Mapped[str] = mapped_column(default="")


class Service(OrgOwned, SoftDeletable, Base):
    """What can be booked. Retiring a service sets `deleted_at`; bringing it back clears it."""

    __tablename__ = "services"

    name: Mapped[str] = mapped_column(String(200))
    # The short number admins see and rules cite (`appointment.service_id = 10`).
    reference: Mapped[int | None] = mapped_column(Integer, default=None)
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    duration_minutes: Mapped[int] = mapped_column(Integer, default=30)
    appointment_type: Mapped[AppointmentType] = mapped_column(
        String(20), default=AppointmentType.IN_CLINIC
    )
    price_cents: Mapped[int | None] = mapped_column(Integer, default=None)
    # ISO 4217 code of `price_cents` (set exactly when a price is).
    currency: Mapped[str | None] = mapped_column(String(3), default=None)
    followup_service_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("services.id"), default=None
    )
    is_public: Mapped[bool] = mapped_column(default=True)


class ServiceSpecialist(OrgOwned, SoftDeletable, Base):
    """Which specialists perform a service (public booking offers their free slots). A
    performer taken off the service keeps its row with `deleted_at` (sync carries no
    deletions); added back, the row is revived."""

    __tablename__ = "service_specialists"
    __table_args__ = (UniqueConstraint("service_id", "specialist_id"),)

    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id"), index=True)
    specialist_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("specialists.id"), index=True)


class ServiceForm(OrgOwned, SoftDeletable, Base):
    """A form a service's appointments need, in `position` order; removed ones keep their row
    with `deleted_at`, as performers do."""

    __tablename__ = "service_forms"
    __table_args__ = (UniqueConstraint("service_id", "template_key"),)

    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id"), index=True)
    # By key, so a new template version is used for appointments onboarded after it.
    template_key: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)


class Calendar(OrgOwned, SoftDeletable, Base):
    """A booking channel (the public page, a campaign, a partner desk)."""

    __tablename__ = "calendars"

    name: Mapped[str] = mapped_column(String(200))
    specialist_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("specialists.id"), default=None
    )
    is_public: Mapped[bool] = mapped_column(default=True)


class CalendarForm(OrgOwned, Base):
    __tablename__ = "calendar_forms"
    __table_args__ = (UniqueConstraint("calendar_id", "template_key"),)

    calendar_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("calendars.id"), index=True)
    template_key: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)
