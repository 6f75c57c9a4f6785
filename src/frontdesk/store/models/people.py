"""Patient persons (the people care is for) and their link to an organization."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.store.base import Base, OrgOwned, SoftDeletable


class PatientPerson(OrgOwned, SoftDeletable, Base):
    """A person who receives care; may have no account, or be managed by another person."""

    __tablename__ = "patient_persons"
    __table_args__ = (
        Index("ix_patient_persons_identity", "organization_id", "last_name", "date_of_birth"),
    )

    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str | None] = mapped_column(String(32), default=None, index=True)
    email: Mapped[str | None] = mapped_column(String(320), default=None, index=True)
    date_of_birth: Mapped[date | None] = mapped_column(default=None)
    country: Mapped[str | None] = mapped_column(String(2), default=None)
    city: Mapped[str | None] = mapped_column(String(100), default=None)
    # The person's login: asked for by a desk (onboarding), made or linked by the server,
    # which alone knows the account (a desk never sees `user_id`).
    account_requested_at: Mapped[datetime | None] = mapped_column(default=None)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    # A dependent (a child, an elderly parent) is managed by another person's login.
    manager_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("patient_persons.id"), default=None, index=True
    )
    profile: Mapped[dict[str, Any]] = mapped_column(default=dict)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Patient(OrgOwned, SoftDeletable, Base):
    """The organization ↔ person link created at onboarding."""

    __tablename__ = "patients"
    __table_args__ = (UniqueConstraint("organization_id", "patient_person_id"),)

    patient_person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient_persons.id"))
    onboarded_at: Mapped[datetime]
    onboarded_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id"), default=None
    )
