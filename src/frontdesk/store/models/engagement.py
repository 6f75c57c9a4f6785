"""What the clinic does for and asks of patients: segments, access, consents, blocks,
notifications, outbound messages, and the alerts staff must acknowledge."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.domain.enums import AlertKind, MessageChannel, MessageStatus
from frontdesk.store.base import Base, OrgOwned, SoftDeletable


class Segment(OrgOwned, SoftDeletable, Base):
    __tablename__ = "segments"
    __table_args__ = (UniqueConstraint("organization_id", "reference"),)

    # The short number rules may cite ("segment_id": 15).
    reference: Mapped[int | None] = mapped_column(Integer, default=None)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")


class SegmentMember(OrgOwned, Base):
    __tablename__ = "segment_members"
    __table_args__ = (UniqueConstraint("segment_id", "patient_person_id"),)

    segment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("segments.id"), index=True)
    patient_person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient_persons.id"))
    added_at: Mapped[datetime]
    removed_at: Mapped[datetime | None] = mapped_column(default=None)


class AccessGrant(OrgOwned, Base):
    """A feature unlocked for a patient (video, plans, telerehab, booking…)."""

    __tablename__ = "access_grants"
    __table_args__ = (UniqueConstraint("patient_person_id", "feature"),)

    patient_person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient_persons.id"))
    feature: Mapped[str] = mapped_column(String(50))
    granted_at: Mapped[datetime]
    # A grant for a number of days (`grant_access` with `duration_days`) lapses by itself.
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    automation_execution_id: Mapped[uuid.UUID | None] = mapped_column(default=None)


class Consent(OrgOwned, Base):
    """A consent a patient must give (required) and whether they have given it."""

    __tablename__ = "consents"
    __table_args__ = (UniqueConstraint("patient_person_id", "consent_type"),)

    patient_person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patient_persons.id"), index=True
    )
    consent_type: Mapped[str] = mapped_column(String(100))
    required: Mapped[bool] = mapped_column(default=True)
    granted_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    # The form the patient gives this consent through; signing it grants the consent.
    form_instance_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("form_instances.id"), default=None
    )
    automation_execution_id: Mapped[uuid.UUID | None] = mapped_column(default=None)


class BookingBlock(OrgOwned, Base):
    __tablename__ = "booking_blocks"

    patient_person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patient_persons.id"), index=True
    )
    reason: Mapped[str] = mapped_column(Text)
    lifted_at: Mapped[datetime | None] = mapped_column(default=None)
    automation_execution_id: Mapped[uuid.UUID | None] = mapped_column(default=None)


class MessageTemplate(OrgOwned, SoftDeletable, Base):
    """An organization's wording of a message, by key ("welcome_patient"). Keys with no row
    here fall back to the defaults shipped in resources/messages/."""

    __tablename__ = "message_templates"
    __table_args__ = (UniqueConstraint("organization_id", "key", "channel"),)

    key: Mapped[str] = mapped_column(String(100))
    channel: Mapped[MessageChannel] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text)


class Notification(OrgOwned, Base):
    """An in-app banner for a patient, a specialist or staff."""

    __tablename__ = "notifications"

    target: Mapped[str] = mapped_column(String(20))  # patient | specialist | staff
    patient_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("patient_persons.id"), default=None, index=True
    )
    specialist_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("specialists.id"), default=None
    )
    message: Mapped[str] = mapped_column(Text)
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    cta_url: Mapped[str | None] = mapped_column(String(500), default=None)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    read_at: Mapped[datetime | None] = mapped_column(default=None)
    automation_execution_id: Mapped[uuid.UUID | None] = mapped_column(default=None)


class OutboundMessage(OrgOwned, Base):
    """An e-mail, SMS or push waiting for (or past) delivery. Idempotent by key."""

    __tablename__ = "outbound_messages"
    __table_args__ = (UniqueConstraint("idempotency_key"),)

    channel: Mapped[MessageChannel] = mapped_column(String(10))
    recipient: Mapped[str] = mapped_column(String(320))
    patient_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("patient_persons.id"), default=None
    )
    subject: Mapped[str] = mapped_column(String(300), default="")
    body_text: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str | None] = mapped_column(Text, default=None)
    template: Mapped[str | None] = mapped_column(String(100), default=None)
    idempotency_key: Mapped[str] = mapped_column(String(200))
    status: Mapped[MessageStatus] = mapped_column(String(10), default=MessageStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime | None] = mapped_column(default=None)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    automation_execution_id: Mapped[uuid.UUID | None] = mapped_column(default=None)


class Alert(OrgOwned, Base):
    """Something an admin must look at: a low rating, a loop-guard trip, a failed delivery."""

    __tablename__ = "alerts"

    kind: Mapped[AlertKind] = mapped_column(String(30))
    severity: Mapped[str] = mapped_column(String(10), default="warning")
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    subject_type: Mapped[str | None] = mapped_column(String(50), default=None)
    subject_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    acknowledged_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id"), default=None
    )
