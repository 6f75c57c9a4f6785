"""Form instances: a template's fields snapshotted for one patient, filled, then signed."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.domain.enums import FormSource, FormStatus, FormType
from frontdesk.store.base import Base, OrgOwned, SoftDeletable


class FormInstance(OrgOwned, SoftDeletable, Base):
    __tablename__ = "form_instances"
    __table_args__ = (
        # An appointment's forms, and its count of unsigned ones for the calendar, from the
        # index alone.
        Index("ix_form_instances_appointment", "appointment_id", "status", "deleted_at"),
    )

    template_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("form_templates.id"))
    template_key: Mapped[str] = mapped_column(String(100))
    template_version: Mapped[int] = mapped_column(Integer)
    appointment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("appointments.id"), default=None
    )
    patient_person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patient_persons.id"), index=True
    )
    form_type: Mapped[FormType] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[FormStatus] = mapped_column(String(20), default=FormStatus.CREATED)
    blocking: Mapped[bool] = mapped_column(default=False)
    source: Mapped[FormSource] = mapped_column(String(20), default=FormSource.SERVICE)
    fields: Mapped[list[Any]] = mapped_column(default=list)
    values: Mapped[dict[str, Any]] = mapped_column(default=dict)
    automation_execution_id: Mapped[uuid.UUID | None] = mapped_column(default=None)

    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    signed_at: Mapped[datetime | None] = mapped_column(default=None)
    signed_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id"), default=None
    )
    signer_name: Mapped[str | None] = mapped_column(String(200), default=None)
    # Set when a guardian signs for a dependent: the person who signed.
    signed_on_behalf_by_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("patient_persons.id"), default=None
    )
    signature_svg: Mapped[str | None] = mapped_column(Text, default=None)
    content_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    # The staff member at whose desk the form was signed (not part of the seal: the server
    # records it from the pushing desk's session, whatever the desk said).
    witnessed_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id"), default=None
    )
